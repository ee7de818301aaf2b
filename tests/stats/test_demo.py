"""The demo gives the statistics several months of history."""

import pytest
from django.core.management import call_command
from django.db.models.functions import TruncMonth
from django.utils import timezone

from stats import selectors
from stats.models import DailyStat

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_demo_history_fills_several_months(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - the command's own output
    months = set(DailyStat.objects.filter(received__gt=0).annotate(m=TruncMonth("day")).values_list("m", flat=True))
    assert len(months) >= 5
    span = {"start": min(months).isoformat(), "end": timezone.localdate().isoformat()}
    summary = selectors.summary(selectors.parse_filters(span))
    assert summary.counters["answered"] > 0 and summary.median_days is not None
    page = client.get("/statistics/", span)
    assert page.status_code == 200 and page.content.decode().count('role="img"') >= 3
