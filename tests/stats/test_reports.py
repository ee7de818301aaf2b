"""The six-monthly report: HTML page, PDF drawn by WeasyPrint (read back with pdftotext), Celery task, command."""

import datetime
import logging
import shutil
import subprocess

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Membership
from stats import aggregation, reports, selectors
from stats.models import Report
from stats.periods import from_code
from tests.factories import MembershipFactory, UserFactory
from tests.stats.timelines import VN, build_world

pytestmark = [pytest.mark.django_db]

LATER = datetime.datetime(2027, 7, 6, 9, 0, tzinfo=VN)


def pdf_text(path) -> str:
    assert shutil.which("pdftotext"), "pdftotext is missing: apt-get install poppler-utils"
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    built = build_world(seed=5, n=30)
    aggregation.rebuild_all()
    with time_machine.travel(LATER, tick=False):
        yield built


def test_command_writes_a_pdf_with_the_figures_and_vietnamese_intact(world, tmp_path):
    agency = world.agencies[0]
    out = tmp_path / "bao-cao.pdf"
    call_command("statistics_report", agency=agency.slug, period="2027-H1", output=str(out))
    text = pdf_text(out)
    filters = selectors.Filters(from_code("2027-H1"), agency, None, (agency.pk,))
    summary = selectors.summary(filters)
    flat = " ".join(text.split())
    assert "Báo cáo tình hình trả lời câu hỏi của người dân và doanh nghiệp" in flat
    assert "Sáu tháng 1/2027" in flat and agency.name in flat
    previous = selectors.summary(filters, period=from_code("2026-H2"), with_overdue=False)
    # The comparison table: figure, previous half-year, this half-year.
    for label, key in (("Câu hỏi đã tiếp nhận", "received"), ("Đã trả lời", "answered"), ("Lượt đánh giá", "ratings")):
        row = f"{label} {previous.counters[key]} {summary.counters[key]}"
        assert row in flat, row
    assert summary.counters["received"] > 0
    assert f"Số ngày làm việc để trả lời (trung vị) – {summary.median_days}" in flat
    assert "Số ngày làm việc để trả lời (trung vị)" in flat
    assert "So sánh với Sáu tháng 2/2026" in flat
    for word in ("Đối thoại trực tuyến", "Lĩnh vực", "đúng hạn", "Thư giấy", "Điện thoại"):
        assert word in flat, word
    # Overdue questions appear by reference code only.
    for row in reports.overdue_questions(filters, LATER.date()):
        assert row["reference"] in flat
    assert "Riêng Tư" not in flat and "0912345678" not in flat and "@example.vn" not in flat


