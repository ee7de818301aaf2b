"""Public REST API of the Q&A: archive, detail, similar, asking, tracking, agencies and topics."""

import datetime
import re
import struct
import threading
import zlib

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from qa.models import Answer, Attachment, Channel, Question, QuestionEvent, QuestionStatus
from qa.services import question_confirm_email, question_reindex
from tests.factories import (
    AgencyFactory,
    PublishedQuestionFactory,
    QuestionFactory,
    TopicFactory,
    UserFactory,
)

LIST_URL = "/api/v1/questions/"
SIMILAR_URL = "/api/v1/questions/similar/"

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def client():
    # Enforced CSRF checks, as in production: anonymous writes must still work.
    return APIClient(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")


def tiny_pdf() -> bytes:
    """A real one-page PDF (header, objects, xref with exact offsets, trailer)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def tiny_png() -> bytes:
    """A real 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def ask_payload(agency, topic, /, **overrides) -> dict:
    data = {
        "agency": agency.pk,
        "topic": topic.pk,
        "title": "Hỏi về thủ tục đăng ký hộ kinh doanh",
        "body": "Tôi muốn mở cửa hàng tạp hóa ở quận Lê Chân thì cần đăng ký hộ kinh doanh ở đâu?",
        "asker_type": "individual",
        "name": "Phạm Thị Lan",
        "email": "lan.pham@example.vn",
        "phone": "0912 345 678",
        "consent_to_publish": True,
    }
    data.update(overrides)
    return data


# --- The archive list -----------------------------------------------------------------------------


def test_list_shows_only_published_questions_and_only_public_fields(client):
    published = PublishedQuestionFactory(
        title="Câu hỏi gốc có tên riêng", public_title="Câu hỏi đã biên tập", public_body="Nội dung đã biên tập"
    )
    QuestionFactory(status=QuestionStatus.SUBMITTED)
    QuestionFactory(status=QuestionStatus.ANSWERED)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    item = data["results"][0]
    assert set(item) == {
        "reference",
        "title",
        "body",
        "agency",
        "topic",
        "published_at",
        "answered_at",
        "view_count",
        "helpful_yes",
        "helpful_no",
        "askers",
        "url",
    }
    assert item["askers"] == 1  # in no group
    assert item["reference"] == published.reference
    assert item["title"] == "Câu hỏi đã biên tập"
    assert item["body"] == "Nội dung đã biên tập"
    assert item["agency"] == {"id": published.agency.pk, "name": published.agency.name, "slug": published.agency.slug}
    assert item["topic"] == {"id": published.topic.pk, "name": published.topic.name, "slug": published.topic.slug}
    assert item["url"] == f"http://testserver/questions/{published.reference}/"
    assert "Câu hỏi gốc" not in response.content.decode()


def test_list_is_paginated(client):
    for _ in range(25):
        PublishedQuestionFactory()

    first = client.get(LIST_URL).json()
    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert first["previous"] is None
    assert "page=2" in first["next"]

    second = client.get(LIST_URL, {"page": 2}).json()
    assert len(second["results"]) == 5
    assert second["next"] is None
    assert not {q["reference"] for q in first["results"]} & {q["reference"] for q in second["results"]}

    assert len(client.get(LIST_URL, {"page_size": 7}).json()["results"]) == 7
    assert client.get(LIST_URL, {"page": 9}).status_code == 404


def test_filter_by_agency_includes_its_sub_agencies(client):
    city = AgencyFactory(name="UBND thành phố")
    district = AgencyFactory(parent=city)
    ward = AgencyFactory(parent=district)
    other = AgencyFactory()
    in_city = PublishedQuestionFactory(agency=city)
    in_district = PublishedQuestionFactory(agency=district)
    in_ward = PublishedQuestionFactory(agency=ward)
    PublishedQuestionFactory(agency=other)

    def references(agency):
        return {q["reference"] for q in client.get(LIST_URL, {"agency": agency.pk}).json()["results"]}

    assert references(city) == {in_city.reference, in_district.reference, in_ward.reference}
    assert references(district) == {in_district.reference, in_ward.reference}
    assert references(ward) == {in_ward.reference}


def test_filter_by_topic(client):
    land, tax = TopicFactory(name="Đất đai"), TopicFactory(name="Thuế")
    on_land = PublishedQuestionFactory(topic=land)
    PublishedQuestionFactory(topic=tax)

    results = client.get(LIST_URL, {"topic": land.pk}).json()["results"]

    assert [q["reference"] for q in results] == [on_land.reference]


def test_filter_by_publication_dates(client):
    tz = timezone.get_current_timezone()

    def published_on(day: int):
        return PublishedQuestionFactory(published_at=datetime.datetime(2026, 3, day, 9, 0, tzinfo=tz))

    early, middle, late = published_on(2), published_on(10), published_on(20)

    def references(**params):
        return [q["reference"] for q in client.get(LIST_URL, params).json()["results"]]

    assert references(date_from="2026-03-10") == [late.reference, middle.reference]
    assert references(date_to="2026-03-10") == [middle.reference, early.reference]
    assert references(date_from="2026-03-05", date_to="2026-03-15") == [middle.reference]


def test_bad_filter_parameters_get_a_message_per_parameter(client):
    response = client.get(
        LIST_URL,
        {"date_from": "2026-13-45", "agency": "999999", "topic": "abc", "ordering": "cheapest"},
    )

    assert response.status_code == 400
    errors = response.json()
    assert errors["date_from"] == ["Enter a valid date."]
    assert errors["agency"] == ["Select a valid choice. That choice is not one of the available choices."]
    assert errors["topic"] == ["Select a valid choice. That choice is not one of the available choices."]
    assert errors["ordering"] == ["Select a valid choice. cheapest is not one of the available choices."]

    reversed_range = client.get(LIST_URL, {"date_from": "2026-03-10", "date_to": "2026-03-01"})
    assert reversed_range.status_code == 400
    assert reversed_range.json() == {"date_to": ["The end date is before the start date."]}


def test_orderings(client):
    now = timezone.now()
    old_popular = PublishedQuestionFactory(
        published_at=now - datetime.timedelta(days=30), view_count=500, helpful_yes=1
    )
    new_helpful = PublishedQuestionFactory(published_at=now - datetime.timedelta(days=1), view_count=5, helpful_yes=40)
    middle = PublishedQuestionFactory(published_at=now - datetime.timedelta(days=10), view_count=50, helpful_yes=10)

    def order(name):
        return [q["reference"] for q in client.get(LIST_URL, {"ordering": name}).json()["results"]]

    assert order("newest") == [new_helpful.reference, middle.reference, old_popular.reference]
    assert order("views") == [old_popular.reference, middle.reference, new_helpful.reference]
    assert order("helpful") == [new_helpful.reference, middle.reference, old_popular.reference]
    # Without a search there is nothing to rank: relevance falls back to newest.
    assert order("relevance") == order("newest")


def test_search_ignores_diacritics(client):
    hit = PublishedQuestionFactory(public_title="Hỏi đáp đất đai ở quận Hồng Bàng", public_body="Thủ tục sang tên")
    PublishedQuestionFactory(public_title="Học phí trường mầm non", public_body="Mức thu học phí năm học mới")

    for query in ("hoi dap dat dai", "HỎI ĐÁP ĐẤT ĐAI", "dat dai hong bang"):
        results = client.get(LIST_URL, {"search": query}).json()["results"]
        assert [q["reference"] for q in results] == [hit.reference], query
    # Two words: both required (a sentence of three or more needs only its important words).
    assert client.get(LIST_URL, {"search": "mam hong"}).json()["count"] == 0


def test_search_finds_words_of_the_answer(client):
    question = PublishedQuestionFactory(
        public_title="Hỏi về giấy phép", answer="<p>Hồ sơ nộp tại Trung tâm Phục vụ hành chính công</p>"
    )
    PublishedQuestionFactory(public_title="Hỏi về giấy phép xây dựng")

    results = client.get(LIST_URL, {"search": "trung tam phuc vu"}).json()["results"]

    assert [q["reference"] for q in results] == [question.reference]


@pytest.mark.postgres
def test_search_ranks_by_relevance_by_default_on_postgres(client):
    now = timezone.now()
    scattered = PublishedQuestionFactory(
        public_title="Đất ở và thuế", public_body="Hỏi chung", published_at=now, answer="<p>Không liên quan.</p>"
    )
    phrase = PublishedQuestionFactory(
        public_title="Hỏi về nghĩa vụ",
        public_body="Thuế đất phi nông nghiệp",
        published_at=now - datetime.timedelta(days=90),
        answer="<p>Được tính theo bảng giá.</p>",
    )

    default = [q["reference"] for q in client.get(LIST_URL, {"search": "thue dat"}).json()["results"]]
    newest = [
        q["reference"] for q in client.get(LIST_URL, {"search": "thue dat", "ordering": "newest"}).json()["results"]
    ]

    assert default == [phrase.reference, scattered.reference]
    assert newest == [scattered.reference, phrase.reference]


@pytest.mark.parametrize(
    ("params", "extra"),
    [({}, 0), ({"search": "thu tuc"}, 9), ({"ordering": "views"}, 0)],
    ids=["plain", "search", "views"],
)
def test_list_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries, params, extra, settings):
    # A ranked search reads its candidates first (on PostgreSQL: a walk of the newest rows, then, with too
    # few, a check whether it saw them all), and knows the count from them.
    settings.QA_ARCHIVE_CACHE_SECONDS = 0  # the queries of a rendered page, not of a cache hit
    agency, topic = AgencyFactory(), TopicFactory()

    def add(n):
        for _ in range(n):
            PublishedQuestionFactory(agency=agency, topic=topic, public_title="Thủ tục cấp phép")

    if connection.vendor != "postgresql":
        extra = 0
    add(3)
    # The page itself (agency, topic, answer joined) and, when it does not hold every match, the count: the
    # planner's estimate, then (near the cap) the capped count.
    with django_assert_max_num_queries(3 + extra):
        assert len(client.get(LIST_URL, params).json()["results"]) == 3
    add(27)
    with django_assert_max_num_queries(3 + extra):
        assert len(client.get(LIST_URL, params).json()["results"]) == 20
    # Filters by agency and topic add their own lookups, a fixed number whatever the rows.
    with django_assert_max_num_queries(6 + extra):
        assert client.get(LIST_URL, {**params, "agency": agency.pk, "topic": topic.pk}).json()["count"] == 30


