"""Template helpers for the staff panel link in the header and the asker's actions on the tracking page."""

from django import template

from accounts import permissions

from .. import workflow

register = template.Library()


@register.simple_tag
def is_agency_staff(user) -> bool:
    """Whether to show the "Staff panel" link: no query for visitors, one cached roles query for users."""
    if not getattr(user, "is_authenticated", False):
        return False
    return permissions.is_agency_staff(user)


@register.simple_tag
def asker_actions(question) -> dict:
    """What the asker may do now on their tracking page (no query: public events are prefetched)."""
    from ..asker_views import latest_information_request

    asker = {workflow.ASKER}
    return {
        "can_reply": workflow.can_apply(question, "receive_information", asker),
        "request_note": latest_information_request(question) if question.status == "information_requested" else "",
        "can_rate": workflow.can_apply(question, "rate", asker) and question.rated_at is None,
        "rated": question.rated_at is not None,
        "can_follow_up": workflow.can_apply(question, "follow_up", asker),
    }
