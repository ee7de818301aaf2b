"""Demo data of the statistics: the daily rows rebuilt from the demo's history (runs after qa and dialogues).

The qa demo spreads its questions over the last six months with their events
backdated, so one full rebuild gives the charts several months to show.
Idempotent: a rebuild replaces the rows.
"""

from . import aggregation


def load(stdout) -> None:
    rows = aggregation.rebuild_all()
    stdout.write(f"stats: {rows} daily statistics rows; open /statistics/ and /statistics/report/.")
