"""Role predicates per agency (accounts.permissions): table tests and the one-query cache."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import permissions
from accounts.models import Membership
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

Role = Membership.Role


@pytest.fixture
def world():
    """Two agencies; one person with several roles in both, and single-role colleagues."""
    a, b, closed = AgencyFactory(), AgencyFactory(), AgencyFactory(is_active=False)
    multi = UserFactory()
    for agency, role in [(a, Role.MODERATOR), (a, Role.REVIEWER), (b, Role.ANSWERER), (closed, Role.ADMIN)]:
        MembershipFactory(user=multi, agency=agency, role=role)
    admin_b = MembershipFactory(agency=b, role=Role.ADMIN).user
    answerer_a = MembershipFactory(agency=a, role=Role.ANSWERER).user
    citizen = UserFactory()
    return {
        "a": a,
        "b": b,
        "closed": closed,
        "multi": multi,
        "admin_b": admin_b,
        "answerer_a": answerer_a,
        "citizen": citizen,
    }


def test_roles_in_for_several_roles_in_several_agencies(world):
    multi = world["multi"]
    assert permissions.roles_in(multi, world["a"]) == {Role.MODERATOR, Role.REVIEWER}
    assert permissions.roles_in(multi, world["b"].pk) == {Role.ANSWERER}
    # Roles in an inactive agency do not count.
    assert permissions.roles_in(multi, world["closed"]) == set()
    assert permissions.roles_in(multi, None) == set()


def test_agency_ids_for(world):
    a, b = world["a"].pk, world["b"].pk
    assert sorted(permissions.agency_ids_for(world["multi"])) == sorted([a, b])
    assert permissions.agency_ids_for(world["multi"], {Role.REVIEWER}) == [a]
    assert permissions.agency_ids_for(world["multi"], {Role.ANSWERER, Role.ADMIN}) == [b]
    assert permissions.agency_ids_for(world["multi"], {Role.ADMIN}) == []
    assert permissions.agency_ids_for(world["citizen"]) == []


# role × agency × action: who may moderate, answer, review, administer in A and B.
TABLE = [
    # user,        agency, moderate, answer, review, admin
    ("multi", "a", True, True, True, False),
    ("multi", "b", False, True, False, False),
    ("multi", "closed", False, False, False, False),
    ("admin_b", "a", False, False, False, False),
    ("admin_b", "b", True, True, True, True),
    ("answerer_a", "a", False, True, False, False),
    ("answerer_a", "b", False, False, False, False),
    ("citizen", "a", False, False, False, False),
]


@pytest.mark.parametrize(("who", "where", "moderate", "answer", "review", "admin"), TABLE)
def test_predicate_table(world, who, where, moderate, answer, review, admin):
    user, agency = world[who], world[where]
    assert permissions.is_moderator(user, agency) is moderate
    assert permissions.is_answerer(user, agency) is answer
    assert permissions.is_reviewer(user, agency) is review
    assert permissions.is_agency_admin(user, agency) is admin
    assert permissions.has_role(user, agency, {Role.MODERATOR}) is (
        Role.MODERATOR in permissions.roles_in(user, agency)
    )


def test_is_agency_staff(world):
    assert permissions.is_agency_staff(world["multi"]) is True
    assert permissions.is_agency_staff(world["citizen"]) is False
    assert permissions.is_agency_staff(AnonymousUser()) is False


def test_anonymous_and_inactive_users_have_no_roles(world):
    assert permissions.roles_in(AnonymousUser(), world["a"]) == set()
    assert permissions.agency_ids_for(AnonymousUser()) == []
    multi = world["multi"]
    multi.is_active = False
    assert permissions.roles_in(multi, world["a"]) == set()
    assert permissions.is_moderator(multi, world["a"]) is False


def test_one_query_per_user_however_many_checks(world, django_assert_num_queries):
    multi = type(world["multi"]).objects.get(pk=world["multi"].pk)  # fresh object, empty cache
    with django_assert_num_queries(1):
        for agency in (world["a"], world["b"], world["closed"]):
            permissions.roles_in(multi, agency)
            permissions.is_moderator(multi, agency)
            permissions.is_reviewer(multi, agency)
        permissions.agency_ids_for(multi)
        permissions.is_agency_staff(multi)


def test_forget_roles_reloads_after_membership_change(world, django_assert_num_queries):
    user = world["answerer_a"]
    assert permissions.is_moderator(user, world["b"]) is False
    MembershipFactory(user=user, agency=world["b"], role=Role.MODERATOR)
    # Cached for the request: still the old answer until forgotten.
    assert permissions.is_moderator(user, world["b"]) is False
    permissions.forget_roles(user)
    with django_assert_num_queries(1):
        assert permissions.is_moderator(user, world["b"]) is True
