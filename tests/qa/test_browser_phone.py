"""A citizen with a mobile number and no e-mail: asks, reads the code from the SMS gateway, confirms,
gets the receipt with its QR code, and later finds the question again with the reference code and phone.

The SMS goes through the real HTTP gateway backend to a fake gateway on a local port, as it would to
a brandname provider; the code is read from what the gateway received.
"""

import re

import pytest

from qa.models import Question, QuestionStatus
from tests.browser import new_page
from tests.factories import AgencyFactory, TopicFactory
from tests.notifications.fake_gateway import FakeGateway
from tests.qa.test_browser_guest import PHONE, _shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gateway(settings):
    with FakeGateway() as fake:
        settings.SMS_BACKEND = "notifications.sms.HttpGatewaySmsBackend"
        settings.SMS_GATEWAY_URL = fake.url
        settings.SMS_GATEWAY_TIMEOUT = 5
        yield fake


def _code(gateway) -> str:
    return re.search(r"(?<![-\d])(\d{6})(?![-\d])", gateway.delivered[-1]["text"]).group(1)


def test_phone_only_citizen_asks_confirms_by_sms_and_looks_the_question_up(browser, live_server, gateway):
    agency = AgencyFactory(name="Sở Tư pháp", code="HP-STP", slug="so-tu-phap")
    topic = TopicFactory(name="Hộ tịch", slug="ho-tich")
    page = new_page(browser, live_server.url, **PHONE)
    try:
        page.goto(f"{live_server.url}/ask/")
        page.select_option("#id_agency", str(agency.pk))
        page.select_option("#id_topic", str(topic.pk))
        page.fill("#id_title", "Hỏi về đăng ký khai sinh cho con")
        page.fill("#id_body", "Con tôi sinh ở Hà Nội, tôi có thể đăng ký khai sinh ở Hải Phòng không?")
        page.fill("#id_name", "Nguyễn Thị Quê")
        page.check("#id_asker_type_0")
        page.fill("#id_phone", "0912.345.678")
        page.click("#ask-form button[type=submit]")
        page.wait_for_url(re.compile(r"/receipt/HP-STP-\d{4}-\d{6}/\?token="))
        question = Question.objects.get()
        assert question.status == QuestionStatus.UNVERIFIED
        # The SMS reached the gateway: brandname body, 84… number, unaccented text with the code.
        assert len(gateway.delivered) == 1
        assert gateway.delivered[0]["to"] == "84912345678"
        code = _code(gateway)
        assert question.reference in gateway.delivered[0]["text"]
        assert page.locator("#phone-code").is_visible()
        assert "0912 *** 678" in page.inner_text("#phone-code")
        pin = page.inner_text(".lookup-pin").strip()
        assert re.fullmatch(r"\d{6}", pin)
        _shot(page, "receipt-code-phone")

        page.fill("#id_code", code)
        page.click("#phone-code button[type=submit]")
        page.wait_for_url(re.compile(r"/receipt/"))
        question.refresh_from_db()
        assert question.status == QuestionStatus.SUBMITTED
        assert page.locator("#phone-code").count() == 0
        assert page.input_value("#tracking-url").endswith(question.tracking_path())
        qr = page.locator("svg.qr-code")
        assert qr.count() == 1 and qr.is_visible()
        assert qr.bounding_box()["width"] >= 100  # big enough to scan from the screen
        # The receipt SMS with its short link.
        question.refresh_from_db()
        assert f"/s/{question.short_token}/" in gateway.delivered[-1]["text"]
        _shot(page, "receipt-qr-phone")

        # Later, from another device: the header's "follow" link, reference code + phone number.
        other = new_page(browser, live_server.url, **PHONE)
        try:
            other.goto(f"{live_server.url}/")
            other.click(".site-footer a[href='/lookup/']")
            other.fill("#id_reference", question.reference.lower())
            other.fill("#id_secret", "+84 912 345 679")
            other.click("main form button[type=submit]")
            # The answer is a new page: wait for it rather than read the old one.
            other.locator(".error-summary").wait_for(state="visible")
            other.fill("#id_reference", question.reference)
            other.fill("#id_secret", "+84 912 345 678")
            other.click("main form button[type=submit]")
            # A lookup opens the page read-only (no token); acting needs the private link.
            other.wait_for_url(re.compile(rf"/lookup/{question.reference}/$"))
            assert other.locator(".badge-submitted").is_visible()
            assert other.locator("#read-only").is_visible()
            assert other.locator("form[action$='/withdraw/']").count() == 0
            _shot(other, "track-after-lookup-phone")
            # The short link in the SMS opens the same page.
            short_path = re.search(r"/s/\w+/", gateway.delivered[-1]["text"]).group(0)
            other.goto(f"{live_server.url}{short_path}")
            other.wait_for_url(re.compile(rf"/track/{question.reference}/\?token="))
            # And the PIN works too.
            other.goto(f"{live_server.url}/lookup/")
            other.fill("#id_reference", question.reference)
            other.fill("#id_secret", pin)
            other.click("main form button[type=submit]")
            other.wait_for_url(re.compile(rf"/lookup/{question.reference}/$"))
        finally:
            other.context.close()
    finally:
        page.context.close()


def test_the_answer_sms_leads_to_the_answer_which_prints_with_its_identity_and_qr(browser, live_server, gateway):
    from django.db import transaction

    from qa.messaging import notify_asker
    from tests.factories import PublishedQuestionFactory

    question = PublishedQuestionFactory(contact__email="", contact__phone="+84912345678")
    with transaction.atomic():
        notify_asker(question, "answered")  # what answer_send says to a phone-only asker
    text = gateway.delivered[-1]["text"]
    assert question.reference in text and gateway.delivered[-1]["to"] == "84912345678"
    page = new_page(browser, live_server.url, **PHONE)
    try:
        short_path = re.search(r"/s/\w+/", text).group(0)
        page.goto(f"{live_server.url}{short_path}")
        page.wait_for_url(re.compile(rf"/track/{question.reference}/\?token="))
        page.goto(f"{live_server.url}{question.get_absolute_url()}")
        assert page.locator(".js-print").is_visible()  # the script shows the button
        page.emulate_media(media="print")
        for hidden in (".main-nav", ".lang-switch", ".helpful", ".breadcrumb", ".js-print", ".site-footer"):
            assert page.locator(hidden).first.is_hidden(), hidden
        for shown in (".brand-portal", ".qa-article .reference", "svg.qr-code", ".print-address", ".fact-list"):
            assert page.locator(shown).first.is_visible(), shown
        assert page.inner_text(".print-address").endswith(question.get_absolute_url())
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
        _shot(page, "answer-print")
    finally:
        page.context.close()
