"""One date format everywhere ("14/12/2026", "11:14, 07/12/2026"), always in Asia/Ho_Chi_Minh."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.utils import timezone

from core.dates import format_date, format_datetime, format_time
from tests.factories import QuestionFactory

UTC_MORNING = datetime.datetime(2026, 12, 7, 4, 14, tzinfo=datetime.UTC)  # 11:14 in Hà Nội
UTC_LATE = datetime.datetime(2026, 12, 13, 17, 30, tzinfo=datetime.UTC)  # already 14/12 in Hà Nội


def test_the_formatter():
    assert format_date(datetime.date(2026, 12, 14)) == "14/12/2026"
    assert format_datetime(UTC_MORNING) == "11:14, 07/12/2026"
    assert format_time(UTC_MORNING) == "11:14"
    # The calendar day in Vietnam, not in UTC.
    assert format_date(UTC_LATE) == "14/12/2026" and format_datetime(UTC_LATE) == "00:30, 14/12/2026"
    assert format_date(None) == format_datetime(None) == format_time("") == ""


def test_the_filter_ignores_the_active_time_zone_and_language():
    template = Template('{{ d|vn_date }}|{{ t|vn_date:"datetime" }}|{{ t|vn_date:"time" }}|{{ t|vn_date:"nonsense" }}')
    for zone in ("UTC", "America/New_York"):
        with timezone.override(zone):
            rendered = template.render(Context({"d": datetime.date(2026, 12, 14), "t": UTC_MORNING}))
            assert rendered == "14/12/2026|11:14, 07/12/2026|11:14|"


def test_no_page_template_formats_dates_for_people_another_way():
    machine = {"c", "Y-m-d", "l"}  # <time datetime=…> values, and the weekday name before a vn_date
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*"):
        if path.suffix not in (".html", ".txt"):
            continue
        for fmt in re.findall(r"\|(?:date|time):[\"']([^\"']*)[\"']", path.read_text()):
            assert fmt in machine, f"{path}: |date:{fmt!r} (use |vn_date)"
        assert not re.search(r"\|date\s*(?:}}|\|)", path.read_text()), path


@pytest.mark.django_db
def test_the_tracking_page_shows_dates_in_the_one_format():
    question = QuestionFactory(status="submitted", received_at=UTC_MORNING)
    for language in ("vi", "en"):
        page = Client(HTTP_ACCEPT_LANGUAGE=language).get(question.tracking_path()).content.decode()
        assert ">11:14, 07/12/2026</time>" in page
        assert "ngày Ngày" not in page and "Ngày 07" not in page
