"""accounts.agency_services: an agency administrator manages members, roles and settings of their agency only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import agency_services, permissions
from accounts.models import Membership
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

Role = Membership.Role


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def admin(agency):
    return MembershipFactory(agency=agency, role=Role.ADMIN).user


def test_add_by_email_case_insensitively(agency, admin):
    person = UserFactory(email="can.bo@hp.gov.vn")
    membership = agency_services.membership_add(actor=admin, agency=agency, email=" Can.Bo@HP.gov.vn ", role="reviewer")
    assert (membership.user, membership.role) == (person, Role.REVIEWER)
    assert permissions.is_reviewer(person, agency)


@pytest.mark.parametrize(
    ("email", "role", "field"),
    [("", "answerer", "email"), ("khong.ai@hp.gov.vn", "answerer", "email"), ("x@hp.gov.vn", "boss", "role")],
)
def test_add_refuses_bad_input(agency, admin, email, role, field):
    UserFactory(email="x@hp.gov.vn")
    with pytest.raises(ValidationError) as error:
        agency_services.membership_add(actor=admin, agency=agency, email=email, role=role)
    assert field in error.value.message_dict


def test_add_refuses_inactive_users_and_duplicates(agency, admin):
    UserFactory(email="nghi.viec@hp.gov.vn", is_active=False)
    with pytest.raises(ValidationError):
        agency_services.membership_add(actor=admin, agency=agency, email="nghi.viec@hp.gov.vn", role="answerer")
    with pytest.raises(ValidationError):
        agency_services.membership_add(actor=admin, agency=agency, email=admin.email, role="admin")


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ANSWERER, Role.REVIEWER])
def test_only_admins_of_that_agency(agency, role):
    actor = MembershipFactory(agency=agency, role=role).user
    other_admin = MembershipFactory(role=Role.ADMIN).user
    victim = MembershipFactory(agency=agency, role=Role.ANSWERER)
    UserFactory(email="moi@hp.gov.vn")
    for user in (actor, other_admin):
        with pytest.raises(PermissionDenied):
            agency_services.membership_add(actor=user, agency=agency, email="moi@hp.gov.vn", role="answerer")
        with pytest.raises(PermissionDenied):
            agency_services.membership_remove(actor=user, membership=victim)
        with pytest.raises(PermissionDenied):
            agency_services.membership_change_role(actor=user, membership=victim, role="admin")
        with pytest.raises(PermissionDenied):
            agency_services.agency_settings_update(
                actor=user, agency=agency, answer_deadline_days=5, review_required=True
            )
    assert Membership.objects.filter(pk=victim.pk, role=Role.ANSWERER).exists()


def test_change_role_and_remove(agency, admin):
    membership = MembershipFactory(agency=agency, role=Role.ANSWERER)
    changed = agency_services.membership_change_role(actor=admin, membership=membership, role="moderator")
    assert changed.role == Role.MODERATOR
    assert permissions.is_moderator(membership.user, agency)
    agency_services.membership_remove(actor=admin, membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_change_to_a_role_already_held_is_refused(agency, admin):
    user = UserFactory()
    first = MembershipFactory(user=user, agency=agency, role=Role.ANSWERER)
    MembershipFactory(user=user, agency=agency, role=Role.REVIEWER)
    with pytest.raises(ValidationError):
        agency_services.membership_change_role(actor=admin, membership=first, role="reviewer")


def test_the_last_admin_stays(agency, admin):
    own = Membership.objects.get(user=admin, agency=agency)
    with pytest.raises(ValidationError):
        agency_services.membership_remove(actor=admin, membership=own)
    with pytest.raises(ValidationError):
        agency_services.membership_change_role(actor=admin, membership=own, role="moderator")
    second = MembershipFactory(agency=agency, role=Role.ADMIN)
    agency_services.membership_remove(actor=admin, membership=own)
    assert not permissions.is_agency_admin(admin, agency)
    assert Membership.objects.filter(pk=second.pk).exists()


@pytest.mark.parametrize("days", [None, 0, 91])
def test_settings_bounds(agency, admin, days):
    with pytest.raises(ValidationError) as error:
        agency_services.agency_settings_update(
            actor=admin, agency=agency, answer_deadline_days=days, review_required=False
        )
    assert "answer_deadline_days" in error.value.message_dict


def test_settings_saved(agency, admin):
    updated = agency_services.agency_settings_update(
        actor=admin, agency=agency, answer_deadline_days=20, review_required=True
    )
    agency.refresh_from_db()
    assert (
        (agency.answer_deadline_days, agency.review_required)
        == (20, True)
        == (
            updated.answer_deadline_days,
            updated.review_required,
        )
    )
