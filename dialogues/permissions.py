"""Who may do what in a dialogue session. Every check (web, API, socket) goes through these."""

from accounts import permissions as agency_permissions

from .models import DialogueSession, Panelist

WATCHER = "watcher"
PANELIST = "panelist"
MODERATOR = "moderator"


def can_moderate(user, session: DialogueSession) -> bool:
    """Moderators and administrators of the host agency (not of any other agency)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or agency_permissions.is_moderator(user, session.agency_id)


def is_panelist(user, session: DialogueSession) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Panelist.objects.filter(session=session, user=user).exists()


def can_answer(user, session: DialogueSession) -> bool:
    """Panelists with an account type answers; moderators enter summaries of spoken ones."""
    return can_moderate(user, session) or is_panelist(user, session)


def role_in(user, session: DialogueSession) -> str:
    """The strongest role the user holds in the session (what the socket and pages show)."""
    if can_moderate(user, session):
        return MODERATOR
    if is_panelist(user, session):
        return PANELIST
    return WATCHER


def can_manage_agency_sessions(user, agency_id: int) -> bool:
    """Creating sessions for an agency: its moderators and administrators."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or agency_permissions.is_moderator(user, agency_id)
