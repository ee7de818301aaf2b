"""In-app items say what they are about, group by question, and are read once the question is opened or acted on."""

import pytest
from django.urls import reverse

from notifications.models import Channel, Notification
from notifications.selectors import about_line, inbox_for, inbox_groups, notification_payload
from qa.messaging import notify_staff
from qa.models import QuestionStatus
from tests.accounts.otp import verified_login
from tests.factories import AgencyFactory, MembershipFactory, QuestionFactory

pytestmark = [pytest.mark.django_db]


def _items(user):
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP)


@pytest.fixture
def setup():
    agency = AgencyFactory(code="HP-STP")
    officer = MembershipFactory(agency=agency).user
    first = QuestionFactory(agency=agency, status=QuestionStatus.ACCEPTED, title="Đăng ký khai sinh cho con")
    second = QuestionFactory(agency=agency, status=QuestionStatus.ACCEPTED, title="Cấp phiếu lý lịch tư pháp")
    for kind in ("new_question", "assigned"):
        notify_staff(first, kind, user_ids=[officer.pk])
    notify_staff(second, "new_question", user_ids=[officer.pk])
    return officer, first, second


def test_items_name_their_question_and_group_by_it(setup):
    officer, first, _second = setup
    rows = list(inbox_for(user=officer))
    assert len(rows) == 3
    assert any(first.title in about_line(row) and first.reference in about_line(row) for row in rows)
    assert notification_payload(rows[0])["about"] == about_line(rows[0])
    groups = inbox_groups(rows)
    assert sorted(len(group.items) for group in groups) == [1, 2]
    assert {group.unread for group in groups} == {1, 2}


def test_opening_the_question_reads_its_items_only(setup, client):
    officer, first, second = setup
    verified_login(client, officer)
    page = client.get(reverse("notifications:list")).content.decode()
    assert first.title in page and first.reference in page
    assert "1 earlier update about this question" in page or "1 cập nhật trước đó về câu hỏi này" in page
    client.get(reverse("staff:question", kwargs={"reference": first.reference}))
    assert not _items(officer).filter(context__question__id=first.pk, read_at__isnull=True).exists()
    assert _items(officer).filter(context__question__id=second.pk, read_at__isnull=True).count() == 1


def test_acting_on_the_question_reads_its_items(setup, client):
    officer, first, second = setup
    verified_login(client, officer)
    client.post(reverse("staff:action", kwargs={"reference": second.reference, "action": "assign"}), {})
    assert not _items(officer).filter(context__question__id=second.pk, read_at__isnull=True).exists()
    assert _items(officer).filter(context__question__id=first.pk, read_at__isnull=True).count() == 2


def test_marking_one_item_read_reads_its_group(setup, client):
    officer, first, _second = setup
    verified_login(client, officer)
    newest = _items(officer).filter(context__question__id=first.pk).order_by("-created_at", "-id").first()
    client.post(reverse("notifications:mark_read", kwargs={"pk": newest.pk}))
    assert not _items(officer).filter(context__question__id=first.pk, read_at__isnull=True).exists()
