"""Two-step log-in: set-up, the code step, backup codes, throttling, turning it off, the admin's requirement."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import User
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

PASSWORD = "matkhau-an-toan-123"
SETTINGS_URL = "accounts:two_factor"


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, offset)
    return f"{value:0{device.digits}d}"


def enable(user) -> tuple[TOTPDevice, list[str]]:
    """Turn it on with the previous period's code (within the tolerance), so the current one stays unused."""
    two_factor.two_factor_begin(user=user)
    pending = two_factor.two_factor_pending_device(user)
    return two_factor.two_factor_confirm(user=user, code=code_for(pending, offset=-1))


def password_step(client, user, **extra):
    return client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD, **extra})


def code_step(client, code):
    return client.post(reverse("accounts:login_code"), {"otp_token": code})


@pytest.fixture
def official(db):
    return MembershipFactory(user=UserFactory(email="can.bo@example.vn", language="en")).user


def test_set_up_confirm_and_backup_codes_shown_once(client, official):
    client.force_login(official)
    page = client.get(reverse(SETTINGS_URL), HTTP_ACCEPT_LANGUAGE="en")
    assert "Set up two-step log-in" in page.content.decode()
    client.post(reverse(SETTINGS_URL), {"action": "start"})
    page = client.get(reverse(SETTINGS_URL)).content.decode()
    device = TOTPDevice.objects.get(user=official, confirmed=False)
    # A QR code drawn here as inline SVG, and the secret as text for typing by hand.
    assert "<svg" in page and 'class="qr-code"' in page
    assert two_factor.secret_text(device) in page
    assert not two_factor.two_factor_enabled(official)

    wrong = client.post(reverse(SETTINGS_URL), {"action": "confirm", "otp_token": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 400
    assert "The code is not correct." in wrong.content.decode()
    assert not two_factor.two_factor_enabled(official)

    device.throttle_reset()
    response = client.post(reverse(SETTINGS_URL), {"action": "confirm", "otp_token": code_for(device)})
    assert response.status_code == 302
    assert two_factor.two_factor_enabled(official)
    shown = client.get(reverse(SETTINGS_URL)).content.decode()
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", shown)
    assert len(codes) == two_factor.BACKUP_CODE_COUNT
    assert set(codes) == set(StaticToken.objects.filter(device__user=official).values_list("token", flat=True))
    again = client.get(reverse(SETTINGS_URL)).content.decode()
    assert not any(code in again for code in codes)
    assert client.session[DEVICE_ID_SESSION_KEY]  # the session that set it up counts as verified


def test_login_asks_for_the_code_after_the_password(client, official):
    device, _codes = enable(official)
    response = password_step(client, official, next="/accounts/me/")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login_code")
    assert "_auth_user_id" not in client.session  # not logged in yet
    assert client.get(reverse("accounts:profile")).status_code == 302
    response = code_step(client, code_for(device))
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    assert client.session["_auth_user_id"] == str(official.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_a_code_is_good_once(official):
    device, _codes = enable(official)
    first, second = Client(), Client()
    password_step(first, official)
    password_step(second, official)
    code = code_for(device)
    assert code_step(first, code).status_code == 302
    assert code_step(second, code).status_code == 400


@pytest.mark.parametrize(
    ("code", "accepted"),
    [
        ("000000", False),
        ("", False),
        ("abcdefgh", False),
        ("1234567890123", False),
    ],
)
def test_wrong_codes_are_refused(client, official, code, accepted):
    enable(official)
    password_step(client, official)
    response = code_step(client, code)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_backup_code_works_once_and_spaces_or_capitals_do_not_matter(official):
    _device, codes = enable(official)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_step(client, official)
    typed = codes[0].upper()[:4] + " " + codes[0].upper()[4:]
    response = code_step(client, typed)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(official.pk)
    assert two_factor.backup_codes_left(official) == two_factor.BACKUP_CODE_COUNT - 1
    again = Client()
    password_step(again, official)
    assert code_step(again, codes[0]).status_code == 400
    assert "_auth_user_id" not in again.session


def test_wrong_codes_count_with_axes_and_lock_out(client, official, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # only axes here; the device's own delay is tested below
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    device, _codes = enable(official)
    password_step(client, official, REMOTE_ADDR="203.0.113.5")
    for _ in range(4):
        response = client.post(reverse("accounts:login_code"), {"otp_token": "000000"}, REMOTE_ADDR="203.0.113.5")
        assert response.status_code == 400
    locked = client.post(reverse("accounts:login_code"), {"otp_token": "000000"}, REMOTE_ADDR="203.0.113.5")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    right = client.post(reverse("accounts:login_code"), {"otp_token": code_for(device)}, REMOTE_ADDR="203.0.113.5")
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_device_slows_down_guessing_from_any_address(official):
    device, _codes = enable(official)
    attacker = Client()
    password_step(attacker, official, REMOTE_ADDR="203.0.113.5")
    assert code_step(attacker, "000000").status_code == 400
    # Right after a failure the device refuses even the right code (django-otp's exponential delay).
    owner = Client()
    password_step(owner, official, REMOTE_ADDR="198.51.100.1")
    assert code_step(owner, code_for(device, offset=1)).status_code == 400
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1


def test_the_pending_log_in_expires(client, official):
    device, _codes = enable(official)
    password_step(client, official)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=6)):
        response = code_step(client, code_for(device))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_turn_off_needs_password_and_code(client, official):
    device, _codes = enable(official)
    password_step(client, official)
    code_step(client, code_for(device))
    url = reverse(SETTINGS_URL)
    bad = client.post(url, {"action": "disable", "password": "sai", "otp_token": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "The password is not correct." in bad.content.decode()
    assert two_factor.two_factor_enabled(official)
    device.throttle_reset()
    codes = StaticToken.objects.filter(device__user=official)
    ok = client.post(url, {"action": "disable", "password": PASSWORD, "otp_token": codes.first().token})
    assert ok.status_code == 302
    assert not two_factor.two_factor_enabled(official)
    assert not StaticToken.objects.filter(device__user=official).exists()
    # Next time the password alone logs in.
    other = Client()
    assert password_step(other, official).status_code == 302
    assert other.session["_auth_user_id"] == str(official.pk)


# --- The admin site requires it -------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="quantri@example.vn", password=PASSWORD)


def test_admin_without_an_authenticator_is_sent_to_set_up(client, superuser):
    client.force_login(superuser)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse(SETTINGS_URL))
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 302
    # Site administrators cannot turn it off.
    device, _codes = enable(superuser)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    refused = client.post(
        reverse(SETTINGS_URL), {"action": "disable", "password": PASSWORD, "otp_token": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 400
    assert "Site administrators must keep two-step log-in on." in refused.content.decode()
    assert two_factor.two_factor_enabled(superuser)


def test_admin_sets_up_from_the_redirect_and_comes_back(client, superuser):
    client.force_login(superuser)
    setup = client.get("/admin/", follow=True).redirect_chain[-1][0]
    assert "next=%2Fadmin%2F" in setup
    client.post(reverse(SETTINGS_URL), {"action": "start", "next": "/admin/"})
    device = TOTPDevice.objects.get(user=superuser, confirmed=False)
    response = client.post(
        reverse(SETTINGS_URL), {"action": "confirm", "otp_token": code_for(device), "next": "/admin/"}
    )
    assert response["Location"] == reverse(SETTINGS_URL) + "?next=%2Fadmin%2F"
    page = client.get(response["Location"]).content.decode()
    assert 'href="/admin/"' in page and "backup-codes" in page
    assert client.get("/admin/").status_code == 200


def test_admin_password_log_in_still_needs_the_code(client, superuser):
    device, _codes = enable(superuser)
    response = client.post(
        reverse("admin:login"), {"username": superuser.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    # Logged in by the admin's form with the password only: every page asks for the code first.
    for path in ("/admin/", reverse("accounts:profile"), reverse(SETTINGS_URL)):
        page = client.get(path)
        assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:login_code")), path
    api = client.get("/api/v1/staff/questions/")
    assert api.status_code == 403
    response = client.post(reverse("accounts:login_code") + "?next=/admin/", {"otp_token": code_for(device)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_admin_login_through_the_site_form(client, superuser):
    device, _codes = enable(superuser)
    password_step(client, superuser, next="/admin/")
    response = code_step(client, code_for(device))
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
