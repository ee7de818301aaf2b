"""Smoke test of the benchmarks (`make bench-quick`): every part runs end to end at tiny sizes.

It starts the real processes (uvicorn, the floor server, a Celery worker, Node
watchers and load) against a throw-away `bench_quick` database and Redis DB 9,
and checks what must hold at any size: every watcher got every event in order,
reconnecting watchers missed nothing, one PUBLISH per event, every submission has
one reference and one notification row, every statistics shape answers, and the
table and plot were written.
Speed is not checked here (that is `make bench`).
"""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("BENCH_SMOKE"), reason="run by `make bench-quick` (about 3 minutes)"),
]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    results = tmp_path_factory.mktemp("bench-results")
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL")}
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--results", str(results)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    markdown = next(results.glob("*-quick.md")).read_text()
    data = json.loads(next(results.glob("*-quick.json")).read_text())
    svg = next(results.glob("*-quick.svg")).read_text()
    return {"markdown": markdown, "data": data, "svg": svg, "stdout": completed.stdout}


def test_table_has_every_target_with_a_figure(quick_run):
    markdown = quick_run["markdown"]
    for target in (
        "Fan-out: one event to",
        "against the floor",
        "burst of 20 events/s",
        "straightforward Channels group design",
        "memory per idle watcher",
        "Redis PUBLISH per event",
        "Live from the click: one approve",
        "Live from the click: the moderator's action's own response",
        "Live: viewer and vote count frames per socket",
        "Reconnect storm: p95 time to resume",
        "Archive search, web page",
        "Similar-question suggestions",
        "Archive list API throughput",
        "Staff queue page",
        "Submissions through the API",
        "Statistics page, every period kind",
        "Statistics CSV and JSON downloads",
        "Statistics API, the same filters",
        "Statistics: full rebuild",
        "Statistics: rebuild of one day",
        "Six-monthly report PDF",
        "Routing: suggestion API p95 at the server",
        "Duplicates lookup (staff API)",
    ):
        line = next((row for row in markdown.splitlines() if target in row), None)
        assert line is not None, f"no row for {target!r}"
        assert line.rstrip().endswith(("| yes |", "| no |")), line
    assert "Load average" in markdown and "PostgreSQL" in markdown
    # The table is printed too, not only written.
    assert "| # | target | measured | met |" in quick_run["stdout"]


def test_live_fanout_delivered_every_event_to_every_watcher_in_order(quick_run):
    fanout = quick_run["data"]["fanout"]
    assert {r["design"] for r in fanout} == {"floor", "hub", "group"}
    for result in fanout:
        assert result["connected"] == result["watchers"], result["design"]
        assert result["gaps"] == 0 and result["dups"] == 0, result["design"]
        for round_ in result["single"] + result["burst"]:
            assert round_["delivered"] == round_["events"], result["design"]
    hub = next(r for r in fanout if r["design"] == "hub")
    assert hub["redis"]["publish_per_event"] == 1


def test_live_from_the_click_reached_every_watcher_with_counts_coalesced(quick_run):
    click = quick_run["data"]["click"]
    assert {r["design"] for r in click} == {"floor", "hub"}
    for result in click:
        assert result["connected"] == result["watchers"], result["design"]
        assert result["delivered"] == result["events"] > 0, result["design"]
        assert result["gaps"] == 0 and result["dups"] == 0 and result["action_failures"] == 0
        assert result["http_ms"] and result["ws_ms"] and result["churn"]["joins"] > 0
    hub = next(r for r in click if r["design"] == "hub")
    assert hub["logged_in"] > 0 and hub["votes"]["ok"] > 0
    # At most one counts frame per interval at any socket (plus one for a window that starts mid-interval).
    assert hub["counts_max_per_socket"] <= hub["window_s"] / hub["counts_interval_s"] + 1


def test_reconnect_storm_resumed_everyone_without_a_gap(quick_run):
    storm = quick_run["data"]["storm"]
    assert storm["resumed"] == storm["watchers"] and storm["failed"] == 0
    assert storm["all_delivered"] and storm["gaps"] == 0 and storm["dups"] == 0


def test_archive_and_staff_requests_all_succeeded(quick_run):
    for size in quick_run["data"]["archive"]:
        for kind, figures in size["kinds"].items():
            assert set(figures["statuses"]) == {"200"} or set(figures["statuses"]) == {200}, kind
        assert size["hello_rps"] and size["list_rps"]
    for kind, figures in quick_run["data"]["staff"]["kinds"].items():
        assert set(map(str, figures["statuses"])) == {"200"}, kind


def test_submissions_have_unique_references_and_notification_rows(quick_run):
    for run in quick_run["data"]["submit"]:
        assert run["accepted"] > 0
        assert run["missing"] == 0 and run["duplicates"] == 0
        assert run["in_database"] == run["accepted"] == run["distinct_references"]
        assert run["notifications"] >= run["accepted"]


def test_statistics_every_shape_answered_and_rows_rebuilt(quick_run):
    stats = quick_run["data"]["stats"]
    assert stats["questions"] >= 600 and stats["agencies"] >= 50
    assert stats["daily_rows"] > 0 and stats["monthly_rows"] > 0
    kinds = stats["kinds"]
    for period in ("month", "quarter", "half", "year", "custom_30d", "custom_3y"):
        assert f"page:{period}" in kinds and f"api:{period}" in kinds
    assert {"page:sort", "api:sort", "download:csv", "download:json"} <= set(kinds)
    for kind, figures in kinds.items():
        assert set(map(str, figures["statuses"])) == {"200"}, kind
    assert len(stats["days"]) == 3 and len(stats["pdf"]) == 2


def test_plot_is_an_svg_with_both_panels(quick_run):
    root = ET.fromstring(quick_run["svg"])  # noqa: S314 (our own file, just written)
    assert root.tag.endswith("svg")
    texts = [el.text for el in root.iter() if el.tag.endswith("text")]
    assert "Live fan-out: last watcher's receipt" in texts
    assert "Archive at the server (p95)" in texts
    assert len([el for el in root.iter() if el.tag.endswith("polyline")]) >= 4
