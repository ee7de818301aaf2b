"""Who may see and do what on a question, per agency.

Built on accounts.permissions (roles held in an agency) and qa.workflow (which
role may make which move in which state). Services call `staff_roles_or_deny`
on the locked row; views and the API call the `can_*` predicates to show only
the actions that will succeed. Roles are those held in the question's CURRENT
agency: after a transfer the source agency loses the question.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts import permissions as account_permissions
from accounts.models import Agency, Membership

from . import workflow
from .models import Question

Role = Membership.Role

# Actions offered in the staff panel and the staff API, in the order buttons appear.
STAFF_ACTIONS = (
    "accept",
    "assign",
    "request_information",
    "submit_for_review",
    "approve",
    "return",
    "send",
    "edit_public",
    "publish",
    "unpublish",
    "transfer",
    "answer_by_reference",
    "merge",
    "leave_group",
    "reject",
)


def staff_roles(user, question_or_agency: Question | Agency | int | None) -> set[str]:
    """The roles `user` holds in the question's agency (or in the given agency)."""
    if isinstance(question_or_agency, Question):
        return account_permissions.roles_in(user, question_or_agency.agency_id)
    return account_permissions.roles_in(user, question_or_agency)


def can_view_staff(user, question: Question) -> bool:
    """Any role in the question's agency shows the staff view: contact, notes, drafts, the full timeline."""
    return bool(staff_roles(user, question))


def ensure_can_view_staff(user, question: Question) -> set[str]:
    """Roles of the user in the question's agency; PermissionDenied if none."""
    roles = staff_roles(user, question)
    if not roles:
        raise PermissionDenied(_("You do not work on questions of this agency."))
    return roles


def staff_roles_or_deny(user, question: Question) -> set[str]:
    """For services: the actor's roles in the (locked) question's agency; PermissionDenied if none."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Please log in."))
    return ensure_can_view_staff(user, question)


def can_act(user, question: Question, action: str) -> bool:
    """Whether the action would be allowed now: the workflow table, the user's roles here, the data rules."""
    roles = staff_roles(user, question)
    if not roles or not workflow.can_apply(question, action, roles):
        return False
    return workflow.precondition_error(question, action) is None


def allowed_actions(user, question: Question) -> list[str]:
    """The staff actions to offer on the question (the panel shows these buttons and no others)."""
    roles = staff_roles(user, question)
    if not roles:
        return []
    return [
        action
        for action in STAFF_ACTIONS
        if workflow.can_apply(question, action, roles) and workflow.precondition_error(question, action) is None
    ]


def can_edit_answer(user, question: Question) -> bool:
    return can_act(user, question, "save_draft")


def can_add_note(user, question: Question) -> bool:
    return can_act(user, question, "add_note")


def can_register(user, agency: Agency | int) -> bool:
    """Registering a question received by phone, paper or e-mail: the agency's moderators and admins."""
    roles = account_permissions.roles_in(user, agency)
    return bool(workflow.TRANSITIONS["register"].roles & roles)


def can_manage_templates(user, agency: Agency | int) -> bool:
    """Answer templates are the agency's wording: moderators and admins keep them."""
    return account_permissions.is_moderator(user, agency)


def can_be_assigned(user, agency: Agency | int) -> bool:
    """Who may hold a question as its assignee: those who can draft answers in that agency."""
    return account_permissions.is_answerer(user, agency)


def staff_agency_ids(user) -> list[int]:
    """Agencies whose queues the user sees."""
    return account_permissions.agency_ids_for(user)
