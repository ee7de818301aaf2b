"""Services of live dialogues: state machines, events and their numbering, permissions, forwarding to Q&A."""

import io
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.db import connection
from PIL import Image

from accounts.models import Membership
from core.errors import RateLimited, TransitionNotAllowed
from dialogues import calendar, hub, selectors, services
from dialogues.models import (
    DialogueSession,
    EventScope,
    LiveQuestion,
    LiveQuestionStatus,
    SessionEvent,
    SessionStatus,
    SessionStatusChange,
    Subscription,
)
from qa.models import Channel, Question, QuestionStatus
from tests.factories import MembershipFactory, TopicFactory, UserFactory
from tests.uploads import image_bytes, png_bytes

from .factories import DialogueSessionFactory, LiveQuestionFactory, LiveSessionFactory, PanelistFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

PNG = png_bytes()


def _events(session, scope=EventScope.PUBLIC) -> list[tuple[int, str]]:
    return list(SessionEvent.objects.filter(session=session, scope=scope).order_by("seq").values_list("seq", "type"))


def _ask(session, text="Xin hỏi lịch cắt điện khu vực Kiến An?", key="browser-1", **kwargs):
    return services.live_question_ask(session_id=session.pk, actor=None, text=text, browser_key=key, **kwargs)


def test_session_moves_through_its_status_machine_with_audit_and_numbered_events(agency, moderator):
    session = DialogueSessionFactory(agency=agency)
    services.session_open(session_id=session.pk, actor=moderator)
    with pytest.raises(TransitionNotAllowed):
        services.session_publish_transcript(session_id=session.pk, actor=moderator)
    services.session_start(session_id=session.pk, actor=moderator)
    with pytest.raises(TransitionNotAllowed):
        services.session_open(session_id=session.pk, actor=moderator)
    services.session_end(session_id=session.pk, actor=moderator)
    session = services.session_publish_transcript(session_id=session.pk, actor=moderator)

    assert session.status == SessionStatus.TRANSCRIPT_PUBLISHED
    assert session.started_at and session.ended_at and session.transcript_published_at
    changes = SessionStatusChange.objects.filter(session=session).values_list("from_status", "to_status", "actor")
    assert list(changes) == [
        ("scheduled", "open", moderator.pk),
        ("open", "live", moderator.pk),
        ("live", "ended", moderator.pk),
        ("ended", "transcript_published", moderator.pk),
    ]
    assert _events(session) == [(seq, "session.status") for seq in (1, 2, 3, 4)]
    assert DialogueSession.objects.get(pk=session.pk).last_seq == 4


def test_a_session_without_early_questions_cannot_open_before_the_start(agency, moderator):
    session = DialogueSessionFactory(agency=agency, allow_questions_before_start=False)
    with pytest.raises(TransitionNotAllowed):
        services.session_open(session_id=session.pk, actor=moderator)
    assert DialogueSession.objects.get(pk=session.pk).status == SessionStatus.SCHEDULED
    assert _events(session) == []


def test_asking_validates_input_and_tells_only_the_moderators(live_session):
    with pytest.raises(ValidationError) as error:
        _ask(live_session, text="  ", email="khong-phai-email")
    assert set(error.value.message_dict) == {"text", "email"}
    with pytest.raises(ValidationError):
        _ask(live_session, text="x" * 501)
    with pytest.raises(ValidationError):
        _ask(live_session, key="")  # no account, no browser key, no address: cannot be told apart

    question = _ask(live_session, display_name="  Bà   Lan ", email="Lan@Example.vn")
    assert (question.status, question.display_name, question.asker_email) == ("pending", "Bà Lan", "lan@example.vn")
    assert _events(live_session) == []
    assert _events(live_session, EventScope.MODERATORS) == [(1, "question.submitted")]


def test_asking_respects_the_session_settings(agency):
    session = DialogueSessionFactory(agency=agency)
    with pytest.raises(TransitionNotAllowed):
        _ask(session)  # scheduled, not open
    members_only = LiveSessionFactory(agency=agency, allow_guest_questions=False, question_max_length=60)
    with pytest.raises(PermissionDenied):
        _ask(members_only)
    with pytest.raises(ValidationError):
        services.live_question_ask(session_id=members_only.pk, actor=UserFactory(), text="y" * 61)


