"""Daily digest: held e-mails of digest-minded staff go out once, together."""

import pytest
from django.core import mail

from notifications import tasks
from notifications.models import Channel, Notification, NotificationPreference, Status
from notifications.services import notify
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _new_question(user, ref: str) -> None:
    notify(
        kind="qa.staff_new_question",
        recipients=[user],
        context={
            "question": {"reference": ref, "title": "Hỏi", "agency": {"name": "Sở"}, "topic": {"name": "Đất đai"}},
            "staff_url": f"http://127.0.0.1:8000/staff/questions/{ref}/",
            "url": f"http://127.0.0.1:8000/staff/questions/{ref}/",
        },
        idempotency_key=f"new:{ref}",
    )


def test_held_emails_become_one_digest(django_capture_on_commit_callbacks):
    digest_user, instant_user = UserFactory(language="en"), UserFactory()
    NotificationPreference.objects.create(user=digest_user, kind="qa.staff_new_question", email_digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        for ref in ("HP-A-1", "HP-A-2", "HP-A-3"):
            _new_question(digest_user, ref)
        _new_question(instant_user, "HP-B-1")
    assert [m.to for m in mail.outbox] == [[instant_user.email]]

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_digests.apply().get() == 1
    digest = mail.outbox[-1]
    assert digest.to == [digest_user.email]
    assert digest.subject == "Your daily digest: 3 notifications"
    assert all(ref in digest.body for ref in ("HP-A-1", "HP-A-2", "HP-A-3"))
    held = Notification.objects.filter(recipient=digest_user, kind="qa.staff_new_question", channel=Channel.EMAIL)
    assert {row.status for row in held} == {Status.SENT}
    assert len({row.digest_id for row in held}) == 1

    # Nothing held any more: a second run sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_digests.apply().get() == 0
    assert len(mail.outbox) == 2
