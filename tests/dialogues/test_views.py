"""Dialogue pages without JavaScript: forms post, pages render the stream, roles are checked."""

import pytest
from django.urls import reverse

from dialogues import identity, services
from dialogues.models import LiveQuestion, LiveQuestionStatus, SessionStatus, Subscription

from .factories import DialogueSessionFactory, LiveQuestionFactory, LiveSessionFactory, PanelistFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _approved(session, moderator, text="Câu hỏi đã duyệt về học phí"):
    question = LiveQuestionFactory(session=session, text=text, public_text=text)
    services.live_question_approve(question_id=question.pk, actor=moderator)
    return question


def test_list_shows_upcoming_and_past_with_constant_queries(client, agency, django_assert_max_num_queries):
    live = LiveSessionFactory(agency=agency, title="Đang diễn ra")
    DialogueSessionFactory(agency=agency, status=SessionStatus.TRANSCRIPT_PUBLISHED, title="Đã kết thúc")
    with django_assert_max_num_queries(8) as first:
        page = client.get(reverse("dialogues:list")).content.decode()
    assert "Đang diễn ra" in page and "Đã kết thúc" in page and live.get_absolute_url() in page
    for i in range(8):
        PanelistFactory(session=DialogueSessionFactory(agency=agency, title=f"Phiên {i}"))
        DialogueSessionFactory(agency=agency, status=SessionStatus.ENDED)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("dialogues:list"))


def test_watcher_page_shows_the_public_stream_only_and_sets_the_browser_cookie(client, live_session, moderator):
    approved = _approved(live_session, moderator)
    pending = LiveQuestionFactory(session=live_session, text="Câu chờ duyệt không được hiện")
    response = client.get(live_session.get_absolute_url())
    page = response.content.decode()
    assert approved.public_text in page and pending.text not in page
    assert 'data-seq="1"' in page  # the approval was event 1: the script resumes after it
    assert identity.read(response.cookies[identity.COOKIE].value)
    assert reverse("dialogues:console", kwargs={"pk": live_session.pk}) not in page


def test_watcher_page_queries_do_not_grow_with_questions(
    client, live_session, moderator, django_assert_max_num_queries
):
    for i in range(2):
        _approved(live_session, moderator, f"Câu {i}")
    client.get(live_session.get_absolute_url())  # the browser key: from now on its votes are looked up too
    with django_assert_max_num_queries(12) as first:
        client.get(live_session.get_absolute_url())
    for i in range(10):
        question = _approved(live_session, moderator, f"Câu thêm {i}")
        services.live_question_answer(question_id=question.pk, actor=moderator, text="Đã trả lời")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(live_session.get_absolute_url())


