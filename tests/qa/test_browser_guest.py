"""A guest asks from a phone, confirms by e-mail, gets the receipt and follows the question.

Runs the real pages in headless Chromium against pytest-django's live server.
Assertions avoid wording (the browser asks for Vietnamese) and look at codes,
classes and URLs instead. Screenshots of the main pages go to /tmp/shots/ for a
human look at the design on a phone and on a desktop.
"""

import json
import re
from pathlib import Path

import pytest
from django.core import mail

from qa.models import Question, QuestionStatus
from tests.browser import new_page
from tests.factories import AgencyFactory, PublishedQuestionFactory, TopicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
SHOTS = Path("/tmp/shots")  # noqa: S108 (screenshots for a human to look at, nothing secret)


@pytest.fixture
def portal():
    city = AgencyFactory(name="Ủy ban nhân dân thành phố Hải Phòng", code="HP-UBND", slug="ubnd-hai-phong")
    land_dept = AgencyFactory(
        name="Sở Tài nguyên và Môi trường", code="HP-STNMT", slug="so-tai-nguyen-moi-truong", parent=city
    )
    AgencyFactory(name="Sở Giáo dục và Đào tạo", code="HP-SGDDT", slug="so-giao-duc", parent=city)
    land = TopicFactory(name="Đất đai", slug="dat-dai")
    TopicFactory(name="Giáo dục", slug="giao-duc")
    for title in (
        "Thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu",
        "Điều kiện tách thửa đất ở tại quận Hải An",
        "Thời hạn giải quyết hồ sơ chuyển mục đích sử dụng đất",
    ):
        PublishedQuestionFactory(agency=land_dept, topic=land, public_title=title)
    return {"agency": land_dept, "topic": land}


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_guest_asks_on_a_phone_confirms_and_follows(browser, live_server, portal):
    page = new_page(browser, live_server.url, **PHONE)
    try:
        page.goto(f"{live_server.url}/ask/")
        # Without a choice the organisation fields are folded away by the script.
        assert page.locator("#org-fields").is_hidden()
        page.check("#id_asker_type_1")
        assert page.locator("#org-fields").is_visible()
        page.check("#id_asker_type_0")
        assert page.locator("#org-fields").is_hidden()

        page.select_option("#id_agency", str(portal["agency"].pk))
        page.select_option("#id_topic", str(portal["topic"].pk))
        page.fill("#id_title", "Hỏi về thủ tục tách thửa đất ở huyện Thủy Nguyên")
        assert "48/200" in page.locator(".counter[data-counter-for=id_title]").inner_text()
        page.fill("#id_body", "Gia đình tôi có thửa đất 200 m², muốn tách cho con. Xin hỏi điều kiện và hồ sơ?")
        page.fill("#id_name", "Lê Văn Hỏi")
        page.fill("#id_email", "le.van.hoi@example.vn")
        page.fill("#id_phone", "0912 345 678")
        page.check("#id_consent_to_publish")
        _shot(page, "ask-filled-phone")
        page.click("#ask-form button[type=submit]")
        page.wait_for_url(re.compile(r"/ask/sent/HP-STNMT-\d{4}-\d{6}/$"))

        question = Question.objects.get(contact__email="le.van.hoi@example.vn")
        assert question.status == QuestionStatus.UNVERIFIED
        assert question.reference in page.inner_text("main")
        assert "le.van.hoi" not in page.content()

        confirm_path = re.search(r"/confirm/[^/\s]+/", mail.outbox[-1].body).group(0)
        page.goto(f"{live_server.url}{confirm_path}")
        page.wait_for_url(re.compile(r"/receipt/"))
        assert page.inner_text(".reference-code").strip() == question.reference
        question.refresh_from_db()
        tracking_value = page.input_value("#tracking-url")
        assert tracking_value.endswith(question.tracking_path())
        _shot(page, "receipt-phone")

        page.click(f'a[href="{question.tracking_path()}"]')
        page.wait_for_url(re.compile(rf"/track/{question.reference}/\?token="))
        assert page.locator(".badge-submitted").is_visible()
        assert page.locator(".timeline-item").count() == 1
        _shot(page, "track-phone")
    finally:
        page.context.close()


def test_similar_questions_appear_while_typing_and_errors_stay_silent(browser, live_server, portal):
    page = new_page(browser, live_server.url, **PHONE)
    calls = []

    def similar(route):
        calls.append(route.request.url)
        if "loi" in route.request.url:
            route.fulfill(status=500, body="boom")
            return
        body = [
            {
                "reference": "HP-STNMT-2026-000001",
                "title": "Điều kiện tách thửa đất ở tại quận Hải An",
                "url": "/questions/HP-STNMT-2026-000001/",
                "agency": "Sở Tài nguyên và Môi trường",
                "topic": "Đất đai",
                "published_at": "2026-03-01T09:00:00+07:00",
            }
        ]
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    try:
        page.route("**/api/v1/questions/similar/**", similar)
        page.goto(f"{live_server.url}/ask/")
        page.type("#id_title", "tách thửa đất", delay=20)
        page.wait_for_selector("#similar-questions .similar-list a")
        box = page.locator("#similar-questions")
        assert box.get_attribute("aria-live") == "polite"
        # Marked as opened from the ask form, for the "answered by the archive" count.
        assert box.locator("a").get_attribute("href") == "/questions/HP-STNMT-2026-000001/?from=ask"
        assert "q=t%C3%A1ch%20th%E1%BB%ADa%20%C4%91%E1%BA%A5t" in calls[-1]  # debounced: the whole title
        assert len(calls) <= 2

        page.fill("#id_title", "loi may chu tra ve")
        page.wait_for_timeout(900)
        assert box.inner_text().strip() == ""
        assert any("loi" in url for url in calls)
    finally:
        page.context.close()


def test_phone_menu_folds_and_unfolds(browser, live_server, portal):
    page = new_page(browser, live_server.url, **PHONE)
    try:
        page.goto(f"{live_server.url}/")
        toggle = page.locator(".nav-toggle")
        assert toggle.is_visible()
        assert page.locator("#main-nav-list").is_hidden()
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.locator("#main-nav-list a[href='/ask/']").is_visible()
        page.keyboard.press("Escape")
        assert page.locator("#main-nav-list").is_hidden()
    finally:
        page.context.close()


def test_pages_without_javascript_still_work(browser, live_server, portal):
    page = new_page(browser, live_server.url, java_script_enabled=False, **PHONE)
    try:
        page.goto(f"{live_server.url}/")
        assert page.locator("#main-nav-list a[href='/ask/']").is_visible()
        page.goto(f"{live_server.url}/ask/")
        assert page.locator("#org-fields").is_visible()  # shown, with a hint, when nothing hides it
        page.click("#ask-form button[type=submit]")
        page.locator("#error-summary").wait_for(state="visible")  # the server's answer, a new page
        assert page.locator(".has-error").count() >= 5
    finally:
        page.context.close()


@pytest.mark.parametrize(("size", "options"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_screenshots_of_the_main_pages(browser, live_server, portal, size, options):
    page = new_page(browser, live_server.url, **options)
    try:
        for name, path in (("home", "/"), ("ask", "/ask/"), ("archive", "/questions/?q=dat")):
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200
            # Nothing may be wider than the screen (no sideways scrolling on a phone).
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
            _shot(page, f"{name}-{size}")
    finally:
        page.context.close()
