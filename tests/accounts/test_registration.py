"""Registration: validation messages, what is created, and the verification e-mail after commit."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.services import user_register
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

GOOD = {
    "email": "Nguoi.Dan@Example.VN",
    "full_name": "Nguyễn Thị Lan",
    "phone": "0912 345 678",
    "password1": "hoa-sen-nở-muộn-2026",
    "password2": "hoa-sen-nở-muộn-2026",
}


def _errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_register_creates_unverified_user_and_sends_link_after_commit(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("accounts:register"), GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:register_done")
    assert len(callbacks) == 1

    user = User.objects.get()
    assert user.email == "nguoi.dan@example.vn"
    assert user.full_name == "Nguyễn Thị Lan"
    assert user.phone == "0912345678"
    assert user.email_verified is False
    assert user.is_active is True
    assert user.check_password(GOOD["password1"])
    assert user.language == "vi"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nguoi.dan@example.vn"]
    assert "/accounts/verify/" in message.body
    html = message.alternatives[0][0]
    assert "/accounts/verify/" in html
    # Not logged in yet: the link does that.
    assert "_auth_user_id" not in client.session

    page = client.get(response["Location"])
    assert "nguoi.dan@example.vn" in page.content.decode()


def test_register_in_english_stores_language(client, django_capture_on_commit_callbacks):
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:register"), GOOD)
    assert User.objects.get().language == "en"
    assert mail.outbox[0].subject.startswith("Verify your e-mail address")


def test_verification_email_waits_for_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        user_register(email="a@example.vn", full_name="A B", password=GOOD["password1"])
    # Dispatched only on commit: nothing was sent inside the transaction.
    assert len(callbacks) == 1
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"email": ""}, "email", "This field is required."),
        ({"email": "khong-phai-email"}, "email", "Enter a valid email address."),
        ({"full_name": ""}, "full_name", "This field is required."),
        ({"phone": "12345"}, "phone", "Enter a valid Vietnamese phone number, for example 0912 345 678."),
        ({"password2": "khac-hoan-toan-99"}, "password2", "The two passwords are not the same."),
        ({"password1": "123", "password2": "123"}, "password1", "This password is too short."),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", "This password is entirely numeric."),
        ({"password1": "password123", "password2": "password123"}, "password1", "This password is too common."),
        (
            {"password1": "nguoi.dan.example", "password2": "nguoi.dan.example"},
            "password1",
            "The password is too similar to the e-mail address.",
        ),
    ],
)
def test_register_validation_messages(client, changes, field, expected):
    response = client.post(reverse("accounts:register"), {**GOOD, **changes}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    messages = _errors(response, field)
    assert any(expected in m for m in messages), messages
    assert not User.objects.exists()
    # What was typed is kept (except passwords).
    content = response.content.decode()
    if changes.get("full_name", None) != "":
        assert 'value="Nguyễn Thị Lan"' in content
    assert GOOD["password1"] not in content


CSRF = re.compile(r'csrfmiddlewaretoken" value="[^"]+"')


def _register_and_follow(client, data, capture):
    with capture(execute=True):
        response = client.post(reverse("accounts:register"), data, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    return response, page


def test_register_same_answer_for_new_and_existing_address(django_capture_on_commit_callbacks):
    """No enumeration: a taken address (any case) gets the very same answer; its owner is told by e-mail."""
    from django.test import Client

    owner = UserFactory(email="nguoi.dan@example.vn", full_name="Chủ Tài Khoản", language="en")
    answers = {}
    for label, email in [("existing", "Nguoi.Dan@Example.vn"), ("new", "moi.toanh@example.vn")]:
        response, page = _register_and_follow(Client(), {**GOOD, "email": email}, django_capture_on_commit_callbacks)
        answers[label] = (
            response.status_code,
            response["Location"],
            page.status_code,
            CSRF.sub("", page.content.decode()).replace(email.lower(), "<email>"),
        )
    assert answers["existing"] == answers["new"]
    # Nothing created or changed for the taken address; the owner got a notice, the newcomer a link.
    assert User.objects.count() == 2
    owner.refresh_from_db()
    assert owner.full_name == "Chủ Tài Khoản" and owner.check_password("matkhau-an-toan-123")
    notice, link = mail.outbox
    assert notice.to == ["nguoi.dan@example.vn"]
    assert "Someone tried to create a new account with your address nguoi.dan@example.vn" in notice.body
    assert "/accounts/password/reset/" in notice.body and "/verify/" not in notice.body
    assert link.to == ["moi.toanh@example.vn"] and "/accounts/verify/" in link.body


def test_register_existing_notices_are_rate_limited_quietly(client, settings, django_capture_on_commit_callbacks):
    settings.ACCOUNTS_EMAIL_RATE_PER_ADDRESS = "2/h"
    UserFactory(email="nguoi.dan@example.vn")
    for _ in range(4):
        response, _page = _register_and_follow(client, GOOD, django_capture_on_commit_callbacks)
        assert response.status_code == 302
    assert len(mail.outbox) == 2


@pytest.mark.usefixtures("rate_window")
def test_register_rate_limited_per_ip(client, settings, django_capture_on_commit_callbacks):
    settings.ACCOUNTS_REGISTER_RATE_PER_IP = "2/h"
    for n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:register"), {**GOOD, "email": f"a{n}@example.vn"})
        assert response.status_code == 302
    response = client.post(reverse("accounts:register"), {**GOOD, "email": "a3@example.vn"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "Please try again in" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert User.objects.count() == 2


def test_logged_in_user_is_sent_to_profile(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("accounts:register"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")


def test_register_page_renders_labels(client):
    response = client.get(reverse("accounts:register"), HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode()
    assert response.status_code == 200
    for label in ("E-mail address", "Full name", "Phone (optional)", "Password again"):
        assert label in content
    assert 'autocomplete="new-password"' in content


def test_register_shows_all_problems_at_once(client):
    data = {**GOOD, "full_name": "", "phone": "abc", "password1": "123", "password2": "123"}
    response = client.post(reverse("accounts:register"), data, HTTP_ACCEPT_LANGUAGE="en")
    errors = response.context["form"].errors
    assert set(errors) == {"full_name", "phone", "password1"}
    assert "Please check the form" in response.content.decode()
