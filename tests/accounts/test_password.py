"""Password reset (Django's views, our templates and task) and password change on the profile page."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

NEW_PASSWORD = "cau-long-bien-1902"


def _reset_path(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _ask_reset(client, email, callbacks_fixture, **extra):
    with callbacks_fixture(execute=True):
        return client.post(reverse("accounts:password_reset"), {"email": email}, **extra)


def test_reset_email_is_sent_and_link_sets_new_password(client, citizen, django_capture_on_commit_callbacks):
    response = _ask_reset(client, "CITIZEN@example.vn", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["citizen@example.vn"]
    assert "Lê Thị Hoa" in message.body
    assert message.alternatives[0][1] == "text/html"

    link = client.get(_reset_path(message))
    # Django moves the token into the session and redirects to a token-free URL.
    assert link.status_code == 302
    form_page = client.get(link["Location"])
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True

    done = client.post(link["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert client.get(done["Location"]).status_code == 200

    # The link works once.
    again = client.get(_reset_path(message), follow=True)
    assert again.context["validlink"] is False


def test_reset_link_also_verifies_the_address(client, unverified, django_capture_on_commit_callbacks):
    _ask_reset(client, unverified.email, django_capture_on_commit_callbacks)
    link = client.get(_reset_path(mail.outbox[-1]))
    client.post(link["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    unverified.refresh_from_db()
    assert unverified.email_verified is True


def test_reset_email_in_the_users_language(client, django_capture_on_commit_callbacks):
    UserFactory(email="en@example.vn", language="en", full_name="Jane Doe")
    # Asked from a Vietnamese page; the e-mail follows the account's preference.
    _ask_reset(client, "en@example.vn", django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="vi")
    message = mail.outbox[0]
    assert message.subject.startswith("Reset your password")
    assert '<html lang="en">' in message.alternatives[0][0]
    vi_user = UserFactory(email="vi@example.vn", language="vi")
    _ask_reset(client, vi_user.email, django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="vi">' in mail.outbox[1].alternatives[0][0]


def test_unknown_address_gets_same_page_and_no_email(client, db, django_capture_on_commit_callbacks):
    response = _ask_reset(client, "khong-ai@example.vn", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


@pytest.mark.usefixtures("rate_window")
def test_reset_requests_are_rate_limited(client, citizen, settings, django_capture_on_commit_callbacks):
    settings.ACCOUNTS_EMAIL_RATE_PER_ADDRESS = "2/h"
    for _ in range(2):
        _ask_reset(client, citizen.email, django_capture_on_commit_callbacks)
    response = _ask_reset(client, citizen.email, django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "Please try again in" in response.content.decode()
    assert len(mail.outbox) == 2


def test_tampered_reset_link_shows_clear_page(client, citizen, django_capture_on_commit_callbacks):
    _ask_reset(client, citizen.email, django_capture_on_commit_callbacks)
    path = _reset_path(mail.outbox[0])
    response = client.get(path[:-3] + "xx/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["validlink"] is False
    assert "The password reset link is not valid" in response.content.decode()


def test_password_change_on_profile(client, citizen, password):
    client.force_login(citizen)
    response = client.post(
        reverse("accounts:password_change"),
        {"pw-old_password": password, "pw-new_password1": NEW_PASSWORD, "pw-new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    # Still logged in after the change.
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_password_change_with_wrong_old_password_keeps_profile_form(client, citizen, password):
    client.force_login(citizen)
    response = client.post(
        reverse("accounts:password_change"),
        {"pw-old_password": "sai", "pw-new_password1": NEW_PASSWORD, "pw-new_password2": NEW_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(password)


def test_password_change_needs_login_and_post(client, citizen):
    assert client.post(reverse("accounts:password_change"), {})["Location"].startswith(reverse("accounts:login"))
    client.force_login(citizen)
    assert client.get(reverse("accounts:password_change")).status_code == 405
