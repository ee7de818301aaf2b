"""The main pages in headless Chromium under the site's Content-Security-Policy: nothing refused, scripts run.

tests.browser records every violation a page reports (console "Refused to …" and securitypolicyviolation
events) and fails the test on any; this module walks the pages no other browser test opens, as a visitor,
a moderator and the site administrator, and first proves that the detector does see a violation.
"""

import pytest
from django.conf import settings
from django.test import Client

from dialogues.models import Announcement
from tests import browser as browser_support
from tests.accounts.otp import verified_login
from tests.browser import new_page
from tests.dialogues.factories import LiveQuestionFactory, LiveSessionFactory
from tests.factories import AgencyFactory, MembershipFactory, PublishedQuestionFactory, QuestionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site():
    agency = AgencyFactory(name="Sở Tài nguyên và Môi trường", code="HP-STNMT", slug="so-tnmt")
    moderator = UserFactory(email="bientap@example.vn", full_name="Biên Tập Viên")
    MembershipFactory(user=moderator, agency=agency)
    admin = UserFactory(email="quantri@example.vn", is_staff=True, is_superuser=True)
    published = PublishedQuestionFactory(agency=agency)
    queued = QuestionFactory(agency=agency)
    session = LiveSessionFactory(agency=agency, video_url="https://www.youtube.com/embed/abc123")
    LiveQuestionFactory(session=session)
    Announcement.objects.create(session=session, text="Phiên đối thoại bắt đầu lúc 9 giờ.")
    return {
        "moderator": moderator,
        "admin": admin,
        "published": published,
        "queued": queued,
        "session": session,
    }


def _logged_in(browser, base: str, user):
    client = Client()
    if user.is_superuser:
        verified_login(client, user)  # the admin requires a session that passed the second step
    else:
        client.force_login(user)
    page = new_page(browser, base)
    host = base.split("//", 1)[1].split(":")[0]
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": host,
                "path": "/",
            }
        ]
    )
    return page


def _visit(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    assert "default-src 'self'" in response.headers["content-security-policy"], url
    page.wait_for_load_state("load")


def test_the_detector_sees_a_violation(browser, live_server):
    page = new_page(browser, live_server.url)
    try:
        page.goto(f"{live_server.url}/about/")
        page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
        page.wait_for_function("true")
        page.wait_for_timeout(200)
        assert any("style-src" in line for line in browser_support.CSP_VIOLATIONS)
    finally:
        page.context.close()
    browser_support.CSP_VIOLATIONS.clear()


def test_public_pages_run_under_the_policy(browser, live_server, site):
    base = live_server.url
    page = new_page(browser, base)
    try:
        for path in ("/", "/questions/", site["published"].get_absolute_url(), "/about/", "/dialogues/"):
            _visit(page, base + path)

        _visit(page, f"{base}/ask/")
        page.check("#id_asker_type_1")  # ask.js unfolds the organisation fields
        assert page.locator("#org-fields").is_visible()

        response = page.goto(base + site["session"].get_absolute_url())
        policy = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
        assert "https://www.youtube.com" in policy["frame-src"].split()
        assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"]
        assert page.locator("#dlg-video-embed").get_attribute("src") == "https://www.youtube.com/embed/abc123"

        _visit(page, f"{base}/api/docs/")
        page.wait_for_selector("text=/api/v1/questions/similar/")  # Swagger UI's start script ran
    finally:
        page.context.close()


def test_staff_pages_run_under_the_policy(browser, live_server, site):
    base = live_server.url
    page = _logged_in(browser, base, site["moderator"])
    try:
        _visit(page, f"{base}/staff/")
        _visit(page, f"{base}/staff/questions/{site['queued'].reference}/")
        _visit(page, f"{base}/notifications/")
        _visit(page, f"{base}/dialogues/{site['session'].pk}/console/")
        _visit(page, f"{base}/accounts/me/")
    finally:
        page.context.close()


def test_admin_pages_run_under_the_policy(browser, live_server, site):
    base = live_server.url
    page = _logged_in(browser, base, site["admin"])
    try:
        for path in (
            "/admin/",
            "/admin/qa/question/",
            f"/admin/qa/question/{site['published'].pk}/change/",
            "/admin/dialogues/dialoguesession/",
            "/admin/dialogues/dialoguesession/add/",
            "/admin/accounts/user/",
            "/admin/accounts/agency/",
        ):
            _visit(page, base + path)
        # The admin's own scripts still work: the calendar and clock pop-ups open, "Today" fills the date.
        _visit(page, f"{base}/admin/dialogues/dialoguesession/add/")
        page.locator("a[id^=calendarlink]").first.click()
        assert page.locator(".calendarbox").first.is_visible()
        page.locator(".calendarbox .calendar-shortcuts a").first.click()
        assert page.locator("input.vDateField").first.input_value() != ""
        page.locator("a[id^=clocklink]").first.click()
        assert page.locator(".clockbox").first.is_visible()
    finally:
        page.context.close()
