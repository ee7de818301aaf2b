"""What the asker does after the fact: reply to a request for information, rate the answer, ask a follow-up."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import TransitionNotAllowed
from qa import services
from qa.models import AskerReply, Attachment, Question, QuestionEvent
from qa.models import QuestionStatus as S
from tests.factories import AgencyFactory, UserFactory
from tests.qa.staff_fixtures import moderator, question_in, staff
from tests.uploads import png_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

ASKER_ACTIONS = {
    "receive_information": {S.INFORMATION_REQUESTED},
    "rate": {S.ANSWERED, S.PUBLISHED, S.ANSWERED_BY_REFERENCE},
    "follow_up": {S.ANSWERED, S.PUBLISHED, S.ANSWERED_BY_REFERENCE},
}


def _do(action, question, token, user=None):
    if action == "receive_information":
        return services.question_receive_information(question=question, token=token, user=user, body="Bổ sung.")
    if action == "rate":
        return services.question_rate(question=question, token=token, user=user, satisfied=True)
    return services.question_follow_up(
        question=question, token=token, user=user, title="Hỏi thêm về sổ đỏ", body="Cần nộp lệ phí bao nhiêu?"
    )


@pytest.mark.parametrize("state", [s.value for s in S if s != S.UNVERIFIED])
@pytest.mark.parametrize("action", list(ASKER_ACTIONS))
@pytest.mark.parametrize("proof", ["token", "account", "wrong_token", "other_account", "staff"])
def test_asker_matrix(proof, action, state):
    asker = UserFactory()
    question = question_in(state, asker=asker)
    token, user = {
        "token": (question.tracking_token, None),
        "account": (None, asker),
        "wrong_token": ("x" * 32, None),
        "other_account": (None, UserFactory()),
        "staff": (None, moderator(question.agency)),
    }[proof]
    events = QuestionEvent.objects.filter(question=question).count()
    if proof in ("wrong_token", "other_account", "staff"):
        with pytest.raises(TransitionNotAllowed) as refused:
            _do(action, question, token, user)
        assert refused.value.code == "bad_token"
    elif state not in ASKER_ACTIONS[action]:
        with pytest.raises(TransitionNotAllowed) as refused:
            _do(action, question, token, user)
        assert refused.value.current_state == state
    else:
        _do(action, question, token, user)
        assert QuestionEvent.objects.filter(question=question, action=action).count() == 1
        return
    assert QuestionEvent.objects.filter(question=question).count() == events
    assert Question.objects.get(pk=question.pk).status == state


def test_reply_with_attachments_returns_the_question_to_work(django_capture_on_commit_callbacks):
    agency = AgencyFactory()
    answerer = staff(agency, "answerer")
    question = question_in(S.INFORMATION_REQUESTED, agency, assignee=answerer)
    scan = SimpleUploadedFile("so-do.png", png_bytes(), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.question_receive_information(
            question=question, token=question.tracking_token, body="Tôi gửi ảnh chụp sổ đỏ.", attachments=[scan]
        )
    question.refresh_from_db()
    assert question.status == S.ACCEPTED and question.paused_at is None
    assert reply.body == "Tôi gửi ảnh chụp sổ đỏ."
    files = list(Attachment.objects.filter(reply=reply))
    assert [(f.purpose, f.content_type, f.question_id) for f in files] == [("reply", "image/png", question.pk)]
    assert [m.to for m in mail.outbox] == [[answerer.email]]  # the assignee hears of it


def test_reply_needs_text_and_real_files():
    question = question_in(S.INFORMATION_REQUESTED)
    with pytest.raises(ValidationError) as invalid:
        services.question_receive_information(question=question, token=question.tracking_token, body=" ")
    assert "body" in invalid.value.message_dict
    fake = SimpleUploadedFile("a.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with pytest.raises(ValidationError) as invalid:
        services.question_receive_information(
            question=question, token=question.tracking_token, body="x", attachments=[fake]
        )
    assert "attachments" in invalid.value.message_dict
    assert not AskerReply.objects.exists()
    assert Question.objects.get(pk=question.pk).status == S.INFORMATION_REQUESTED


def test_reply_without_assignee_goes_to_moderators(django_capture_on_commit_callbacks):
    agency = AgencyFactory()
    mod = moderator(agency)
    staff(agency, "reviewer")
    question = question_in(S.INFORMATION_REQUESTED, agency)
    with django_capture_on_commit_callbacks(execute=True):
        services.question_receive_information(question=question, token=question.tracking_token, body="Đây ạ.")
    assert [m.to for m in mail.outbox] == [[mod.email]]


def test_rating_once_with_comment():
    question = question_in(S.ANSWERED)
    rated = services.question_rate(
        question=question, token=question.tracking_token, satisfied=False, comment="Chưa rõ mức phí."
    )
    assert (rated.rating_satisfied, rated.rating_comment) == (False, "Chưa rõ mức phí.")
    assert rated.rated_at is not None
    with pytest.raises(TransitionNotAllowed) as again:
        services.question_rate(question=question, token=question.tracking_token, satisfied=True)
    assert again.value.code == "already_rated"
    assert Question.objects.get(pk=question.pk).rating_satisfied is False


def test_follow_up_is_a_new_linked_question_in_the_same_queue(django_capture_on_commit_callbacks):
    agency = AgencyFactory(code="HP-SXD")
    mod = moderator(agency)
    original = question_in(S.PUBLISHED, agency)
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = services.question_follow_up(
            question=original,
            token=original.tracking_token,
            title="Hỏi tiếp về lệ phí",
            body="Lệ phí cấp sổ đỏ là bao nhiêu?",
            consent_to_publish=True,
        )
    assert follow_up.follow_up_of == original
    assert (follow_up.status, follow_up.agency, follow_up.topic) == (S.SUBMITTED, agency, original.topic)
    assert follow_up.reference.startswith("HP-SXD-") and follow_up.tracking_token != original.tracking_token
    assert follow_up.contact.email == original.contact.email
    assert QuestionEvent.objects.get(question=original, action="follow_up").data == {"follow_up": follow_up.reference}
    assert QuestionEvent.objects.filter(question=follow_up, action="submit").count() == 1
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([original.contact.email, mod.email])  # receipt to the asker, alert to the moderator
    with pytest.raises(ValidationError) as invalid:
        services.question_follow_up(question=original, token=original.tracking_token, title="", body="")
    assert {"title", "body"} <= set(invalid.value.message_dict)