# --- One published question ------------------------------------------------------------------------


def test_detail_shows_the_public_version_and_the_sanitised_answer(client):
    question = PublishedQuestionFactory(
        title="Bản gốc riêng tư",
        public_title="Bản công khai",
        public_body="Nội dung công khai",
        answer='<p onclick="steal()">Trả lời <strong>rõ ràng</strong><script>alert(1)</script></p>',
    )

    response = client.get(f"{LIST_URL}{question.reference}/")

    assert response.status_code == 200
    data = response.json()
    assert data["reference"] == question.reference
    assert data["title"] == "Bản công khai"
    assert data["body"] == "Nội dung công khai"
    assert set(data["answer"]) == {"body", "sent_at"}
    assert "<strong>rõ ràng</strong>" in data["answer"]["body"]
    assert "script" not in data["answer"]["body"]
    assert "onclick" not in data["answer"]["body"]
    assert "Bản gốc" not in response.content.decode()


@pytest.mark.parametrize("status", [QuestionStatus.SUBMITTED, QuestionStatus.ANSWERED, QuestionStatus.REJECTED])
def test_detail_of_an_unpublished_question_is_404(client, status):
    question = QuestionFactory(status=status)
    assert client.get(f"{LIST_URL}{question.reference}/").status_code == 404
    assert client.get(f"{LIST_URL}HP-NOPE-2026-000001/").status_code == 404


