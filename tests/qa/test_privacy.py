"""No public surface ever shows the asker's personal data or the private original text.

One published question whose asker has very distinctive contact data, and whose
original title/body hold a word the redacted public version does not; then every
public page, feed and API response is fetched and searched for those strings.
The public version must appear (so each check looks at a page that shows the
question), the private strings must not.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Membership
from core.errors import PersonalDataFound
from qa import services
from qa.models import Answer, AskerContact, AskerType, InternalNote, QuestionEvent, QuestionStatus
from qa.personal_data import REDACTED
from qa.services import question_reindex
from tests.factories import AgencyFactory, QuestionFactory, TopicFactory
from tests.qa.staff_fixtures import staff

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

PRIVATE_WORD = "Zyxwvutrieng"
CONTACT = {
    "name": "Quách Thị Zaphira Bímật",
    "email": "zaphira.bimat.4711@example.vn",
    "phone": "0977031415",
    "address": "Số 271 ngõ Zigzag phường Ẩn Danh",
    "organisation_name": "Công ty TNHH Kỳ Lân Tím Zeta",
    "tax_code": "0209876543-777",
}
INTERNAL = "Ghi chú nội bộ Qwertzuiop"
PUBLIC_TITLE = "Hỏi về tiền thuê đất của doanh nghiệp trong khu công nghiệp"


@pytest.fixture
def published():
    parent = AgencyFactory(name="UBND thành phố Hải Phòng", slug="ubnd-hai-phong", code="HP-UBND")
    agency = AgencyFactory(name="Sở Tài chính", slug="so-tai-chinh", code="HP-STC", parent=parent)
    topic = TopicFactory(name="Thuế, phí", slug="thue-phi")
    question = QuestionFactory(
        agency=agency,
        topic=topic,
        status=QuestionStatus.ANSWERED,
        asker_type=AskerType.ORGANISATION,
        title=f"{CONTACT['organisation_name']} hỏi về {PRIVATE_WORD}",
        body=(
            f"Tôi là {CONTACT['name']}, mã số thuế {CONTACT['tax_code']}, điện thoại {CONTACT['phone']}, "
            f"địa chỉ {CONTACT['address']}. Từ khóa riêng: {PRIVATE_WORD}."
        ),
        public_title=PUBLIC_TITLE,
        public_body="Doanh nghiệp thuê đất trong khu công nghiệp hỏi cách tính tiền thuê đất hằng năm.",
        answered_at=timezone.now(),
        contact=None,
    )
    AskerContact.objects.create(question=question, email_verified_at=timezone.now(), **CONTACT)
    Answer.objects.create(
        question=question,
        body="<p>Tiền thuê đất được tính theo đơn giá do Ủy ban nhân dân thành phố ban hành.</p>",
        sent_at=timezone.now(),
    )
    QuestionEvent.objects.create(
        question=question, action="accept", to_status="accepted", internal_note=INTERNAL, is_public=True
    )
    InternalNote.objects.create(question=question, body=INTERNAL)
    # Publish the way the moderation service leaves it: status, date, then the search text from public fields.
    question.status = QuestionStatus.PUBLISHED
    question.published_at = timezone.now()
    question.save()
    question_reindex(question=question)
    return question


def _private_strings(question) -> list[str]:
    strings = [PRIVATE_WORD, INTERNAL, question.tracking_token, question.title, *CONTACT.values()]
    # The phone as people write it, and the e-mail's local part on its own.
    strings += ["0977 031 415", CONTACT["email"].split("@")[0]]
    return strings


def _assert_private_absent(label: str, body: str, question) -> None:
    lowered = body.lower()
    for secret in _private_strings(question):
        assert secret.lower() not in lowered, f"{label} shows private data: {secret!r}"


def _public_surfaces(question) -> dict[str, tuple[str, bool]]:
    """label → (URL, whether the question itself should be shown there)."""
    detail = f"/api/v1/questions/{question.reference}/"
    return {
        "api list": ("/api/v1/questions/", True),
        "api search": ("/api/v1/questions/?search=tien+thue+dat", True),
        "api agency filter": (f"/api/v1/questions/?agency={question.agency.parent_id}", True),
        "api detail": (detail, True),
        "api similar": ("/api/v1/questions/similar/?q=tien+thue+dat+khu+cong+nghiep", True),
        "api agencies": ("/api/v1/agencies/", False),
        "api topics": ("/api/v1/topics/", False),
        "api schema": ("/api/schema/", False),
        "api docs": ("/api/docs/", False),
        "home": (reverse("qa:home"), True),
        "archive": (reverse("qa:archive"), True),
        "archive search": (reverse("qa:archive") + "?q=tien+thue+dat", True),
        "question page": (reverse("qa:question_detail", kwargs={"reference": question.reference}), True),
        "agency page": (reverse("qa:agency", kwargs={"slug": question.agency.slug}), True),
        "parent agency page": (reverse("qa:agency", kwargs={"slug": question.agency.parent.slug}), True),
        "topic page": (reverse("qa:topic", kwargs={"slug": question.topic.slug}), True),
        "answers feed": (reverse("qa:feed"), True),
    }


def test_no_public_surface_shows_personal_data_or_the_original_text(client, published):
    for label, (url, shows_question) in _public_surfaces(published).items():
        response = client.get(url)
        assert response.status_code == 200, f"{label}: {url} answered {response.status_code}"
        body = response.content.decode()
        if shows_question:
            # Proves the check looked at a page that lists the question (autoescaped or not).
            assert PUBLIC_TITLE in body or published.reference in body, f"{label} does not show the question"
        _assert_private_absent(label, body, published)


def test_english_pages_are_just_as_private(client, published):
    client.cookies["django_language"] = "en"
    for label, (url, _shows) in _public_surfaces(published).items():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, label
        _assert_private_absent(label, response.content.decode(), published)


def test_private_words_are_not_searchable(client, published):
    assert client.get("/api/v1/questions/", {"search": PRIVATE_WORD}).json()["count"] == 0
    assert client.get("/api/v1/questions/", {"search": "Kỳ Lân Tím"}).json()["count"] == 0
    assert client.get("/api/v1/questions/similar/", {"q": f"{PRIVATE_WORD} zaphira"}).json() == []
    archive = client.get(reverse("qa:archive"), {"q": PRIVATE_WORD}).content.decode()
    assert PUBLIC_TITLE not in archive


def test_the_check_would_catch_a_leak(published):
    """Guard against a vacuous test: the helper must fail on a body that carries any private string."""
    for secret in _private_strings(published):
        with pytest.raises(AssertionError):
            _assert_private_absent("probe", f"<p>ok {secret} ok</p>", published)


# --- Redaction on publishing (qa.personal_data) -------------------------------------------------------

ASKERS = {
    "land": (
        {
            "name": "Đỗ Thị Hồng Nhung",
            "email": "hongnhung.do1987@gmail.com",
            "phone": "0983 221 457",
            "address": "Số 8 ngõ 190 đường Lạch Tray",
            "tax_code": "",
            "organisation_name": "",
        },
        "Tách thửa đất ở phường Đằng Giang",
        "Kính gửi Sở Tài nguyên và Môi trường. Tôi là Đỗ Thị Hồng Nhung, thường trú tại số 8 ngõ 190 đường "
        "Lạch Tray, phường Đằng Giang, quận Ngô Quyền. Gia đình tôi có thửa đất số 215, tờ bản đồ số 12, diện "
        "tích 96 m2, đã được cấp giấy chứng nhận năm 2009. Nay tôi muốn tách thửa để tặng cho con gái thì cần "
        "diện tích tối thiểu bao nhiêu? Xin trả lời qua số 0983.221.457 hoặc hongnhung.do1987@gmail.com. "
        "CCCD: 031187009912.",
    ),
    "tax": (
        {
            "name": "Vũ Đình Khải",
            "email": "ketoan@nhuahaiau.com.vn",
            "phone": "02253 612 888",
            "address": "",
            "tax_code": "0201765432",
            "organisation_name": "Công ty Cổ phần Nhựa Hải Âu",
        },
        "Hoàn thuế giá trị gia tăng hàng xuất khẩu",
        "Công ty Cổ phần Nhựa Hải Âu (mã số thuế 0201765432) do ông Vũ Đình Khải làm giám đốc xuất khẩu lô "
        "hàng ống nhựa tháng 9. Theo Thông tư số 80/2021/TT-BTC, hồ sơ hoàn thuế cần những chứng từ gì? "
        "Liên hệ kế toán: ketoan@nhuahaiau.com.vn, điện thoại 02253 612 888.",
    ),
    "health": (
        {
            "name": "Lương Văn Tới",
            "email": "luongvantoi.hp@yahoo.com",
            "phone": "0369-445-120",
            "address": "Thôn Trung Hành, xã Đặng Cương",
            "tax_code": "",
            "organisation_name": "",
        },
        "Thanh toán bảo hiểm y tế khi chuyển tuyến",
        "Tôi tên là Lương Văn Tới, ở thôn Trung Hành, xã Đặng Cương, huyện An Dương, CMND 031256778. Bố tôi "
        "điều trị ở bệnh viện huyện rồi chuyển lên Bệnh viện Việt Tiệp, chi phí 18.400.000 đồng. Bảo hiểm y tế "
        "thanh toán bao nhiêu phần trăm khi chuyển tuyến? Số điện thoại của tôi là 0369 445 120.",
    ),
}


def _asker_strings(contact: dict) -> list[str]:
    strings = [v for v in contact.values() if v]
    digits = "".join(ch for ch in contact["phone"] if ch.isdigit())
    strings += [digits, contact["email"].split("@")[0]]
    return strings


@pytest.fixture
def office():
    agency = AgencyFactory(name="Sở Tài nguyên và Môi trường", slug="stnmt", code="HP-STNMT")
    return {"agency": agency, "moderator": staff(agency, Membership.Role.MODERATOR, full_name="Lê Biên Tập")}


def _answered(agency, kind: str, *, public_from_original: bool = False, answer_html: str | None = None):
    """An answered question of `kind` whose public version is what submission leaves (redacted), or the original."""
    contact, title, body = ASKERS[kind]
    question = services.question_submit(
        agency=agency,
        topic=TopicFactory(),
        title=title,
        body=body,
        asker_type=AskerType.ORGANISATION if contact["organisation_name"] else AskerType.INDIVIDUAL,
        consent_to_publish=True,
        **contact,
    )
    fields = {"status": QuestionStatus.ANSWERED, "answered_at": timezone.now(), "accepted_at": timezone.now()}
    if public_from_original:
        fields.update(public_title=title, public_body=body)
    type(question).objects.filter(pk=question.pk).update(**fields)
    Answer.objects.create(
        question=question,
        body=answer_html or "<p>Sở trả lời: theo quy định hiện hành, hồ sơ gồm đơn đề nghị và bản sao giấy tờ.</p>",
        sent_at=timezone.now(),
    )
    question.refresh_from_db()
    return question, contact


@pytest.mark.parametrize("kind", sorted(ASKERS))
def test_submission_stores_a_redacted_public_copy(kind):
    agency = AgencyFactory()
    question, contact = _answered(agency, kind)
    assert question.body == ASKERS[kind][2]  # the original stays as asked
    assert REDACTED in question.public_body
    for secret in _asker_strings(contact):
        assert secret.casefold() not in question.public_body.casefold(), secret
    assert AskerContact.objects.get(question=question).email == contact["email"]


@pytest.mark.parametrize("kind", sorted(ASKERS))
def test_publishing_the_original_is_refused_until_each_finding_is_confirmed(kind, office):
    question, contact = _answered(office["agency"], kind, public_from_original=True)
    title, body = ASKERS[kind][1], ASKERS[kind][2]
    with pytest.raises(PersonalDataFound) as refused:
        services.question_publish(actor=office["moderator"], question=question, public_title=title, public_body=body)
    texts = [f["text"] for f in refused.value.findings]
    assert any(f["own"] and f["kind"] == "phone" for f in refused.value.findings)
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED
    # Confirming all but one is still a refusal naming only that one.
    with pytest.raises(PersonalDataFound) as again:
        services.question_publish(
            actor=office["moderator"],
            question=question,
            public_title=title,
            public_body=body,
            confirmed_findings=texts[1:],
        )
    assert [f["text"] for f in again.value.findings] == texts[:1]
    published = services.question_publish(
        actor=office["moderator"], question=question, public_title=title, public_body=body, confirmed_findings=texts
    )
    assert published.status == QuestionStatus.PUBLISHED
    event = QuestionEvent.objects.filter(question=question, action="publish").get()
    assert event.data["confirmed_personal_data"]  # the kinds confirmed, on the audit trail
    for secret in _asker_strings(contact):
        assert secret.casefold() not in str(event.data).casefold()


def test_the_answer_is_checked_too(office):
    question, _contact = _answered(
        office["agency"],
        "health",
        answer_html="<p>Trả lời ông Lương Văn Tới (điện thoại 0369 445 120): mức hưởng là 40%.</p>",
    )
    with pytest.raises(PersonalDataFound) as refused:
        services.question_publish(
            actor=office["moderator"],
            question=question,
            public_title=question.public_title,
            public_body=question.public_body,
        )
    assert {(f["field"], f["kind"]) for f in refused.value.findings} == {("answer", "name"), ("answer", "phone")}
    services.question_publish(
        actor=office["moderator"],
        question=question,
        public_title=question.public_title,
        public_body=question.public_body,
        confirmed_findings=[f["text"] for f in refused.value.findings],
    )


def test_editing_a_published_public_text_is_checked_an_unpublished_draft_is_not(office):
    question, contact = _answered(office["agency"], "land")
    draft = f"{question.public_body} Người hỏi: {contact['name']}."
    saved = services.question_public_version_save(
        actor=office["moderator"], question=question, public_title=question.public_title, public_body=draft
    )
    assert saved.public_body == draft  # not public yet: saving a draft is allowed, the panel warns
    clean = ASKERS["land"][1], "Gia đình tôi muốn tách thửa đất 96 m2 để tặng cho con; diện tích tối thiểu?"
    services.question_publish(actor=office["moderator"], question=saved, public_title=clean[0], public_body=clean[1])
    with pytest.raises(PersonalDataFound):
        services.question_public_version_save(
            actor=office["moderator"], question=question, public_title=clean[0], public_body=draft
        )
    question.refresh_from_db()
    assert question.public_body == clean[1]


def _staff_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_web_publish_shows_findings_refuses_then_accepts_confirmations(office):
    question, contact = _answered(office["agency"], "land", public_from_original=True)
    moderator = _staff_client(office["moderator"])
    page = moderator.get(reverse("staff:question", kwargs={"reference": question.reference}))
    form = page.context["public_form"]
    # Never edited: the form starts from the redacted copy, not the original.
    assert REDACTED in form.initial["public_body"] and contact["phone"] not in form.initial["public_body"]
    url = reverse("staff:action", kwargs={"reference": question.reference, "action": "publish"})
    data = {
        "public-expected_version": question.version,
        "public-public_title": question.title,
        "public-public_body": question.body,
    }
    refused = moderator.post(url, data)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "still contains the asker&#x27;s personal data" in html
    blocking = refused.context["blocking_findings"]
    assert {row["kind"] for row in blocking} >= {"name", "phone", "email", "address", "id_number"}
    for row in blocking:  # a box per finding, the match highlighted
        assert f'name="public-confirmed_findings" value="{row["text"]}"' in html
        assert f"<mark>{row['text']}</mark>" in html
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED
    data["public-confirmed_findings"] = [row["text"] for row in blocking]
    assert moderator.post(url, data).status_code == 303
    question.refresh_from_db()
    assert question.status == QuestionStatus.PUBLISHED


@pytest.mark.parametrize("surface", ["web", "api"])
def test_published_with_the_prefilled_text_nothing_of_the_asker_is_public(surface, office, client):
    questions = [_answered(office["agency"], kind, public_from_original=True) for kind in sorted(ASKERS)]
    for question, _contact in questions:
        initial = (
            _staff_client(office["moderator"])
            .get(reverse("staff:question", kwargs={"reference": question.reference}))
            .context["public_form"]
            .initial
        )
        if surface == "web":
            response = _staff_client(office["moderator"]).post(
                reverse("staff:action", kwargs={"reference": question.reference, "action": "publish"}),
                {f"public-{name}": value for name, value in initial.items()},
            )
            assert response.status_code == 303
        else:
            api = APIClient()
            api.force_authenticate(office["moderator"])
            url = f"/api/v1/staff/questions/{question.reference}/transitions/"
            original = {"action": "publish", "public_title": question.title, "public_body": question.body}
            refused = api.post(url, original, format="json")
            assert refused.status_code == 409 and refused.json()["code"] == "personal_data"
            assert {f["kind"] for f in refused.json()["findings"]} >= {"name", "phone"}
            body = {"action": "publish", **initial}
            assert api.post(url, body, format="json").status_code == 200
        question.refresh_from_db()
        assert question.status == QuestionStatus.PUBLISHED
    question_urls = [reverse("qa:question_detail", kwargs={"reference": q.reference}) for q, _ in questions] + [
        f"/api/v1/questions/{q.reference}/" for q, _ in questions
    ]
    for url in [*question_urls, reverse("qa:feed"), "/api/v1/questions/", reverse("qa:archive")]:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode().casefold()
        assert questions[0][0].reference.casefold() in content or REDACTED in content
        for _question, contact in questions:
            for secret in _asker_strings(contact):
                assert secret.casefold() not in content, (url, secret)


def test_api_publish_with_confirmed_findings(office):
    question, _contact = _answered(office["agency"], "tax", public_from_original=True)
    api = APIClient()
    api.force_authenticate(office["moderator"])
    url = f"/api/v1/staff/questions/{question.reference}/transitions/"
    body = {"action": "publish", "public_title": question.title, "public_body": question.body}
    refused = api.post(url, body, format="json")
    assert refused.status_code == 409
    findings = refused.json()["findings"]
    assert {(f["kind"], f["own"]) for f in findings} >= {("tax_code", True), ("organisation", True)}
    body["confirmed_findings"] = [f["text"] for f in findings]
    assert api.post(url, body, format="json").status_code == 200


def test_the_staff_api_lists_findings_of_the_public_version(office):
    question, contact = _answered(office["agency"], "health", public_from_original=True)
    api = APIClient()
    api.force_authenticate(office["moderator"])
    findings = api.get(f"/api/v1/staff/questions/{question.reference}/").json()["public_findings"]
    own = {(f["field"], f["kind"]) for f in findings if f["own"]}
    assert {("public_body", "name"), ("public_body", "phone")} <= own
    assert all(f["blocking"] for f in findings if f["own"])
    assert any(f["kind"] == "id_number" and f["blocking"] and not f["own"] for f in findings)
    assert contact["name"] in [f["text"] for f in findings]
