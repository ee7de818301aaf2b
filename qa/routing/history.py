"""What the routing learns from: each answered question's text and the agency that finally answered it.

A question transferred from A to B and answered by B carries B (Question.agency is where it ended), so a
transfer teaches that B was right. An agency since merged or closed is replaced by the active agency that
carries on its work (accounts.lineage): a suggestion always names an agency that can take the question.
Text: the published (moderated) version when there is one, otherwise the asker's text with every personal
datum found by qa.personal_data removed; never the contact fields.
"""

import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from accounts.lineage import current_successor
from accounts.models import Agency

from .. import personal_data
from ..models import Question, QuestionStatus
from .features import question_text

# Every tenth question (by a hash of its id, so the split is stable across retrains) is held out.
HELD_OUT_PERCENT = 10
ANSWERED = (QuestionStatus.ANSWERED, QuestionStatus.PUBLISHED)


@dataclass(frozen=True)
class Example:
    id: int
    text: str
    agency_id: int
    topic_id: int


def is_held_out(question_id: int) -> bool:
    """Whether a question is in the held-out split: measured on, never trained on."""
    return zlib.crc32(str(question_id).encode()) % 100 < HELD_OUT_PERCENT


def successor_map() -> dict[int, int | None]:
    """Inactive agency id → the active agency carrying on its work (None: none, such labels are dropped)."""
    found: dict[int, int | None] = {}
    for agency in Agency.objects.filter(is_active=False):
        successor = current_successor(agency)
        found[agency.pk] = successor.pk if successor else None
    return found


def public_text(row: Mapping[str, Any]) -> str:
    """The moderated public version if published, else the private text with personal data removed."""
    if row["status"] == QuestionStatus.PUBLISHED and row["public_title"]:
        return question_text(row["public_title"], row["public_body"])
    return question_text(personal_data.redact(row["title"]), personal_data.redact(row["body"]))


def answered_examples(limit: int) -> Iterator[Example]:
    """The newest `limit` answered questions (streamed), labelled with their final, current agency."""
    successors = successor_map()
    rows = (
        Question.objects.filter(status__in=ANSWERED)
        .order_by("-answered_at", "-id")
        .values("id", "status", "title", "body", "public_title", "public_body", "agency_id", "topic_id")[:limit]
    )
    for row in rows.iterator(chunk_size=5000):
        agency_id = successors.get(row["agency_id"], row["agency_id"])
        if agency_id is None:
            continue
        yield Example(row["id"], public_text(row), agency_id, row["topic_id"])
