"""Issue 15: a duplicate answered by a published answer, and groups of the same question answered once.

Services first (moves, refusals, audit), then what each asker sees (their own tracking page, a message each, no
one else's personal data), the archive's "N people asked", the web panel and the API.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.errors import TransitionNotAllowed
from notifications.models import Notification
from qa import services
from qa.models import Answer, AskerContact, Question, QuestionEvent, QuestionGroup
from qa.models import QuestionStatus as S
from stats import aggregation
from stats.models import DailyStat
from tests.factories import AgencyFactory, MembershipFactory, PublishedQuestionFactory
from tests.qa.staff_fixtures import moderator, question_in, staff

pytestmark = [pytest.mark.django_db]

ASKERS = [
    ("Nguyễn Văn Khánh", "khanh.nguyen@example.vn", "0912000111"),
    ("Lê Thị Hồng Nhung", "nhung.le@example.vn", "0987000222"),
    ("Phạm Quốc Tuấn", "tuan.pham@example.vn", "0903000333"),
]
GENERAL_ANSWER = "<p>Kính gửi ông/bà, hồ sơ cấp lại giấy chứng nhận bị mất gồm đơn đề nghị và giấy xác nhận.</p>"


def _asker(question: Question, name: str, email: str, phone: str) -> Question:
    AskerContact.objects.filter(question=question).update(name=name, email=email, phone=phone)
    return question


@pytest.fixture
def group_world():
    agency = AgencyFactory(review_required=False)
    mod = moderator(agency)
    questions = [
        _asker(question_in(S.ACCEPTED, agency, title=f"Thủ tục cấp lại sổ đỏ bị mất {i}"), *ASKERS[i]) for i in range(3)
    ]
    askers = {q.reference: ASKERS[i] for i, q in enumerate(questions)}
    return {"agency": agency, "mod": mod, "primary": questions[0], "members": questions[1:], "askers": askers}


def _merge(world, **kwargs):
    return services.group_merge(
        actor=world["mod"], question=world["primary"], references=[m.reference for m in world["members"]], **kwargs
    )


def _send(world, body=GENERAL_ANSWER, capture=None):
    mod, primary = world["mod"], world["primary"]
    services.answer_draft_save(actor=mod, question=primary, body=body, expected_version=None)
    return services.answer_send(actor=mod, question=primary)


# --- Answered by reference -------------------------------------------------------------------------------------


def test_answer_by_reference_sends_the_published_answer_and_closes(django_capture_on_commit_callbacks):
    agency = AgencyFactory()
    mod = moderator(agency)
    published = PublishedQuestionFactory(agency=AgencyFactory())  # another agency's published answer is public
    question = question_in(S.SUBMITTED, agency)
    with django_capture_on_commit_callbacks(execute=True):
        closed = services.question_answer_by_reference(
            actor=mod, question=question, answer_reference=published.reference.lower(), note="Xem câu trả lời."
        )
    assert (closed.status, closed.duplicate_of_id) == (S.ANSWERED_BY_REFERENCE, published.pk)
    assert closed.answered_at is not None
    event = QuestionEvent.objects.get(question=question, action="answer_by_reference")
    assert (event.actor, event.from_status, event.is_public) == (mod, S.SUBMITTED, True)
    assert event.data == {"answer_reference": published.reference}
    copy = Answer.objects.get(question=question)
    assert copy.body == published.answer.body and copy.sent_at is not None
    assert Notification.objects.filter(kind="qa.answered", email=question.contact.email).count() == 1
    # The tracking page shows the answer and the published question.
    page = APIClient().get(question.tracking_path())
    text = page.content.decode()
    assert page.status_code == 200
    assert "hồ sơ gồm đơn đề nghị và giấy tờ về đất" in text
    assert published.get_absolute_url() in text


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("", "Nhập mã số của một câu trả lời đã công khai."),
        ("HP-NONE-2026-000001", "Không có câu trả lời đã công khai nào mang mã số này."),
        ("self", "Câu hỏi không thể được trả lời bằng chính nó."),
        ("private", "Không có câu trả lời đã công khai nào mang mã số này."),
    ],
)
def test_answer_by_reference_refuses_bad_references(target, message):
    agency = AgencyFactory()
    mod = moderator(agency)
    question = question_in(S.ACCEPTED, agency)
    reference = {"self": question.reference, "private": question_in(S.ANSWERED, agency).reference}.get(target, target)
    with pytest.raises(ValidationError) as refused:
        services.question_answer_by_reference(actor=mod, question=question, answer_reference=reference)
    assert list(refused.value.message_dict) == ["answer_reference"]
    assert refused.value.message_dict["answer_reference"][0].startswith(message)
    question.refresh_from_db()
    assert question.status == S.ACCEPTED and not Answer.objects.filter(question=question).exists()


def test_answered_by_reference_is_counted_in_statistics():
    agency = AgencyFactory()
    question = question_in(S.SUBMITTED, agency)
    services.question_answer_by_reference(
        actor=moderator(agency), question=question, answer_reference=PublishedQuestionFactory()
    )
    aggregation.rebuild_all()
    row = DailyStat.objects.get(agency=agency)
    assert (row.answered_by_reference, row.answered) == (1, 0)


# --- Merge and leave -----------------------------------------------------------------------------------------


def test_merge_makes_a_group_with_audit_events(group_world):
    primary, members, mod = group_world["primary"], group_world["members"], group_world["mod"]
    _merge(group_world, note="Cùng hỏi cấp lại sổ đỏ.")
    group = QuestionGroup.objects.get(primary=primary)
    assert (group.size, group.agency_id) == (3, primary.agency_id)
    for member in members:
        member.refresh_from_db()
        assert (member.status, member.group_id) == (S.GROUPED, group.pk)
        event = QuestionEvent.objects.get(question=member, action="merge")
        assert (event.actor, event.from_status, event.to_status) == (mod, S.ACCEPTED, S.GROUPED)
        assert event.data == {"group": group.pk, "primary": primary.reference}
    primary.refresh_from_db()
    assert (primary.status, primary.group_id) == (S.ACCEPTED, group.pk)
    merged = QuestionEvent.objects.get(question=primary, action="group_merged")
    assert merged.data["members"] == [m.reference for m in members] and not merged.is_public


def test_merge_refusals_are_clear_and_change_nothing(group_world):
    primary, mod, agency = group_world["primary"], group_world["mod"], group_world["agency"]
    submitted = question_in(S.SUBMITTED, agency)
    other_agency = question_in(S.ACCEPTED, AgencyFactory())
    cases = [
        ([primary.reference], ValidationError, None),
        ([], ValidationError, None),
        ([submitted.reference], TransitionNotAllowed, "different_state"),
        ([other_agency.reference], PermissionDenied, None),  # no role there: refused as unknown
        (["HP-NONE-2026-999999"], PermissionDenied, None),
    ]
    for references, error, code in cases:
        with pytest.raises(error) as refused:
            services.group_merge(actor=mod, question=primary, references=references)
        if code:
            assert refused.value.code == code
    # A moderator of both agencies is told to transfer first (409), not 403.
    other_agency_mod = staff(other_agency.agency, "moderator")
    staff_both = staff(agency, "moderator")
    MembershipFactory(user=staff_both, agency=other_agency.agency, role="moderator")
    with pytest.raises(TransitionNotAllowed) as refused:
        services.group_merge(actor=staff_both, question=primary, references=[other_agency.reference])
    assert refused.value.code == "other_agency"
    assert "hãy chuyển câu hỏi đó cho" in str(refused.value.message)
    # Staff of the other agency only cannot merge into this agency's question at all.
    with pytest.raises(PermissionDenied):
        services.group_merge(actor=other_agency_mod, question=primary, references=[other_agency.reference])
    # An answerer may not merge.
    with pytest.raises(PermissionDenied):
        services.group_merge(actor=staff(agency, "answerer"), question=primary, references=[submitted.reference])
    assert not QuestionGroup.objects.exists()
    assert not QuestionEvent.objects.filter(action__in=["merge", "group_merged"]).exists()
    # Nothing is merged unless everything can be.
    good = question_in(S.ACCEPTED, agency)
    with pytest.raises(TransitionNotAllowed):
        services.group_merge(actor=mod, question=primary, references=[good.reference, submitted.reference])
    good.refresh_from_db()
    assert good.status == S.ACCEPTED and good.group_id is None


def test_a_question_in_a_group_joins_no_other(group_world):
    _merge(group_world)
    agency, mod = group_world["agency"], group_world["mod"]
    other_primary = question_in(S.ACCEPTED, agency)
    for question in [group_world["primary"], group_world["members"][0]]:
        with pytest.raises(TransitionNotAllowed) as refused:
            services.group_merge(actor=mod, question=other_primary, references=[question.reference])
        assert refused.value.code in ("already_grouped", "different_state")
    # The primary itself may take more members.
    late = question_in(S.ACCEPTED, agency)
    services.group_merge(actor=mod, question=group_world["primary"], references=[late.reference])
    assert QuestionGroup.objects.get(primary=group_world["primary"]).size == 4


def test_leave_before_the_answer_and_the_group_dissolves_when_alone(group_world):
    _merge(group_world)
    mod, primary = group_world["mod"], group_world["primary"]
    first, second = group_world["members"]
    services.group_leave(actor=mod, question=first, note="Hỏi khác nội dung.")
    first.refresh_from_db()
    assert (first.status, first.group_id) == (S.ACCEPTED, None)
    assert QuestionEvent.objects.filter(question=first, action="leave_group", to_status=S.ACCEPTED).count() == 1
    assert QuestionEvent.objects.filter(question=primary, action="group_left").count() == 1
    assert QuestionGroup.objects.get(primary=primary).size == 2
    with pytest.raises(TransitionNotAllowed):  # not in a group any more
        services.group_leave(actor=mod, question=first)
    services.group_leave(actor=mod, question=second)
    assert not QuestionGroup.objects.exists()
    primary.refresh_from_db()
    assert primary.group_id is None


def test_a_primary_with_members_is_neither_transferred_nor_rejected(group_world):
    _merge(group_world)
    mod, primary = group_world["mod"], group_world["primary"]
    with pytest.raises(TransitionNotAllowed) as refused:
        services.question_reject(actor=mod, question=primary, reason="spam", message="Không phải câu hỏi.")
    assert refused.value.code == "group_primary"
    with pytest.raises(TransitionNotAllowed):
        services.question_transfer(actor=mod, question=primary, to_agency=AgencyFactory(), reason="Sai cơ quan.")


def test_the_primary_withdrawn_hands_the_members_back(group_world):
    _merge(group_world)
    primary = group_world["primary"]
    services.question_withdraw(question=primary, token=primary.tracking_token)
    for member in group_world["members"]:
        member.refresh_from_db()
        assert (member.status, member.group_id) == (S.ACCEPTED, None)
    assert not QuestionGroup.objects.exists()


def test_a_member_withdrawn_leaves_the_count(group_world):
    _merge(group_world)
    member = group_world["members"][0]
    services.question_withdraw(question=member, token=member.tracking_token)
    member.refresh_from_db()
    assert (member.status, member.group_id) == (S.WITHDRAWN, None)
    assert QuestionGroup.objects.get(primary=group_world["primary"]).size == 2


# --- One answer reaches every asker ---------------------------------------------------------------------------


def test_one_answer_reaches_every_asker_under_their_own_reference(group_world, django_capture_on_commit_callbacks):
    _merge(group_world)
    with django_capture_on_commit_callbacks(execute=True):
        _send(group_world)
    everyone = [group_world["primary"], *group_world["members"]]
    for question in everyone:
        question.refresh_from_db()
        assert question.status == S.ANSWERED and question.answered_at is not None
        rows = Notification.objects.filter(kind="qa.answered", email=group_world["askers"][question.reference][1])
        assert rows.count() == 1
        # Each asker's message names their own reference and their own tracking link.
        assert rows.get().context["question"]["reference"] == question.reference
        assert question.tracking_token in rows.get().context["tracking_url"]
    for member in group_world["members"]:
        event = QuestionEvent.objects.get(question=member, action="answer_group")
        assert (event.from_status, event.to_status, event.actor) == (S.GROUPED, S.ANSWERED, group_world["mod"])
    aggregation.rebuild_all()
    assert sum(DailyStat.objects.filter(agency=group_world["agency"]).values_list("answered", flat=True)) == 3


def test_merged_askers_never_see_each_others_personal_data(group_world):
    _merge(group_world)
    _send(group_world)
    everyone = [group_world["primary"], *group_world["members"]]
    for question in everyone:
        page = APIClient().get(question.tracking_path())
        text = page.content.decode()
        assert page.status_code == 200
        assert "hồ sơ cấp lại giấy chứng nhận bị mất" in text  # the answer
        assert question.reference in text
        for other in everyone:
            if other.pk == question.pk:
                continue
            name, email, phone = group_world["askers"][other.reference]
            assert name not in text and email not in text and phone not in text
            assert other.reference not in text and other.title not in text


def test_an_answer_naming_an_asker_is_not_sent_to_the_group(group_world):
    _merge(group_world)
    body = "<p>Kính gửi bà Lê Thị Hồng Nhung, hồ sơ gồm đơn đề nghị.</p>"
    with pytest.raises(TransitionNotAllowed) as refused:
        _send(group_world, body=body)
    assert refused.value.code == "personal_data"
    for question in [group_world["primary"], *group_world["members"]]:
        question.refresh_from_db()
        assert question.status in (S.ACCEPTED, S.GROUPED)
    assert not Notification.objects.filter(kind="qa.answered").exists()


def test_the_archive_shows_how_many_people_asked_and_no_personal_data(group_world):
    _merge(group_world)
    _send(group_world)
    primary, mod = group_world["primary"], group_world["mod"]
    services.question_publish(
        actor=mod, question=primary, public_title="Thủ tục cấp lại sổ đỏ bị mất", public_body="Xin hỏi thủ tục?"
    )
    page = APIClient().get(primary.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert "3 người cùng hỏi câu hỏi này" in text
    for name, email, phone in ASKERS:
        assert name not in text and email not in text and phone not in text
    for member in group_world["members"]:
        assert member.reference not in text
        with pytest.raises(TransitionNotAllowed) as refused:  # the group is published once, through its primary
            services.question_publish(actor=mod, question=member, public_title="Sổ đỏ", public_body="Hỏi?")
        assert refused.value.code == "group_member"


def _published_group(group_world) -> Question:
    _merge(group_world)
    _send(group_world)
    primary = group_world["primary"]
    services.question_publish(
        actor=group_world["mod"],
        question=primary,
        public_title="Thủ tục cấp lại sổ đỏ bị mất",
        public_body="Xin hỏi thủ tục?",
    )
    return primary


def test_the_archive_list_and_the_public_api_say_how_many_people_asked(group_world, settings):
    settings.QA_ARCHIVE_CACHE_SECONDS = 0
    primary = _published_group(group_world)
    alone = PublishedQuestionFactory(public_title="Điều kiện tách thửa đất ở")
    client = APIClient()
    page = client.get("/questions/").content.decode()
    cards = {card.split('class="reference">')[1].split("<")[0]: card for card in page.split("<article")[1:]}
    assert "3 người cùng hỏi câu hỏi này" in cards[primary.reference]
    assert "người cùng hỏi" not in cards[alone.reference]  # one asker: nothing said
    listed = {item["reference"]: item["askers"] for item in client.get("/api/v1/questions/").json()["results"]}
    assert listed == {primary.reference: 3, alone.reference: 1}
    detail = client.get(f"/api/v1/questions/{primary.reference}/").json()
    assert detail["askers"] == 3
    assert client.get(f"/api/v1/questions/{alone.reference}/").json()["askers"] == 1
    for name, email, phone in ASKERS:
        assert name not in page and email not in page and phone not in page
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["components"]["schemas"]
    for serializer in ("PublicQuestion", "PublicQuestionDetail"):
        field = schema[serializer]["properties"]["askers"]
        assert field["type"] == "integer" and field["readOnly"] and "How many people asked" in field["description"]


def test_how_many_people_asked_costs_no_query_per_question(group_world, settings, django_assert_num_queries):
    """The group's size comes with the page's rows (a left join), on the web list and in the API."""
    settings.QA_ARCHIVE_CACHE_SECONDS = 0
    PublishedQuestionFactory(public_title="Một câu hỏi không ở nhóm nào")
    client = APIClient()

    def queries(path: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured.captured_queries)

    before = {path: queries(path) for path in ("/questions/", "/api/v1/questions/")}
    _published_group(group_world)
    for i in range(4):  # more groups and lone questions on the page
        world = {
            "mod": group_world["mod"],
            "primary": question_in(S.ACCEPTED, group_world["agency"], title=f"Hỏi về hộ chiếu {i}"),
            "members": [question_in(S.ACCEPTED, group_world["agency"], title=f"Hỏi về hộ chiếu {i} lần nữa")],
        }
        _published_group(world)
        PublishedQuestionFactory(public_title=f"Câu hỏi lẻ số {i}")
    for path, count in before.items():
        assert queries(path) == count, path
    with django_assert_num_queries(before["/api/v1/questions/"]):
        items = client.get("/api/v1/questions/").json()["results"]
    assert sorted(item["askers"] for item in items) == [1] * 5 + [2] * 4 + [3]


# --- Web panel and API -------------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_web_merge_leave_and_link(client, group_world):
    mod, primary, (first, second) = group_world["mod"], group_world["primary"], group_world["members"]
    client.force_login(mod)
    url = f"/staff/questions/{primary.reference}/do/merge/"
    response = client.post(url, {"merge-expected_version": primary.version, "merge-references": first.reference})
    assert response.status_code in (302, 303)
    first.refresh_from_db()
    assert first.status == S.GROUPED
    page = client.get(f"/staff/questions/{primary.reference}/").content.decode()
    assert "Nhóm 2 người hỏi" in page and first.reference in page
    # Refusals: itself (400), another agency without a role (403), a question not in progress (409).
    primary.refresh_from_db()
    refused = client.post(url, {"merge-expected_version": primary.version, "merge-references": primary.reference})
    assert refused.status_code == 400 and "không thể gộp với chính nó" in refused.content.decode()
    foreign = question_in(S.ACCEPTED, AgencyFactory())
    refused = client.post(url, {"merge-expected_version": primary.version, "merge-references": foreign.reference})
    assert refused.status_code == 403 and foreign.reference in refused.content.decode()
    new = question_in(S.SUBMITTED, group_world["agency"])
    refused = client.post(url, {"merge-expected_version": primary.version, "merge-references": new.reference})
    assert refused.status_code == 409
    # Leave from the member's page.
    first.refresh_from_db()
    response = client.post(
        f"/staff/questions/{first.reference}/do/leave_group/", {"leave_group-expected_version": first.version}
    )
    assert response.status_code in (302, 303)
    first.refresh_from_db()
    assert first.status == S.ACCEPTED
    # Link a published answer.
    published = PublishedQuestionFactory()
    response = client.post(
        f"/staff/questions/{second.reference}/do/answer_by_reference/",
        {
            "answer_by_reference-expected_version": second.version,
            "answer_by_reference-answer_reference": published.reference,
        },
    )
    assert response.status_code in (302, 303)
    second.refresh_from_db()
    assert second.status == S.ANSWERED_BY_REFERENCE


def test_api_merge_group_leave_and_conflicts(group_world):
    mod, primary, (first, second) = group_world["mod"], group_world["primary"], group_world["members"]
    api = _api(mod)
    base = "/api/v1/staff/questions/"
    assert api.get(f"{base}{primary.reference}/group/").status_code == 404
    response = api.post(
        f"{base}{primary.reference}/transitions/",
        {"action": "merge", "references": [first.reference, second.reference]},
        format="json",
    )
    assert response.status_code == 200, response.content
    group = api.get(f"{base}{second.reference}/group/").json()
    assert group["primary"] == primary.reference and group["size"] == 3 and not group["is_primary"]
    assert [m["reference"] for m in group["members"]] == [primary.reference, first.reference, second.reference]
    assert "email" not in str(group) and ASKERS[1][1] not in str(group)
    # Merging again: 409 (already in a group); itself: 400; another agency's question: 403.
    again = api.post(
        f"{base}{primary.reference}/transitions/", {"action": "merge", "references": [first.reference]}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "already_grouped"
    itself = api.post(
        f"{base}{primary.reference}/transitions/", {"action": "merge", "references": [primary.reference]}, format="json"
    )
    assert itself.status_code == 400
    foreign = question_in(S.ACCEPTED, AgencyFactory())
    forbidden = api.post(
        f"{base}{primary.reference}/transitions/", {"action": "merge", "references": [foreign.reference]}, format="json"
    )
    assert forbidden.status_code == 403
    left = api.post(f"{base}{first.reference}/transitions/", {"action": "leave_group"}, format="json")
    assert left.status_code == 200 and left.json()["status"] == S.ACCEPTED
    twice = api.post(f"{base}{first.reference}/transitions/", {"action": "leave_group"}, format="json")
    assert twice.status_code == 409
    # A reviewer-free agency: sent once, both askers answered.
    services.answer_draft_save(actor=mod, question=primary, body=GENERAL_ANSWER, expected_version=None)
    sent = api.post(f"{base}{primary.reference}/transitions/", {"action": "send"}, format="json")
    assert sent.status_code == 200
    second.refresh_from_db()
    assert second.status == S.ANSWERED


def test_api_answer_by_reference(group_world):
    mod, question = group_world["mod"], group_world["members"][0]
    published = PublishedQuestionFactory()
    response = _api(mod).post(
        f"/api/v1/staff/questions/{question.reference}/transitions/",
        {"action": "answer_by_reference", "answer_reference": published.reference},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == S.ANSWERED_BY_REFERENCE
    again = _api(mod).post(
        f"/api/v1/staff/questions/{question.reference}/transitions/",
        {"action": "answer_by_reference", "answer_reference": published.reference},
        format="json",
    )
    assert again.status_code == 409


def test_schema_has_the_group_and_duplicates_endpoints():
    schema = APIClient().get("/api/schema/?format=json").json()
    assert "/api/v1/staff/questions/{reference}/duplicates/" in schema["paths"]
    assert "/api/v1/staff/questions/{reference}/group/" in schema["paths"]
    components = schema["components"]["schemas"]
    assert {
        "MergeInputRequest",
        "LeaveGroupInputRequest",
        "AnswerByReferenceInputRequest",
        "Duplicate",
        "Group",
    } <= set(components)