def test_asking_is_rate_limited_per_participant(live_session, settings):
    settings.DIALOGUES_ASK_RATE = "2/m"
    _ask(live_session)
    _ask(live_session)
    with pytest.raises(RateLimited):
        _ask(live_session)
    _ask(live_session, key="another-browser")


def test_profanity_is_masked_for_watchers_and_kept_for_moderators(live_session, moderator, settings):
    settings.DIALOGUES_PROFANITY_WORDS = ["khốn nạn"]
    question = _ask(live_session, text="Bọn khốn nạn xả rác ra đường Đà Nẵng", display_name="Khốn Nạn")
    assert question.public_text == "Bọn k*** *** xả rác ra đường Đà Nẵng"
    assert question.public_name == "K*** ***"
    services.live_question_approve(question_id=question.pk, actor=moderator)
    public = SessionEvent.objects.get(session=live_session, scope=EventScope.PUBLIC, type="question.approved")
    assert "khốn" not in str(public.payload).lower()
    submitted = SessionEvent.objects.get(session=live_session, scope=EventScope.MODERATORS)
    assert submitted.payload["question"]["original_text"].startswith("Bọn khốn nạn")


def test_question_from_approval_to_answer_writes_public_events(live_session, moderator):
    panelist = PanelistFactory(session=live_session, user=UserFactory())
    first, second = _ask(live_session), _ask(live_session, key="browser-2")
    services.live_question_approve(question_id=first.pk, actor=moderator)
    services.live_question_approve(question_id=second.pk, actor=moderator)
    services.live_question_mark_answering(question_id=first.pk, actor=moderator)
    # Marking another one puts the first back in the waiting list.
    services.live_question_mark_answering(question_id=second.pk, actor=panelist.user)
    answered = services.live_question_answer(question_id=second.pk, actor=panelist.user, text="Đã có lịch cụ thể.")

    assert answered.status == LiveQuestionStatus.ANSWERED
    assert (answered.answer_kind, answered.answered_by_panelist) == ("typed", panelist)
    assert LiveQuestion.objects.get(pk=first.pk).status == LiveQuestionStatus.APPROVED
    assert _events(live_session) == [
        (1, "question.approved"),
        (2, "question.approved"),
        (3, "question.answering"),
        (4, "question.updated"),
        (5, "question.answering"),
        (6, "question.answered"),
    ]
    with pytest.raises(TransitionNotAllowed):
        services.live_question_approve(question_id=second.pk, actor=moderator)


def test_moderator_summary_names_the_panelist_who_spoke(live_session, moderator):
    panelist = PanelistFactory(session=live_session)
    question = _ask(live_session)
    services.live_question_approve(question_id=question.pk, actor=moderator)
    answered = services.live_question_answer(
        question_id=question.pk, actor=moderator, text="Tóm tắt: sẽ có văn bản.", panelist_id=panelist.pk
    )
    assert (answered.answer_kind, answered.answered_by_panelist) == ("summary", panelist)
    assert answered.answered_by == moderator
    with pytest.raises(ValidationError):
        services.live_question_answer(question_id=question.pk, actor=moderator, text="…", panelist_id=999_999)


@pytest.mark.parametrize(
    ("who", "action", "allowed"),
    [
        ("watcher", "approve", False),
        ("watcher", "answer", False),
        ("watcher", "mute", False),
        ("other_moderator", "approve", False),
        ("other_moderator", "reject", False),
        ("other_moderator", "answer", False),
        ("answerer", "approve", False),  # an answerer of the host agency is not a moderator
        ("panelist", "approve", False),
        ("panelist", "answer", True),
        ("moderator", "approve", True),
        ("moderator", "answer", True),
        ("admin", "approve", True),
        ("admin", "mute", True),
    ],
)
def test_permission_table(live_session, agency, moderator, other_moderator, watcher, who, action, allowed):
    people = {
        "watcher": watcher,
        "other_moderator": other_moderator,
        "moderator": moderator,
        "answerer": MembershipFactory(agency=agency, role=Membership.Role.ANSWERER).user,
        "admin": MembershipFactory(agency=agency, role=Membership.Role.ADMIN).user,
        "panelist": PanelistFactory(session=live_session, user=UserFactory()).user,
    }
    question = LiveQuestionFactory(session=live_session)
    if action == "answer":
        services.live_question_approve(question_id=question.pk, actor=moderator)
    calls = {
        "approve": lambda actor: services.live_question_approve(question_id=question.pk, actor=actor),
        "reject": lambda actor: services.live_question_reject(question_id=question.pk, actor=actor),
        "answer": lambda actor: services.live_question_answer(question_id=question.pk, actor=actor, text="Trả lời"),
        "mute": lambda actor: services.participant_mute(question_id=question.pk, actor=actor),
    }
    before = LiveQuestion.objects.get(pk=question.pk).status
    if allowed:
        calls[action](people[who])
    else:
        with pytest.raises(PermissionDenied):
            calls[action](people[who])
        assert LiveQuestion.objects.get(pk=question.pk).status == before


