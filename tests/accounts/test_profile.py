"""The profile page: details, language, own questions (query count), agency roles."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from qa.models import QuestionStatus
from tests.factories import AgencyFactory, MembershipFactory, QuestionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

PROFILE = "accounts:profile"


def test_profile_needs_login(client, db):
    response = client.get(reverse(PROFILE))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse(PROFILE)}"


def test_profile_update_saves_and_switches_language(client, citizen):
    client.force_login(citizen)
    response = client.post(
        reverse(PROFILE), {"full_name": "  Lê Thị Hoa Mai ", "phone": "+84 912.345.678", "language": "en"}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    citizen.refresh_from_db()
    assert (citizen.full_name, citizen.phone, citizen.language) == ("Lê Thị Hoa Mai", "+84912345678", "en")
    page = client.get(reverse(PROFILE))
    content = page.content.decode()
    assert '<html lang="en">' in content
    assert "Your profile is saved." in content
    assert '<option value="en" selected>' in content


def test_profile_update_errors_keep_input(client, citizen):
    client.force_login(citizen)
    response = client.post(
        reverse(PROFILE), {"full_name": "", "phone": "099", "language": "fr"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    errors = response.context["profile_form"].errors
    assert set(errors) == {"full_name", "phone", "language"}
    assert "Enter a valid Vietnamese phone number" in response.content.decode()
    assert 'value="099"' in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.full_name == "Lê Thị Hoa"
    assert "django_language" not in response.cookies


def test_profile_lists_own_questions_newest_first_with_tracking_links(client, citizen):
    from datetime import timedelta

    from django.utils import timezone

    old = QuestionFactory(asker=citizen, created_at=timezone.now() - timedelta(days=3), status=QuestionStatus.ANSWERED)
    new = QuestionFactory(asker=citizen, status=QuestionStatus.SUBMITTED)
    someone_else = QuestionFactory(asker=UserFactory())
    guest = QuestionFactory(asker=None)
    client.force_login(citizen)
    response = client.get(reverse(PROFILE), HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode()
    assert [q.pk for q in response.context["questions"]] == [new.pk, old.pk]
    assert content.index(new.reference) < content.index(old.reference)
    assert new.tracking_path().replace("?", "?") in content.replace("&amp;", "&")
    assert f"?token={old.tracking_token}" in content
    assert "badge-answered" in content
    assert old.get_status_display() in content
    for other in (someone_else, guest):
        assert other.reference not in content
        assert other.tracking_token not in content


def _profile_queries(client, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(reverse(PROFILE))
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_profile_query_count_does_not_grow_with_questions_and_roles(client, citizen, django_assert_max_num_queries):
    client.force_login(citizen)
    QuestionFactory(asker=citizen)
    MembershipFactory(user=citizen)
    few = _profile_queries(client, django_assert_max_num_queries, 12)
    for _ in range(8):
        QuestionFactory(asker=citizen)
    agency = AgencyFactory()
    MembershipFactory(user=citizen, agency=agency, role=Membership.Role.ANSWERER)
    MembershipFactory(user=citizen, agency=agency, role=Membership.Role.REVIEWER)
    many = _profile_queries(client, django_assert_max_num_queries, 12)
    assert many == few


def test_profile_questions_are_paginated(client, citizen):
    for _ in range(21):
        QuestionFactory(asker=citizen)
    client.force_login(citizen)
    first = client.get(reverse(PROFILE))
    assert len(first.context["questions"]) == 20
    second = client.get(reverse(PROFILE), {"page": 2})
    assert len(second.context["questions"]) == 1


def test_profile_shows_agency_roles_read_only(client, citizen):
    agency = AgencyFactory(name="Sở Tài nguyên và Môi trường Hải Phòng")
    MembershipFactory(user=citizen, agency=agency, role=Membership.Role.MODERATOR)
    MembershipFactory(user=citizen, agency=agency, role=Membership.Role.REVIEWER)
    client.force_login(citizen)
    content = client.get(reverse(PROFILE), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sở Tài nguyên và Môi trường Hải Phòng" in content
    assert "Moderator" in content and "Reviewer" in content
    # No form edits memberships here.
    assert 'name="role"' not in content


def test_profile_warns_unverified_user(client, unverified):
    client.force_login(unverified)
    content = client.get(reverse(PROFILE), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your e-mail address is not verified yet" in content
    assert reverse("accounts:verify_email_resend") in content
