"""Answer drafts: sanitised on save, one revision per save, stale saves refused with the newer text, attachments."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import TransitionNotAllowed
from qa import services
from qa.models import Answer, AnswerRevision, Attachment
from qa.models import QuestionStatus as S
from qa.services import StaleAnswer
from tests.factories import AgencyFactory
from tests.qa.staff_fixtures import question_in, sent, staff
from tests.uploads import pdf_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def drafting():
    agency = AgencyFactory()
    return {
        "question": question_in(S.ACCEPTED, agency),
        "first": staff(agency, "answerer", full_name="Phạm Thị Một"),
        "second": staff(agency, "answerer", full_name="Đỗ Văn Hai"),
    }


def pdf(name="cong-van.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def test_every_save_is_sanitised_and_kept_as_a_revision(drafting):
    question, first = drafting["question"], drafting["first"]
    answer = services.answer_draft_save(
        actor=first,
        question=question,
        body='<p onclick="x()">Hồ sơ <script>alert(1)</script><a href="javascript:x()">đây</a></p>',
        expected_version=None,
    )
    assert answer.body == '<p>Hồ sơ <a rel="nofollow noopener">đây</a></p>'
    assert answer.version == 1
    answer = services.answer_draft_save(
        actor=first, question=question, body="<p>Hồ sơ gồm đơn và <em>bản sao</em>.</p>", expected_version=1
    )
    assert answer.version == 2
    revisions = list(AnswerRevision.objects.filter(answer=answer).order_by("version"))
    assert [(r.version, r.author) for r in revisions] == [(1, first), (2, first)]
    assert revisions[0].body == '<p>Hồ sơ <a rel="nofollow noopener">đây</a></p>'
    assert revisions[1].body == answer.body == "<p>Hồ sơ gồm đơn và <em>bản sao</em>.</p>"


def test_a_save_on_an_old_version_is_refused_with_the_newer_text(drafting):
    question, first, second = drafting["question"], drafting["first"], drafting["second"]
    services.answer_draft_save(actor=first, question=question, body="<p>Bản 1</p>", expected_version=None)
    # Both open version 1; the first saves version 2.
    services.answer_draft_save(actor=first, question=question, body="<p>Bản 2 của Một</p>", expected_version=1)
    with pytest.raises(StaleAnswer) as stale:
        services.answer_draft_save(actor=second, question=question, body="<p>Bản của Hai</p>", expected_version=1)
    assert isinstance(stale.value, TransitionNotAllowed)
    assert stale.value.code == "stale_version"
    assert stale.value.current_version == 2
    assert stale.value.current_body == "<p>Bản 2 của Một</p>"
    assert stale.value.current_author == "Phạm Thị Một"
    answer = Answer.objects.get(question=question)
    assert (answer.version, answer.body) == (2, "<p>Bản 2 của Một</p>")
    assert AnswerRevision.objects.filter(answer=answer).count() == 2
    # Not knowing the version when an answer exists is the same conflict: never a blind overwrite.
    with pytest.raises(StaleAnswer):
        services.answer_draft_save(actor=second, question=question, body="<p>Ghi đè</p>", expected_version=None)
    # With the version shown, the second official saves on top.
    answer = services.answer_draft_save(actor=second, question=question, body="<p>Bản của Hai</p>", expected_version=2)
    assert (answer.version, answer.author) == (3, second)


def test_empty_or_markup_only_answers_are_refused(drafting):
    for body in ("", "   ", "<p></p>", "<script>alert(1)</script>", "<br><br>"):
        with pytest.raises(ValidationError) as invalid:
            services.answer_draft_save(
                actor=drafting["first"], question=drafting["question"], body=body, expected_version=None
            )
        assert "body" in invalid.value.message_dict
    assert not Answer.objects.filter(question=drafting["question"]).exists()


def test_attachments_are_checked_and_can_be_removed(drafting, settings):
    question, first = drafting["question"], drafting["first"]
    answer = services.answer_draft_save(
        actor=first, question=question, body="<p>Xem văn bản kèm theo.</p>", expected_version=None, attachments=[pdf()]
    )
    files = list(Attachment.objects.filter(question=question, purpose=Attachment.Purpose.ANSWER))
    assert [(f.original_name, f.content_type) for f in files] == [("cong-van.pdf", "application/pdf")]
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as invalid:
        services.answer_draft_save(
            actor=first, question=question, body="<p>x</p>", expected_version=answer.version, attachments=[fake]
        )
    assert "attachments" in invalid.value.message_dict
    settings.QA_MAX_ATTACHMENTS = 1
    with pytest.raises(ValidationError):
        services.answer_draft_save(
            actor=first, question=question, body="<p>x</p>", expected_version=answer.version, attachments=[pdf("b.pdf")]
        )
    # A refused save changed nothing.
    assert Answer.objects.get(question=question).version == answer.version
    services.answer_attachment_remove(actor=first, question=question, attachment_id=files[0].pk)
    assert not Attachment.objects.filter(question=question).exists()


def test_drafts_only_while_in_work_and_only_by_drafting_roles(drafting):
    agency = drafting["question"].agency
    with pytest.raises(PermissionDenied):
        services.answer_draft_save(
            actor=staff(agency, "reviewer"), question=drafting["question"], body="<p>x</p>", expected_version=None
        )
    in_review = question_in(S.IN_REVIEW, agency)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.answer_draft_save(actor=drafting["first"], question=in_review, body="<p>x</p>", expected_version=1)
    assert refused.value.current_state == S.IN_REVIEW


def test_sending_records_signature_and_times(drafting, django_capture_on_commit_callbacks):
    from django.core import mail

    question, first = drafting["question"], drafting["first"]
    services.answer_draft_save(
        actor=first,
        question=question,
        body="<p>Đề nghị ông <b>nộp hồ sơ</b> tại bộ phận một cửa.</p>",
        expected_version=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        answered = services.answer_send(actor=first, question=question)
    answer = Answer.objects.get(question=question)
    assert answered.status == S.ANSWERED and answered.answered_at and answer.sent_at
    assert answer.signed_by == question.agency.name  # the agency signs when nobody is named
    message = mail.outbox[-1]
    assert message.to == [question.contact.email]
    assert sent([message]) == [("qa.answered", question.contact.email)]
    assert "nộp hồ sơ" in message.body and "<b>" not in message.body
    html = message.alternatives[0][0]
    assert "<b>nộp hồ sơ</b>" in html
