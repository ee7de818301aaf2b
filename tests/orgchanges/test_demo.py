"""The demo is today's Hải Phòng: the 2025 reorganisation applied by load_demo through the operations."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency
from orgchanges.demo import CHANGES
from orgchanges.models import AdministrativeUnit, Reorganisation, Status
from qa.models import Question, QuestionEvent, QuestionStatus
from tests.qa.test_demo import _staff_routes, load_demo  # noqa: F401 (the fixture is autouse here too)

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_the_demo_shows_hai_phong_after_the_2025_reorganisation(client):
    load_demo()
    assert Reorganisation.objects.filter(status=Status.APPLIED).count() == len(CHANGES)
    active = set(Agency.objects.filter(is_active=True).values_list("name", flat=True))
    assert {
        "Ủy ban nhân dân thành phố Hải Phòng",
        "Sở Nông nghiệp và Môi trường",
        "Sở Tài chính",
        "Sở Xây dựng",
        "Sở Nội vụ",
        "Sở Y tế",
        "Sở Giáo dục và Đào tạo",
        "Sở Khoa học và Công nghệ",
        "Ủy ban nhân dân phường Lê Chân",
        "Ủy ban nhân dân đặc khu Cát Hải",
    } <= active
    gone = {"Sở Tài nguyên và Môi trường", "Sở Giao thông vận tải", "Sở Kế hoạch và Đầu tư", "Quận Lê Chân"}
    assert not gone & active
    assert not Agency.objects.filter(is_active=True, kind=Agency.Kind.DISTRICT).exists()
    assert AdministrativeUnit.objects.filter(unit_type="dac_khu").count() == 2

    # Answers given before the reorganisation stay with the old department, dated before it, named as then.
    stnmt = Agency.objects.get(code="HP-STNMT")
    old = Question.objects.filter(agency=stnmt, status=QuestionStatus.PUBLISHED)
    assert old.exists()
    assert all(q.published_at.date().isoformat() < "2025-03-01" for q in old)
    assert all(q.reference.startswith(("HP-STNMT-2024-", "HP-STNMT-2025-")) for q in old)
    page = client.get(old.first().get_absolute_url()).content.decode()
    assert "Sở Tài nguyên và Môi trường (nay là Sở Nông nghiệp và Môi trường)" in page

    # Questions open on the day a change took effect moved to the successor with the public event dated that
    # day, and keep the code they were given before it; the successor answered them afterwards.
    moved = Question.objects.filter(events__action="reorganised").distinct()
    assert moved.exists()
    assert not moved.filter(agency__is_active=False).exists()
    example = moved.get(reference__startswith="HP-STNMT-", agency__code="HP-SNNMT")
    event = example.events.get(action="reorganised")
    assert event.is_public and event.note.startswith("Chuyển sang Sở Nông nghiệp và Môi trường")
    assert timezone.localdate(event.created_at).isoformat() == "2025-03-01"
    assert example.received_at < event.created_at < example.answered_at
    # The asker's tracking page shows the move; the public answer names the department that gave it.
    tracking = client.get(example.tracking_path()).content.decode()
    assert "Chuyển sang Sở Nông nghiệp và Môi trường" in tracking
    page = client.get(example.get_absolute_url()).content.decode()
    assert "Sở Nông nghiệp và Môi trường" in page and "(nay là" not in page
    for question in moved.select_related("agency"):
        day = timezone.localdate(question.events.get(action="reorganised").created_at)
        assert timezone.localdate(question.received_at) < day

    # No agency received a question after it ended: today's queue is today's agencies', under their codes.
    for agency in Agency.objects.filter(is_active=False).exclude(successions=None):
        ended = min(agency.successions.values_list("effective_date", flat=True), default=None)
        if ended:
            assert not Question.objects.filter(
                reference__startswith=f"{agency.code}-", received_at__date__gte=ended
            ).exists(), agency.code
    current = Question.objects.filter(status__in=["submitted", "accepted", "in_review"])
    assert current.exists() and not current.filter(agency__is_active=False).exists()
    assert current.filter(reference__startswith="HP-SNNMT-2026-").exists()

    # The demo staff work for today's department, and their addresses carry its code.
    from accounts.demo import ACCOUNTS
    from accounts.models import Membership

    staff = [a.email for a in ACCOUNTS if a.agency]
    assert staff and all(".snnmt@" in email for email in staff)
    assert set(Membership.objects.filter(user__email__in=staff).values_list("agency__code", flat=True)) == {"HP-SNNMT"}

    # The old address of the department leads to today's one.
    response = client.get(reverse("qa:agency", args=["so-tai-nguyen-va-moi-truong"]))
    assert response.status_code == 301
    assert response["Location"] == reverse("qa:agency", args=["so-nong-nghiep-va-moi-truong"])

    # Six questions in ten name the asker's commune or ward, as it was when they asked: a few wards that merged
    # on 1 July 2025 for the older ones. By today's structure the statistics show some units with figures.
    total, placed = Question.objects.count(), Question.objects.filter(place__isnull=False).count()
    assert 0.5 <= placed / total <= 0.7
    assert Question.objects.filter(place__successor__isnull=False).exists()
    assert Question.objects.filter(place__successor__isnull=True).exists()
    from stats import selectors as stats_selectors

    today = stats_selectors.parse_filters({"start": "2024-01-01", "end": "2026-12-31", "structure": "today"})
    assert any(not line["suppressed"] for line in stats_selectors.by_place(today))


def test_loading_the_demo_twice_changes_nothing():
    load_demo()
    before = (
        list(Question.objects.order_by("pk").values_list("reference", "agency_id", "status", "version")),
        QuestionEvent.objects.count(),
        list(Agency.objects.order_by("pk").values_list("code", "is_active", "parent_id")),
    )
    output = load_demo()
    after = (
        list(Question.objects.order_by("pk").values_list("reference", "agency_id", "status", "version")),
        QuestionEvent.objects.count(),
        list(Agency.objects.order_by("pk").values_list("code", "is_active", "parent_id")),
    )
    assert after == before
    assert "orgchanges: 0 reorganisation operations applied" in output
