"""The six-monthly report (Decree 20/2008 Art. 22) for an agency with its sub-agencies, or for the whole portal.

The same context renders the public HTML page (with a print stylesheet) and the
PDF, which WeasyPrint draws on the server with DejaVu Sans (Debian's
fonts-dejavu-core) loaded from the local disk: every Vietnamese diacritic is in
it and nothing is fetched from outside (the URL fetcher refuses anything but the
font files). The list of overdue questions shows reference codes, agency, topic
and deadline only: no asker's data.
"""

import datetime
import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from accounts.models import Agency
from qa import periodic

from . import selectors, tables
from .models import Report
from .periods import Period

logger = logging.getLogger(__name__)
# The report lists the longest-overdue questions and links to the full list (CSV): the whole portal's backlog
# (15,000 at the benchmark's million questions) would be hundreds of PDF pages and most of its drawing time.
OVERDUE_LIST_LIMIT = 100
COMPARED = (
    ("received", "counters"),
    ("accepted", "counters"),
    ("answered", "counters"),
    ("answered_on_time", "counters"),
    # Closed by sending a published answer that already answered the question (issue 15), not counted in `answered`.
    ("answered_by_reference", "counters"),
    ("on_time_rate", None),
    ("published", "counters"),
    ("transferred_out", "counters"),
    ("rejected_total", None),
    ("withdrawn", "counters"),
    ("median_days", None),
    ("p90_days", None),
    ("ratings", "counters"),
    ("satisfaction", None),
)


def _value(summary: selectors.Summary, key: str, source: str | None):
    return summary.counters[key] if source == "counters" else getattr(summary, key)


def overdue_questions(filters: selectors.Filters, today: datetime.date, *, limit: int | None = OVERDUE_LIST_LIMIT):
    """Questions whose running clock ended before today, the longest overdue first: reference, agency, topic,
    deadline, days late (no personal data). At most `limit` (None: every one, read in chunks)."""
    queryset = periodic.questions_overdue(today=today).order_by("deadline", "reference")
    if filters.agency_ids is not None:
        queryset = queryset.filter(agency_id__in=filters.agency_ids)
    rows = queryset.values("reference", "agency__name", "topic__name", "deadline")
    for row in rows[:limit] if limit is not None else rows.iterator(chunk_size=2000):
        row["days_late"] = (today - row["deadline"]).days
        yield row


def overdue_csv(filters: selectors.Filters, today: datetime.date):
    """The full overdue list as CSV lines (UTF-8 with BOM, like the statistics downloads), streamed."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Reference code"), _("Agency"), _("Topic"), _("Deadline"), _("Days late")])
    yield "\ufeff" + out.getvalue()
    for row in overdue_questions(filters, today, limit=None):
        out.seek(0)
        out.truncate()
        writer.writerow(
            [row["reference"], row["agency__name"], row["topic__name"], row["deadline"].isoformat(), row["days_late"]]
        )
        yield out.getvalue()


def overdue_list_url(agency: Agency | None) -> str:
    """The full list's address, absolute (the PDF is read away from the site)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    query = f"?{urlencode({'agency': agency.slug})}" if agency else ""
    return f"{settings.SITE_URL}{reverse('stats:report_overdue')}{query}"


def report_context(agency: Agency | None, period: Period, *, today: datetime.date | None = None) -> dict:
    """Everything the report shows, for the HTML page and the PDF (a fixed number of queries)."""
    today = today or timezone.localdate()
    filters = selectors.Filters(period, agency, None, selectors.agency_scope(agency))
    current = selectors.summary(filters)
    previous_period = period.previous()
    previous = selectors.summary(filters, period=previous_period, with_overdue=False)
    labels = {row["key"]: row["label"] for row in tables.summary_table(current).rows}
    comparison = []
    for key, source in COMPARED:
        now_value, before = _value(current, key, source), _value(previous, key, source)
        change = None if now_value is None or before is None else round(now_value - before, 1)
        label = labels[{"rejected_total": "rejected"}.get(key, key)]
        comparison.append({"label": label, "current": now_value, "previous": before, "change": change})
    return {
        "agency": agency,
        "period": period,
        "previous_period": previous_period,
        "today": today,
        "summary": current,
        "comparison": comparison,
        "channels": tables.channels_table(current),
        "rejections": tables.rejections_table(current),
        "topics": tables.topics_table(selectors.by_topic(filters)),
        "live": tables.live_table(current),
        "overdue": (overdue := list(overdue_questions(filters, today, limit=OVERDUE_LIST_LIMIT))),
        "overdue_total": current.overdue_now,
        "overdue_more": max(0, current.overdue_now - len(overdue)),
        "overdue_url": overdue_list_url(agency),
        "portal_name": settings.PORTAL_NAME,
        "font_dir": Path(settings.STATS_REPORT_FONT_DIR).resolve().as_uri(),
        "title": report_title(agency, period),
    }