# --- Similar questions ----------------------------------------------------------------------------


def test_similar_returns_the_agreed_flat_shape(client):
    hit = PublishedQuestionFactory(public_title="Thủ tục tách thửa đất nông nghiệp")
    QuestionFactory(status=QuestionStatus.ANSWERED, public_title="Thủ tục tách thửa đất chưa công bố")

    response = client.get(SIMILAR_URL, {"q": "tach thua dat"})

    assert response.status_code == 200
    assert response.json() == [
        {
            "reference": hit.reference,
            "title": "Thủ tục tách thửa đất nông nghiệp",
            "url": f"http://testserver/questions/{hit.reference}/",
            "agency": hit.agency.name,
            "topic": hit.topic.name,
            "published_at": response.json()[0]["published_at"],
        }
    ]
    published_at = datetime.datetime.fromisoformat(response.json()[0]["published_at"])
    assert published_at == hit.published_at


def test_similar_returns_at_most_five_best_first(client):
    best = PublishedQuestionFactory(public_title="Cấp đổi giấy phép lái xe quá hạn")
    for n in range(7):
        PublishedQuestionFactory(public_title=f"Giấy phép số {n}")

    results = client.get(SIMILAR_URL, {"q": "cap doi giay phep lai xe"}).json()

    assert len(results) == 5
    assert results[0]["reference"] == best.reference


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "?!"}])
def test_similar_without_words_is_an_empty_list(client, params):
    PublishedQuestionFactory()
    response = client.get(SIMILAR_URL, params)
    assert response.status_code == 200
    assert response.json() == []