def test_an_official_asks_for_the_pdf_and_downloads_it_again(client, world, django_capture_on_commit_callbacks):
    agency = world.agencies[1]
    official = UserFactory()
    MembershipFactory(user=official, agency=agency, role=Membership.Role.ADMIN)
    client.force_login(official)
    page = client.get(reverse("stats:report"), {"period": "2027-H1", "agency": agency.slug})
    assert page.status_code == 200 and "Tạo tệp PDF" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("stats:reports"), {"period": "2027-H1", "agency": agency.slug})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.status == Report.Status.DONE and report.progress == 100 and report.requested_by == official
    listing = client.get(reverse("stats:reports")).content.decode()
    assert reverse("stats:report_download", args=[report.pk]) in listing
    download = client.get(reverse("stats:report_download", args=[report.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Another agency's official may neither ask for it nor download it.
    stranger = UserFactory()
    MembershipFactory(user=stranger, agency=world.agencies[2], role=Membership.Role.ADMIN)
    client.force_login(stranger)
    assert client.post(reverse("stats:reports"), {"period": "2027-H1", "agency": agency.slug}).status_code == 403
    assert client.get(reverse("stats:report_download", args=[report.pk])).status_code == 404


def test_the_public_html_report_and_bad_input(client, world):
    page = client.get(reverse("stats:report"), {"period": "2027-H1"})
    html = page.content.decode()
    assert page.status_code == 200 and "Toàn cổng" in html and "Tạo tệp PDF" not in html
    assert client.get(reverse("stats:report"), {"period": "2030-H1"}).status_code == 400
    assert client.get(reverse("stats:report"), {"agency": "khong-co"}).status_code == 400


def test_the_font_fetcher_reads_the_local_font_and_refuses_anything_else(settings, caplog):
    fetcher = reports.font_only_fetcher()
    with pytest.raises(ValueError, match="refused"):
        fetcher("https://fonts.example.com/x.ttf")
    with pytest.raises(ValueError, match="refused"):
        fetcher("file:///etc/passwd")
    font = fetcher(f"{reports.Path(settings.STATS_REPORT_FONT_DIR).resolve().as_uri()}/DejaVuSans.ttf")
    assert font.read(4) == b"\x00\x01\x00\x00"  # a TrueType file
    # Rendering loads the font without a single warning (a failed fetch would fall back silently otherwise).
    caplog.set_level("WARNING", logger="weasyprint")
    html = '<html><head><style>@font-face{font-family:R;src:url("%s/DejaVuSans.ttf")} body{font-family:R}</style>'
    pdf = reports.render_pdf(html % reports.Path(settings.STATS_REPORT_FONT_DIR).resolve().as_uri() + "<p>Đường</p>")
    warnings = [r for r in caplog.records if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING]
    assert pdf.startswith(b"%PDF") and not warnings  # (weasyprint.progress logs its steps at INFO)


def test_the_overdue_list_is_capped_with_the_rest_counted_and_linked_as_csv(client, world, monkeypatch, tmp_path):
    """The PDF lists the longest-overdue questions only, says how many more there are and links to the full
    list; the CSV there holds every overdue question of the agency's tree (or the portal), longest overdue first,
    with no personal data."""
    import csv
    import io

    from qa.models import Question

    portal = selectors.Filters(from_code("2027-H1"))
    everything = list(reports.overdue_questions(portal, LATER.date(), limit=None))
    assert len(everything) >= 3
    assert [r["deadline"] for r in everything] == sorted(r["deadline"] for r in everything)
    monkeypatch.setattr(reports, "OVERDUE_LIST_LIMIT", 2)
    context = reports.report_context(None, from_code("2027-H1"), today=LATER.date())
    assert [r["reference"] for r in context["overdue"]] == [r["reference"] for r in everything[:2]]
    assert context["overdue_total"] == len(everything) and context["overdue_more"] == len(everything) - 2
    out = tmp_path / "portal.pdf"
    out.write_bytes(reports.render_pdf(reports.render_pdf_html(context)))
    flat = " ".join(pdf_text(out).split())
    assert f"{len(everything)} câu hỏi đang quá hạn" in flat
    assert f"Còn {len(everything) - 2} câu hỏi khác: danh sách đầy đủ các câu hỏi quá hạn (CSV)" in flat
    assert everything[2]["reference"] not in flat and "/statistics/report/overdue.csv" in flat

    response = client.get(reverse("stats:report_overdue"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Mã tra cứu", "Cơ quan", "Lĩnh vực", "Hạn xử lý", "Số ngày trễ"]
    assert [r[0] for r in rows[1:]] == [r["reference"] for r in everything]
    from qa.models import AskerContact

    askers = AskerContact.objects.values_list("name", "email", "phone")
    assert askers
    text = raw.decode("utf-8-sig")
    for values in askers:
        for value in values:
            assert not value or value not in text
    agency = world.agencies[0]
    mine = client.get(reverse("stats:report_overdue"), {"agency": agency.slug})
    references = [r[0] for r in csv.reader(io.StringIO(b"".join(mine.streaming_content).decode("utf-8-sig")))][1:]
    assert set(references) == set(
        Question.objects.filter(reference__in=[r["reference"] for r in everything], agency=agency).values_list(
            "reference", flat=True
        )
    )
    assert client.get(reverse("stats:report_overdue"), {"agency": "khong-co"}).status_code == 400


def test_the_report_shows_the_questions_answered_with_a_published_answer(world, tmp_path):
    """Like the statistics page, CSV and API: questions closed by sending an archive answer, per half-year."""
    from qa import services
    from qa.models import QuestionStatus
    from tests.factories import PublishedQuestionFactory
    from tests.qa.staff_fixtures import moderator, question_in

    agency = world.agencies[0]
    with time_machine.travel(datetime.datetime(2027, 5, 12, 10, 0, tzinfo=VN), tick=False):
        official = moderator(agency)
        published = PublishedQuestionFactory()
        for _ in range(3):
            services.question_answer_by_reference(
                actor=official, question=question_in(QuestionStatus.SUBMITTED, agency), answer_reference=published
            )
    aggregation.rebuild_all()
    filters = selectors.Filters(from_code("2027-H1"), agency, None, (agency.pk,))
    current = selectors.summary(filters)
    previous = selectors.summary(filters, period=from_code("2026-H2"), with_overdue=False)
    assert current.counters["answered_by_reference"] >= 3
    out = tmp_path / "bao-cao.pdf"
    call_command("statistics_report", agency=agency.slug, period="2027-H1", output=str(out))
    flat = " ".join(pdf_text(out).split())
    row = (
        "Trả lời bằng câu trả lời đã công khai "
        f"{previous.counters['answered_by_reference']} {current.counters['answered_by_reference']}"
    )
    assert row in flat, row
    # The HTML report shows the same row.
    from django.test import Client

    html = Client().get(reverse("stats:report"), {"period": "2027-H1", "agency": agency.slug}).content.decode()
    assert "Trả lời bằng câu trả lời đã công khai" in html
