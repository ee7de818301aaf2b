"""What an agency's administrator does for their own agency: its members, their roles, its settings.

Same contract as the other services: keyword-only arguments, one transaction,
the permission checked here (never only in the view). Membership changes lock
the agency row first, so two administrators editing at once are serialised and
the "an agency keeps at least one administrator" rule cannot be raced past.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import permissions
from .models import Agency, Membership, User

DEADLINE_MIN_DAYS = 1
# The law's longest answer period for complex matters is 45 days (plus extension); 90 leaves room and
# still catches typing errors such as "150".
DEADLINE_MAX_DAYS = 90


def _ensure_admin(actor: User, agency: Agency) -> None:
    if not permissions.is_agency_admin(actor, agency):
        raise PermissionDenied(_("Only administrators of this agency manage its members and settings."))


def _lock_agency(agency: Agency) -> Agency:
    return Agency.objects.select_for_update(no_key=True).get(pk=agency.pk)


def _admin_count(agency: Agency) -> int:
    return (
        Membership.objects.filter(agency=agency, role=Membership.Role.ADMIN, user__is_active=True)
        .values("user_id")
        .distinct()
        .count()
    )


def _valid_role(role: str) -> str:
    if role not in Membership.Role.values:
        raise ValidationError({"role": [_("Choose a role.")]})
    return role


def membership_add(*, actor: User, agency: Agency, email: str, role: str) -> Membership:
    """Give an existing user a role in the agency (looked up by e-mail, case-insensitively)."""
    _ensure_admin(actor, agency)
    address = (email or "").strip().lower()
    if not address:
        raise ValidationError({"email": [_("Enter the e-mail address of the person.")]})
    role = _valid_role(role)
    with transaction.atomic():
        locked = _lock_agency(agency)
        user = User.objects.filter(email__iexact=address).first()
        if user is None or not user.is_active:
            raise ValidationError(
                {"email": [_("No active account uses this address. Ask the person to register first.")]}
            )
        if Membership.objects.filter(agency=locked, user=user, role=role).exists():
            raise ValidationError({"role": [_("This person already has this role in the agency.")]})
        membership = Membership.objects.create(agency=locked, user=user, role=role)
    permissions.forget_roles(user)
    return membership


def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    """Change one role of a member into another; the last administrator cannot stop being one."""
    _ensure_admin(actor, membership.agency)
    role = _valid_role(role)
    with transaction.atomic():
        locked_agency = _lock_agency(membership.agency)
        current = Membership.objects.select_related("user").get(pk=membership.pk, agency=locked_agency)
        if current.role == role:
            return current
        if Membership.objects.filter(agency=locked_agency, user=current.user, role=role).exists():
            raise ValidationError({"role": [_("This person already has this role in the agency.")]})
        if current.role == Membership.Role.ADMIN and _admin_count(locked_agency) <= 1:
            raise ValidationError({"role": [_("The agency needs at least one administrator.")]})
        current.role = role
        current.save(update_fields=["role"])
    permissions.forget_roles(current.user)
    permissions.forget_roles(actor)
    return current


def membership_remove(*, actor: User, membership: Membership) -> None:
    """Take one role away from a member; the last administrator cannot be removed."""
    _ensure_admin(actor, membership.agency)
    with transaction.atomic():
        locked_agency = _lock_agency(membership.agency)
        current = Membership.objects.select_related("user").filter(pk=membership.pk, agency=locked_agency).first()
        if current is None:
            return
        if current.role == Membership.Role.ADMIN and _admin_count(locked_agency) <= 1:
            raise ValidationError({"role": [_("The agency needs at least one administrator.")]})
        current.delete()
    permissions.forget_roles(current.user)
    permissions.forget_roles(actor)


def agency_settings_update(
    *, actor: User, agency: Agency, answer_deadline_days: int | None, review_required: bool
) -> Agency:
    """The agency's default answer deadline and whether answers need a reviewer.

    Questions already accepted keep their due date; the new deadline applies from the next acceptance.
    """
    _ensure_admin(actor, agency)
    if answer_deadline_days is None:
        raise ValidationError({"answer_deadline_days": [_("Enter the number of working days.")]})
    if not DEADLINE_MIN_DAYS <= answer_deadline_days <= DEADLINE_MAX_DAYS:
        raise ValidationError(
            {
                "answer_deadline_days": [
                    _("Enter a number of working days from %(min)d to %(max)d.")
                    % {"min": DEADLINE_MIN_DAYS, "max": DEADLINE_MAX_DAYS}
                ]
            }
        )
    with transaction.atomic():
        locked = _lock_agency(agency)
        locked.answer_deadline_days = answer_deadline_days
        locked.review_required = bool(review_required)
        locked.save(update_fields=["answer_deadline_days", "review_required"])
    return locked
