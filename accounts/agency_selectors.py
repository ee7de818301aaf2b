"""Reads about agencies for the officials' panel: the user's agencies, their members, their colleagues."""

from collections.abc import Iterable

from django.db.models import QuerySet

from accounts.collation import sorted_vi

from . import permissions
from .models import Agency, Membership, User

Role = Membership.Role
ANSWERING_ROLES = (Role.ANSWERER, Role.MODERATOR, Role.ADMIN)


def staff_agencies(user: User, roles: Iterable[str] | None = None) -> list[Agency]:
    """Active agencies where the user holds any of `roles` (any role when None), by name.

    Uses the roles cached on the user object, so only the agencies' rows cost a query.
    """
    ids = permissions.agency_ids_for(user, roles)
    if not ids:
        return []
    return sorted_vi(Agency.objects.filter(pk__in=ids, is_active=True))


def agency_members(agency: Agency) -> QuerySet[Membership]:
    """Every role held in the agency, grouped by person (one row per role)."""
    return (
        Membership.objects.filter(agency=agency)
        .select_related("user")
        .order_by("user__full_name", "user__email", "role")
    )


def assignable_users_in(agency_ids: Iterable[int]) -> QuerySet[User]:
    """Active people who may hold questions (answerers, moderators, admins) in any of the agencies."""
    return (
        User.objects.filter(
            is_active=True, memberships__agency_id__in=list(agency_ids), memberships__role__in=ANSWERING_ROLES
        )
        .distinct()
        .order_by("full_name", "email")
    )
