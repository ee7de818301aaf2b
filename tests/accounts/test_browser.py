"""A citizen's account journey in headless Chromium: register, verify by e-mail, profile in English, log out, log in."""

import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_verify_profile_language_logout_login(page, live_server):
    base = live_server.url
    page.goto(f"{base}/accounts/register/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.fill("#id_email", "Tran.Binh@example.vn")
    page.fill("#id_full_name", "Trần Bình")
    page.fill("#id_phone", "0987 654 321")
    page.fill("#id_password1", "bach-dang-giang-1288")
    page.fill("#id_password2", "bach-dang-giang-1288")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/accounts/register/sent/")
    assert "tran.binh@example.vn" in page.content()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/verify/\S+/", mail.outbox[0].body).group(0)
    path = link.split("/accounts/", 1)[1]
    page.goto(f"{base}/accounts/{path}")
    page.wait_for_url(f"{base}/accounts/me/")
    assert page.locator("#details").is_visible()
    assert "tran.binh@example.vn" in page.content()

    # Preferred language: English, applied at once.
    page.select_option("#id_language", "en")
    page.click("#details button[type=submit]")
    page.wait_for_url(f"{base}/accounts/me/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="My account").is_visible()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{base}/")
    # A new browser session starts in Vietnamese; logging in brings English back.
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next=/accounts/me/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.fill("#id_email", "tran.binh@example.vn")
    page.fill("#id_password", "bach-dang-giang-1288")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/accounts/me/")
    assert page.locator("html").get_attribute("lang") == "en"
