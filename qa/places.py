"""Reads of the commune-level units (xã, phường, đặc khu) a question may name as the asker's place.

The units are orgchanges.AdministrativeUnit (imported from the official list). The apps below orgchanges in the
layering (qa, stats) reach the model through Question.place, the relation that ties them, never by importing
orgchanges. A merger ends a unit's validity and points it to its successor (`successor`); like an agency's, its
questions stay recorded under it, and "the unit with its predecessors" or "the unit that carries on today"
follow those links through chains. Every function costs a bounded number of queries: one per link of the
longest chain (in practice one or two), whatever the number of units.
"""

import datetime
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from accounts.collation import vi_sort_key

from .models import Question

# Chains longer than this are a data error (or a cycle): reading stops there.
MAX_CHAIN = 20


def unit_model() -> type[Model]:
    """orgchanges.AdministrativeUnit, through the relation that names it."""
    return cast(type[Model], Question._meta.get_field("place").related_model)


def _valid_on(day: datetime.date) -> Q:
    # valid_to is the last day; a unit merged without an end date counts as ended.
    return (
        (Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        & (Q(successor__isnull=True) | Q(valid_to__isnull=False))
    )


def _in_force(day: datetime.date | None = None) -> QuerySet[Any]:
    return unit_model()._default_manager.filter(_valid_on(day or timezone.localdate()))


def units_valid_on(day: datetime.date | None = None) -> list[Any]:
    """The units in force on `day` (today by default), by province then name in Vietnamese order (one query)."""
    units = _in_force(day).only("pk", "code", "name", "unit_type", "province")
    return sorted(units, key=lambda unit: (vi_sort_key(unit.province), vi_sort_key(unit.name), unit.code))


def unit_valid_today(code: str) -> Any | None:
    """The unit with this code if it is in force today, else None (one query)."""
    if not code:
        return None
    return _in_force().filter(code=code).first()


def unit_by_code(code: str) -> Any | None:
    """The unit with this code, in force or not (one query)."""
    return unit_model()._default_manager.filter(code=code).first() if code else None


def place_choices(units: list[Any]) -> list:
    """Options for a place <select> without JavaScript: one <optgroup> per province, units by name (the
    units come ordered by units_valid_on), the value being the unit's code."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for unit in units:
        groups.setdefault(unit.province, []).append((unit.code, unit.name))
    return list(groups.items())


def unit_and_predecessors(unit_id: int) -> tuple[int, ...]:
    """The unit's id with every unit merged into it, directly or through a chain (one query per link)."""
    found = {unit_id}
    frontier = {unit_id}
    manager = unit_model()._default_manager
    for _step in range(MAX_CHAIN):
        if not frontier:
            break
        before = set(manager.filter(successor_id__in=frontier).values_list("pk", flat=True)) - found
        found |= before
        frontier = before
    return tuple(sorted(found))


@dataclass(frozen=True)
class UnitInfo:
    pk: int
    code: str
    name: str
    province: str
    successor_id: int | None


def units_with_successors(ids: set[int]) -> dict[int, UnitInfo]:
    """These units and every unit their successor links lead to (one query per link)."""
    known: dict[int, UnitInfo] = {}
    wanted = set(ids)
    manager = unit_model()._default_manager
    for _step in range(MAX_CHAIN):
        wanted -= set(known)
        if not wanted:
            break
        for row in manager.filter(pk__in=wanted).values_list("pk", "code", "name", "province", "successor_id"):
            known[row[0]] = UnitInfo(*row)
        wanted = {info.successor_id for info in known.values() if info.successor_id is not None}
    return known


def successor_today(unit_id: int, known: dict[int, UnitInfo]) -> int:
    """The unit that carries on `unit_id`'s area today: the end of its successor chain (from `known`)."""
    current, seen = unit_id, {unit_id}
    while (info := known.get(current)) is not None and info.successor_id is not None:
        if info.successor_id in seen or info.successor_id not in known:
            break
        current = info.successor_id
        seen.add(current)
    return current