# --- Agencies and topics --------------------------------------------------------------------------


def test_agencies_tree_data(client):
    city = AgencyFactory(name="A. UBND thành phố", kind="committee")
    department = AgencyFactory(name="B. Sở Tài nguyên và Môi trường", parent=city)
    AgencyFactory(name="C. Cơ quan đã giải thể", is_active=False)

    data = client.get("/api/v1/agencies/").json()

    assert data == [
        {"id": city.pk, "name": city.name, "slug": city.slug, "code": city.code, "kind": "committee", "parent": None},
        {
            "id": department.pk,
            "name": department.name,
            "slug": department.slug,
            "code": department.code,
            "kind": "department",
            "parent": city.pk,
        },
    ]


def test_topics(client):
    land = TopicFactory(name="Đất đai", position=1, description="Quyền sử dụng đất")
    TopicFactory(name="Cũ", is_active=False)

    assert client.get("/api/v1/topics/").json() == [
        {"id": land.pk, "name": "Đất đai", "slug": land.slug, "description": "Quyền sử dụng đất"}
    ]


# --- Asking ---------------------------------------------------------------------------------------


def test_guest_asks_with_json_without_csrf_token(client, django_capture_on_commit_callbacks):
    agency, topic = AgencyFactory(code="HP-STP"), TopicFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST_URL, ask_payload(agency, topic), format="json", REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 201, response.content
    data = response.json()
    question = Question.objects.get(reference=data["reference"])
    assert data["reference"].startswith("HP-STP-")
    assert data["status"] == "unverified"
    assert "tracking_url" not in data
    assert "confirmation link" in data["message"]
    assert question.channel == Channel.API
    assert question.language == "en"
    assert question.asker is None
    assert question.contact.phone == "0912345678"
    assert question.title == "Hỏi về thủ tục đăng ký hộ kinh doanh"
    # The guest's confirmation e-mail went out; the tracking token is not in the response.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lan.pham@example.vn"]
    assert question.tracking_token not in response.content.decode()


def test_verified_user_goes_straight_to_the_agency_and_gets_the_tracking_link(client):
    user = UserFactory(email="lan.pham@example.vn", email_verified=True)
    client.force_login(user)
    # What a browser page would hold: the CSRF cookie, echoed in the header.
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    headers = {"HTTP_X_CSRFTOKEN": secret}
    agency, topic = AgencyFactory(), TopicFactory()

    response = client.post(LIST_URL, ask_payload(agency, topic), format="json", **headers)

    assert response.status_code == 201, response.content
    data = response.json()
    question = Question.objects.get(reference=data["reference"])
    assert data["status"] == "submitted"
    assert data["tracking_url"] == (f"http://testserver/track/{question.reference}/?token={question.tracking_token}")
    assert question.asker == user
    assert question.contact.email_verified_at is not None


