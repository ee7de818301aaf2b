"""“Answered by the archive”: visits of the ask form that opened a suggested answer, and whether a question followed.

Why: statistics show how many questions the archive answered before they were asked. Counted per day and
topic only; what links the two events is a small entry in the visitor's own session (no cookie of its own,
no address, no text): the first answer opened from the ask form in a session counts once as "opened", and a
question sent later in the same session counts it as "followed". Opened − followed is the figure.
"""

import datetime

from django.contrib.sessions.backends.base import SessionBase
from django.db.models import F
from django.utils import timezone

from ..models import ArchiveAnswerDay, Question

SESSION_KEY = "qa_ask_archive"


def _bump(day: datetime.date, topic_id: int, field: str) -> None:
    row, _created = ArchiveAnswerDay.objects.get_or_create(day=day, topic_id=topic_id)
    ArchiveAnswerDay.objects.filter(pk=row.pk).update(**{field: F(field) + 1})


def archive_answer_opened(session: SessionBase, question: Question) -> None:
    """A published answer opened from the ask form's suggestions: counted once per session."""
    if SESSION_KEY in session:
        return
    day = timezone.localdate()
    session[SESSION_KEY] = {"day": day.isoformat(), "topic": question.topic_id, "followed": False}
    _bump(day, question.topic_id, "opened")


def archive_answer_followed(session: SessionBase) -> None:
    """A question was sent after an opened answer: the archive did not answer this one."""
    entry = session.get(SESSION_KEY)
    if not entry or entry.get("followed"):
        return
    _bump(datetime.date.fromisoformat(entry["day"]), entry["topic"], "followed")
    session[SESSION_KEY] = {**entry, "followed": True}
