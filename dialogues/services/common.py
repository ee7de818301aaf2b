"""What every dialogue service shares: the locks (session first, then question), the moderator check, who acts.

Lock order session → question → anything else keeps concurrent services from
deadlocking; every service that changes what watchers see takes these locks.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import User

from .. import permissions
from ..models import DialogueSession, LiveQuestion

# Who acts on a dialogue: a signed-in user, or a guest (who may only ask and vote).
Actor = User | AnonymousUser


def lock_session(session_id: int) -> DialogueSession:
    """The session row, locked for the transaction (ObjectDoesNotExist if there is none)."""
    try:
        return (
            DialogueSession.objects.select_for_update(no_key=True, of=("self",))
            .select_related("agency")
            .get(pk=session_id)
        )
    except DialogueSession.DoesNotExist:
        raise ObjectDoesNotExist(_("This session does not exist.")) from None


def lock_question(question_id: int) -> tuple[DialogueSession, LiveQuestion]:
    """The question's session, then the question, both locked (in that order)."""
    session_id = LiveQuestion.objects.filter(pk=question_id).values_list("session_id", flat=True).first()
    if session_id is None:
        raise ObjectDoesNotExist(_("This question does not exist."))
    session = lock_session(session_id)
    question = (
        LiveQuestion.objects.select_for_update(no_key=True, of=("self",))
        .select_related("answered_by_panelist")
        .get(pk=question_id)
    )
    return session, question


def require_moderator(actor: Actor, session: DialogueSession) -> None:
    if not permissions.can_moderate(actor, session):
        raise PermissionDenied(_("Only the moderators of the host agency can do this."))


def actor_or_none(actor: Actor) -> User | None:
    """The user to store as the author of a row: None for a guest."""
    return actor if isinstance(actor, User) else None


def participant_key(actor: Actor, browser_key: str = "", client_ip: str | None = None) -> str:
    """Who a participant is for votes, mutes and rate limits: account, else browser, else address."""
    if getattr(actor, "is_authenticated", False):
        return f"u:{actor.pk}"
    if browser_key:
        return f"b:{browser_key[:64]}"
    if client_ip:
        return f"ip:{client_ip}"
    return ""
