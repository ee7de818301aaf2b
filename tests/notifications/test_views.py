"""In-app list, read marks, header bell, preferences page, and the REST API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Channel, Notification, NotificationPreference
from notifications.services import notify
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

SITE = "http://127.0.0.1:8000"


def _give(user, n: int, *, kind: str = "qa.received", start: int = 0) -> list[Notification]:
    rows = []
    for i in range(start, start + n):
        rows += notify(
            kind=kind,
            recipients=[user],
            context={
                "question": {"reference": f"HP-STNMT-2026-{i:06d}", "title": f"Câu hỏi {i}", "agency": {"name": "Sở"}},
                "url": f"{SITE}/track/HP-STNMT-2026-{i:06d}/?token=t{i}",
            },
            channels=[Channel.IN_APP],
            idempotency_key=f"{kind}:{user.pk}:{i}",
        )
    return rows


@pytest.fixture
def user(client):
    user = UserFactory(language="vi")
    client.force_login(user)
    return user


def test_list_needs_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_list_shows_only_my_notifications_and_the_bell_counts_them(client, user):
    _give(user, 3)
    _give(UserFactory(), 2, start=10)
    response = client.get(reverse("notifications:list"))
    body = response.content.decode()
    assert response.status_code == 200
    for i in range(3):
        assert f"HP-STNMT-2026-{i:06d}" in body
    assert "HP-STNMT-2026-000010" not in body
    # On the bell and on the Menu button (the bell is folded inside the menu on a phone).
    assert body.count("data-unread-count>3</span>") == 2
    assert "js/notifications.js" in body


def test_list_page_query_count_does_not_grow_with_rows(client, user):
    _give(user, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:list"))
    _give(user, 15, start=3)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications:list"))
    assert len(many) == len(few)


def test_mark_one_read_and_all_read(client, user):
    rows = _give(user, 3)
    response = client.post(reverse("notifications:mark_read", args=[rows[0].pk]))
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 2
    client.post(reverse("notifications:mark_all_read"))
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 0
    body = client.get(reverse("notifications:list")).content.decode()
    assert body.count("data-unread-badge hidden") == 2


def test_unread_filter(client, user):
    rows = _give(user, 2)
    client.post(reverse("notifications:mark_read", args=[rows[0].pk]))
    body = client.get(reverse("notifications:list") + "?filter=unread").content.decode()
    assert "HP-STNMT-2026-000001" in body
    assert "HP-STNMT-2026-000000" not in body


def test_someone_elses_notification_is_404(client, user):
    (other,) = _give(UserFactory(), 1)
    assert client.post(reverse("notifications:mark_read", args=[other.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_open_marks_read_and_redirects_only_within_the_site(client, user):
    (row,) = _give(user, 1)
    response = client.get(reverse("notifications:open", args=[row.pk]))
    assert response["Location"] == f"{SITE}/track/HP-STNMT-2026-000000/?token=t0"
    row.refresh_from_db()
    assert row.read_at is not None
    (evil,) = notify(
        kind="qa.received",
        recipients=[user],
        context={"url": "https://evil.example/phish"},
        channels=[Channel.IN_APP],
    )
    assert client.get(reverse("notifications:open", args=[evil.pk]))["Location"] == reverse("notifications:list")


def test_mark_read_ignores_an_outside_next(client, user):
    (row,) = _give(user, 1)
    response = client.post(reverse("notifications:mark_read", args=[row.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notifications:list")


def test_preferences_page_lists_staff_kinds_only_for_staff(client, user):
    body = client.get(reverse("notifications:preferences")).content.decode()
    assert "qa.published:email" in body
    assert "qa.staff_new_question:email" not in body
    MembershipFactory(user=user)
    body = client.get(reverse("notifications:preferences")).content.decode()
    assert "qa.staff_new_question:email" in body


def test_saving_preferences(client, user):
    MembershipFactory(user=user)
    response = client.post(
        reverse("notifications:preferences"),
        {
            # qa.published: nothing ticked → both off; staff_new_question: e-mail as a digest, no in-app.
            "qa.staff_new_question:email": "on",
            "qa.staff_new_question:digest": "1",
            "qa.staff_assigned:email": "on",
            "qa.staff_assigned:in_app": "on",
            "qa.staff_assigned:digest": "1",  # not offered for this kind: ignored
        },
    )
    assert response.status_code == 302
    prefs = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    assert (prefs["qa.published"].email_enabled, prefs["qa.published"].in_app_enabled) == (False, False)
    new = prefs["qa.staff_new_question"]
    assert (new.email_enabled, new.in_app_enabled, new.email_digest) == (True, False, True)
    assert prefs["qa.staff_assigned"].email_digest is False
    # Transactional e-mail stays on whatever the form says.
    assert prefs["qa.received"].email_enabled is True
    body = client.get(reverse("notifications:preferences")).content.decode()
    assert 'value="1" selected' in body


# --- API ------------------------------------------------------------------------------------------


def test_api_requires_login(client):
    assert client.get("/api/v1/notifications/").status_code == 403


def test_api_list_and_filter(client, user):
    rows = _give(user, 3)
    _give(UserFactory(), 1, start=20)
    client.post(f"/api/v1/notifications/{rows[0].pk}/read/")
    data = client.get("/api/v1/notifications/").json()
    assert data["count"] == 3
    first = data["results"][0]
    assert set(first) == {"id", "kind", "title", "url", "created_at", "read"}
    assert first["kind"] == "qa.received"
    assert "HP-STNMT-2026-" in first["title"]
    unread = client.get("/api/v1/notifications/?unread=true").json()
    assert unread["count"] == 2
    assert all(not item["read"] for item in unread["results"])


def test_api_query_count_is_constant(client, user):
    _give(user, 2)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/notifications/")
    _give(user, 12, start=2)
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/notifications/")
    assert len(many) == len(few)


def test_api_mark_read_and_read_all(client, user):
    rows = _give(user, 3)
    response = client.post(f"/api/v1/notifications/{rows[1].pk}/read/")
    assert response.status_code == 200
    assert response.json()["read"] is True
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 2, "unread": 0}
    (other,) = _give(UserFactory(), 1, start=30)
    assert client.post(f"/api/v1/notifications/{other.pk}/read/").status_code == 404


def test_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/notifications/",
        "/api/v1/notifications/unread-count/",
        "/api/v1/notifications/read-all/",
        "/api/v1/notifications/{id}/read/",
    ):
        assert path in paths, path
    assert "unread" in {p["name"] for p in paths["/api/v1/notifications/"]["get"]["parameters"]}
