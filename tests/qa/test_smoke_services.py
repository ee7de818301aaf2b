"""Core submission path: guest asks, confirms by e-mail, tracks; search finds it without diacritics."""

import re

import pytest
from django.core import mail
from django.http import Http404

from core.errors import RateLimited, TransitionNotAllowed
from notifications.models import Notification
from qa import selectors
from qa.models import Question, QuestionEvent, QuestionStatus
from qa.services import question_confirm_email, question_submit, question_withdraw
from tests.factories import AgencyFactory, MembershipFactory, PublishedQuestionFactory, TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _submit(**overrides):
    data = {
        "agency": overrides.pop("agency", None) or AgencyFactory(code="HP-STNMT"),
        "topic": overrides.pop("topic", None) or TopicFactory(),
        "title": "Hỏi về thủ tục tách thửa đất",
        "body": "Tôi muốn tách thửa đất ở huyện Thủy Nguyên, cần giấy tờ gì?",
        "asker_type": "individual",
        "name": "Lê Văn Hỏi",
        "email": "Hoi@Example.vn",
        "consent_to_publish": True,
    }
    data.update(overrides)
    return question_submit(**data)


def test_guest_question_waits_for_confirmation_then_enters_queue(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        question = _submit()
    assert question.status == QuestionStatus.UNVERIFIED
    assert re.fullmatch(r"HP-STNMT-\d{4}-000001", question.reference)
    assert len(mail.outbox) == 1
    link = re.search(r"/confirm/([^/\s]+)/", mail.outbox[0].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = question_confirm_email(token=link)
    assert confirmed.status == QuestionStatus.SUBMITTED
    assert confirmed.transfer_due_date is not None
    assert QuestionEvent.objects.filter(question=question, action="submit").count() == 1
    assert "HP-STNMT" in mail.outbox[1].subject
    # A second click changes nothing.
    question_confirm_email(token=link)
    assert QuestionEvent.objects.filter(question=question, action="submit").count() == 1


def test_withdraw_needs_token_and_open_state():
    question = _submit()
    Question.objects.filter(pk=question.pk).update(status=QuestionStatus.SUBMITTED)
    with pytest.raises(TransitionNotAllowed):
        question_withdraw(question=question, token="wrong")
    withdrawn = question_withdraw(question=question, token=question.tracking_token)
    assert withdrawn.status == QuestionStatus.WITHDRAWN
    with pytest.raises(TransitionNotAllowed):
        question_withdraw(question=question, token=question.tracking_token)


def test_tracking_wrong_token_is_404():
    question = _submit()
    Question.objects.filter(pk=question.pk).update(status=QuestionStatus.SUBMITTED)
    with pytest.raises(Http404):
        selectors.tracked_question(question.reference, "nope")
    assert selectors.tracked_question(question.reference, question.tracking_token).pk == question.pk


def test_rate_limit_per_email(settings):
    settings.QA_SUBMIT_RATE_PER_EMAIL = "2/h"
    agency, topic = AgencyFactory(), TopicFactory()
    _submit(agency=agency, topic=topic)
    _submit(agency=agency, topic=topic)
    with pytest.raises(RateLimited) as exc:
        _submit(agency=agency, topic=topic)
    assert exc.value.retry_after > 0


def test_search_ignores_diacritics_and_case():
    hit = PublishedQuestionFactory(public_title="Hỏi đáp về đất đai ở quận Hồng Bàng")
    PublishedQuestionFactory(public_title="Học phí trường mầm non", public_body="Mức thu học phí năm học mới")
    found = list(selectors.archive(search="hoi dap dat dai"))
    assert [q.pk for q in found] == [hit.pk]
    assert [q.pk for q in selectors.archive(search="ĐẤT ĐAI")] == [hit.pk]
    similar = selectors.similar_questions("dat dai hong bang")
    assert similar[0].pk == hit.pk


def test_confirmed_question_alerts_the_agency_moderators(django_capture_on_commit_callbacks):
    agency = AgencyFactory(code="HP-SXD")
    moderator = MembershipFactory(agency=agency, role="moderator").user
    MembershipFactory(role="moderator")  # a moderator of another agency hears nothing
    with django_capture_on_commit_callbacks(execute=True):
        question = _submit(agency=agency)
    link = re.search(r"/confirm/([^/\s]+)/", mail.outbox[0].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        question_confirm_email(token=link)
    alerts = Notification.objects.filter(kind="qa.staff_new_question")
    assert {n.recipient_id for n in alerts} == {moderator.pk}
    assert all(n.context["question"]["reference"] == question.reference for n in alerts)


def test_forwarded_dialogue_questions_are_not_held_by_the_asker_limit(settings):
    settings.QA_SUBMIT_RATE_PER_EMAIL = "1/h"
    agency, topic = AgencyFactory(), TopicFactory()
    _submit(agency=agency, topic=topic, channel="dialogue")
    _submit(agency=agency, topic=topic, channel="dialogue")
    _submit(agency=agency, topic=topic)
    with pytest.raises(RateLimited):
        _submit(agency=agency, topic=topic, channel="api")


def test_search_matches_word_starts_not_syllables_inside_words():
    PublishedQuestionFactory(
        public_title="Thời hạn nộp thuế", public_body="Thời gian nộp", answer="<p>Theo quy định.</p>"
    )
    hit = PublishedQuestionFactory(public_title="Hỏi về thuế đất", public_body="Nội dung", answer="<p>Trả lời.</p>")
    assert [q.pk for q in selectors.archive(search="hoi")] == [hit.pk]
