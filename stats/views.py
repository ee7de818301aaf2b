"""The public statistics page and its downloads. Thin: filters are parsed by selectors, figures built by tables.

Figures are cached for a few minutes per filter set and language (stats.cache,
STATS_CACHE_SECONDS): the daily rows only change when the periodic refresh runs,
and "overdue now" may lag as much.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import permissions
from accounts.collation import sorted_vi
from accounts.models import Agency
from qa import selectors as qa_selectors
from qa.models import Topic

from . import charts, periods, reports, selectors
from .cache import cached
from .models import Report
from .tables import TABLE_KEYS, Table, build_tables


def cached_tables(filters: selectors.Filters, sort: str, descending: bool) -> dict[str, Table]:
    key = "stats:tables:" + urlencode(
        sorted({**filters.params(), "sort": sort, "desc": int(descending), "lang": get_language()}.items())
    )
    return cached(key, lambda: build_tables(filters, sort=sort, descending=descending))


def _sort(params) -> tuple[str, bool]:
    sort = params.get("sort") if params.get("sort") in selectors.RANKING_SORTS else "on_time_rate"
    default_desc = sort not in ("name", "median_days", "overdue_now")
    order = params.get("order")
    return sort, (order == "desc") if order in ("asc", "desc") else default_desc


def _ranking_headers(filters: selectors.Filters, table: Table, sort: str, descending: bool) -> list[dict]:
    headers = []
    for key, label in table.columns:
        active = key == sort
        order = ("asc" if descending else "desc") if active else ("asc" if key in ("name", "median_days") else "desc")
        query = urlencode({**filters.params(), "sort": key, "order": order})
        headers.append(
            {
                "key": key,
                "label": label,
                "url": f"?{query}#ranking",
                "aria_sort": ("descending" if descending else "ascending") if active else None,
            }
        )
    return headers


def _charts(tables: dict[str, Table]) -> dict[str, str]:
    channels = tables["channels"]
    monthly = tables["monthly"]
    out = {
        "channels": charts.bar_chart(
            "chart-channels", channels.title, [(row["label"], row["value"]) for row in channels.rows]
        ),
        "monthly": charts.column_chart(
            "chart-monthly",
            monthly.title,
            [row["month"] for row in monthly.rows],
            [
                (pgettext("statistics", "Received"), [row["received"] for row in monthly.rows]),
                (_("Answered"), [row["answered"] for row in monthly.rows]),
            ],
        ),
    }
    ranking = [row for row in tables["ranking"].rows if row["on_time_rate"] is not None][:15]
    if ranking:
        out["ranking"] = charts.bar_chart(
            "chart-ranking", _("On-time rate by agency (%)"), [(row["name"], row["on_time_rate"]) for row in ranking]
        )
    return out


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    context = {
        "period_choices": periods.recent_choices(),
        "agency_tree": selectors.agency_tree(),
        "topics": sorted_vi(Topic.objects.filter(is_active=True)),
        "values": request.GET,
    }
    try:
        filters = selectors.parse_filters(request.GET)
    except ValidationError as exc:
        context["errors"] = exc.message_dict
        return render(request, "stats/statistics.html", context, status=400)
    sort, descending = _sort(request.GET)
    tables = cached_tables(filters, sort, descending)
    query = urlencode(filters.params())
    from .rising import latest, with_questions

    context.update(
        rising=with_questions(latest(public=True), public=True),
        archive_answered=qa_selectors.archive_answered(
            filters.period.start, filters.period.end, filters.topic.pk if filters.topic else None
        ),
        filters=filters,
        tables=tables,
        charts=_charts(tables),
        query=query,
        ranking_headers=_ranking_headers(filters, tables["ranking"], sort, descending),
        sort_query=urlencode({"sort": sort, "order": "desc" if descending else "asc"}),
        place_min=selectors.PLACE_MIN_QUESTIONS,
    )
    return render(request, "stats/statistics.html", context)


@require_GET
def statistics_download(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    if table not in TABLE_KEYS or fmt not in ("csv", "json"):
        raise Http404
    try:
        filters = selectors.parse_filters(request.GET)
    except ValidationError as exc:
        message = " ".join(m for messages in exc.message_dict.values() for m in messages)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    sort, descending = _sort(request.GET)
    tables = cached_tables(filters, sort, descending)
    if table not in tables:
        raise Http404
    name = f"thong-ke-{table}-{filters.period.start:%Y%m%d}-{filters.period.end:%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse(tables[table].to_csv(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(tables[table].to_json(filters), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --- The six-monthly report -------------------------------------------------------------------


def _half_years() -> list[tuple[str, str]]:
    period, out = periods.period_containing(timezone.localdate(), "half"), []
    for _i in range(8):
        out.append((period.code, period.label()))
        period = period.previous()
    return out


def _report_target(params) -> tuple[Agency | None, periods.Period]:
    """The agency (None: the whole portal) and half-year asked for; the last finished half-year by default."""
    errors: dict[str, list[str]] = {}
    code = params.get("period") or periods.period_containing(timezone.localdate(), "half").previous().code
    period = None
    try:
        period = periods.parse_period(code)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    agency = None
    if slug := (params.get("agency") or "").strip():
        agency = Agency.objects.filter(slug=slug).first()
        if agency is None:
            errors["agency"] = [_("There is no agency “%(slug)s”.") % {"slug": slug[:80]}]
    if errors:
        raise ValidationError(errors)
    return agency, period


def _may_request(user, agency: Agency | None) -> bool:
    """Site administrators for any report; an agency's staff for their agency's."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff or (agency is not None and permissions.roles_in(user, agency)))


