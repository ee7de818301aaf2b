"""One-click unsubscribe: signed links that work without login; tampered or expired ones get a clear page."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from notifications.models import Channel, EmailOptOut, NotificationPreference
from notifications.services import Recipient, notify
from notifications.tokens import make_unsubscribe_token
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _en() -> Client:
    """The assertions read English text: the page follows the browser's language."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _url(token: str) -> str:
    return reverse("notifications:unsubscribe", kwargs={"token": token})


def test_get_only_asks_and_post_unsubscribes_the_user_without_login():
    user = UserFactory()
    NotificationPreference.objects.create(user=user, kind="qa.staff_new_question", in_app_enabled=False)
    url = _url(make_unsubscribe_token(kind="qa.staff_new_question", user_id=user.pk))
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")

    page = client.get(url)
    assert page.status_code == 200
    assert "New question in the agency queue" in page.content.decode()
    assert NotificationPreference.objects.get(user=user).email_enabled  # a link scanner's GET changes nothing

    done = client.post(url)
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    pref = NotificationPreference.objects.get(user=user)
    assert (pref.email_enabled, pref.in_app_enabled) == (False, False)  # the in-app choice is kept
    rows = notify(kind="qa.staff_new_question", recipients=[user], context={}, channels=[Channel.EMAIL])
    assert rows == []


def test_mail_clients_one_click_post_works_without_csrf_token():
    url = _url(make_unsubscribe_token(kind="qa.published", email="khach@example.vn"))
    response = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en").post(
        url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert EmailOptOut.objects.filter(email="khach@example.vn", kind="qa.published").exists()
    assert notify(kind="qa.published", recipients=[Recipient("khach@example.vn")], context={}) == []
    # Twice is harmless.
    assert _en().post(url).status_code == 200
    assert EmailOptOut.objects.count() == 1


def test_tampered_link_gets_a_clear_page_and_changes_nothing():
    user = UserFactory()
    token = make_unsubscribe_token(kind="qa.staff_new_question", user_id=user.pk)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for response in (_en().get(_url(forged)), _en().post(_url(forged))):
        assert response.status_code == 400
        body = response.content.decode()
        assert "This unsubscribe link is not valid" in body
        assert 'role="alert"' in body
    assert not NotificationPreference.objects.exists()


def test_a_token_cannot_be_moved_to_another_user():
    victim = UserFactory()
    token = make_unsubscribe_token(kind="qa.staff_new_question", user_id=victim.pk + 1)
    signature = token.rpartition(":")[2]
    # Re-signing is impossible without the secret: swapping in another payload breaks the signature.
    other = make_unsubscribe_token(kind="qa.staff_new_question", user_id=victim.pk)
    mixed = other.rsplit(":", 1)[0] + ":" + signature
    assert _en().post(_url(mixed)).status_code == 400
    assert not NotificationPreference.objects.filter(user=victim).exists()


def test_expired_link_says_so():
    user = UserFactory()
    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC), tick=False):
        token = make_unsubscribe_token(kind="qa.staff_new_question", user_id=user.pk)
    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC) + datetime.timedelta(days=200)):
        response = _en().post(_url(token))
    assert response.status_code == 400
    assert "This unsubscribe link has expired" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_transactional_kinds_cannot_be_unsubscribed():
    token = make_unsubscribe_token(kind="qa.received", email="khach@example.vn")
    assert _en().post(_url(token)).status_code == 400
    assert not EmailOptOut.objects.exists()


def test_the_page_is_translated(settings):
    url = _url(make_unsubscribe_token(kind="qa.published", email="khach@example.vn"))
    assert '<html lang="en">' in _en().get(url).content.decode()
    assert '<html lang="vi">' in Client(HTTP_ACCEPT_LANGUAGE="vi").get(url).content.decode()