def test_asking_without_javascript_and_keeping_the_text_on_errors(client, live_session):
    client.get(live_session.get_absolute_url())  # the page gives the browser its key
    url = reverse("dialogues:ask", kwargs={"pk": live_session.pk})
    response = client.post(url, {"text": "Khi nào có lịch tiêm chủng?", "name": "Mai", "email": "mai@example.vn"})
    assert response.status_code == 302
    question = LiveQuestion.objects.get()
    assert (question.status, question.asker_email) == ("pending", "mai@example.vn")
    assert question.asker_key.startswith("b:")

    too_long = "Câu rất dài " * 60
    response = client.post(url, {"text": too_long, "name": "Mai", "email": "mai@example.vn"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "error-summary" in page and "Câu rất dài" in page and 'value="Mai"' in page
    assert LiveQuestion.objects.count() == 1


def test_asking_when_questions_are_closed_is_refused_with_a_message(client, agency):
    session = DialogueSessionFactory(agency=agency)
    response = client.post(reverse("dialogues:ask", kwargs={"pk": session.pk}), {"text": "Câu hỏi sớm"})
    assert response.status_code == 400 and LiveQuestion.objects.count() == 0


def test_voting_without_javascript_counts_once(client, live_session, moderator):
    question = _approved(live_session, moderator)
    client.get(live_session.get_absolute_url())
    url = reverse("dialogues:vote", kwargs={"pk": live_session.pk, "question_pk": question.pk})
    assert client.post(url).status_code == 302
    client.post(url)
    assert LiveQuestion.objects.get(pk=question.pk).vote_count == 1
    page = client.get(live_session.get_absolute_url()).content.decode()
    assert 'aria-pressed="true" disabled' in page


def test_console_requires_a_moderator_of_the_host_agency(client, live_session, moderator, other_moderator, watcher):
    url = reverse("dialogues:console", kwargs={"pk": live_session.pk})
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(watcher)
    assert client.get(url).status_code == 403
    client.force_login(other_moderator)
    assert client.get(url).status_code == 403
    pending = LiveQuestionFactory(session=live_session, text="Câu gốc có tên thật", public_text="Câu gốc có tên thật")
    client.force_login(moderator)
    page = client.get(url).content.decode()
    assert "Câu gốc có tên thật" in page and f'id="pending-{pending.pk}"' in page


def test_console_actions_without_javascript(client, live_session, moderator):
    client.force_login(moderator)
    question = LiveQuestionFactory(session=live_session)

    def act(action, **data):
        url = reverse(
            "dialogues:question_action", kwargs={"pk": live_session.pk, "question_pk": question.pk, "action": action}
        )
        return client.post(url, data)

    assert act("approve").status_code == 302
    assert act("answering").status_code == 302
    response = act("answer", text="", kind="summary")
    assert response.status_code == 400 and "error-text" in response.content.decode()
    assert act("answer", text="Sở sẽ trả lời bằng văn bản.", kind="summary").status_code == 302
    question.refresh_from_db()
    assert (question.status, question.answer_kind) == (LiveQuestionStatus.ANSWERED, "summary")

    session_url = reverse("dialogues:console_action", kwargs={"pk": live_session.pk, "action": "close_questions"})
    client.post(session_url)
    live_session.refresh_from_db()
    assert live_session.questions_open is False
    bad = client.post(
        reverse("dialogues:console_action", kwargs={"pk": live_session.pk, "action": "video"}),
        {"video_url": "https://evil.example/x"},
    )
    assert bad.status_code == 400 and "evil.example" in bad.content.decode()
    client.post(reverse("dialogues:console_action", kwargs={"pk": live_session.pk, "action": "end"}))
    live_session.refresh_from_db()
    assert live_session.status == SessionStatus.ENDED


def test_panelist_types_an_answer_in_the_panel_view(client, live_session, moderator, watcher):
    panelist = PanelistFactory(session=live_session, user=watcher)
    question = _approved(live_session, moderator)
    client.force_login(watcher)
    assert client.get(reverse("dialogues:panel", kwargs={"pk": live_session.pk})).status_code == 200
    url = reverse(
        "dialogues:question_action", kwargs={"pk": live_session.pk, "question_pk": question.pk, "action": "answer"}
    )
    assert client.post(url, {"text": "Tôi xin trả lời trực tiếp.", "from": "panel"}).status_code == 302
    question.refresh_from_db()
    assert (question.answered_by_panelist, question.answer_kind) == (panelist, "typed")
    waiting = LiveQuestionFactory(session=live_session)
    approve = reverse(
        "dialogues:question_action", kwargs={"pk": live_session.pk, "question_pk": waiting.pk, "action": "approve"}
    )
    response = client.post(approve, {"from": "panel"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    assert LiveQuestion.objects.get(pk=waiting.pk).status == LiveQuestionStatus.PENDING


def test_transcript_is_public_only_once_published(client, live_session, moderator):
    question = _approved(live_session, moderator)
    services.live_question_answer(question_id=question.pk, actor=moderator, text="Nội dung trả lời")
    services.session_end(session_id=live_session.pk, actor=moderator)
    url = reverse("dialogues:transcript", kwargs={"pk": live_session.pk})
    assert client.get(url).status_code == 404
    client.force_login(moderator)
    preview = client.get(url)
    assert preview.status_code == 200 and "notice-warning" in preview.content.decode()
    services.session_publish_transcript(session_id=live_session.pk, actor=moderator)
    client.logout()
    page = client.get(url).content.decode()
    assert "Nội dung trả lời" in page and question.public_text in page


def test_calendar_download_and_remind_me(client, agency):
    session = DialogueSessionFactory(agency=agency)
    response = client.get(reverse("dialogues:ics", kwargs={"pk": session.pk}))
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"] and b"BEGIN:VEVENT" in response.content
    remind = reverse("dialogues:remind", kwargs={"pk": session.pk})
    assert client.post(remind, {"email": "sai-dia-chi"}).status_code == 400
    assert client.post(remind, {"email": "ban@example.vn"}).status_code == 302
    assert Subscription.objects.filter(session=session, email="ban@example.vn").exists()


def test_announcement_photo_is_served_with_its_checked_type(client, live_session, moderator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.uploads import jpeg_bytes

    announcement = services.announcement_post(
        session_id=live_session.pk,
        actor=moderator,
        text="Hội trường",
        photo=SimpleUploadedFile("hoi-truong.html", jpeg_bytes()),
    )
    with announcement.photo.open("rb") as stored:
        data = stored.read()
    assert data.startswith(b"\xff\xd8\xff")
    page = client.get(live_session.get_absolute_url()).content.decode()
    assert f'src="{announcement.photo_url}"' in page
    response = client.get(announcement.photo_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == data
    without = services.announcement_post(session_id=live_session.pk, actor=moderator, text="Không ảnh")
    assert without.photo_url is None
    assert client.get(f"/dialogues/{live_session.pk}/photos/{without.pk}/").status_code == 404
    assert client.get(f"/dialogues/{live_session.pk + 1000}/photos/{announcement.pk}/").status_code == 404