@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    context = {"half_years": _half_years(), "agency_tree": selectors.agency_tree()}
    try:
        agency, period = _report_target(request.GET)
    except ValidationError as exc:
        return render(request, "stats/report.html", {**context, "errors": exc.message_dict}, status=400)
    context.update(reports.with_tables(reports.report_context(agency, period)))
    context["can_request_pdf"] = _may_request(request.user, agency)
    return render(request, "stats/report.html", context)


@require_GET
def report_overdue(request: HttpRequest) -> HttpResponse:
    """Every overdue question of the agency's tree (or the portal) as CSV: the report lists the longest overdue
    and links here for the rest. Reference codes, agencies, topics and deadlines only, like the report."""
    try:
        agency, _period = _report_target(request.GET)
    except ValidationError as exc:
        message = " ".join(m for messages in exc.message_dict.values() for m in messages)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    today = timezone.localdate()
    filters = selectors.Filters(periods.period_containing(today, "month"), agency, None, selectors.agency_scope(agency))
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in reports.overdue_csv(filters, today)), content_type="text/csv; charset=utf-8"
    )
    name = f"qua-han-{agency.slug if agency else 'toan-cong'}-{today:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    """The official's requested reports with their progress; POST asks for a new one."""
    if request.method == "POST":
        try:
            agency, period = _report_target(request.POST)
        except ValidationError as exc:
            for message_list in exc.message_dict.values():
                for message in message_list:
                    messages.error(request, message)
            return redirect("stats:reports")
        if not _may_request(request.user, agency):
            raise PermissionDenied(_("Only the agency's staff and site administrators may generate this report."))
        reports.report_request(user=request.user, agency=agency, period=period)
        messages.success(request, _("The report is being generated. This page shows its progress."))
        return redirect("stats:reports")
    mine = list(Report.objects.filter(requested_by=request.user).select_related("agency")[:50])
    busy = any(r.status in (Report.Status.PENDING, Report.Status.RUNNING) for r in mine)
    return render(request, "stats/reports.html", {"reports": mine, "busy": busy})


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    report = get_object_or_404(Report.objects.select_related("agency"), pk=pk, status=Report.Status.DONE)
    if report.requested_by_id != request.user.pk and not _may_request(request.user, report.agency):
        raise Http404
    name = f"bao-cao-{report.period}-{report.agency.slug if report.agency else 'toan-cong'}.pdf"
    return FileResponse(report.pdf.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


# --- The staff dashboard ----------------------------------------------------------------------


@login_required
@require_GET
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    """Per agency of the official: workload, deadlines, returns, waiting, this month's median handling time."""
    from .dashboard import SOON_WORKING_DAYS, staff_dashboard

    if not request.user.is_staff and not permissions.is_agency_staff(request.user):
        raise PermissionDenied(_("The dashboard is for agency staff."))
    boards = staff_dashboard(request.user)
    return render(
        request,
        "stats/dashboard.html",
        {"boards": boards, "soon_days": SOON_WORKING_DAYS, "panel_section": "dashboard", "many": len(boards) > 1},
    )


@require_GET
def takedown_log(request: HttpRequest) -> HttpResponse:
    """The public takedown log, 50 a page."""
    from django.core.paginator import Paginator

    from .takedowns import describe, takedown_events

    page = Paginator(takedown_events(), 50).get_page(request.GET.get("page"))
    rows = [describe(row) for row in page.object_list]
    return render(request, "stats/takedowns.html", {"page": page, "rows": rows})


# --- Open data --------------------------------------------------------------------------------


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    from . import opendata

    info = opendata.status()
    return render(
        request,
        "stats/open_data.html",
        {"fields": opendata.FIELDS, "licence": opendata.LICENCE, "sizes": info["sizes"], "built_at": info["built_at"]},
    )


@require_GET
def open_data_file(request: HttpRequest, fmt: str) -> FileResponse:
    from . import opendata

    name = opendata.FILES.get(fmt)
    path = opendata.directory() / name if name else None
    if path is None or not path.exists():
        raise Http404
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/jsonl; charset=utf-8"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=content_type)
