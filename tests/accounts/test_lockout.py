"""django-axes on every password log-in: per (address, client IP), cool-off, admin unlock, proxies."""

import datetime as dt
import json

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

PASSWORD = "matkhau-an-toan-123"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"
PROXY = "172.30.57.10"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    settings.ACCOUNTS_LOGIN_FAILURES_PER_IP = "1000/15m"


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="quantri@example.vn", password=PASSWORD)


def site_login(client, email, password, **extra):
    return client.post(reverse("accounts:login"), {"email": email, "password": password}, **extra)


def admin_login(client, email, password, **extra):
    data = {"username": email, "password": password, "next": "/admin/"}
    return client.post(reverse("admin:login"), data, **extra)


SURFACES = [pytest.param(site_login, id="site-login"), pytest.param(admin_login, id="admin-login")]


@pytest.mark.parametrize("attempt", SURFACES)
def test_wrong_passwords_lock_the_pair_even_for_the_right_password(client, superuser, attempt):
    for _ in range(4):
        response = attempt(client, superuser.email, "sai-mat-khau", REMOTE_ADDR=ATTACKER)
        assert response.status_code == 200
    locked = attempt(client, superuser.email, "sai-mat-khau", REMOTE_ADDR=ATTACKER)
    assert locked.status_code == 429
    # The right password from the locked address: refused, nobody logged in.
    response = attempt(client, superuser.email, PASSWORD, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert response["Retry-After"] == str(15 * 60)
    # Our translated page (Vietnamese by default), not axes' English text.
    content = response.content.decode()
    assert "Đăng nhập tạm thời bị chặn" in content
    assert "Account locked" not in content


def test_admin_and_site_failures_count_together(client, superuser):
    for n in range(5):
        attempt = admin_login if n % 2 else site_login
        attempt(client, superuser.email.upper(), "sai", REMOTE_ADDR=ATTACKER)
    assert site_login(client, superuser.email, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 429


@pytest.mark.parametrize("attempt", SURFACES)
def test_a_stranger_cannot_lock_the_owner_out_from_elsewhere(superuser, attempt):
    stranger, owner = Client(), Client()
    for _ in range(12):
        attempt(stranger, superuser.email, "sai", REMOTE_ADDR=ATTACKER)
    response = attempt(owner, superuser.email, PASSWORD, REMOTE_ADDR=OWNER)
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(superuser.pk)


@pytest.mark.parametrize(
    ("trusted", "peer", "forged_headers", "locked"),
    [
        # Untrusted peer: a new X-Forwarded-For each time changes nothing, the peer is locked.
        ([], ATTACKER, True, True),
        ([PROXY], ATTACKER, True, True),
        # From the trusted proxy: the address it appended is the client, so each is counted apart.
        ([PROXY], PROXY, True, False),
    ],
)
def test_forwarded_for_only_from_trusted_proxies(client, settings, trusted, peer, forged_headers, locked):
    settings.TRUSTED_PROXIES = trusted
    user = UserFactory(email="chu@example.vn")
    for n in range(6):
        site_login(client, user.email, "sai", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=f"10.9.8.{n}")
    response = site_login(client, user.email, PASSWORD, REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR="10.9.8.200")
    assert (response.status_code == 429) is locked
    if locked:
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {peer}


def test_trusted_proxy_locks_the_client_behind_it(client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    user = UserFactory(email="chu@example.vn")
    for _ in range(5):
        site_login(client, user.email, "sai", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"1.1.1.1, {ATTACKER}")
    blocked = site_login(client, user.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert blocked.status_code == 429
    # The owner, behind the same proxy, is another client.
    allowed = site_login(client, user.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OWNER)
    assert allowed.status_code == 302


def test_cool_off_ends_the_lockout(client):
    user = UserFactory(email="chu@example.vn")
    start = dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(5):
            site_login(client, user.email, "sai", REMOTE_ADDR=ATTACKER)
        traveller.shift(dt.timedelta(minutes=14))
        response = site_login(client, user.email, PASSWORD, REMOTE_ADDR=ATTACKER)
        assert response.status_code == 429 and response["Retry-After"] == "60"
        traveller.shift(dt.timedelta(minutes=1, seconds=1))
        assert site_login(client, user.email, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 302


def test_english_lockout_page(client):
    user = UserFactory(email="chu@example.vn")
    for _ in range(5):
        site_login(client, user.email, "sai", REMOTE_ADDR=ATTACKER, HTTP_ACCEPT_LANGUAGE="en")
    response = site_login(client, user.email, PASSWORD, REMOTE_ADDR=ATTACKER, HTTP_ACCEPT_LANGUAGE="en")
    assert "Too many failed log-in attempts. Please try again in 15 minutes." in response.content.decode()
    assert "Log-in temporarily blocked" in response.content.decode()


def test_site_administrator_unlocks_in_the_admin(client):
    from tests.accounts.otp import verified_login

    user = UserFactory(email="chu@example.vn")
    for _ in range(5):
        site_login(client, user.email, "sai", REMOTE_ADDR=ATTACKER)
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "chu@example.vn"
    # The stored request data masks the password and the address typed.
    assert "password=sai" not in attempt.post_data and "password=********************" in attempt.post_data
    assert "chu@example.vn" not in attempt.post_data

    admin = Client()
    verified_login(admin, User.objects.create_superuser(email="quantri@example.vn", password=PASSWORD))
    changelist = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200 and "chu@example.vn" in changelist.content.decode()
    response = admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert site_login(client, user.email, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 302


def test_api_paths_get_json_with_retry_after(rf):
    from accounts.lockout import lockout_response

    response = lockout_response(rf.post("/api/v1/staff/questions/", REMOTE_ADDR=ATTACKER, HTTP_ACCEPT_LANGUAGE="en"))
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == str(15 * 60)
    assert json.loads(response.content)["code"] == "locked_out"
