"""No public surface ever shows the asker's personal data or the private original text.

One published question whose asker has very distinctive contact data, and whose
original title/body hold a word the redacted public version does not; then every
public page, feed and API response is fetched and searched for those strings.
The public version must appear (so each check looks at a page that shows the
question), the private strings must not.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from qa.models import Answer, AskerType, InternalNote, QuestionEvent, QuestionStatus
from qa.services import question_reindex
from tests.factories import AgencyFactory, QuestionFactory, TopicFactory

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
    from qa.models import AskerContact

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
