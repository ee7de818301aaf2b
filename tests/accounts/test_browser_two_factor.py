"""Two-step log-in in headless Chromium: set it up from the profile, then log in with password and code."""

import base64

import pytest
from django_otp.oath import totp

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-an-toan-123"


def code_from(secret_text: str, period_offset: int = 0) -> str:
    key = base64.b32decode(secret_text.replace(" ", "") + "=" * (-len(secret_text.replace(" ", "")) % 8))
    return f"{totp(key, 30, 0, 6, period_offset):06d}"


def test_set_up_two_step_log_in_then_log_in_with_a_code(page, live_server):
    base = live_server.url
    user = UserFactory(email="can.bo@example.vn", language="vi")
    page.goto(f"{base}/accounts/login/?next=/accounts/me/")
    page.fill("#id_email", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/accounts/me/")

    page.click("#two-step a")
    page.wait_for_url(f"{base}/accounts/me/two-step/")
    page.get_by_role("button", name="Cài đặt đăng nhập hai bước").click()
    page.wait_for_url(f"{base}/accounts/me/two-step/")
    # The QR code is drawn in the page (inline SVG); the secret is there as text too.
    assert page.locator(".qr svg").is_visible()
    secret = page.locator("#totp-secret").inner_text()

    page.fill("#id_otp_token", "000000")
    page.get_by_role("button", name="Bật", exact=True).click()
    page.get_by_text("Mã không đúng").first.wait_for()  # the server's answer, a new page: wait for it
    # The previous period's code is within the tolerance and leaves the current one for the log-in below.
    page.wait_for_timeout(1100)  # the device's own delay after the wrong code
    page.fill("#id_otp_token", code_from(secret, -1))
    page.get_by_role("button", name="Bật", exact=True).click()
    page.wait_for_url(f"{base}/accounts/me/two-step/")
    backup_codes = page.locator(".backup-codes li").all_inner_texts()
    assert len(backup_codes) == 10
    page.reload()
    assert page.locator(".backup-codes").count() == 0  # shown once

    page.get_by_role("button", name="Đăng xuất").click()
    page.goto(f"{base}/accounts/login/?next=/accounts/me/")
    page.fill("#id_email", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/accounts/login/code/")
    page.fill("#id_otp_token", code_from(secret))
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/accounts/me/")
    assert "Đang bật" in page.content()
