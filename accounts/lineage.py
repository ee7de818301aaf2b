"""Reads of the agencies' history (merges, splits, renames): what an agency was called then, who took over.

The archive keeps history as it was: an answer stays with the agency that gave it, shown with the name it
had then and today's successor ("Sở Tài nguyên và Môi trường (nay là Sở Nông nghiệp và Môi trường)"). These
selectors answer the questions the public pages ask about that history; orgchanges writes it.
"""

import datetime

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from .models import Agency, AgencyFormerName, AgencySuccession

# Chains are short (a department merged once or twice); the bound only guards against bad data.
_MAX_HOPS = 20


def current_successor(agency: Agency) -> Agency | None:
    """The active agency that carries on the work of `agency` today: itself if active; following merges and
    closures (one successor each) otherwise; None when the chain splits or ends."""
    seen = set()
    current = agency
    for _hop in range(_MAX_HOPS):
        if current.is_active:
            return current
        if current.pk in seen:
            return None
        seen.add(current.pk)
        successors = list(AgencySuccession.objects.filter(predecessor=current).select_related("successor")[:2])
        if len(successors) != 1:
            return None
        current = successors[0].successor
    return None


def predecessor_ids(agency_ids: list[int]) -> set[int]:
    """Every agency whose work passed, directly or through others, to one of `agency_ids` (excluding them).

    One query: the succession table holds a row per merged or split agency, a few hundred at most.
    """
    before: dict[int, set[int]] = {}
    for predecessor, successor in AgencySuccession.objects.values_list("predecessor_id", "successor_id"):
        before.setdefault(successor, set()).add(predecessor)
    found: set[int] = set()
    stack = list(agency_ids)
    while stack:
        for predecessor in before.get(stack.pop(), ()):
            if predecessor not in found and predecessor not in agency_ids:
                found.add(predecessor)
                stack.append(predecessor)
    return found


def name_at(agency: Agency, day: datetime.date | None) -> str:
    """The name the agency had on `day` (today's name when it was never renamed after that day)."""
    if day is None:
        return agency.name
    former = AgencyFormerName.objects.filter(agency=agency, valid_until__gt=day).order_by("valid_until", "id").first()
    return former.name if former else agency.name


def agency_name_then(day_field: str) -> Subquery:
    """An annotation for a question query: the name its agency had on the question's `day_field` (a date,
    e.g. TruncDate("answered_at") annotated first), when it was renamed since (None otherwise), so the answer
    page needs no query of its own for it."""
    return Subquery(
        AgencyFormerName.objects.filter(agency=OuterRef("agency"), valid_until__gt=OuterRef(day_field))
        .order_by("valid_until", "id")
        .values("name")[:1]
    )


def name_then_and_now(agency: Agency, day: datetime.date | None, *, then: str | None = None) -> str:
    """The name then, with "(nay là <successor's name today>)" when it changed since `day`.

    `then`: the name then when the caller already knows it (agency_name_then); no query for an active agency.
    """
    then = then if then is not None else name_at(agency, day)
    successor = current_successor(agency)
    now = successor.name if successor is not None else agency.name
    if now == then:
        return then
    return _("%(then)s (now %(now)s)") % {"then": then, "now": now}


def agency_for_old_slug(slug: str) -> Agency | None:
    """The active agency an old agency address should lead to: a former slug of a renamed agency, or the slug of
    an agency that was merged or closed into another. None when there is nowhere to go (then 404)."""
    former = AgencyFormerName.objects.filter(slug=slug).select_related("agency").order_by("-valid_until").first()
    if former is not None:
        return current_successor(former.agency)
    agency = Agency.objects.filter(slug=slug, is_active=False).first()
    if agency is None:
        return None
    return current_successor(agency)


def code_in_use(code: str, *, exclude_agency_id: int | None = None) -> bool:
    """Whether a short code is taken now or was used before (reference codes already issued carry it)."""
    agencies = Agency.objects.filter(code__iexact=code)
    former = AgencyFormerName.objects.filter(code__iexact=code)
    if exclude_agency_id is not None:
        agencies = agencies.exclude(pk=exclude_agency_id)
    return agencies.exists() or former.exists()


def slug_in_use(slug: str, *, exclude_agency_id: int | None = None) -> bool:
    """Whether an agency address is taken now, or redirects from an old name."""
    agencies = Agency.objects.filter(slug=slug)
    former = AgencyFormerName.objects.filter(slug=slug)
    if exclude_agency_id is not None:
        agencies = agencies.exclude(pk=exclude_agency_id)
        former = former.exclude(agency_id=exclude_agency_id)
    return agencies.exists() or former.exists()
