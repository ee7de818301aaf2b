"""Subscribers hear when a session goes live and when its transcript is published (outbox rows, mail after commit)."""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.errors import TransitionNotAllowed
from dialogues import services
from dialogues.models import DialogueSession, SessionStatus, Subscription
from notifications.models import Channel, Notification, Status
from tests.factories import UserFactory

from .factories import DialogueSessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

LIVE = "dialogues.session_live"
TRANSCRIPT = "dialogues.transcript_published"


@pytest.fixture
def session(agency, settings):
    settings.SITE_URL = "https://hoidap.haiphong.gov.vn"
    return DialogueSessionFactory(agency=agency, title="Đối thoại về cấp đổi sổ đỏ", status=SessionStatus.OPEN)


@pytest.fixture
def subscribers(session):
    """A Vietnamese user, an English user and an English-speaking guest."""
    vi_user = UserFactory(email="lan@example.vn", language="vi")
    en_user = UserFactory(email="john@example.vn", language="en")
    Subscription.objects.create(session=session, user=vi_user, language="vi")
    Subscription.objects.create(session=session, user=en_user, language="en")
    Subscription.objects.create(session=session, email="khach@example.vn", language="en")
    return vi_user, en_user


def _rows(kind):
    return Notification.objects.filter(kind=kind)


def test_starting_writes_one_row_per_subscriber_and_channel(session, subscribers, moderator):
    vi_user, en_user = subscribers
    other = DialogueSessionFactory(agency=session.agency)
    Subscription.objects.create(session=other, email="khac@example.vn")

    services.session_start(session_id=session.pk, actor=moderator)

    rows = set(_rows(LIVE).values_list("channel", "recipient_id", "email", "language"))
    assert rows == {
        (Channel.EMAIL, vi_user.pk, "", "vi"),
        (Channel.IN_APP, vi_user.pk, "", "vi"),
        (Channel.EMAIL, en_user.pk, "", "en"),
        (Channel.IN_APP, en_user.pk, "", "en"),
        (Channel.EMAIL, None, "khach@example.vn", "en"),  # guests: e-mail only
    }
    assert set(_rows(LIVE).values_list("status", flat=True)) == {Status.PENDING}
    context = _rows(LIVE).first().context
    url = f"https://hoidap.haiphong.gov.vn/dialogues/{session.pk}/"
    assert context["session"]["title"] == "Đối thoại về cấp đổi sổ đỏ"
    assert context["session"]["starts_at"] == session.scheduled_start.isoformat()
    assert context["session"]["started_at"] is not None
    assert context["session_url"] == context["url"] == url
    assert not _rows(TRANSCRIPT).exists()


def test_nothing_is_written_or_sent_when_the_transaction_rolls_back(
    session, subscribers, moderator, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.session_start(session_id=session.pk, actor=moderator)
        assert _rows(LIVE).count() == 5
        raise RuntimeError("the caller failed after starting")
    assert not _rows(LIVE).exists()
    assert callbacks == []
    assert mail.outbox == []
    assert DialogueSession.objects.get(pk=session.pk).status == SessionStatus.OPEN


def test_a_repeated_start_sends_nothing_twice(session, subscribers, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.session_start(session_id=session.pk, actor=moderator)
    assert len(mail.outbox) == 3
    ids = set(_rows(LIVE).values_list("pk", flat=True))

    # The state machine refuses a second start…
    with pytest.raises(TransitionNotAllowed):
        services.session_start(session_id=session.pk, actor=moderator)
    # …and if the session was somehow put back (an admin edit), the same event writes no new rows.
    DialogueSession.objects.filter(pk=session.pk).update(status=SessionStatus.OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_start(session_id=session.pk, actor=moderator)
    assert set(_rows(LIVE).values_list("pk", flat=True)) == ids
    assert len(mail.outbox) == 3


def test_live_email_goes_out_after_commit_in_each_subscribers_language(
    session, subscribers, moderator, django_capture_on_commit_callbacks
):
    vi_user, en_user = subscribers
    with django_capture_on_commit_callbacks(execute=True):
        services.session_start(session_id=session.pk, actor=moderator)

    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {vi_user.email, en_user.email, "khach@example.vn"}
    url = f"https://hoidap.haiphong.gov.vn/dialogues/{session.pk}/"

    vi = by_address[vi_user.email]
    assert vi.subject == "Đang diễn ra: Đối thoại về cấp đổi sổ đỏ"
    assert "mà Ông/Bà theo dõi đang diễn ra" in vi.body
    assert url in vi.body

    en = by_address[en_user.email]
    assert en.subject == "Live now: Đối thoại về cấp đổi sổ đỏ"
    assert f"Dear {en_user.full_name}," in en.body

    guest = by_address["khach@example.vn"]
    assert guest.subject == "Live now: Đối thoại về cấp đổi sổ đỏ"
    assert "is live now" in guest.body
    assert "Dear ," not in guest.body  # a guest has no name to greet
    assert url in guest.body
    assert "List-Unsubscribe" in guest.extra_headers  # not transactional: one may opt out
    assert set(_rows(LIVE).filter(channel=Channel.EMAIL).values_list("status", flat=True)) == {Status.SENT}


def test_transcript_publication_notifies_subscribers_with_the_transcript_link(
    session, subscribers, moderator, django_capture_on_commit_callbacks
):
    vi_user, _en_user = subscribers
    services.session_start(session_id=session.pk, actor=moderator)
    services.session_end(session_id=session.pk, actor=moderator)
    mail.outbox.clear()
    assert not _rows(TRANSCRIPT).exists()  # ending alone tells nobody

    with django_capture_on_commit_callbacks(execute=True):
        services.session_publish_transcript(session_id=session.pk, actor=moderator)

    assert _rows(TRANSCRIPT).filter(channel=Channel.EMAIL).count() == 3
    assert _rows(TRANSCRIPT).filter(channel=Channel.IN_APP).count() == 2
    transcript_url = f"https://hoidap.haiphong.gov.vn/dialogues/{session.pk}/transcript/"
    assert _rows(TRANSCRIPT).first().context["url"] == transcript_url
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address[vi_user.email].subject == "Đã công bố nội dung đối thoại: Đối thoại về cấp đổi sổ đỏ"
    assert by_address["khach@example.vn"].subject == "Transcript published: Đối thoại về cấp đổi sổ đỏ"
    assert transcript_url in by_address["khach@example.vn"].body


def test_starting_costs_the_same_queries_for_many_subscribers(agency, moderator):
    """The subscriber list is read in one query, whatever its length."""

    def start_with(count: int) -> int:
        target = DialogueSessionFactory(agency=agency, status=SessionStatus.OPEN)
        for n in range(count):
            Subscription.objects.create(session=target, user=UserFactory(language="vi"))
            Subscription.objects.create(session=target, email=f"khach{target.pk}-{n}@example.vn")
        with CaptureQueriesContext(connection) as queries:
            services.session_start(session_id=target.pk, actor=moderator)
        return len(queries)

    start_with(1)  # warm any per-request caches of the moderator's rights
    assert start_with(2) == start_with(12)
