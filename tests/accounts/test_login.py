"""Log-in with e-mail and password, the brute-force limit, `next`, log-out and the language cookie."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

LOGIN = "accounts:login"


def _login(client, email, password, **extra):
    data = {"email": email, "password": password, **extra.pop("data", {})}
    return client.post(reverse(LOGIN), data, HTTP_ACCEPT_LANGUAGE="en", **extra)


def test_login_success_redirects_home_and_logs_in(client, citizen, password):
    response = _login(client, "Citizen@Example.vn ", password)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(citizen.pk)


def test_login_page_renders(client, db):
    response = client.get(reverse(LOGIN), HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode()
    assert response.status_code == 200
    assert 'autocomplete="current-password"' in content
    assert reverse("accounts:password_reset") in content
    assert reverse("accounts:register") in content


@pytest.mark.parametrize(("email", "pw"), [("citizen@example.vn", "sai-mat-khau"), ("khong-co@example.vn", "x")])
def test_login_failure_gives_one_generic_message(client, citizen, email, pw):
    response = _login(client, email, pw)
    assert response.status_code == 200
    assert "The e-mail address or the password is not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The e-mail typed is kept, the password is not.
    assert f'value="{email}"' in response.content.decode()


def test_inactive_user_cannot_log_in(client, password):
    UserFactory(email="nghi@example.vn", is_active=False)
    response = _login(client, "nghi@example.vn", password)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_unverified_user_logs_in_and_is_told_to_verify(client, unverified, password):
    # Logging in applies the user's saved language; this one reads English.
    unverified.language = "en"
    unverified.save(update_fields=["language"])
    response = _login(client, unverified.email, password, follow=True)
    assert client.session["_auth_user_id"] == str(unverified.pk)
    assert "Your e-mail address is not verified yet" in response.content.decode()


def test_staff_land_on_their_queue_when_it_exists(client, password):
    from django.urls import NoReverseMatch

    member = MembershipFactory(user=UserFactory(email="bien.tap@example.vn")).user
    response = _login(client, member.email, password)
    try:
        expected = reverse("staff:queue")
    except NoReverseMatch:
        expected = "/"
    assert response["Location"] == expected


def test_safe_next_is_followed(client, citizen, password):
    response = _login(client, citizen.email, password, data={"next": "/questions/?q=dat"})
    assert response["Location"] == "/questions/?q=dat"


@pytest.mark.parametrize(
    "unsafe",
    ["https://evil.example/phish", "//evil.example/", "http://testserver.evil.example/", "javascript:alert(1)"],
)
def test_unsafe_next_is_ignored(client, citizen, password, unsafe):
    page = client.get(reverse(LOGIN), {"next": unsafe})
    assert unsafe not in page.content.decode()
    response = _login(client, citizen.email, password, data={"next": unsafe})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_next_from_query_string_survives_the_form(client, citizen, password):
    page = client.get(reverse(LOGIN), {"next": "/accounts/me/"})
    assert 'name="next" value="/accounts/me/"' in page.content.decode()


def test_brute_force_lockout_per_email_and_ip(client, citizen, password, settings):
    # django-axes: AXES_FAILURE_LIMIT failures of one address from one IP lock that pair for the cool-off.
    settings.AXES_FAILURE_LIMIT = 10
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    settings.ACCOUNTS_LOGIN_FAILURES_PER_IP = "100/15m"
    start = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(9):
            assert _login(client, citizen.email, "sai").status_code == 200
        response = _login(client, citizen.email, "sai")
        assert response.status_code == 429
        assert "Too many failed log-in attempts. Please try again in 15 minutes." in response.content.decode()
        assert response["Retry-After"] == str(15 * 60)
        # Locked: even the right password is refused until the cool-off ends.
        traveller.shift(dt.timedelta(minutes=10))
        response = _login(client, citizen.email, password)
        assert response.status_code == 429
        assert "Please try again in 5 minutes." in response.content.decode()
        assert response["Retry-After"] == str(5 * 60)
        assert "_auth_user_id" not in client.session
        # Another address from the same IP is not locked.
        other = UserFactory(email="khac@example.vn")
        assert _login(client, other.email, password).status_code == 302
        client.logout()
        traveller.shift(dt.timedelta(minutes=5, seconds=1))
        response = _login(client, citizen.email, password)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(citizen.pk)


def test_brute_force_limit_per_ip_across_addresses(client, citizen, password, settings):
    settings.ACCOUNTS_LOGIN_FAILURES_PER_IP = "10/15m"
    # Inside one 15-minute window of the clock (the count restarts with the next window: a run that crossed
    # 18:15:00 failed here).
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 1, tzinfo=dt.UTC), tick=False):
        for n in range(10):
            assert _login(client, f"doan{n}@example.vn", "sai").status_code == 200
        assert _login(client, "doan-nua@example.vn", "sai").status_code == 429
        assert _login(client, citizen.email, password).status_code == 429
        # A different IP is not affected.
        assert _login(client, citizen.email, password, REMOTE_ADDR="10.1.2.3").status_code == 302


def test_successful_logins_do_not_count(client, citizen, password, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(6):
        assert _login(client, citizen.email, password).status_code == 302
        client.logout()


def test_logout_is_post_only(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.session.get("_auth_user_id") == str(citizen.pk)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_logout_requires_csrf(citizen):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert client.session.get("_auth_user_id") == str(citizen.pk)


def test_login_sets_language_cookie_from_profile(client, password):
    user = UserFactory(email="english@example.vn", language="en")
    response = _login(client, user.email, password)
    assert response.cookies["django_language"].value == "en"
    page = client.get(reverse("accounts:profile"))
    assert '<html lang="en">' in page.content.decode()
    assert "My account" in page.content.decode()


def test_vietnamese_preference_overrides_english_cookie(client, citizen, password):
    client.cookies["django_language"] = "en"
    response = _login(client, citizen.email, password)
    assert response.cookies["django_language"].value == "vi"
    page = client.get(reverse("accounts:profile"))
    assert '<html lang="vi">' in page.content.decode()


def test_header_shows_account_links(client, citizen):
    anonymous = client.get(reverse(LOGIN)).content.decode()
    assert reverse("accounts:register") in anonymous
    client.force_login(citizen)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert f'href="{reverse("accounts:profile")}" aria-current="page"' in page
    assert f'action="{reverse("accounts:logout")}"' in page
