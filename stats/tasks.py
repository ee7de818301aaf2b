"""Celery tasks of the statistics: thin wrappers around stats.aggregation and stats.reports."""

from celery import shared_task

from . import aggregation


# The first run (or one after a long outage) is a full rebuild: minutes at a million questions, beyond the
# default task time limit.
@shared_task(name="stats.refresh_daily", time_limit=1800, soft_time_limit=1700)
def refresh_daily() -> int:
    """Beat, every few minutes: rebuild the days touched since the last run."""
    return aggregation.refresh()


@shared_task(name="stats.generate_report", time_limit=300, soft_time_limit=240)
def generate_report(report_id: int, language: str = "vi") -> str | None:
    """Draw one requested six-monthly report (HTML → PDF) and store it with its row."""
    from .reports import report_generate

    report = report_generate(report_id=report_id, language=language)
    return report.status if report else None


@shared_task(name="stats.rising_refresh")
def rising_refresh() -> int:
    """Beat, daily: today's rising topics and terms."""
    from .rising import rising_refresh as refresh

    return refresh()


@shared_task(name="stats.build_open_data", time_limit=1800, soft_time_limit=1700)
def build_open_data() -> int:
    """Beat, daily: rebuild the open-data files of the published archive."""
    from .opendata import build_open_data as build

    return build()
