"""The officials' panel through the web: who sees which page, each action's happy path and refusals, the queue.

Status codes are the panel's contract: a POST that works redirects (303), bad
input re-renders with the errors (400), an illegal or stale move re-renders the
current page with a message (409), a role or agency that may not act gets 403.
"""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from qa.models import (
    Answer,
    AnswerRevision,
    AnswerTemplate,
    Attachment,
    InternalNote,
    Question,
    QuestionEvent,
)
from qa.models import QuestionStatus as S
from tests.factories import AgencyFactory, TopicFactory, UserFactory
from tests.qa.staff_fixtures import ANSWER_HTML, question_in, staff
from tests.uploads import pdf_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

MOD, ANS, REV, ADM = (
    r.value
    for r in (Membership.Role.MODERATOR, Membership.Role.ANSWERER, Membership.Role.REVIEWER, Membership.Role.ADMIN)
)
PDF = pdf_bytes()


@pytest.fixture
def world():
    agency = AgencyFactory(name="Sở Tài nguyên và Môi trường", code="HP-STNMT")
    other = AgencyFactory(name="Sở Xây dựng", code="HP-SXD")
    return {
        "agency": agency,
        "other": other,
        MOD: staff(agency, MOD, full_name="Lê Biên Tập"),
        ANS: staff(agency, ANS, full_name="Phạm Chuyên Viên"),
        REV: staff(agency, REV, full_name="Vũ Lãnh Đạo"),
        ADM: staff(agency, ADM, full_name="Đỗ Quản Trị"),
        "outsider": staff(other, MOD, ADM, full_name="Người Sở Khác"),
        "citizen": UserFactory(full_name="Công Dân"),
    }