def test_session_user_without_csrf_token_is_refused(client):
    client.force_login(UserFactory(email="lan.pham@example.vn"))
    agency, topic = AgencyFactory(), TopicFactory()

    response = client.post(LIST_URL, ask_payload(agency, topic), format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Question.objects.exists()


def test_token_authenticated_user_needs_no_csrf_token(client):
    user = UserFactory(email="lan.pham@example.vn")
    token = Token.objects.create(user=user)
    agency, topic = AgencyFactory(), TopicFactory()

    response = client.post(LIST_URL, ask_payload(agency, topic), format="json", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "submitted"
    assert Question.objects.get().asker == user


def test_user_whose_email_differs_waits_for_confirmation(client):
    user = UserFactory(email="other@example.vn")
    token = Token.objects.create(user=user)
    agency, topic = AgencyFactory(), TopicFactory()

    response = client.post(LIST_URL, ask_payload(agency, topic), format="json", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 201
    assert response.json()["status"] == "unverified"
    assert "tracking_url" not in response.json()


EMAIL_OR_PHONE = (
    "Enter your e-mail address or your mobile phone number: the answer and your tracking link are sent there."
)


def test_empty_question_gets_a_message_for_every_required_field(client):
    response = client.post(LIST_URL, {}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "agency": ["Choose the agency you are asking."],
        "topic": ["Choose a topic."],
        "title": ["Enter a title for your question."],
        "body": ["Enter your question."],
        "asker_type": ["Say whether you ask as an individual or as an organisation."],
        "name": ["Enter your full name."],
        # Issue 18: an e-mail or a mobile number (at least one), so both fields say so.
        "email": [EMAIL_OR_PHONE],
        "phone": [EMAIL_OR_PHONE],
    }
    assert not Question.objects.exists()


def test_each_invalid_field_gets_its_message(client):
    agency, topic = AgencyFactory(), TopicFactory()
    payload = ask_payload(agency, topic)
    payload.update(
        agency="not-a-number",
        topic=999999,
        title="x" * 201,
        body="y" * 5001,
        asker_type="robot",
        name="n" * 151,
        email="khong-phai-email",
        phone="12345",
        address="a" * 256,
        tax_code="12AB",
    )

    errors = client.post(LIST_URL, payload, format="json").json()

    assert errors == {
        "agency": ["Choose the agency you are asking."],
        "topic": ["Choose a topic."],
        "title": ["The title can be at most 200 characters (it has 201)."],
        "body": ["The question can be at most 5000 characters (it has 5001)."],
        "asker_type": ["Say whether you ask as an individual or as an organisation."],
        "name": ["The name can be at most 150 characters."],
        "email": ["Enter a valid e-mail address, for example ten@example.vn."],
        "phone": ["Enter a valid Vietnamese phone number, for example 0912 345 678."],
        "address": ["The address can be at most 255 characters."],
        "tax_code": ["A tax code has 10 digits, or 10 digits, a dash and 3 digits (e.g. 0201234569-001)."],
    }


def test_organisation_needs_its_name_and_tax_code(client):
    agency, topic = AgencyFactory(), TopicFactory()

    errors = client.post(LIST_URL, ask_payload(agency, topic, asker_type="organisation"), format="json").json()

    assert errors == {
        "organisation_name": ["Enter the name of the organisation or business."],
        "tax_code": ["Enter the tax code of the organisation."],
    }

    ok = client.post(
        LIST_URL,
        ask_payload(
            agency, topic, asker_type="organisation", organisation_name="Công ty TNHH Hải Cảng", tax_code="0201234569"
        ),
        format="json",
    )
    assert ok.status_code == 201
    assert Question.objects.get().contact.tax_code == "0201234569"


@pytest.mark.parametrize("bad_id", ["", "abc", "1.5", -3, 0, 10**30, True, [1]])
def test_agency_that_is_not_an_id_reads_as_not_chosen(client, bad_id):
    agency, topic = AgencyFactory(), TopicFactory()
    response = client.post(LIST_URL, ask_payload(agency, topic, agency=bad_id), format="json")
    assert response.status_code == 400
    assert response.json() == {"agency": ["Choose the agency you are asking."]}


def test_inactive_agency_is_refused(client):
    agency, topic = AgencyFactory(is_active=False), TopicFactory()
    errors = client.post(LIST_URL, ask_payload(agency, topic), format="json").json()
    assert errors == {"agency": ["Choose the agency you are asking."]}


def test_malformed_json_types_are_400(client):
    agency, topic = AgencyFactory(), TopicFactory()
    response = client.post(LIST_URL, ask_payload(agency, topic, title=None, consent_to_publish="maybe"), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"title", "consent_to_publish"}


def test_multipart_with_a_pdf_and_a_png(client):
    agency, topic = AgencyFactory(), TopicFactory()
    files = [
        SimpleUploadedFile("so-do-thua-dat.pdf", tiny_pdf(), content_type="application/pdf"),
        SimpleUploadedFile("anh-chup.png", tiny_png(), content_type="image/png"),
    ]

    response = client.post(LIST_URL, {**ask_payload(agency, topic), "attachments": files}, format="multipart")

    assert response.status_code == 201, response.content
    question = Question.objects.get(reference=response.json()["reference"])
    stored = sorted(question.attachments.values_list("original_name", "content_type", "size"))
    assert stored == [
        ("anh-chup.png", "image/png", len(tiny_png())),
        ("so-do-thua-dat.pdf", "application/pdf", len(tiny_pdf())),
    ]
    assert question.consent_to_publish is True


def test_multipart_without_files(client):
    agency, topic = AgencyFactory(), TopicFactory()
    payload = {**ask_payload(agency, topic), "consent_to_publish": "false"}

    response = client.post(LIST_URL, payload, format="multipart")

    assert response.status_code == 201, response.content
    question = Question.objects.get()
    assert question.attachments.count() == 0
    assert question.consent_to_publish is False


def test_multipart_refuses_a_pdf_name_with_other_content(client):
    agency, topic = AgencyFactory(), TopicFactory()
    fake = SimpleUploadedFile("hop-dong.pdf", b"MZ\x90\x00 this is not a PDF", content_type="application/pdf")

    response = client.post(LIST_URL, {**ask_payload(agency, topic), "attachments": [fake]}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"attachments": ["“hop-dong.pdf” is not a PDF, JPEG, PNG or DOCX file."]}
    assert not Question.objects.exists()
    assert not Attachment.objects.exists()


def test_multipart_refuses_more_than_five_files(client):
    agency, topic = AgencyFactory(), TopicFactory()
    files = [SimpleUploadedFile(f"trang-{n}.png", tiny_png(), content_type="image/png") for n in range(6)]

    response = client.post(LIST_URL, {**ask_payload(agency, topic), "attachments": files}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"attachments": ["You can attach at most 5 files."]}


@pytest.mark.usefixtures("rate_window")
def test_too_many_questions_from_one_address_is_429_with_retry_after(client, settings):
    settings.QA_SUBMIT_RATE_PER_IP = "2/h"
    agency, topic = AgencyFactory(), TopicFactory()
    for n in range(2):
        payload = ask_payload(agency, topic, email=f"nguoi{n}@example.vn")
        assert client.post(LIST_URL, payload, format="json", REMOTE_ADDR="198.51.100.9").status_code == 201

    response = client.post(
        LIST_URL, ask_payload(agency, topic, email="nguoi9@example.vn"), format="json", REMOTE_ADDR="198.51.100.9"
    )

    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 3600
    assert response.json()["code"] == "rate_limited"
    assert "Too many requests" in response.json()["detail"]
    assert Question.objects.count() == 2
    # Another address is not affected.
    other = client.post(
        LIST_URL, ask_payload(agency, topic, email="khac@example.vn"), format="json", REMOTE_ADDR="198.51.100.10"
    )
    assert other.status_code == 201


def test_language_is_vietnamese_unless_the_client_asks_otherwise():
    agency, topic = AgencyFactory(), TopicFactory()
    response = APIClient().post(LIST_URL, ask_payload(agency, topic), format="json")
    assert response.status_code == 201
    assert Question.objects.get().language == "vi"


# --- Tracking -------------------------------------------------------------------------------------


def track_url(question, token=None) -> str:
    url = f"/api/v1/track/{question.reference}/"
    return url if token is None else f"{url}?token={token}"


def test_track_shows_status_timeline_and_own_text_but_no_contact_data(client):
    question = QuestionFactory(
        status=QuestionStatus.ACCEPTED,
        title="Câu hỏi của tôi",
        body="Nội dung tôi đã viết",
        due_date=datetime.date(2026, 5, 20),
        contact__name="Đỗ Riêng Tư",
        contact__email="rieng.tu@example.vn",
        contact__phone="0987654321",
    )
    QuestionEvent.objects.create(question=question, action="submit", from_status="unverified", to_status="submitted")
    QuestionEvent.objects.create(
        question=question, action="accept", from_status="submitted", to_status="accepted", note="Đã tiếp nhận"
    )
    QuestionEvent.objects.create(
        question=question, action="assign", is_public=False, note="giao cho chuyên viên", internal_note="nội bộ"
    )

    response = client.get(track_url(question, question.tracking_token))

    assert response.status_code == 200
    data = response.json()
    assert data["reference"] == question.reference
    assert data["status"] == {"code": "accepted", "label": "In progress"}
    assert data["title"] == "Câu hỏi của tôi"
    assert data["body"] == "Nội dung tôi đã viết"
    assert data["due_date"] == "2026-05-20"
    assert data["agency"]["id"] == question.agency.pk
    assert data["answer"] is None
    assert data["can_withdraw"] is True
    assert data["public_url"] is None
    assert [(e["action"], e["label"], e["note"], e["from_status"], e["to_status"]) for e in data["timeline"]] == [
        ("submit", "Submitted", "", "unverified", "submitted"),
        ("accept", "Accepted", "Đã tiếp nhận", "submitted", "accepted"),
    ]
    body = response.content.decode()
    for private in ("Đỗ Riêng Tư", "rieng.tu@example.vn", "0987654321", "giao cho chuyên viên", "nội bộ"):
        assert private not in body
    assert question.tracking_token not in body
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_track_shows_the_answer_once_sent(client):
    question = QuestionFactory(status=QuestionStatus.ANSWERED, answered_at=timezone.now())
    Answer.objects.create(question=question, body="<p>Câu trả lời đã gửi</p>", sent_at=timezone.now())

    data = client.get(track_url(question, question.tracking_token)).json()

    assert data["status"]["code"] == "answered"
    assert data["answer"]["body"] == "<p>Câu trả lời đã gửi</p>"
    assert data["can_withdraw"] is False


def test_track_hides_a_draft_answer(client):
    question = QuestionFactory(status=QuestionStatus.IN_REVIEW)
    Answer.objects.create(question=question, body="<p>Bản nháp chưa duyệt</p>")

    response = client.get(track_url(question, question.tracking_token))

    assert response.json()["answer"] is None
    assert "Bản nháp" not in response.content.decode()


def test_track_of_a_published_question_links_its_public_page(client):
    question = PublishedQuestionFactory()
    data = client.get(track_url(question, question.tracking_token)).json()
    assert data["public_url"] == f"http://testserver/questions/{question.reference}/"


def test_track_with_a_wrong_or_missing_token_is_404(client):
    question = QuestionFactory(status=QuestionStatus.SUBMITTED)
    assert client.get(track_url(question)).status_code == 404
    assert client.get(track_url(question, "")).status_code == 404
    token = question.tracking_token
    forged = token[:-1] + ("x" if not token.endswith("x") else "y")  # never the token itself
    assert client.get(track_url(question, forged)).status_code == 404
    assert client.get(f"/api/v1/track/HP-NOPE-2026-000001/?token={question.tracking_token}").status_code == 404


def test_track_of_an_unconfirmed_question_is_404(client):
    question = QuestionFactory(status=QuestionStatus.UNVERIFIED)
    assert client.get(track_url(question, question.tracking_token)).status_code == 404


def test_guest_flow_ask_confirm_track(client, django_capture_on_commit_callbacks):
    agency, topic = AgencyFactory(), TopicFactory()
    with django_capture_on_commit_callbacks(execute=True):
        reference = client.post(LIST_URL, ask_payload(agency, topic), format="json").json()["reference"]
    question = Question.objects.get(reference=reference)
    assert client.get(track_url(question, question.tracking_token)).status_code == 404

    token = re.search(r"/confirm/([^/\s]+)/", mail.outbox[0].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        question_confirm_email(token=token)

    data = client.get(track_url(question, question.tracking_token)).json()
    assert data["status"]["code"] == "submitted"
    assert [e["action"] for e in data["timeline"]] == ["submit"]


# --- Concurrency (PostgreSQL) ---------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_questions_to_one_agency_get_distinct_consecutive_references(settings):
    settings.QA_SUBMIT_RATE_PER_IP = "1000/h"
    agency, topic = AgencyFactory(code="HP-SXD"), TopicFactory()
    threads_count = 20
    barrier = threading.Barrier(threads_count)
    results: list = []
    errors: list = []

    def ask(n: int) -> None:
        try:
            api = APIClient()
            barrier.wait(timeout=30)
            response = api.post(LIST_URL, ask_payload(agency, topic, email=f"dongthoi{n}@example.vn"), format="json")
            if response.status_code == 201:
                results.append(response.json()["reference"])
            else:
                errors.append((response.status_code, response.content))
        except Exception as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(results) == threads_count
    assert len(set(results)) == threads_count
    year = timezone.localdate().year
    numbers = sorted(int(reference.rsplit("-", 1)[1]) for reference in results)
    assert numbers == list(range(1, threads_count + 1))
    assert all(reference.startswith(f"HP-SXD-{year}-") for reference in results)
    assert Question.objects.filter(agency=agency).count() == threads_count


def test_reindexed_question_is_found_by_new_public_text(client):
    question = PublishedQuestionFactory(public_title="Tiêu đề cũ")
    Question.objects.filter(pk=question.pk).update(public_title="Cấp phép khai thác cát")
    question.refresh_from_db()
    question_reindex(question=question)

    results = client.get(LIST_URL, {"search": "khai thac cat"}).json()["results"]

    assert [q["reference"] for q in results] == [question.reference]
