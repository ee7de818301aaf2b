"""The one place where the Q&A app sends messages to askers.

Callers are services, inside their transaction; delivery happens after commit
through a Celery task. The notifications issue replaces the body of
`notify_asker` with its outbox, without touching the callers.
"""

from django.db import transaction

from .models import Question


def notify_asker(question: Question, kind: str, **context) -> None:
    """Send the asker the message `kind` about `question`, once the transaction commits."""
    from .tasks import send_asker_email

    question_id = question.pk
    transaction.on_commit(lambda: send_asker_email.delay(question_id, kind, context))


def notify_lost_links(email: str, question_ids: list[int], language: str) -> None:
    from .tasks import send_tracking_links_email

    transaction.on_commit(lambda: send_tracking_links_email.delay(email, question_ids, language))


def notify_staff(question: Question, kind: str, *, user_ids: list[int], **context) -> None:
    """Tell agency staff (by user id) about `kind` on `question`, once the transaction commits."""
    from .tasks import send_staff_email

    question_id = question.pk
    ids = list(user_ids)
    if ids:
        transaction.on_commit(lambda: send_staff_email.delay(question_id, kind, ids, context))