def test_one_vote_per_user_and_per_browser_published_after_commit(
    live_session, moderator, watcher, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(hub, "publish_votes", lambda *args: published.append(args))
    question = LiveQuestionFactory(session=live_session)
    with pytest.raises(TransitionNotAllowed):
        services.live_question_vote(question_id=question.pk, actor=watcher)  # still pending
    services.live_question_approve(question_id=question.pk, actor=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.live_question_vote(question_id=question.pk, actor=watcher) == 1
        assert services.live_question_vote(question_id=question.pk, actor=None, browser_key="abc") == 2
    with pytest.raises(services.AlreadyVoted):
        services.live_question_vote(question_id=question.pk, actor=watcher)
    with pytest.raises(services.AlreadyVoted):
        services.live_question_vote(question_id=question.pk, actor=None, browser_key="abc")
    with pytest.raises(ValidationError):
        services.live_question_vote(question_id=question.pk, actor=None)  # no cookie, no account
    assert LiveQuestion.objects.get(pk=question.pk).vote_count == 2
    assert published == [(live_session.pk, question.pk, 1), (live_session.pk, question.pk, 2)]
    assert _events(live_session) == [(1, "question.approved")]  # votes are not events


def test_muted_participant_cannot_ask_or_vote_and_their_waiting_questions_go(live_session, moderator):
    question = _ask(live_session, key="rude")
    other_pending = _ask(live_session, key="rude", text="Câu thứ hai")
    mine = _ask(live_session, key="polite")
    services.participant_mute(question_id=question.pk, actor=moderator, reason="Lời lẽ xúc phạm")
    assert LiveQuestion.objects.get(pk=other_pending.pk).status == LiveQuestionStatus.REJECTED
    assert LiveQuestion.objects.get(pk=mine.pk).status == LiveQuestionStatus.PENDING
    with pytest.raises(PermissionDenied):
        _ask(live_session, key="rude")
    services.live_question_approve(question_id=mine.pk, actor=moderator)
    with pytest.raises(PermissionDenied):
        services.live_question_vote(question_id=mine.pk, actor=None, browser_key="rude")
    assert "participant.muted" in [t for _, t in _events(live_session, EventScope.MODERATORS)]


def test_edit_reject_and_reorder(live_session, moderator):
    a, b, c = (_ask(live_session, key=f"k{i}", text=f"Câu hỏi {i}") for i in range(3))
    services.live_question_edit(question_id=a.pk, actor=moderator, text="Câu hỏi 0 (đã sửa)")
    edited = LiveQuestion.objects.get(pk=a.pk)
    assert (edited.text, edited.public_text) == ("Câu hỏi 0", "Câu hỏi 0 (đã sửa)")
    for q in (a, b, c):
        services.live_question_approve(question_id=q.pk, actor=moderator)
    new_order = services.live_question_reorder(session_id=live_session.pk, actor=moderator, order=[c.pk])
    assert new_order == [c.pk, a.pk, b.pk]
    assert [q.pk for q in selectors.public_questions(live_session)] == [c.pk, a.pk, b.pk]
    with pytest.raises(ValidationError):
        services.live_question_reorder(session_id=live_session.pk, actor=moderator, order=[999_999])
    services.live_question_reject(question_id=b.pk, actor=moderator, reason="Trùng")
    types = [t for _, t in _events(live_session)]
    assert types[-2:] == ["questions.reordered", "question.removed"]
    assert [t for _, t in _events(live_session, EventScope.MODERATORS)] == [
        "question.submitted",
        "question.submitted",
        "question.submitted",
        "question.updated",
    ]


def test_announcement_photo_must_really_be_an_image(live_session, moderator):
    fake = SimpleUploadedFile("anh.png", b"<html>not an image</html>", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        services.announcement_post(session_id=live_session.pk, actor=moderator, text="Ảnh", photo=fake)
    assert "photo" in error.value.message_dict
    real = SimpleUploadedFile("anh.png", PNG, content_type="image/png")
    announcement = services.announcement_post(
        session_id=live_session.pk, actor=moderator, text="Giám đốc Sở đã đến", photo=real, photo_alt="Giám đốc Sở"
    )
    assert announcement.photo.name.endswith(".png")
    event = SessionEvent.objects.get(session=live_session, type="announcement")
    assert event.payload["announcement"]["photo"] == announcement.photo_url
    assert announcement.photo_url == f"/dialogues/{live_session.pk}/photos/{announcement.pk}/"


def test_announcement_photo_is_reencoded_without_its_gps_position(live_session, moderator):
    exif = Image.Exif()
    exif[0x0110] = "Model X"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (20.0, 51.0, 30.0)
    photo = SimpleUploadedFile("hoi-truong.png", image_bytes("JPEG", size=(40, 30), exif=exif))  # a JPEG named .png
    announcement = services.announcement_post(
        session_id=live_session.pk, actor=moderator, text="Hội trường đã sẵn sàng", photo=photo
    )
    assert announcement.photo.name.endswith(".jpg")
    with announcement.photo.open("rb") as stored:
        data = stored.read()
    assert b"Model X" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and dict(image.getexif()) == {}


def test_announcement_refuses_an_svg_or_a_pixel_bomb_and_posts_nothing(live_session, moderator):
    svg = SimpleUploadedFile("anh.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    bomb = Image.new("1", (7000, 7000))
    out = io.BytesIO()
    bomb.save(out, "PNG")
    for photo in (svg, SimpleUploadedFile("bom.png", out.getvalue())):
        with pytest.raises(ValidationError) as error:
            services.announcement_post(session_id=live_session.pk, actor=moderator, text="Ảnh", photo=photo)
        assert list(error.value.message_dict) == ["photo"]
    assert not live_session.announcements.exists()


def test_announcement_photo_of_unknown_size_is_refused_not_a_crash(live_session, moderator):
    # An UploadedFile may carry size=None (mypy: `int | None`); comparing it with the limit raised TypeError.
    photo = InMemoryUploadedFile(io.BytesIO(PNG), "photo", "anh.png", "image/png", None, None)
    with pytest.raises(ValidationError) as error:
        services.announcement_post(session_id=live_session.pk, actor=moderator, text="Ảnh", photo=photo)
    assert list(error.value.message_dict) == ["photo"]
    assert not live_session.announcements.exists()


def test_video_address_must_be_hls_or_an_allowed_platform(live_session, moderator):
    for bad in ("http://video.example.vn/live.m3u8", "https://evil.example/embed/1", "javascript:alert(1)"):
        with pytest.raises(ValidationError):
            services.session_set_video(session_id=live_session.pk, actor=moderator, video_url=bad)
    services.session_set_video(
        session_id=live_session.pk, actor=moderator, video_url="https://cdn.example.vn/s/live.m3u8"
    )
    services.session_set_video(
        session_id=live_session.pk, actor=moderator, video_url="https://www.youtube-nocookie.com/embed/abc123"
    )
    event = SessionEvent.objects.filter(session=live_session, type="session.video").last()
    assert event.payload["session"]["video"] == {
        "kind": "embed",
        "url": "https://www.youtube-nocookie.com/embed/abc123",
    }


def test_unanswered_questions_go_to_the_agency_queue_after_the_session(
    live_session, moderator, django_capture_on_commit_callbacks
):
    live_session.topic = TopicFactory()
    live_session.save()
    with_email = _ask(live_session, key="a", email="nguoihoi@example.vn", display_name="Ông Hải")
    without_email = _ask(live_session, key="b")
    answered = _ask(live_session, key="c", email="khac@example.vn")
    for q in (with_email, without_email, answered):
        services.live_question_approve(question_id=q.pk, actor=moderator)
    services.live_question_answer(question_id=answered.pk, actor=moderator, text="Đã trả lời trực tiếp")
    with pytest.raises(TransitionNotAllowed):
        services.live_question_forward(question_id=with_email.pk, actor=moderator)  # still live
    services.session_end(session_id=live_session.pk, actor=moderator)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.live_questions_forward_all(session_id=live_session.pk, actor=moderator)
    assert result.sent == [with_email.pk]
    assert list(result.skipped) == [without_email.pk]
    question = Question.objects.get(dialogue_question=with_email.pk)
    assert (question.agency, question.topic) == (live_session.agency, live_session.topic)
    assert question.channel == Channel.DIALOGUE
    assert question.status == QuestionStatus.UNVERIFIED  # a guest: the normal confirmation e-mail, then the queue
    assert question.contact.email == "nguoihoi@example.vn" and question.contact.name == "Ông Hải"
    assert [m.to for m in mail.outbox] == [["nguoihoi@example.vn"]]
    with pytest.raises(TransitionNotAllowed):
        services.live_question_forward(question_id=with_email.pk, actor=moderator)
    assert _events(live_session)[-1][1] == "question.forwarded"


def test_subscriptions_are_idempotent_and_only_for_upcoming_sessions(agency, watcher):
    session = DialogueSessionFactory(agency=agency)
    first = services.subscription_create(session_id=session.pk, email="Ban@Example.vn")
    assert services.subscription_create(session_id=session.pk, email="ban@example.vn") == first
    services.subscription_create(session_id=session.pk, user=watcher)
    services.subscription_create(session_id=session.pk, user=watcher)
    assert Subscription.objects.filter(session=session).count() == 2
    with pytest.raises(ValidationError):
        services.subscription_create(session_id=session.pk, email="sai")
    with pytest.raises(TransitionNotAllowed):
        services.subscription_create(session_id=LiveSessionFactory(agency=agency).pk, email="ban@example.vn")
    assert services.subscription_mark_reminded(subscription_id=first.pk) is True
    assert services.subscription_mark_reminded(subscription_id=first.pk) is False


def test_events_are_published_once_after_commit_in_order(
    live_session, moderator, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(hub, "publish_event", lambda *args: published.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.announcement_post(session_id=live_session.pk, actor=moderator, text="Một")
        services.announcement_post(session_id=live_session.pk, actor=moderator, text="Hai")
    assert published == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert [(args[1], args[2]) for args in published] == [("public", 1), ("public", 2)]
    assert b'"text":"Hai"' in published[1][3]


def test_calendar_file_is_valid_icalendar(agency):
    session = DialogueSessionFactory(agency=agency, title="Đối thoại, về; đất đai " + "rất dài " * 12)
    PanelistFactory(session=session, name="Bà Vũ Thị Hạnh")
    text = calendar.session_ics(session)
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and "END:VEVENT" in lines and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Đối thoại\\, về\\; đất đai" in unfolded
    assert f"DTSTART:{session.scheduled_start.astimezone(__import__('datetime').UTC):%Y%m%dT%H%M%SZ}" in unfolded


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_get_consecutive_unique_seq(live_session, moderator):
    """The session row lock serialises numbering: no gap, no duplicate, whatever the interleaving."""
    errors = []

    def post(n: int) -> None:
        try:
            for i in range(5):
                services.announcement_post(session_id=live_session.pk, actor=moderator, text=f"Luồng {n} tin {i}")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [seq for seq, _ in _events(live_session)] == list(range(1, 21))
    assert DialogueSession.objects.get(pk=live_session.pk).last_seq == 20


def test_snapshot_and_replay_selectors(live_session, moderator):
    question = _ask(live_session)
    services.live_question_approve(question_id=question.pk, actor=moderator)
    services.announcement_post(session_id=live_session.pk, actor=moderator, text="Tin")
    snapshot = selectors.snapshot(live_session.pk)
    assert snapshot["seq"] == 2 and [q["id"] for q in snapshot["questions"]] == [question.pk]
    assert selectors.replay(live_session.pk, 1, 1000)[1][0].type == "announcement"
    assert selectors.replay(live_session.pk, 5, 1000) == (2, None)  # ahead of the session: unknown
    assert selectors.replay(live_session.pk, 0, 1) == (2, None)  # too far behind: snapshot instead


def test_demo_loads_three_sessions_once():
    from accounts import demo as accounts_demo
    from dialogues import demo

    out = io.StringIO()
    demo.load(out)
    assert DialogueSession.objects.count() == 0  # without the demo agencies nothing is created
    accounts_demo.load(out)
    demo.load(out)
    statuses = sorted(DialogueSession.objects.values_list("status", flat=True))
    assert statuses == ["live", "open", "transcript_published"]
    live = DialogueSession.objects.get(status="live")
    assert live.questions.filter(status="answered").exists() and live.questions.filter(status="answering").count() == 1
    assert [seq for seq, _ in _events(live)] == list(range(1, live.last_seq + 1))
    demo.load(out)
    assert DialogueSession.objects.count() == 3
