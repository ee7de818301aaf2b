"""Named predicates for agency roles. Every server-side check (web, API, WebSocket) goes through these."""

from collections.abc import Iterable

from .models import Agency, Membership

Role = Membership.Role


def roles_in(user, agency: Agency | int | None) -> set[str]:
    """The roles `user` holds in `agency` (cached per user object for the request)."""
    if agency is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    agency_id = agency if isinstance(agency, int) else agency.pk
    return set(all_roles(user).get(agency_id, set()))


def all_roles(user) -> dict[int, set[str]]:
    """{agency id: roles} for every agency the user belongs to; one query, cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, "_agency_roles_cache", None)
    if cached is None:
        cached = {}
        for agency_id, role in Membership.objects.filter(user=user, agency__is_active=True).values_list(
            "agency_id", "role"
        ):
            cached.setdefault(agency_id, set()).add(role)
        user._agency_roles_cache = cached
    return cached


def has_role(user, agency: Agency | int | None, roles: Iterable[str]) -> bool:
    return bool(roles_in(user, agency) & set(roles))


def agency_ids_for(user, roles: Iterable[str] | None = None) -> list[int]:
    """Agencies where the user holds any of `roles` (any role when None)."""
    wanted = set(roles) if roles is not None else None
    return [aid for aid, held in all_roles(user).items() if wanted is None or held & wanted]


def is_agency_staff(user) -> bool:
    return bool(all_roles(user))


def is_moderator(user, agency) -> bool:
    return has_role(user, agency, {Role.MODERATOR, Role.ADMIN})


def is_answerer(user, agency) -> bool:
    return has_role(user, agency, {Role.ANSWERER, Role.MODERATOR, Role.ADMIN})


def is_reviewer(user, agency) -> bool:
    return has_role(user, agency, {Role.REVIEWER, Role.ADMIN})


def is_agency_admin(user, agency) -> bool:
    return has_role(user, agency, {Role.ADMIN})


def forget_roles(user) -> None:
    """Drop the cached roles after memberships change."""
    if hasattr(user, "_agency_roles_cache"):
        del user._agency_roles_cache