def with_tables(context: dict) -> dict:
    """The context with the report's tables in the order they are printed."""
    return {**context, "report_tables": [context[k] for k in ("channels", "topics", "rejections", "live")]}


def render_pdf_html(context: dict) -> str:
    """The standalone document WeasyPrint draws (its own A4 stylesheet and the local font)."""
    return render_to_string("stats/report_pdf.html", with_tables(context))


def font_only_fetcher():
    """A WeasyPrint URL fetcher that reads the report's font files from disk and nothing else
    (no network, no other file), whatever a template or a stored name might contain."""
    from weasyprint.urls import URLFetcher

    font_dir = Path(settings.STATS_REPORT_FONT_DIR).resolve().as_uri()

    class FontOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith(font_dir + "/") and url.endswith(".ttf") and ".." not in url:
                return super().fetch(url, headers)
            raise ValueError(f"refused to fetch {url!r} while rendering a report")

    return FontOnlyFetcher(allowed_protocols={"file"}, allow_redirects=False)


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    return HTML(string=html, url_fetcher=font_only_fetcher(), base_url=None).write_pdf(font_config=FontConfiguration())


def report_title(agency: Agency | None, period: Period) -> str:
    return _("Report on answering citizens' questions, %(period)s, %(who)s") % {
        "period": period.label(),
        "who": agency.name if agency else _("the whole portal"),
    }


def report_generate(*, report_id: int, language: str = "vi") -> Report | None:
    """Fill a requested Report: figures, HTML, PDF stored with the row; progress saved at each step.

    Safe to run twice: a report already done is left alone. A failure marks the row failed with the reason.
    """
    report = Report.objects.select_related("agency").filter(pk=report_id).first()
    if report is None or report.status == Report.Status.DONE:
        return report
    from .periods import from_code

    def step(progress: int, status: str = Report.Status.RUNNING) -> None:
        Report.objects.filter(pk=report.pk).update(progress=progress, status=status)

    started = time.monotonic()
    try:
        with translation.override(language):
            step(10)
            context = report_context(report.agency, from_code(report.period))
            step(40)
            pdf = render_pdf(render_pdf_html(context))
            step(90)
        name = f"bao-cao-{report.period}-{report.agency.slug if report.agency else 'toan-cong'}-"
        with transaction.atomic():
            report.pdf.save(f"{name}{get_random_string(10).lower()}.pdf", ContentFile(pdf), save=False)
            report.status, report.progress, report.finished_at = Report.Status.DONE, 100, timezone.now()
            report.error = ""
            report.save(update_fields=["pdf", "status", "progress", "finished_at", "error"])
    except Exception as exc:  # the official sees that it failed and may ask again; the worker keeps going
        logger.exception("report %s failed", report.pk)
        Report.objects.filter(pk=report.pk).update(status=Report.Status.FAILED, error=str(exc)[:500])
        report.refresh_from_db()
        return report
    report.seconds = time.monotonic() - started
    return report


def report_request(*, user, agency: Agency | None, period: Period) -> Report:
    """Record the request and start the task after commit (the official follows its progress on the page)."""
    from .tasks import generate_report

    report = Report.objects.create(agency=agency, period=period.code, requested_by=user)
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: generate_report.delay(report.pk, language))
    return report
