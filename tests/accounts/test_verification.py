"""E-mail verification: good, tampered, expired and reused links; asking for a new one."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.services import make_verification_token, user_register

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _link_path(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/verify/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def registered(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = user_register(email="dan@example.vn", full_name="Đỗ Văn Dân", password="sen-hong-mua-ha-77")
    return user


def test_link_from_email_verifies_and_logs_in(client, registered):
    path = _link_path(mail.outbox[0])
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    registered.refresh_from_db()
    assert registered.email_verified is True
    assert client.session["_auth_user_id"] == str(registered.pk)
    assert response.cookies["django_language"].value == "vi"


def test_second_click_does_not_log_in_again(client, registered):
    path = _link_path(mail.outbox[0])
    client.get(path)
    client.logout()
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_tampered_token_is_refused_with_resend_form(client, registered):
    token = make_verification_token(registered)
    bad = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.get(reverse("accounts:verify_email", kwargs={"token": bad}), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    content = response.content.decode()
    assert "This verification link is not valid." in content
    assert reverse("accounts:verify_email_resend") in content
    registered.refresh_from_db()
    assert registered.email_verified is False
    assert "_auth_user_id" not in client.session


def test_expired_token_says_expired(client, registered):
    token = make_verification_token(registered)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=3, minutes=1)):
        response = client.get(reverse("accounts:verify_email", kwargs={"token": token}), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "This verification link has expired." in response.content.decode()
    registered.refresh_from_db()
    assert registered.email_verified is False


def test_token_still_good_just_before_three_days(client, registered):
    token = make_verification_token(registered)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=2, hours=23)):
        response = client.get(reverse("accounts:verify_email", kwargs={"token": token}))
    assert response.status_code == 302
    registered.refresh_from_db()
    assert registered.email_verified is True


def test_token_for_an_old_address_is_refused(client, registered):
    token = make_verification_token(registered)
    User.objects.filter(pk=registered.pk).update(email="moi-hon@example.vn")
    response = client.get(reverse("accounts:verify_email", kwargs={"token": token}))
    assert response.status_code == 400
    assert User.objects.get(pk=registered.pk).email_verified is False


def test_token_does_not_carry_the_address(registered):
    from django.core import signing

    payload = signing.loads(make_verification_token(registered), salt="accounts.verify-email")
    assert payload["u"] == registered.pk
    assert registered.email not in str(payload)


def test_token_from_another_purpose_is_refused(client, registered):
    from django.core import signing

    good = signing.loads(make_verification_token(registered), salt="accounts.verify-email")
    forged = signing.dumps(good, salt="qa.confirm-email")
    response = client.get(reverse("accounts:verify_email", kwargs={"token": forged}))
    assert response.status_code == 400


def test_resend_for_typed_address_sends_new_link(client, registered, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:verify_email_resend"), {"email": "DAN@example.vn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dan@example.vn"]
    assert client.get(_link_path(mail.outbox[0])).status_code == 302


def test_resend_for_unknown_address_says_the_same_and_sends_nothing(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:verify_email_resend"),
            {"email": "ai-do@example.vn"},
            HTTP_ACCEPT_LANGUAGE="en",
            follow=True,
        )
    assert "If an account with an unverified address ai-do@example.vn exists" in response.content.decode()
    assert mail.outbox == []


def test_resend_is_rate_limited(client, registered, settings, django_capture_on_commit_callbacks):
    settings.ACCOUNTS_EMAIL_RATE_PER_ADDRESS = "2/h"
    mail.outbox.clear()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("accounts:verify_email_resend"), {"email": "dan@example.vn"})
    response = client.post(
        reverse("accounts:verify_email_resend"), {"email": "dan@example.vn"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 429
    assert "Please try again in" in response.content.decode()
    assert len(mail.outbox) == 2


def test_logged_in_unverified_user_resends_to_own_address(client, registered, django_capture_on_commit_callbacks):
    client.force_login(registered)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:verify_email_resend"))
    assert response["Location"] == reverse("accounts:profile")
    assert mail.outbox[0].to == ["dan@example.vn"]


def test_verified_user_gets_no_new_link(client, citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:verify_email_resend"), {"email": citizen.email})
    assert mail.outbox == []


def test_qa_treats_only_verified_users_as_verified_askers(registered, django_capture_on_commit_callbacks):
    """The Q&A submission service sends an unverified account's question to e-mail confirmation first."""
    from accounts.services import user_verify_email
    from qa.models import QuestionStatus
    from qa.services import question_submit
    from tests.factories import AgencyFactory, TopicFactory

    agency, topic = AgencyFactory(), TopicFactory()
    common = {
        "agency": agency,
        "topic": topic,
        "body": "Xin hỏi thủ tục đăng ký hộ kinh doanh cần những giấy tờ gì?",
        "asker_type": "individual",
        "name": registered.full_name,
        "email": registered.email,
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = question_submit(title="Đăng ký hộ kinh doanh", user=registered, **common)
    assert first.status == QuestionStatus.UNVERIFIED

    user, _ = user_verify_email(token=make_verification_token(registered))
    with django_capture_on_commit_callbacks(execute=True):
        second = question_submit(title="Đăng ký hộ kinh doanh lần hai", user=user, **common)
    assert second.status == QuestionStatus.SUBMITTED
