"""The staff API: authentication, per-agency scoping, transitions (a generated subset of the matrix), the answer
draft with optimistic concurrency, notes, files, query counts, and the OpenAPI schema."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from qa import services
from qa.models import Answer, Attachment, InternalNote, QuestionEvent
from qa.models import QuestionStatus as S
from tests.factories import AgencyFactory, UserFactory
from tests.qa.staff_fixtures import moderator, question_in, staff
from tests.uploads import pdf_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

BASE = "/api/v1/staff/questions/"


def client_for(user=None, *, token=False) -> APIClient:
    client = APIClient()
    if user is not None:
        if token:
            client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        else:
            client.force_login(user)
    return client


def transition(client, question, **body):
    return client.post(f"{BASE}{question.reference}/transitions/", body, format="json")


# --- Who may call ----------------------------------------------------------------------------


def test_anonymous_is_401_with_a_token_challenge():
    question = question_in(S.SUBMITTED)
    client = APIClient()
    for response in (
        client.get(BASE),
        client.get(f"{BASE}{question.reference}/"),
        transition(client, question, action="accept"),
        client.put(f"{BASE}{question.reference}/answer/", {"body": "x", "version": 0}, format="json"),
    ):
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Token")


def test_users_without_a_role_are_403_everywhere():
    question = question_in(S.SUBMITTED)
    for user in (UserFactory(), question.asker or UserFactory()):
        client = client_for(user)
        assert client.get(BASE).status_code == 403
        assert client.get(f"{BASE}{question.reference}/").status_code == 403
        assert transition(client, question, action="accept").status_code == 403


def test_other_agency_staff_get_404_and_see_nothing():
    # 404 as for a reference that does not exist (issue 11): the answer must not tell that it does.
    question = question_in(S.ACCEPTED)
    outsider = client_for(moderator(AgencyFactory()))
    ref = question.reference
    for response in (
        outsider.get(f"{BASE}{ref}/"),
        transition(outsider, question, action="reject", reason="spam", message="x"),
        outsider.get(f"{BASE}{ref}/answer/"),
        outsider.put(f"{BASE}{ref}/answer/", {"body": "<p>x</p>", "version": 0}, format="json"),
        outsider.get(f"{BASE}{ref}/notes/"),
        outsider.post(f"{BASE}{ref}/notes/", {"body": "x"}, format="json"),
        outsider.get(f"{BASE}{ref}/assignees/"),
        outsider.get(f"{BASE}{ref}/answer-templates/"),
    ):
        assert response.status_code == 404, response.content
        assert question.contact.email not in response.content.decode()
    assert outsider.get(BASE + "?tab=all").json()["count"] == 0
    unknown = outsider.get(f"{BASE}HP-KHONG-CO/")
    assert unknown.status_code == 404
    assert unknown.json() == outsider.get(f"{BASE}{ref}/").json()


def test_token_authentication_works():
    agency = AgencyFactory()
    question = question_in(S.SUBMITTED, agency)
    client = client_for(moderator(agency), token=True)
    response = transition(client, question, action="accept", expected_version=1)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == response.json()["question"]["status"] == "accepted"


# --- Transitions: a generated subset of the matrix through HTTP ------------------------------

API_CASES = {
    # action: (body, roles that may, states it starts from)
    "accept": ({}, {"moderator", "admin"}, {S.SUBMITTED}),
    "reject": ({"reason": "spam", "message": "Tin rác."}, {"moderator", "admin"}, {S.SUBMITTED, S.ACCEPTED}),
    "request_information": ({"message": "Gửi thêm giấy tờ."}, {"moderator", "answerer", "admin"}, {S.ACCEPTED}),
    "approve": ({}, {"reviewer", "admin"}, {S.IN_REVIEW}),
    "return": ({"comment": "Sửa lại."}, {"reviewer", "admin"}, {S.IN_REVIEW, S.APPROVED}),
    "send": ({}, {"answerer", "moderator", "reviewer", "admin"}, {S.APPROVED}),
    "publish": ({"public_title": "Hỏi về đất", "public_body": "Nội dung"}, {"moderator", "admin"}, {S.ANSWERED}),
    "unpublish": ({}, {"moderator", "admin"}, {S.PUBLISHED}),
}
API_STATES = [S.SUBMITTED, S.ACCEPTED, S.IN_REVIEW, S.APPROVED, S.ANSWERED, S.PUBLISHED]


@pytest.mark.parametrize("state", API_STATES)
@pytest.mark.parametrize("action", list(API_CASES))
@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("role", ["moderator", "answerer", "reviewer", "admin", "none"])
def test_transition_matrix_over_http(role, where, action, state):
    own = AgencyFactory(review_required=True)
    question = question_in(state, own)
    actor = UserFactory() if role == "none" else staff(own if where == "own" else AgencyFactory(), role)
    body, roles, sources = API_CASES[action]
    response = transition(client_for(actor), question, action=action, expected_version=question.version, **body)
    question.refresh_from_db()
    if role != "none" and where == "other":
        # Another agency's question answers as an unknown reference would (issue 11: no existence leak).
        assert response.status_code == 404, response.content
        assert not QuestionEvent.objects.filter(question=question).exists()
    elif role == "none" or role not in roles:
        assert response.status_code == 403, response.content
        assert not QuestionEvent.objects.filter(question=question).exists()
    elif state not in sources:
        assert response.status_code == 409, response.content
        assert response.json()["current_state"] == state
        assert not QuestionEvent.objects.filter(question=question).exists()
    else:
        assert response.status_code == 200, response.content
        result = response.json()
        data = result["question"]
        assert (result["action"], result["reference"]) == (action, question.reference)
        assert result["status"] == data["status"] == question.status != state
        assert result["version"] == data["version"] == question.version == 2
        assert [e["action"] for e in data["events"]] == [action]
        assert data["events"][0]["actor"]["email"] == actor.email


def test_bad_input_is_400_per_field():
    agency = AgencyFactory()
    client = client_for(moderator(agency))
    question = question_in(S.SUBMITTED, agency)
    response = transition(client, question, action="reject", reason="nope")
    assert response.status_code == 400
    assert set(response.json()) == {"reason", "message"}
    response = transition(client, question, action="fly")
    assert response.status_code == 400 and "action" in response.json()
    assert client.post(f"{BASE}{question.reference}/transitions/", [], format="json").status_code == 400
    # Rules the service owns come back the same way.
    response = transition(client, question, action="transfer", agency=agency.pk, reason="x")
    assert response.status_code == 400 and "agency" in response.json()
    response = transition(client, question, action="reject", reason="duplicate", message="Trùng.")
    assert response.status_code == 400 and "duplicate_of" in response.json()
    assert not QuestionEvent.objects.filter(question=question).exists()


def test_stale_version_is_409_with_the_current_state():
    agency = AgencyFactory()
    question = question_in(S.SUBMITTED, agency)
    first, second = client_for(moderator(agency)), client_for(moderator(agency))
    assert transition(first, question, action="accept", expected_version=1).status_code == 200
    response = transition(second, question, action="reject", reason="spam", message="x", expected_version=1)
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version" and response.json()["current_state"] == "accepted"


def test_transfer_over_http_moves_the_question_to_the_other_queue():
    source, target = AgencyFactory(), AgencyFactory()
    question = question_in(S.SUBMITTED, source)
    source_client, target_client = client_for(moderator(source)), client_for(moderator(target))
    assert target_client.get(BASE + "?tab=new").json()["count"] == 0
    response = transition(source_client, question, action="transfer", agency=target.pk, reason="Đúng thẩm quyền.")
    # Done, and out of the caller's reach: the result says where it went, the question itself is no longer shown.
    assert response.status_code == 200
    result = response.json()
    assert (result["status"], result["agency"]["id"], result["question"]) == ("submitted", target.pk, None)
    assert source_client.get(f"{BASE}{question.reference}/").status_code == 404
    page = target_client.get(BASE + "?tab=new").json()
    assert [row["reference"] for row in page["results"]] == [question.reference]
    assert page["tabs"]["new"] == 1
    assert source_client.get(BASE + "?tab=all").json()["count"] == 0


# --- Queue -------------------------------------------------------------------------------------


def test_queue_rows_tabs_and_filters():
    agency = AgencyFactory()
    mod = moderator(agency)
    answerer = staff(agency, "answerer")
    mine = question_in(S.ACCEPTED, agency, assignee=answerer, title="Hỏi về đền bù đất nông nghiệp")
    question_in(S.SUBMITTED, agency)
    question_in(S.REJECTED, agency)
    client = client_for(mod)
    page = client.get(BASE + "?tab=in_progress").json()
    assert page["count"] == 1
    assert page["tabs"] == {
        "new": 1,
        "in_progress": 1,
        "waiting": 0,
        "review": 0,
        "answered": 0,
        "rejected": 1,
        "withdrawn": 0,
        "all": 3,
    }
    row = page["results"][0]
    assert row["reference"] == mine.reference and row["assignee"]["email"] == answerer.email
    assert row["deadline"] == mine.due_date.isoformat() and row["deadline_state"] == "on_time"
    assert "contact" not in row
    assert client.get(BASE + "?tab=all&q=den%20bu").json()["count"] == 1
    assert client.get(f"{BASE}?tab=all&assignee={answerer.pk}").json()["count"] == 1
    bad = client.get(BASE + "?tab=nope&due=later&date_from=2027-02-02&date_to=2027-01-01")
    assert bad.status_code == 400 and {"tab", "due"} <= set(bad.json())


def test_queue_query_count_is_constant_as_rows_grow():
    agency = AgencyFactory()
    client = client_for(moderator(agency))

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(BASE + "?tab=all")
        assert response.status_code == 200
        return len(captured), len(response.json()["results"])

    question_in(S.ACCEPTED, agency, assignee=staff(agency, "answerer"))
    small = count_queries()
    for _ in range(12):
        question_in(S.ACCEPTED, agency, assignee=staff(agency, "answerer"))
        question_in(S.SUBMITTED, agency)
    large = count_queries()
    assert (small[1], large[1]) == (1, 20)
    assert small[0] == large[0] <= 8  # session, user, roles, calendar, tab counts, count, page


# --- The question, answer, notes, files -----------------------------------------------------


def test_detail_has_contact_timeline_notes_and_actions():
    agency = AgencyFactory()
    mod = moderator(agency)
    question = question_in(S.SUBMITTED, agency)
    services.question_accept(actor=mod, question=question, note="Ưu tiên.")
    services.internal_note_add(actor=mod, question=question, body="Đã gọi điện.")
    data = client_for(mod).get(f"{BASE}{question.reference}/").json()
    assert data["contact"]["email"] == question.contact.email and data["contact"]["phone"] == "0912345678"
    assert data["body"] == question.body
    assert [(e["action"], e["internal_note"], e["actor"]["email"]) for e in data["events"]] == [
        ("accept", "Ưu tiên.", mod.email)
    ]
    assert [n["body"] for n in data["notes"]] == ["Đã gọi điện."]
    assert data["roles"] == ["moderator"]
    assert "accept" not in data["allowed_actions"] and "request_information" in data["allowed_actions"]
    assert data["answer"] is None and data["version"] == 2


def test_answer_draft_over_http_with_versions():
    agency = AgencyFactory()
    question = question_in(S.ACCEPTED, agency)
    first = client_for(staff(agency, "answerer", full_name="Phạm Một"))
    second = client_for(staff(agency, "answerer"))
    url = f"{BASE}{question.reference}/answer/"
    empty = first.get(url).json()
    assert (empty["version"], empty["body"], empty["can_edit"]) == (0, "", True)
    saved = first.put(url, {"body": "<p>Trả lời <script>x</script></p>", "version": 0}, format="json")
    assert saved.status_code == 200 and saved.json()["body"] == "<p>Trả lời </p>" and saved.json()["version"] == 1
    assert first.put(url, {"body": "<p>Bản 2</p>", "version": 1}, format="json").json()["version"] == 2
    stale = second.put(url, {"body": "<p>Bản của Hai</p>", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json() | {"detail": ""} == {
        "detail": "",
        "code": "stale_version",
        "current_state": "accepted",
        "current_version": 2,
        "current_body": "<p>Bản 2</p>",
        "current_author": "Phạm Một",
    }
    assert Answer.objects.get(question=question).body == "<p>Bản 2</p>"
    assert [r["version"] for r in first.get(url).json()["revisions"]] == [2, 1]
    invalid = first.put(url, {"body": "<p></p>", "version": 2}, format="json")
    assert invalid.status_code == 400 and "body" in invalid.json()
    reviewer = client_for(staff(agency, "reviewer"))
    assert reviewer.put(url, {"body": "<p>x</p>", "version": 2}, format="json").status_code == 403


def test_notes_and_templates_and_assignees():
    agency = AgencyFactory()
    mod = moderator(agency, full_name="Lê Biên Tập")
    answerer = staff(agency, "answerer")
    question = question_in(S.ACCEPTED, agency)
    services.answer_template_create(actor=mod, agency=agency, title="Mẫu chung", body="<p>Kính gửi</p>")
    client = client_for(answerer)
    url = f"{BASE}{question.reference}/notes/"
    created = client.post(url, {"body": "Cần hỏi phòng Đăng ký."}, format="json")
    assert created.status_code == 201 and created.json()["author"]["email"] == answerer.email
    assert client.post(url, {"body": ""}, format="json").status_code == 400
    assert [n["body"] for n in client.get(url).json()] == ["Cần hỏi phòng Đăng ký."]
    assert InternalNote.objects.filter(question=question).count() == 1
    templates = client.get(f"{BASE}{question.reference}/answer-templates/").json()
    assert [t["title"] for t in templates] == ["Mẫu chung"]
    assignees = client.get(f"{BASE}{question.reference}/assignees/").json()
    assert {a["email"] for a in assignees} == {mod.email, answerer.email}


def test_attachments_download_for_staff_only():
    agency = AgencyFactory()
    question = question_in(S.ACCEPTED, agency)
    attachment = Attachment.objects.create(
        question=question,
        file=SimpleUploadedFile("don.pdf", pdf_bytes()),
        original_name="Đơn đề nghị.pdf",
        content_type="application/pdf",
        size=20,
    )
    detail = client_for(moderator(agency)).get(f"{BASE}{question.reference}/").json()
    url = detail["attachments"][0]["download_url"]
    response = client_for(staff(agency, "reviewer")).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.")
    assert "attachment" in response["Content-Disposition"]
    assert client_for(moderator(AgencyFactory())).get(url).status_code == 404
    other = question_in(S.ACCEPTED, agency)
    assert client_for(moderator(agency)).get(f"{BASE}{other.reference}/attachments/{attachment.pk}/").status_code == 404


def test_schema_describes_the_staff_api():
    schema = APIClient().get("/api/schema/?format=json").json()
    paths = schema["paths"]
    queue_page = schema["components"]["schemas"]["StaffQueuePage"]["properties"]
    assert "estimate" in queue_page["count"]["description"] and "count_exact" in queue_page
    queue_params = {p["name"] for p in paths["/api/v1/staff/questions/"]["get"]["parameters"]}
    assert {"page", "page_size", "tab", "ordering"} <= queue_params
    for path in (
        "/api/v1/staff/questions/",
        "/api/v1/staff/questions/{reference}/",
        "/api/v1/staff/questions/{reference}/transitions/",
        "/api/v1/staff/questions/{reference}/answer/",
        "/api/v1/staff/questions/{reference}/notes/",
    ):
        assert path in paths, path
    body = paths["/api/v1/staff/questions/{reference}/transitions/"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    transition_schema = schema["components"]["schemas"][ref]
    assert transition_schema["discriminator"]["propertyName"] == "action"
    assert set(transition_schema["discriminator"]["mapping"]) == {
        "answer_by_reference",
        "merge",
        "leave_group",
        "accept",
        "reject",
        "transfer",
        "request_information",
        "assign",
        "submit_for_review",
        "approve",
        "return",
        "send",
        "publish",
        "unpublish",
        "edit_public",
    }
    responses = paths["/api/v1/staff/questions/{reference}/transitions/"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(responses)
    stale = paths["/api/v1/staff/questions/{reference}/answer/"]["put"]["responses"]["409"]
    stale_ref = stale["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert {"current_version", "current_body", "current_state"} <= set(
        schema["components"]["schemas"][stale_ref]["properties"]
    )
