"""`{{ question|agency_then }}`: the question's agency as it was named when it answered, with today's successor."""

import datetime

from django import template
from django.utils import timezone

from accounts.lineage import name_then_and_now

register = template.Library()


@register.filter
def agency_then(question) -> str:
    """E.g. "Sở Tài nguyên và Môi trường (nay là Sở Nông nghiệp và Môi trường)" for an answer before the merge.

    Uses the question's `agency_name_then` annotation (accounts.lineage.agency_name_then) when the query has it,
    so an active agency costs no query.
    """
    when = question.answered_at
    if isinstance(when, datetime.datetime):
        when = timezone.localdate(when)
    if hasattr(question, "agency_name_then"):
        return name_then_and_now(question.agency, when, then=question.agency_name_then or question.agency.name)
    return name_then_and_now(question.agency, when)
