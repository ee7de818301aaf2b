"""Every daily figure equals a brute-force count over generated questions with known timelines."""

import datetime

import pytest
import time_machine

from stats import aggregation
from stats.models import COUNTERS, DailyDuration, DailyLiveStat, DailyStat, RefreshState
from tests.stats.timelines import brute_force, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _stored(world) -> tuple[dict, dict, dict]:
    agency_index = {a.pk: i for i, a in enumerate(world.agencies)}
    topic_index = {t.pk: i for i, t in enumerate(world.topics)}
    counts: dict = {}
    for row in DailyStat.objects.all():
        values = {c: getattr(row, c) for c in COUNTERS if getattr(row, c)}
        if values:
            counts[(row.day, agency_index[row.agency_id], topic_index[row.topic_id], row.channel)] = values
    durations: dict = {}
    for row in DailyDuration.objects.all():
        durations.setdefault((row.day, agency_index[row.agency_id]), []).extend([row.working_days] * row.count)
    live = {
        (row.day, agency_index[row.agency_id]): {
            k: v
            for k in ("sessions_held", "live_received", "live_answered", "live_forwarded")
            if (v := getattr(row, k))
        }
        for row in DailyLiveStat.objects.all()
    }
    return counts, {k: sorted(v) for k, v in durations.items()}, live


def test_full_rebuild_equals_brute_force():
    world = build_world(seed=7)
    aggregation.rebuild_all()
    expected_counts, expected_durations, expected_live = brute_force(world)
    counts, durations, live = _stored(world)
    assert counts == expected_counts
    assert durations == expected_durations
    assert live == expected_live
    # The timelines really cover what they claim to.
    flat = {c for values in expected_counts.values() for c in values}
    assert {"transferred_out", "answered_on_time", "ratings_satisfied", "unpublished", "withdrawn"} <= flat
    assert any(k.startswith("rejected_") for k in flat)
    answered = sum(v.get("answered", 0) for v in expected_counts.values())
    assert answered > sum(v.get("answered_on_time", 0) for v in expected_counts.values())  # some late


def test_periodic_refresh_mid_way_ends_equal_to_brute_force():
    """The beat job runs between the steps (with time moving on); at the end the rows are the same truth."""
    ticks = []

    def tick(moment):
        ticks.append(moment)
        with time_machine.travel(moment, tick=False):
            aggregation.refresh()

    world = build_world(seed=11, on_tick=tick)
    with time_machine.travel(world.plans[0].steps[0][0] + datetime.timedelta(days=90), tick=False):
        aggregation.refresh()
    assert len(ticks) > 10 and RefreshState.objects.count() == 1
    expected = brute_force(world)
    stored = _stored(world)
    assert [_diff(s, e) for s, e in zip(stored, expected, strict=True)] == [{}, {}, {}]
    # A full rebuild gives the same rows.
    aggregation.rebuild_all()
    assert _stored(world) == expected


def test_rebuilding_a_day_is_idempotent_and_local_to_that_day():
    world = build_world(seed=3, n=18)
    aggregation.rebuild_all()
    before = _stored(world)
    some_day = next(iter(before[0]))[0]
    aggregation.rebuild_days({some_day})
    aggregation.rebuild_days({some_day})
    assert _stored(world) == before


def _diff(a: dict, b: dict) -> dict:
    return {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
