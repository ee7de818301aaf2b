"""The public takedown log: what left the archive or had its public text edited after publication, and when.

Read from the questions' audit events. Only the reference code, agency, topic,
date and a reason category are shown: never the removed text, the internal
reason or anyone's name.
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from qa.models import QuestionEvent, QuestionStatus, TakedownReason


def takedown_events() -> QuerySet:
    return (
        QuestionEvent.objects.filter(
            Q(action="unpublish") | Q(action="edit_public", from_status=QuestionStatus.PUBLISHED)
        )
        .order_by("-created_at", "-id")
        .values(
            "created_at", "action", "data", "question__reference", "question__agency__name", "question__topic__name"
        )
    )


def describe(row: dict) -> dict:
    """One line of the log, with labels and nothing else."""
    if row["action"] == "unpublish":
        what = _("Taken out of the archive")
        category = (row["data"] or {}).get("category") or TakedownReason.OTHER
        reason = (
            str(TakedownReason(category).label)
            if category in TakedownReason.values
            else str(TakedownReason.OTHER.label)
        )
    else:
        what, reason = _("Public text edited after publication"), _("Redaction")
    return {
        "when": row["created_at"],
        "what": what,
        "reason": reason,
        "reference": row["question__reference"],
        "agency": row["question__agency__name"],
        "topic": row["question__topic__name"],
    }
