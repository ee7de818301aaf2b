"""Rising issues: a quiet week raises nothing; a planted burst is found (on generated data)."""

import datetime
import random

import pytest
from django.urls import reverse

from qa.models import QuestionStatus
from stats import rising
from stats.models import RisingItem
from tests.factories import AgencyFactory, QuestionFactory, TopicFactory
from tests.stats.timelines import VN

TODAY = datetime.date(2026, 11, 30)
TITLES = [
    "Hỏi về thủ tục cấp giấy chứng nhận quyền sử dụng đất",
    "Xin hỏi về mức đóng bảo hiểm xã hội tự nguyện",
    "Thủ tục đăng ký kinh doanh hộ cá thể",
    "Hỏi về học phí trường trung học phổ thông công lập",
    "Chế độ thai sản cho lao động nữ",
    "Cấp đổi giấy phép lái xe quá hạn",
    "Hồ sơ xin cấp phép xây dựng nhà ở riêng lẻ",
    "Thuế thu nhập cá nhân khi bán nhà",
]


def steady_rows(seed: int, weeks: int = 9) -> list:
    """Nine weeks of ordinary questions: each week about the same mix (random noise, no trend)."""
    rng = random.Random(seed)
    rows, pk = [], 0
    for day_back in range(weeks * 7):
        day = TODAY - datetime.timedelta(days=day_back)
        for _i in range(rng.randint(3, 7)):
            pk += 1
            rows.append((pk, rng.randrange(1, 6), rng.choice(TITLES), day))
    return rows


@pytest.mark.parametrize("seed", range(8))
def test_a_quiet_week_raises_nothing(seed):
    assert rising.rising_for(steady_rows(seed), TODAY) == []


def test_a_planted_burst_is_found():
    rows = steady_rows(3)
    pk = 10_000
    for n in range(9):  # nine questions about flooding this week, never asked before
        pk += 1
        day = TODAY - datetime.timedelta(days=n % 6)
        rows.append((pk, 9, "Khu dân cư bị ngập lụt sau mưa lớn, xin hỗ trợ" if n % 2 else "Ngập lụt ở phường", day))
    found = rising.rising_for(rows, TODAY)
    keys = {(item["kind"], item["key"]) for item in found}
    assert ("term", "ngap lut") in keys and ("topic", "9") in keys
    item = next(i for i in found if i["key"] == "ngap lut")
    assert item["count"] == 9 and item["baseline"] == 0 and len(item["question_ids"]) == 9
    # Only the burst rises: nothing of the steady mix.
    assert all("ngap" in i["key"] or "lut" in i["key"] or i["key"] == "9" for i in found if i["kind"] == "term")


def test_a_big_but_steady_key_does_not_rise_while_a_small_one_tripling_does():
    rows = steady_rows(5)
    pk = 20_000
    for week in range(9):
        per_week = 2 if week else 8  # 2 a week for 8 weeks, then 8 this week
        for n in range(per_week):
            pk += 1
            rows.append(
                (pk, 1, "Hỏi về tiền sử dụng đất tái định cư", TODAY - datetime.timedelta(days=week * 7 + n % 7))
            )
    keys = {item["key"] for item in rising.rising_for(rows, TODAY)}
    assert "tai dinh" in keys or "dinh cu" in keys


@pytest.mark.django_db
def test_daily_job_stores_staff_and_public_lists(client):
    agency, topic = AgencyFactory(), TopicFactory(name="Phòng chống thiên tai")
    for n in range(7):
        received = datetime.datetime.combine(TODAY - datetime.timedelta(days=n % 5), datetime.time(9), tzinfo=VN)
        status = QuestionStatus.PUBLISHED if n < 5 else QuestionStatus.ACCEPTED
        QuestionFactory(
            agency=agency,
            topic=topic,
            status=status,
            received_at=received,
            title="Nhà bị sạt lở đất ven sông",
            public_title="Sạt lở ven sông",
        )
    assert rising.rising_refresh(today=TODAY) > 0
    staff = {i.label for i in RisingItem.objects.filter(public=False, agency__isnull=True)}
    public = {i.label for i in RisingItem.objects.filter(public=True)}
    assert "Phòng chống thiên tai" in staff and "sat lo" in staff
    assert "sat lo" in public  # from the five published ones' public titles
    assert {i.agency_id for i in RisingItem.objects.filter(public=False)} == {None, agency.pk}
    assert rising.latest(public=True)[0].day == TODAY


@pytest.mark.django_db
def test_shown_on_the_dashboard_and_publicly_only_from_published_questions(client):
    from accounts.models import Membership
    from tests.qa.staff_fixtures import staff

    agency, topic = AgencyFactory(), TopicFactory()
    questions = []
    for n in range(6):
        received = datetime.datetime.combine(TODAY - datetime.timedelta(days=n % 5), datetime.time(9), tzinfo=VN)
        status = QuestionStatus.PUBLISHED if n < 5 else QuestionStatus.ACCEPTED
        questions.append(
            QuestionFactory(
                agency=agency,
                topic=topic,
                status=status,
                received_at=received,
                title="Cháy rừng phòng hộ ven biển bí mật",
                public_title="Cháy rừng phòng hộ",
            )
        )
    rising.rising_refresh(today=TODAY)
    public_html = client.get(reverse("stats:statistics")).content.decode()
    assert "chay rung" in public_html and questions[0].get_absolute_url() in public_html
    assert questions[5].reference not in public_html and "bí mật" not in public_html
    client.force_login(staff(agency, Membership.Role.MODERATOR))
    html = client.get(reverse("staff-dashboard")).content.decode()
    assert "chay rung" in html and reverse("staff:question", args=[questions[5].reference]) in html