@pytest.fixture
def client():
    """English pages, so the assertions on messages hold once the Vietnamese catalogue exists."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _page(client, user, reference):
    client.force_login(user)
    return client.get(reverse("staff:question", kwargs={"reference": reference}))


def _act(client, user, question, action, **fields):
    """POST one action form as the panel does (prefixed fields, the version the page showed)."""
    client.force_login(user)
    prefix = "public" if action in ("edit_public", "publish") else action
    data = {f"{prefix}-expected_version": fields.pop("expected_version", question.version)}
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return client.post(reverse("staff:action", kwargs={"reference": question.reference, "action": action}), data)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Access -------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, world):
    question = question_in(S.SUBMITTED, world["agency"])
    for url in (reverse("staff:queue"), reverse("staff:question", kwargs={"reference": question.reference})):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_citizen_without_a_role_gets_403(client, world):
    question = question_in(S.SUBMITTED, world["agency"])
    client.force_login(world["citizen"])
    assert client.get(reverse("staff:queue")).status_code == 403
    assert client.get(reverse("staff:question", kwargs={"reference": question.reference})).status_code == 403
    assert client.get(reverse("staff:register")).status_code == 403


@pytest.mark.parametrize("role", [MOD, ANS, REV, ADM])
def test_every_role_of_the_agency_sees_the_question_page(client, world, role):
    question = question_in(S.ACCEPTED, world["agency"])
    response = _page(client, world[role], question.reference)
    assert response.status_code == 200
    body = response.content.decode()
    assert question.title in body
    assert "Trần Thị Bí Mật" in body  # asker contact: staff only


def test_staff_of_another_agency_and_unknown_references_both_get_404(client, world):
    # 404 for another agency's question, as for an unknown reference (issue 11: existence must not leak).
    question = question_in(S.SUBMITTED, world["agency"])
    assert _page(client, world["outsider"], question.reference).status_code == 404
    assert _page(client, world["outsider"], "HP-KHONG-CO-2026-000001").status_code == 404
    assert _page(client, world[MOD], "HP-KHONG-CO-2026-000001").status_code == 404
    unverified = question_in(S.UNVERIFIED, world["agency"])
    assert _page(client, world[MOD], unverified.reference).status_code == 404


def test_outsider_cannot_act_nor_download(client, world):
    question = question_in(S.SUBMITTED, world["agency"])
    attachment = Attachment.objects.create(
        question=question,
        file=SimpleUploadedFile("don.pdf", PDF),
        original_name="đơn.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    response = _act(client, world["outsider"], question, "accept")
    assert response.status_code == 404
    question.refresh_from_db()
    assert question.status == S.SUBMITTED
    url = reverse("staff:attachment", kwargs={"reference": question.reference, "attachment_id": attachment.pk})
    assert client.get(url).status_code == 404
    client.force_login(world[REV])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]


def test_staff_panel_link_in_the_header_only_for_agency_staff(client, world):
    assert "Staff panel" not in client.get("/").content.decode()
    client.force_login(world["citizen"])
    assert reverse("staff:queue") not in client.get("/").content.decode()
    client.force_login(world[ANS])
    assert f'href="{reverse("staff:queue")}"' in client.get("/").content.decode()


def test_staff_link_costs_no_query_for_visitors(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from qa.templatetags.staff_panel import is_agency_staff

    with django_assert_num_queries(0):
        assert is_agency_staff(AnonymousUser()) is False


# --- Queue ---------------------------------------------------------------------------------------


def _queue(client, user, **params):
    client.force_login(user)
    return client.get(reverse("staff:queue"), params)


def _refs(response) -> list[str]:
    return [row.question.reference for row in response.context["rows"]]


def test_queue_shows_only_the_users_agencies_with_tab_counts(client, world):
    mine = [question_in(S.SUBMITTED, world["agency"]) for _ in range(2)]
    working = question_in(S.ACCEPTED, world["agency"])
    question_in(S.IN_REVIEW, world["agency"])
    foreign = question_in(S.SUBMITTED, world["other"])
    response = _queue(client, world[ANS])
    assert response.status_code == 200
    assert sorted(_refs(response)) == sorted(q.reference for q in mine)
    counts = {t["key"]: t["count"] for t in response.context["tabs"]}
    assert counts["new"] == 2 and counts["in_progress"] == 1 and counts["review"] == 1 and counts["all"] == 4
    assert foreign.reference not in response.content.decode()
    response = _queue(client, world[ANS], tab="in_progress")
    assert _refs(response) == [working.reference]


def test_queue_filters_mine_overdue_search_and_topic(client, world):
    today = timezone.localdate()
    land, tax = TopicFactory(name="Đất đai"), TopicFactory(name="Thuế")
    mine = question_in(S.ACCEPTED, world["agency"], assignee=world[ANS], topic=land)
    late = question_in(S.ACCEPTED, world["agency"], due_date=today - datetime.timedelta(days=3), topic=tax)
    other = question_in(S.ACCEPTED, world["agency"], title="Hỏi về thuế thu nhập cá nhân khi bán nhà", topic=tax)
    user = world[ANS]
    assert _refs(_queue(client, user, tab="in_progress", assignee="me")) == [mine.reference]
    response = _queue(client, user, tab="in_progress", due="overdue")
    assert _refs(response) == [late.reference]
    assert "badge-danger" in response.content.decode()  # the "overdue" badge
    assert _refs(_queue(client, user, tab="in_progress", q="thue thu nhap")) == [other.reference]
    assert sorted(_refs(_queue(client, user, tab="in_progress", topic=tax.pk))) == sorted(
        [late.reference, other.reference]
    )
    # A bad value is reported and ignored, never a 500.
    response = _queue(client, user, tab="in_progress", topic="abc", date_from="not-a-date")
    assert response.status_code == 200
    assert len(_refs(response)) == 3


def test_queue_due_soon_badge_and_sort_by_due_date(client, world):
    today = timezone.localdate()
    later = question_in(S.ACCEPTED, world["agency"], due_date=today + datetime.timedelta(days=30))
    soon = question_in(S.ACCEPTED, world["agency"], due_date=today)
    response = _queue(client, world[MOD], tab="in_progress", sort="due")
    assert _refs(response) == [soon.reference, later.reference]
    assert "badge-warning" in response.content.decode()
    response = _queue(client, world[MOD], tab="in_progress", due="soon")
    assert _refs(response) == [soon.reference]


def test_agency_switcher_for_staff_of_several_agencies(client, world):
    both = staff(world["agency"], MOD)
    Membership.objects.create(user=both, agency=world["other"], role=ANS)
    here = question_in(S.SUBMITTED, world["agency"])
    there = question_in(S.SUBMITTED, world["other"])
    response = _queue(client, both)
    assert response.context["several_agencies"] is True
    assert sorted(_refs(response)) == sorted([here.reference, there.reference])
    assert _refs(_queue(client, both, agency=world["other"].pk)) == [there.reference]
    # An agency the user does not belong to is not a valid choice: it is ignored, nothing leaks.
    stranger = AgencyFactory()
    question_in(S.SUBMITTED, stranger)
    response = _queue(client, both, agency=stranger.pk)
    assert sorted(_refs(response)) == sorted([here.reference, there.reference])


def test_queue_is_paginated(client, world):
    for _ in range(27):
        question_in(S.SUBMITTED, world["agency"])
    response = _queue(client, world[MOD])
    assert len(response.context["rows"]) == 25
    assert response.context["page"].count == 27 and response.context["page"].count_exact
    assert len(_queue(client, world[MOD], page=2).context["rows"]) == 2


def _count_queue_queries(client, user, django_assert_max_num_queries) -> int:
    client.force_login(user)
    with django_assert_max_num_queries(20) as captured:
        response = client.get(reverse("staff:queue"), {"tab": "all"})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_queue_query_count_does_not_grow_with_rows(
    client, world, django_assert_num_queries, django_assert_max_num_queries
):
    topics = [TopicFactory() for _ in range(3)]

    def add(n):
        for i in range(n):
            question_in(
                [S.SUBMITTED, S.ACCEPTED, S.IN_REVIEW][i % 3],
                world["agency"],
                topic=topics[i % 3],
                assignee=[world[ANS], world[MOD], None][i % 3],
            )

    add(3)
    few = _count_queue_queries(client, world[MOD], django_assert_max_num_queries)
    add(27)
    client.force_login(world[MOD])
    with django_assert_num_queries(few):
        response = client.get(reverse("staff:queue"), {"tab": "all"})
    assert len(response.context["rows"]) == 25


# --- Which actions a page offers -----------------------------------------------------------------


def _offered(response) -> list[str]:
    offered = [panel["action"] for panel in response.context["panels"]]
    if response.context["can_edit_public"]:
        offered.append("edit_public")
    if response.context["can_publish"]:
        offered.append("publish")
    return sorted(offered)


@pytest.mark.parametrize(
    ("status", "role", "expected"),
    [
        (S.SUBMITTED, MOD, ["accept", "answer_by_reference", "assign", "edit_public", "reject", "transfer"]),
        (S.SUBMITTED, ANS, []),
        (S.SUBMITTED, REV, []),
        (S.ACCEPTED, ANS, ["request_information", "submit_for_review", "send"]),
        (S.IN_REVIEW, REV, ["approve", "return"]),
        (S.IN_REVIEW, ANS, []),
        (S.APPROVED, REV, ["return", "send"]),
        (S.ANSWERED, MOD, ["edit_public", "publish"]),
        (S.PUBLISHED, ADM, ["edit_public", "unpublish"]),
        (S.REJECTED, MOD, []),
    ],
)
def test_only_the_actions_the_state_and_role_allow_are_offered(client, world, status, role, expected):
    question = question_in(status, world["agency"])
    response = _page(client, world[role], question.reference)
    assert _offered(response) == sorted(expected)
    body = response.content.decode()
    for action in ("accept", "reject", "transfer", "approve", "publish", "unpublish"):
        url = reverse("staff:action", kwargs={"reference": question.reference, "action": action})
        assert (f'action="{url}"' in body or f'formaction="{url}"' in body) == (action in expected)


def test_send_is_hidden_when_the_agency_requires_review_and_publish_without_consent(client, world):
    world["agency"].review_required = True
    world["agency"].save()
    accepted = question_in(S.ACCEPTED, world["agency"])
    response = _page(client, world[ANS], accepted.reference)
    assert "send" not in _offered(response)
    assert "requires a reviewer" in response.content.decode()
    answered = question_in(S.ANSWERED, world["agency"], consent_to_publish=False)
    response = _page(client, world[MOD], answered.reference)
    assert "publish" not in _offered(response)
    assert "did not agree to publication" in response.content.decode()


# --- Actions: happy paths --------------------------------------------------------------------------


def test_accept_with_an_assignee(client, world, django_capture_on_commit_callbacks):
    question = question_in(S.SUBMITTED, world["agency"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(client, world[MOD], question, "accept", assignee=world[ANS].pk, note="Giao anh Phạm")
    assert response.status_code == 303
    assert response["Location"] == reverse("staff:question", kwargs={"reference": question.reference})
    question.refresh_from_db()
    assert question.status == S.ACCEPTED and question.assignee == world[ANS] and question.due_date
    event = QuestionEvent.objects.get(question=question, action="accept")
    assert event.actor == world[MOD] and event.internal_note == "Giao anh Phạm"
    response = client.get(response["Location"])
    assert _messages(response) == ["The question is accepted; the answer clock has started."]


def test_assign_and_take_back(client, world):
    question = question_in(S.ACCEPTED, world["agency"])
    assert _act(client, world[MOD], question, "assign", assignee=world[ANS].pk).status_code == 303
    question.refresh_from_db()
    assert question.assignee == world[ANS]
    assert _act(client, world[MOD], question, "assign", assignee="").status_code == 303
    question.refresh_from_db()
    assert question.assignee is None


def test_assign_someone_who_cannot_answer_is_a_400_with_the_message(client, world):
    question = question_in(S.ACCEPTED, world["agency"])
    response = _act(client, world[MOD], question, "assign", assignee=world["outsider"].pk)
    assert response.status_code == 400  # not even a choice on this agency's form
    question.refresh_from_db()
    assert question.assignee is None


def test_reject_needs_a_reason_and_a_message_and_keeps_the_text(client, world):
    question = question_in(S.SUBMITTED, world["agency"])
    response = _act(client, world[MOD], question, "reject", reason="", message="Nội dung không phù hợp")
    assert response.status_code == 400
    assert "Choose a reason" in response.content.decode()
    assert "Nội dung không phù hợp" in response.content.decode()
    response = _act(client, world[MOD], question, "reject", reason="spam", message="")
    assert response.status_code == 400
    question.refresh_from_db()
    assert question.status == S.SUBMITTED
    response = _act(client, world[MOD], question, "reject", reason="spam", message="Đây là tin quảng cáo.")
    assert response.status_code == 303
    question.refresh_from_db()
    assert question.status == S.REJECTED and question.rejection_reason == "spam"
    assert QuestionEvent.objects.get(question=question, action="reject").note == "Đây là tin quảng cáo."


def test_reject_as_duplicate_links_the_original(client, world):
    original = question_in(S.ACCEPTED, world["agency"])
    question = question_in(S.SUBMITTED, world["agency"])
    response = _act(client, world[MOD], question, "reject", reason="duplicate", duplicate_of="", message="Trùng.")
    assert response.status_code == 400
    assert "reference code" in response.content.decode()
    response = _act(
        client,
        world[MOD],
        question,
        "reject",
        reason="duplicate",
        duplicate_of=original.reference.lower(),
        message="Câu hỏi trùng với câu hỏi trước của ông/bà.",
    )
    assert response.status_code == 303
    question.refresh_from_db()
    assert question.duplicate_of == original
    assert original.reference in _page(client, world[MOD], question.reference).content.decode()


def test_transfer_moves_the_question_to_the_other_queue(client, world):
    question = question_in(S.SUBMITTED, world["agency"])
    response = _act(client, world[MOD], question, "transfer", agency=world["other"].pk, reason="")
    assert response.status_code == 400
    response = _act(
        client, world[MOD], question, "transfer", agency=world["other"].pk, reason="Thuộc thẩm quyền Sở Xây dựng."
    )
    assert response.status_code == 303
    assert response["Location"] == reverse("staff:queue")  # the page is no longer this agency's
    question.refresh_from_db()
    assert question.agency == world["other"] and question.status == S.SUBMITTED
    assert question.reference not in _queue(client, world[MOD]).content.decode()
    assert question.reference in _refs(_queue(client, world["outsider"]))
    assert _page(client, world[MOD], question.reference).status_code == 404


def test_request_information_pauses_the_clock(client, world):
    question = question_in(S.ACCEPTED, world["agency"])
    response = _act(client, world[ANS], question, "request_information", message="")
    assert response.status_code == 400
    response = _act(client, world[ANS], question, "request_information", message="Xin gửi bản sao sổ đỏ.")
    assert response.status_code == 303
    question.refresh_from_db()
    assert question.status == S.INFORMATION_REQUESTED and question.paused_at is not None


def test_review_path_submit_approve_send(client, world, django_capture_on_commit_callbacks):
    world["agency"].review_required = True
    world["agency"].save()
    question = question_in(S.ACCEPTED, world["agency"])
    answer = Answer.objects.create(question=question, body=ANSWER_HTML, author=world[ANS])
    assert _act(client, world[ANS], question, "submit_for_review", note="Nhờ anh duyệt").status_code == 303
    question.refresh_from_db()
    assert question.status == S.IN_REVIEW
    assert _act(client, world[REV], question, "approve").status_code == 303
    question.refresh_from_db()
    answer.refresh_from_db()
    assert question.status == S.APPROVED and answer.approved_by == world[REV]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(client, world[ANS], question, "send", signed_by="Giám đốc Sở")
    assert response.status_code == 303
    question.refresh_from_db()
    answer.refresh_from_db()
    assert question.status == S.ANSWERED and answer.signed_by == "Giám đốc Sở" and answer.sent_at
    assert any(question.reference in m.subject or question.reference in m.body for m in mail.outbox)


def test_return_needs_a_comment(client, world):
    question = question_in(S.IN_REVIEW, world["agency"])
    assert _act(client, world[REV], question, "return", comment="").status_code == 400
    response = _act(client, world[REV], question, "return", comment="Cần dẫn chiếu Điều 101 Luật Đất đai.")
    assert response.status_code == 303
    question.refresh_from_db()
    assert question.status == S.ACCEPTED
    assert QuestionEvent.objects.get(question=question, action="return").internal_note.startswith("Cần dẫn")


def test_edit_public_version_then_publish_then_unpublish(client, world):
    question = question_in(S.ANSWERED, world["agency"])
    response = _act(
        client, world[MOD], question, "edit_public", public_title="Thủ tục cấp sổ đỏ", public_body="Xin hỏi thủ tục."
    )
    assert response.status_code == 303
    question.refresh_from_db()
    assert (question.public_title, question.status) == ("Thủ tục cấp sổ đỏ", S.ANSWERED)
    assert question.title != question.public_title  # the original stays
    response = _act(client, world[MOD], question, "publish", public_title="", public_body="x")
    assert response.status_code == 400
    assert "Enter the public title" in response.content.decode()
    response = _act(
        client,
        world[MOD],
        question,
        "publish",
        public_title="Thủ tục cấp giấy chứng nhận",
        public_body="Gia đình tôi có thửa đất, xin hỏi thủ tục.",
    )
    assert response.status_code == 303
    question.refresh_from_db()
    assert question.status == S.PUBLISHED and question.public_title == "Thủ tục cấp giấy chứng nhận"
    assert client.get(question.get_absolute_url()).status_code == 200
    assert _act(client, world[MOD], question, "unpublish", reason="Nhầm").status_code == 303
    question.refresh_from_db()
    assert question.status == S.ANSWERED
    assert client.get(question.get_absolute_url()).status_code == 404


def test_redaction_hints_point_at_personal_data_in_the_public_text(client, world):
    question = question_in(
        S.ANSWERED, world["agency"], public_body="Tôi là Trần Thị Bí Mật, số điện thoại 0912 345 678, hỏi về đất."
    )
    hints = _page(client, world[MOD], question.reference).context["redaction_hints"]
    assert any("Trần Thị Bí Mật" in h for h in hints)
    assert any("0912 345 678" in h for h in hints)
    clean = question_in(S.ANSWERED, world["agency"], public_body="Hỏi về thủ tục đất đai.")
    assert _page(client, world[MOD], clean.reference).context["redaction_hints"] == []


# --- Actions: refusals ----------------------------------------------------------------------------


def test_illegal_state_is_a_409_with_a_message(client, world):
    question = question_in(S.ACCEPTED, world["agency"])
    response = _act(client, world[MOD], question, "accept")
    assert response.status_code == 409
    assert any("not possible" in m for m in _messages(response))
    question.refresh_from_db()
    assert question.status == S.ACCEPTED


def test_stale_version_is_a_409_that_keeps_the_typed_text(client, world):
    question = question_in(S.ACCEPTED, world["agency"])
    seen = question.version
    # Someone else acts first.
    assert _act(client, world[MOD], question, "assign", assignee=world[ANS].pk).status_code == 303
    response = _act(
        client,
        world[ANS],
        question,
        "request_information",
        expected_version=seen,
        message="Xin ông/bà bổ sung trích lục thửa đất.",
    )
    assert response.status_code == 409
    assert any("changed by someone else" in m for m in _messages(response))
    body = response.content.decode()
    assert "Xin ông/bà bổ sung trích lục thửa đất." in body
    question.refresh_from_db()
    assert question.status == S.ACCEPTED
    # The re-rendered form carries the current version: sending it again works.
    form = next(p["form"] for p in response.context["panels"] if p["action"] == "request_information")
    assert form["expected_version"].value() == str(question.version)


def test_role_that_may_never_act_gets_403(client, world):
    question = question_in(S.SUBMITTED, world["agency"])
    assert _act(client, world[ANS], question, "accept").status_code == 403
    assert _act(client, world[REV], question, "reject", reason="spam", message="x").status_code == 403
    in_review = question_in(S.IN_REVIEW, world["agency"])
    assert _act(client, world[ANS], in_review, "approve").status_code == 403
    question.refresh_from_db()
    assert question.status == S.SUBMITTED


def test_unknown_action_is_404_and_get_is_not_allowed(client, world):
    question = question_in(S.SUBMITTED, world["agency"])
    assert _act(client, world[MOD], question, "delete").status_code == 404
    url = reverse("staff:action", kwargs={"reference": question.reference, "action": "accept"})
    assert client.get(url).status_code == 405


def test_missing_version_is_a_400(client, world):
    question = question_in(S.SUBMITTED, world["agency"])
    client.force_login(world[MOD])
    url = reverse("staff:action", kwargs={"reference": question.reference, "action": "accept"})
    assert client.post(url, {}).status_code == 400
    question.refresh_from_db()
    assert question.status == S.SUBMITTED


# --- The answer editor ------------------------------------------------------------------------------


def _save_answer(client, user, question, body, version, **extra):
    client.force_login(user)
    data = {"answer-body": body, "answer-answer_version": version, **extra}
    return client.post(reverse("staff:answer_save", kwargs={"reference": question.reference}), data)


def test_answer_draft_plain_text_becomes_paragraphs_and_revisions_are_kept(client, world):
    question = question_in(S.ACCEPTED, world["agency"])
    response = _save_answer(client, world[ANS], question, "Kính gửi ông/bà,\n\nHồ sơ gồm:\nđơn đề nghị.", 0)
    assert response.status_code == 303
    answer = Answer.objects.get(question=question)
    assert answer.body == "<p>Kính gửi ông/bà,</p><p>Hồ sơ gồm:<br>đơn đề nghị.</p>"
    assert answer.version == 1 and answer.author == world[ANS]
    response = _save_answer(client, world[ANS], question, answer.body + "<script>alert(1)</script>", 1)
    assert response.status_code == 303
    answer.refresh_from_db()
    assert answer.version == 2 and "script" not in answer.body
    assert AnswerRevision.objects.filter(answer=answer).count() == 2
    page = _page(client, world[ANS], question.reference)
    assert "2 saved versions" in page.content.decode()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Kính gửi,\n\nHồ sơ gồm:\nđơn.", "<p>Kính gửi,</p><p>Hồ sơ gồm:<br>đơn.</p>"),
        ("Hồ sơ:<ol><li>Đơn</li></ol>Hết", "<p>Hồ sơ:</p><ol><li>Đơn</li></ol><p>Hết</p>"),
        ("<p>Đã có <em>thẻ</em></p>", "<p>Đã có <em>thẻ</em></p>"),
    ],
)
def test_editor_text_round_trips_through_the_stored_html(typed, stored):
    from qa.sanitize import clean_answer_html
    from qa.staff.forms import html_to_editable, paragraphs_to_html

    assert clean_answer_html(paragraphs_to_html(typed)) == stored
    # What the editor shows for a saved answer saves back to the same HTML: no <p> tags to edit.
    editable = html_to_editable(stored)
    assert "<p>" not in editable
    assert clean_answer_html(paragraphs_to_html(editable)) == stored


def test_empty_answer_is_a_400(client, world):
    question = question_in(S.ACCEPTED, world["agency"])
    response = _save_answer(client, world[ANS], question, "   ", 0)
    assert response.status_code == 400
    assert "Write the answer" in response.content.decode()
    assert not Answer.objects.filter(question=question).exists()


def test_stale_answer_draft_keeps_the_users_text_and_shows_the_newer_version(client, world):
    question = question_in(S.ACCEPTED, world["agency"])
    assert _save_answer(client, world[ANS], question, "Bản nháp đầu tiên.", 0).status_code == 303
    # A colleague saves version 2 while our official still edits version 1.
    colleague = staff(world["agency"], ANS, full_name="Hoàng Đồng Nghiệp")
    assert _save_answer(client, colleague, question, "Bản của đồng nghiệp, đã bổ sung căn cứ.", 1).status_code == 303
    mine = "Bản của tôi với nội dung rất quan trọng không được mất."
    response = _save_answer(client, world[ANS], question, mine, 1)
    assert response.status_code == 409
    body = response.content.decode()
    assert mine in body  # still in the editor
    assert "Bản của đồng nghiệp, đã bổ sung căn cứ." in body  # the newer version, to compare
    assert "Hoàng Đồng Nghiệp" in body
    form = response.context["answer_form"]
    assert form["body"].value() == mine and form["answer_version"].value() == "2"
    answer = Answer.objects.get(question=question)
    assert answer.version == 2 and "đồng nghiệp" in answer.body
    # Saving again, deliberately, on the version now shown replaces it (and both stay in the revisions).
    assert _save_answer(client, world[ANS], question, mine, 2).status_code == 303
    answer.refresh_from_db()
    assert answer.version == 3 and mine in answer.body


def test_answer_attachments_upload_download_and_remove(client, world):
    question = question_in(S.ACCEPTED, world["agency"])
    upload = SimpleUploadedFile("cong-van.pdf", PDF, content_type="application/pdf")
    response = _save_answer(client, world[ANS], question, "Xem công văn đính kèm.", 0, **{"answer-attachments": upload})
    assert response.status_code == 303
    attachment = Attachment.objects.get(question=question, purpose=Attachment.Purpose.ANSWER)
    remove = reverse(
        "staff:answer_attachment_remove", kwargs={"reference": question.reference, "attachment_id": attachment.pk}
    )
    assert client.post(remove).status_code == 303
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    bad = SimpleUploadedFile("virus.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = _save_answer(client, world[ANS], question, "Lại.", 1, **{"answer-attachments": bad})
    assert response.status_code == 400
    assert "Lại." in response.content.decode()


def test_answer_starts_from_a_template(client, world):
    question = question_in(S.ACCEPTED, world["agency"])
    template = AnswerTemplate.objects.create(
        agency=world["agency"], title="Mẫu cấp sổ đỏ", body="<p>Căn cứ Luật Đất đai 2024, hồ sơ gồm…</p>"
    )
    foreign = AnswerTemplate.objects.create(agency=world["other"], title="Mẫu khác", body="<p>Không dùng</p>")
    client.force_login(world[ANS])
    url = reverse("staff:question", kwargs={"reference": question.reference})
    response = client.get(url, {"template": template.pk})
    assert response.context["answer_form"]["body"].value() == "Căn cứ Luật Đất đai 2024, hồ sơ gồm…"
    assert "Mẫu cấp sổ đỏ" in response.content.decode()
    response = client.get(url, {"template": foreign.pk})
    assert response.context["answer_form"]["body"].value() == ""


def test_reviewer_cannot_edit_the_answer(client, world):
    question = question_in(S.ACCEPTED, world["agency"])
    assert _page(client, world[REV], question.reference).context["answer_form"] is None
    assert _save_answer(client, world[REV], question, "Sửa trộm", 0).status_code == 403
    in_review = question_in(S.IN_REVIEW, world["agency"])
    response = _save_answer(client, world[ANS], in_review, "Sửa khi đang duyệt", 1)
    assert response.status_code == 409
    assert Answer.objects.get(question=in_review).body == ANSWER_HTML


# --- Internal notes -------------------------------------------------------------------------------------


def test_internal_notes_are_added_and_listed(client, world):
    question = question_in(S.SUBMITTED, world["agency"])
    client.force_login(world[REV])
    url = reverse("staff:note_add", kwargs={"reference": question.reference})
    assert client.post(url, {"note-body": ""}).status_code == 400
    assert client.post(url, {"note-body": "Đã gọi điện cho người hỏi."}).status_code == 303
    note = InternalNote.objects.get(question=question)
    assert note.author == world[REV]
    assert "Đã gọi điện cho người hỏi." in _page(client, world[MOD], question.reference).content.decode()
    client.force_login(world["outsider"])
    assert client.post(url, {"note-body": "Xâm nhập"}).status_code == 404


def test_timeline_shows_actor_states_and_internal_notes(client, world):
    question = question_in(S.SUBMITTED, world["agency"])
    _act(client, world[MOD], question, "accept", note="Chuyển chuyên viên xử lý")
    body = _page(client, world[MOD], question.reference).content.decode()
    assert "Lê Biên Tập" in body
    assert "Submitted → In progress" in body
    assert "Chuyển chuyên viên xử lý" in body


# --- Bulk reject -------------------------------------------------------------------------------------------


def test_bulk_reject_spam(client, world):
    spam = [question_in(S.SUBMITTED, world["agency"]) for _ in range(3)]
    keep = question_in(S.SUBMITTED, world["agency"])
    foreign = question_in(S.SUBMITTED, world["other"])
    answered = question_in(S.ANSWERED, world["agency"])
    client.force_login(world[MOD])
    url = reverse("staff:bulk_reject") + "?tab=new"
    refs = [q.reference for q in spam] + [foreign.reference, answered.reference]
    response = client.post(url, {"references": refs, "reason": "spam", "message": ""})
    assert response.status_code == 400  # the message is required: nothing rejected, ticks kept
    assert all(q.reference in response.context["bulk_form"]["references"].value() for q in spam)
    assert Question.objects.filter(status=S.REJECTED).count() == 0
    response = client.post(url, {"references": refs, "reason": "spam", "message": "Tin rác."}, follow=True)
    assert response.redirect_chain[-1] == (reverse("staff:queue") + "?tab=new", 303)
    assert {q.status for q in Question.objects.filter(pk__in=[q.pk for q in spam])} == {S.REJECTED}
    for other in (keep, foreign, answered):
        status = other.status
        other.refresh_from_db()
        assert other.status == status
    text = " ".join(_messages(response))
    assert "Rejected 3 questions" in text
    assert f"{foreign.reference} was not rejected" in text and f"{answered.reference} was not rejected" in text


def test_bulk_reject_is_not_offered_to_answerers(client, world):
    question = question_in(S.SUBMITTED, world["agency"])
    response = _queue(client, world[ANS])
    assert response.context["bulk_form"] is None
    client.force_login(world[ANS])
    response = client.post(
        reverse("staff:bulk_reject"), {"references": [question.reference], "reason": "spam", "message": "x"}
    )
    question.refresh_from_db()
    assert question.status == S.SUBMITTED


# --- Registering a question received by phone, letter or e-mail -----------------------------------------


def test_register_a_phone_question(client, world, django_capture_on_commit_callbacks):
    topic = TopicFactory(name="Đất đai")
    client.force_login(world[MOD])
    url = reverse("staff:register")
    assert client.get(url).status_code == 200
    data = {
        "agency": world["agency"].pk,
        "channel": "phone",
        "topic": topic.pk,
        "title": "Hỏi qua điện thoại về cấp sổ đỏ",
        "body": "Ông Nguyễn Văn Điện gọi hỏi thủ tục cấp giấy chứng nhận cho đất thừa kế.",
        "asker_type": "individual",
        "name": "Nguyễn Văn Điện",
        "phone": "0903 123 456",
        "language": "vi",
        "note": "Gọi lúc 9 giờ",
    }
    response = client.post(url, {**data, "phone": ""})
    assert response.status_code == 400  # no way to reply: e-mail, phone or address needed
    assert "Hỏi qua điện thoại về cấp sổ đỏ" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 303
    question = Question.objects.get(title="Hỏi qua điện thoại về cấp sổ đỏ")
    assert response["Location"] == reverse("staff:question", kwargs={"reference": question.reference})
    assert (question.status, question.channel, question.agency) == (S.SUBMITTED, "phone", world["agency"])
    assert question.contact.email == "" and question.contact.phone == "0903123456"
    event = QuestionEvent.objects.get(question=question, action="register")
    assert event.actor == world[MOD] and event.data["channel"] == "phone"
    assert question.reference in _refs(_queue(client, world[MOD]))


def test_register_is_for_moderators_of_the_agency_only(client, world):
    client.force_login(world[ANS])
    assert client.get(reverse("staff:register")).status_code == 403
    client.force_login(world[MOD])
    # The other agency is not among the choices: the form refuses it.
    response = client.post(
        reverse("staff:register"),
        {"agency": world["other"].pk, "channel": "paper", "title": "T", "body": "B", "name": "A", "address": "X"},
    )
    assert response.status_code == 400
    assert not Question.objects.filter(agency=world["other"]).exists()


# --- Agency administration ------------------------------------------------------------------------------


def test_agency_admin_pages_are_for_that_agencys_admins(client, world):
    slug = world["agency"].slug
    for name in ("staff:agency_members", "staff:agency_settings"):
        url = reverse(name, kwargs={"slug": slug})
        for user, expected in ((world[ADM], 200), (world[MOD], 403), (world[ANS], 403), (world["outsider"], 403)):
            client.force_login(user)
            assert client.get(url).status_code == expected, (name, user)
        client.force_login(world[ADM])
        assert client.get(reverse(name, kwargs={"slug": "khong-ton-tai"})).status_code == 404
    client.force_login(world[ADM])
    assert client.get(reverse("staff:agencies")).status_code == 200


def test_admin_adds_changes_and_removes_members(client, world):
    newcomer = UserFactory(email="chuyenvien.moi@hp.gov.vn", full_name="Trịnh Văn Mới")
    slug = world["agency"].slug
    client.force_login(world[ADM])
    url = reverse("staff:agency_members", kwargs={"slug": slug})
    response = client.post(url, {"email": "khong.co@hp.gov.vn", "role": ANS})
    assert response.status_code == 400
    assert "No active account" in response.content.decode()
    assert client.post(url, {"email": "ChuyenVien.Moi@hp.gov.vn", "role": ANS}).status_code == 303
    membership = Membership.objects.get(user=newcomer, agency=world["agency"])
    assert membership.role == ANS
    assert client.post(url, {"email": newcomer.email, "role": ANS}).status_code == 400  # already has it
    role_url = reverse("staff:member_role", kwargs={"slug": slug, "membership_id": membership.pk})
    assert client.post(role_url, {f"m{membership.pk}-role": REV}).status_code == 303
    membership.refresh_from_db()
    assert membership.role == REV
    remove_url = reverse("staff:member_remove", kwargs={"slug": slug, "membership_id": membership.pk})
    assert client.post(remove_url).status_code == 303
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_admin_cannot_leave(client, world):
    admin_membership = Membership.objects.get(user=world[ADM], agency=world["agency"], role=ADM)
    client.force_login(world[ADM])
    slug = world["agency"].slug
    response = client.post(reverse("staff:member_remove", kwargs={"slug": slug, "membership_id": admin_membership.pk}))
    assert response.status_code == 400
    assert "at least one administrator" in response.content.decode()
    response = client.post(
        reverse("staff:member_role", kwargs={"slug": slug, "membership_id": admin_membership.pk}),
        {f"m{admin_membership.pk}-role": MOD},
    )
    assert response.status_code == 400
    assert Membership.objects.filter(pk=admin_membership.pk, role=ADM).exists()


def test_outsider_cannot_touch_another_agencys_members(client, world):
    membership = Membership.objects.get(user=world[ANS], agency=world["agency"])
    client.force_login(world["outsider"])  # an admin, but of the other agency
    url = reverse("staff:member_remove", kwargs={"slug": world["agency"].slug, "membership_id": membership.pk})
    assert client.post(url).status_code == 403
    # A membership id of another agency under one's own agency's URL is a 404, not a removal.
    url = reverse("staff:member_remove", kwargs={"slug": world["other"].slug, "membership_id": membership.pk})
    assert client.post(url).status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_agency_settings(client, world):
    client.force_login(world[ADM])
    url = reverse("staff:agency_settings", kwargs={"slug": world["agency"].slug})
    response = client.post(url, {"answer_deadline_days": "500"})
    assert response.status_code == 400
    assert "from 1 to 90" in response.content.decode()
    assert client.post(url, {"answer_deadline_days": "10", "review_required": "on"}).status_code == 303
    world["agency"].refresh_from_db()
    assert (world["agency"].answer_deadline_days, world["agency"].review_required) == (10, True)
    # The new deadline applies to the next acceptance.
    question = question_in(S.SUBMITTED, world["agency"])
    _act(client, world[ADM], question, "accept")
    question.refresh_from_db()
    from qa.deadlines import answer_due_date

    assert question.due_date == answer_due_date(timezone.localdate(), 10)


# --- Answer templates -------------------------------------------------------------------------------------


def test_templates_crud_for_moderators(client, world):
    slug = world["agency"].slug
    topic = TopicFactory(name="Đất đai")
    client.force_login(world[MOD])
    assert client.get(reverse("staff:templates", kwargs={"slug": slug})).status_code == 200
    create = reverse("staff:template_create", kwargs={"slug": slug})
    assert client.post(create, {"title": "", "body": "x"}).status_code == 400
    response = client.post(create, {"title": "Mẫu thừa kế", "topic": topic.pk, "body": "Căn cứ…\n\nHồ sơ gồm…"})
    assert response.status_code == 303
    template = AnswerTemplate.objects.get(agency=world["agency"])
    assert template.topic == topic and template.body == "<p>Căn cứ…</p><p>Hồ sơ gồm…</p>"
    edit = reverse("staff:template_edit", kwargs={"slug": slug, "template_id": template.pk})
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"title": "Mẫu thừa kế (sửa)", "topic": "", "body": "<p>Mới</p>"}).status_code == 303
    template.refresh_from_db()
    assert template.title == "Mẫu thừa kế (sửa)" and template.topic is None
    delete = reverse("staff:template_delete", kwargs={"slug": slug, "template_id": template.pk})
    assert client.post(delete).status_code == 303
    assert not AnswerTemplate.objects.exists()


def test_templates_are_not_for_answerers_nor_other_agencies(client, world):
    template = AnswerTemplate.objects.create(agency=world["agency"], title="Mẫu", body="<p>x</p>")
    slug = world["agency"].slug
    client.force_login(world[ANS])
    assert client.get(reverse("staff:templates", kwargs={"slug": slug})).status_code == 403
    client.force_login(world["outsider"])
    delete = reverse("staff:template_delete", kwargs={"slug": slug, "template_id": template.pk})
    assert client.post(delete).status_code == 403
    other_url = reverse("staff:template_delete", kwargs={"slug": world["other"].slug, "template_id": template.pk})
    assert client.post(other_url).status_code == 404
    assert AnswerTemplate.objects.filter(pk=template.pk).exists()


# --- Tables: every page × every kind of user, every action in a state that does not allow it ---------------

PAGES = ["queue", "question", "register", "agencies", "members", "settings", "templates", "template_create"]
# Expected status per page for: moderator, answerer, reviewer, admin, staff of another agency, citizen.
PAGE_ACCESS = {
    "queue": (200, 200, 200, 200, 200, 403),
    "question": (200, 200, 200, 200, 404, 403),  # another agency's question: 404, as if unknown
    "register": (200, 403, 403, 200, 200, 403),  # the outsider registers for their own agency
    "agencies": (200, 200, 200, 200, 200, 403),
    "members": (403, 403, 403, 200, 403, 403),
    "settings": (403, 403, 403, 200, 403, 403),
    "templates": (200, 403, 403, 200, 403, 403),
    "template_create": (200, 403, 403, 200, 403, 403),
}


def _page_url(name, world, question):
    slug = world["agency"].slug
    return {
        "queue": reverse("staff:queue"),
        "question": reverse("staff:question", kwargs={"reference": question.reference}),
        "register": reverse("staff:register"),
        "agencies": reverse("staff:agencies"),
        "members": reverse("staff:agency_members", kwargs={"slug": slug}),
        "settings": reverse("staff:agency_settings", kwargs={"slug": slug}),
        "templates": reverse("staff:templates", kwargs={"slug": slug}),
        "template_create": reverse("staff:template_create", kwargs={"slug": slug}),
    }[name]


@pytest.mark.parametrize("page", PAGES)
def test_page_access_table(client, world, page):
    question = question_in(S.ACCEPTED, world["agency"])
    url = _page_url(page, world, question)
    for who, expected in zip((MOD, ANS, REV, ADM, "outsider", "citizen"), PAGE_ACCESS[page], strict=True):
        client.force_login(world[who])
        assert client.get(url).status_code == expected, (page, who)
    client.logout()
    assert client.get(url).status_code == 302  # to the log-in page


# action: (a state whose transition table does not allow it, a role that may make it elsewhere, valid input)
ILLEGAL = {
    "accept": (S.ACCEPTED, MOD, {}),
    "assign": (S.ANSWERED, MOD, {"assignee": ""}),
    "request_information": (S.SUBMITTED, ANS, {"message": "Bổ sung giấy tờ"}),
    "submit_for_review": (S.SUBMITTED, ANS, {}),
    "approve": (S.ACCEPTED, REV, {}),
    "return": (S.ACCEPTED, REV, {"comment": "Sửa lại"}),
    "send": (S.SUBMITTED, ANS, {}),
    "edit_public": (S.REJECTED, MOD, {"public_title": "Tiêu đề", "public_body": "Nội dung"}),
    "publish": (S.ACCEPTED, MOD, {"public_title": "Tiêu đề", "public_body": "Nội dung"}),
    "unpublish": (S.ANSWERED, MOD, {}),
    "transfer": (S.ANSWERED, MOD, {"agency": "OTHER", "reason": "Thẩm quyền"}),
    "reject": (S.ANSWERED, MOD, {"reason": "spam", "message": "Rác"}),
}


@pytest.mark.parametrize("action", sorted(ILLEGAL))
def test_every_action_in_a_state_that_does_not_allow_it_is_a_409_with_a_message(client, world, action):
    status, role, data = ILLEGAL[action]
    question = question_in(status, world["agency"])
    data = {k: (world["other"].pk if v == "OTHER" else v) for k, v in data.items()}
    version = question.version
    response = _act(client, world[role], question, action, **data)
    assert response.status_code == 409
    assert any("is not possible while the question is" in m for m in _messages(response))
    question.refresh_from_db()
    assert (question.status, question.version) == (status, version)
    assert not QuestionEvent.objects.filter(question=question, action=action).exists()


def test_question_page_query_count_does_not_grow_with_history(client, world, django_assert_num_queries):
    def grow(question, n):
        for i in range(n):
            InternalNote.objects.create(question=question, author=world[ANS], body=f"Ghi chú {i}")
            QuestionEvent.objects.create(
                question=question,
                action="assign",
                from_status=S.ACCEPTED,
                to_status=S.ACCEPTED,
                actor=world[MOD],
                data={"assignee_id": world[ANS].pk, "assignee_name": "Phạm Chuyên Viên"},
            )
            AnswerTemplate.objects.create(
                agency=world["agency"], topic=question.topic, title=f"Mẫu {i}", body="<p>x</p>"
            )

    small, large = question_in(S.ACCEPTED, world["agency"]), question_in(S.ACCEPTED, world["agency"])
    grow(small, 1)
    grow(large, 15)
    client.force_login(world[MOD])
    client.get(reverse("staff:question", kwargs={"reference": small.reference}))  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("staff:question", kwargs={"reference": small.reference})).status_code == 200
    with django_assert_num_queries(len(captured.captured_queries)):
        response = client.get(reverse("staff:question", kwargs={"reference": large.reference}))
    assert len(response.context["timeline"]) == 15


def test_queue_search_query_count_is_the_same_for_any_term_and_size(
    client, world, django_assert_num_queries, django_assert_max_num_queries
):
    """A text search's counts are one statement whichever way it counts (walk or trigram index), so the page's
    query count is the one without a search, for a common and a rare term, with few and with many rows."""
    for i in range(3):
        question_in([S.SUBMITTED, S.ACCEPTED][i % 2], world["agency"], title=f"Cấp giấy chứng nhận {i}")
    without = _count_queue_queries(client, world[MOD], django_assert_max_num_queries)
    for count in (3, 40):
        for i in range(count):
            question_in([S.SUBMITTED, S.ACCEPTED][i % 2], world["agency"], title="Cấp giấy chứng nhận")
        for term in ("giấy chứng nhận", "không ai hỏi"):
            with django_assert_num_queries(without):
                response = client.get(reverse("staff:queue"), {"tab": "all", "q": term})
            assert response.status_code == 200
            tabs = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
            common = 3 + (3 if count == 3 else 43)  # the first three, then every row added so far
            assert tabs["all"] == (common if term == "giấy chứng nhận" else 0)
