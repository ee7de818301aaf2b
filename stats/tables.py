"""The statistics as labelled tables: what the page shows, and what CSV and JSON downloads contain.

One builder per table, so the page, its downloads and the report print the same
figures under the same translated headings.
"""

import csv
import io
import json
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qa.models import Channel, RejectionReason

from . import selectors
from .selectors import Filters, Summary

TABLE_KEYS = ("summary", "channels", "rejections", "live", "ranking", "topics", "monthly", "places")
# What a public table shows instead of the figures of a unit with too few questions (selectors.by_place).
SUPPRESSED = f"< {selectors.PLACE_MIN_QUESTIONS}"


@dataclass
class Table:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (key, heading)
    rows: list[dict]

    def to_csv(self) -> bytes:
        """UTF-8 with a byte-order mark, so spreadsheet programs read Vietnamese correctly."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([heading for _key, heading in self.columns])
        for row in self.rows:
            writer.writerow(["" if row.get(key) is None else row.get(key) for key, _h in self.columns])
        return ("\ufeff" + out.getvalue()).encode("utf-8")

    def to_json(self, filters: Filters) -> bytes:
        payload = {
            "table": self.key,
            "title": self.title,
            "period": {"start": filters.period.start.isoformat(), "end": filters.period.end.isoformat()},
            "agency": filters.agency.slug if filters.agency else None,
            "topic": filters.topic.slug if filters.topic else None,
            "columns": [{"key": key, "label": label} for key, label in self.columns],
            "rows": [{key: row.get(key) for key, _l in self.columns} for row in self.rows],
        }
        return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")


def _figure_columns() -> list[tuple[str, str]]:
    return [("label", _("Figure")), ("value", _("Value"))]


def summary_table(summary: Summary) -> Table:
    c = summary.counters
    rows = [
        ("received", _("Questions received"), c["received"]),
        ("accepted", _("Accepted"), c["accepted"]),
        ("answered", _("Answered"), c["answered"]),
        ("answered_on_time", _("Answered within the deadline"), c["answered_on_time"]),
        ("on_time_rate", _("On-time rate (%)"), summary.on_time_rate),
        ("overdue_now", _("Overdue now"), summary.overdue_now),
        ("published", _("Published"), c["published"]),
        ("transferred_out", _("Transferred to another agency"), c["transferred_out"]),
        ("transferred_in", _("Received by transfer"), c["transferred_in"]),
        ("rejected", _("Rejected"), summary.rejected_total),
        ("withdrawn", _("Withdrawn by the asker"), c["withdrawn"]),
        ("answered_by_reference", _("Answered with a published answer"), c["answered_by_reference"]),
        ("median_days", _("Median working days to answer"), summary.median_days),
        ("p90_days", _("90th percentile of working days to answer"), summary.p90_days),
        ("ratings", _("Ratings given"), c["ratings"]),
        ("satisfaction", _("Askers satisfied (%)"), summary.satisfaction),
        ("unpublished", _("Taken down after publication"), c["unpublished"]),
    ]
    return Table(
        "summary", _("Headline figures"), _figure_columns(), [{"key": k, "label": lb, "value": v} for k, lb, v in rows]
    )


def channels_table(summary: Summary) -> Table:
    rows = [{"key": ch.value, "label": str(ch.label), "value": summary.by_channel.get(ch.value, 0)} for ch in Channel]
    return Table(
        "channels",
        _("Questions received by channel"),
        [("label", _("Channel")), ("value", pgettext("statistics", "Received"))],
        rows,
    )


def rejections_table(summary: Summary) -> Table:
    rows = [{"key": r.value, "label": str(r.label), "value": summary.rejected[r.value]} for r in RejectionReason]
    return Table("rejections", _("Rejected by reason"), [("label", _("Reason")), ("value", _("Rejected"))], rows)


def live_table(summary: Summary) -> Table:
    live = summary.live or {}
    labels = {
        "sessions_held": _("Live sessions held"),
        "live_received": _("Live questions received"),
        "live_answered": _("Live questions answered during the session"),
        "live_forwarded": _("Live questions sent to the Q&A queue"),
    }
    rows = [{"key": k, "label": str(v), "value": live.get(k, 0)} for k, v in labels.items()]
    return Table("live", _("Live dialogues"), _figure_columns(), rows)


def _line_columns(first: str) -> list[tuple[str, str]]:
    return [
        ("name", first),
        ("received", pgettext("statistics", "Received")),
        ("answered", _("Answered")),
        ("on_time_rate", _("On time (%)")),
        ("median_days", _("Median working days")),
        ("satisfaction", _("Satisfied (%)")),
    ]


def ranking_table(lines: list[dict]) -> Table:
    return Table(
        "ranking", _("Agencies compared"), [*_line_columns(_("Agency")), ("overdue_now", _("Overdue now"))], lines
    )


def topics_table(lines: list[dict]) -> Table:
    return Table("topics", _("By topic"), _line_columns(_("Topic")), lines)


def monthly_table(lines: list[dict]) -> Table:
    columns = [
        ("month", _("Month")),
        ("received", pgettext("statistics", "Received")),
        ("answered", _("Answered")),
        ("answered_on_time", _("Answered on time")),
    ]
    return Table("monthly", _("Month by month"), columns, lines)


def places_table(lines: list[dict]) -> Table:
    """By the asker's commune or ward; a unit with too few questions shows "< 5" for every figure."""
    columns = [
        ("name", _("Commune or ward")),
        ("province", _("Province or city")),
        ("received", pgettext("statistics", "Received")),
        ("answered", _("Answered")),
        ("answered_on_time", _("Answered on time")),
        ("on_time_rate", _("On time (%)")),
    ]
    rows = []
    for line in lines:
        row = dict(line)
        if line["suppressed"]:
            row.update(dict.fromkeys(("received", "answered", "answered_on_time", "on_time_rate"), SUPPRESSED))
        rows.append(row)
    return Table("places", _("By the asker's commune or ward"), columns, rows)


def build_tables(filters: Filters, *, sort: str = "on_time_rate", descending: bool = True) -> dict[str, Table]:
    """Every table of the statistics page for the filters (a fixed number of queries)."""
    figures = selectors.figures(filters, sort=sort, descending=descending)
    summary = figures.summary
    tables = {
        "summary": summary_table(summary),
        "channels": channels_table(summary),
        "rejections": rejections_table(summary),
        "ranking": ranking_table(figures.ranking),
        "topics": topics_table(figures.topics),
        "monthly": monthly_table(figures.monthly),
        "places": places_table(figures.places),
    }
    if summary.live is not None:
        tables["live"] = live_table(summary)
    return tables
