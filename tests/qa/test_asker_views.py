"""The asker's actions from the tracking page: reply to a request for information, rate, ask a follow-up.

The tracking token authorises everything; a wrong or missing one is a 404 (as
on the tracking page), so a stranger learns nothing about the question.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from qa.models import AskerReply, Attachment, Question, QuestionEvent
from qa.models import QuestionStatus as S
from tests.qa.staff_fixtures import question_in
from tests.uploads import pdf_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

PDF = pdf_bytes()


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _url(name, question):
    return reverse(f"qa:{name}", kwargs={"reference": question.reference})


def _track(client, question):
    return client.get(question.tracking_path())


def _messages(response):
    return [str(m) for m in response.context["messages"]]


# --- Reply to a request for information -------------------------------------------------------------


def test_tracking_page_shows_the_request_and_the_reply_form(client):
    question = question_in(S.ACCEPTED)
    QuestionEvent.objects.create(
        question=question,
        action="request_information",
        from_status=S.ACCEPTED,
        to_status=S.INFORMATION_REQUESTED,
        note="Xin ông/bà gửi bản sao giấy chứng nhận.",
    )
    Question.objects.filter(pk=question.pk).update(status=S.INFORMATION_REQUESTED)
    body = _track(client, question).content.decode()
    assert "Xin ông/bà gửi bản sao giấy chứng nhận." in body
    assert f'action="{_url("reply", question)}"' in body
    assert f'value="{question.tracking_token}"' in body
    assert f'action="{_url("rate", question)}"' not in body


def test_reply_with_text_and_file_returns_the_question_to_work(client, django_capture_on_commit_callbacks):
    question = question_in(S.INFORMATION_REQUESTED)
    upload = SimpleUploadedFile("so-do.pdf", PDF, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("reply", question),
            {"token": question.tracking_token, "body": "Tôi gửi kèm bản sao sổ đỏ.", "attachments": upload},
        )
    assert response.status_code == 303
    assert response["Location"] == question.tracking_path()
    assert response["Referrer-Policy"] == "same-origin"
    question.refresh_from_db()
    assert question.status == S.ACCEPTED and question.paused_at is None
    reply = AskerReply.objects.get(question=question)
    assert reply.body == "Tôi gửi kèm bản sao sổ đỏ."
    assert Attachment.objects.get(reply=reply).original_name == "so-do.pdf"
    page = client.get(response["Location"])
    assert "Your reply has been sent" in " ".join(_messages(page))
    assert f'action="{_url("reply", question)}"' not in page.content.decode()


def test_empty_reply_re_renders_the_form(client):
    question = question_in(S.INFORMATION_REQUESTED)
    response = client.post(_url("reply", question), {"token": question.tracking_token, "body": "  "})
    assert response.status_code == 400
    assert "Write your reply" in response.content.decode()
    question.refresh_from_db()
    assert question.status == S.INFORMATION_REQUESTED


def test_reply_page_get_and_refused_when_not_waiting(client):
    question = question_in(S.INFORMATION_REQUESTED)
    response = client.get(_url("reply", question), {"token": question.tracking_token})
    assert response.status_code == 200
    accepted = question_in(S.ACCEPTED)
    response = client.post(_url("reply", accepted), {"token": accepted.tracking_token, "body": "Thêm"})
    assert response.status_code == 303
    assert not AskerReply.objects.filter(question=accepted).exists()


@pytest.mark.parametrize("name", ["reply", "rate", "follow_up"])
@pytest.mark.parametrize("token", ["", "sai-ma-theo-doi"])
def test_wrong_token_is_404(client, name, token):
    status = {"reply": S.INFORMATION_REQUESTED, "rate": S.ANSWERED, "follow_up": S.ANSWERED}[name]
    question = question_in(status)
    data = {"token": token, "body": "x", "title": "Tiêu đề", "satisfied": "yes"}
    assert client.post(_url(name, question), data).status_code == 404
    assert client.get(_url(name, question), {"token": token}).status_code == 404
    question.refresh_from_db()
    assert question.status == status and question.rated_at is None
    assert not Question.objects.filter(follow_up_of=question).exists()


# --- Rating -------------------------------------------------------------------------------------------


def test_rate_the_answer_once(client):
    question = question_in(S.ANSWERED)
    body = _track(client, question).content.decode()
    assert f'action="{_url("rate", question)}"' in body
    response = client.post(
        _url("rate", question),
        {"token": question.tracking_token, "satisfied": "no", "comment": "Chưa rõ thời hạn giải quyết."},
    )
    assert response.status_code == 303
    question.refresh_from_db()
    assert question.rating_satisfied is False and question.rating_comment == "Chưa rõ thời hạn giải quyết."
    assert QuestionEvent.objects.filter(question=question, action="rate").count() == 1
    page = _track(client, question).content.decode()
    assert f'action="{_url("rate", question)}"' not in page
    assert "You were not satisfied" in page
    response = client.post(_url("rate", question), {"token": question.tracking_token, "satisfied": "yes"}, follow=True)
    assert "already rated" in " ".join(_messages(response))
    question.refresh_from_db()
    assert question.rating_satisfied is False


def test_rating_needs_a_choice(client):
    question = question_in(S.PUBLISHED)
    response = client.post(_url("rate", question), {"token": question.tracking_token, "comment": "Tốt"})
    assert response.status_code == 400
    assert "Choose whether you are satisfied" in response.content.decode()
    assert "Tốt" in response.content.decode()


def test_no_rating_before_the_answer(client):
    question = question_in(S.ACCEPTED)
    assert f'action="{_url("rate", question)}"' not in _track(client, question).content.decode()
    response = client.post(_url("rate", question), {"token": question.tracking_token, "satisfied": "yes"})
    assert response.status_code == 303
    question.refresh_from_db()
    assert question.rated_at is None


# --- Follow-up -----------------------------------------------------------------------------------------


def test_follow_up_creates_a_linked_question_in_the_same_queue(client, django_capture_on_commit_callbacks):
    question = question_in(S.ANSWERED)
    page = _track(client, question).content.decode()
    follow_url = _url("follow_up", question)
    assert follow_url in page
    assert client.get(follow_url, {"token": question.tracking_token}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            follow_url,
            {
                "token": question.tracking_token,
                "title": "Hỏi thêm về thời hạn cấp sổ",
                "body": "Sau khi nộp hồ sơ thì bao lâu được cấp giấy chứng nhận?",
                "consent_to_publish": "on",
            },
        )
    assert response.status_code == 303
    new = Question.objects.get(follow_up_of=question)
    assert response["Location"].startswith(reverse("qa:receipt", kwargs={"reference": new.reference}))
    assert f"token={new.tracking_token}" in response["Location"]
    assert (new.status, new.agency, new.topic) == (S.SUBMITTED, question.agency, question.topic)
    assert new.contact.email == question.contact.email
    assert QuestionEvent.objects.filter(question=question, action="follow_up").exists()


def test_follow_up_errors_keep_the_text(client):
    question = question_in(S.PUBLISHED)
    response = client.post(
        _url("follow_up", question), {"token": question.tracking_token, "title": "", "body": "Nội dung hỏi thêm"}
    )
    assert response.status_code == 400
    assert "Nội dung hỏi thêm" in response.content.decode()
    assert not Question.objects.filter(follow_up_of=question).exists()


def test_no_follow_up_before_the_answer(client):
    question = question_in(S.ACCEPTED)
    assert _url("follow_up", question) not in _track(client, question).content.decode()
    response = client.post(
        _url("follow_up", question), {"token": question.tracking_token, "title": "Hỏi thêm", "body": "Nội dung"}
    )
    assert response.status_code == 303
    assert not Question.objects.filter(follow_up_of=question).exists()


def test_asker_posts_are_csrf_protected_and_pass_with_the_token(client):
    """The forms carry Django's CSRF token like every other form; the tracking token authorises the asker."""
    question = question_in(S.ANSWERED)
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    response = strict.post(_url("rate", question), {"token": question.tracking_token, "satisfied": "yes"})
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.rating_satisfied is None
    page = strict.get(question.tracking_path())
    csrf = page.cookies["csrftoken"].value
    response = strict.post(
        _url("rate", question), {"token": question.tracking_token, "satisfied": "yes", "csrfmiddlewaretoken": csrf}
    )
    assert response.status_code == 303
    question.refresh_from_db()
    assert question.rating_satisfied is True
