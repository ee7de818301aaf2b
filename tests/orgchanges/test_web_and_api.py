"""The site administrator's screens and API, and what citizens see after a reorganisation."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Agency
from orgchanges.models import Reorganisation, Status
from qa.models import Question
from tests.accounts.otp import verified_login
from tests.factories import PublishedQuestionFactory

from .helpers import PAST, merged, site_admin, two_departments

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_creates_previews_and_applies_a_merge_once():
    world = two_departments()
    client = _api(site_admin())
    created = client.post(
        "/api/v1/reorganisations/",
        {
            "kind": "merge",
            "effective_date": PAST.isoformat(),
            "sources": [world["tnmt"].pk, world["nnptnt"].pk],
            "new_name": "Sở Nông nghiệp và Môi trường",
            "new_slug": "so-nong-nghiep-va-moi-truong",
            "new_code": "HP-SNNMT",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client.post(f"/api/v1/reorganisations/{pk}/apply/").status_code == 409  # not previewed
    preview = client.post(f"/api/v1/reorganisations/{pk}/preview/", {}, format="json")
    assert preview.status_code == 200
    assert preview.json()["preview"]["open_questions"] == 3
    applied = client.post(f"/api/v1/reorganisations/{pk}/apply/")
    assert applied.status_code == 200 and applied.json()["status"] == Status.APPLIED
    again = client.post(f"/api/v1/reorganisations/{pk}/apply/")
    assert again.status_code == 200 and again.json()["result"] == applied.json()["result"]
    assert Question.objects.filter(agency__code="HP-SNNMT").count() == 3


def test_api_refuses_bad_input_with_400_and_a_state_conflict_with_409():
    world = two_departments()
    client = _api(site_admin())
    created = client.post(
        "/api/v1/reorganisations/",
        {"kind": "merge", "effective_date": PAST.isoformat(), "sources": [world["tnmt"].pk, world["nnptnt"].pk]},
        format="json",
    )
    pk = created.json()["id"]
    refused = client.post(f"/api/v1/reorganisations/{pk}/preview/", {}, format="json", HTTP_ACCEPT_LANGUAGE="vi")
    assert refused.status_code == 400
    assert "target" in refused.json()
    assert client.post(f"/api/v1/reorganisations/{pk}/schedule/").status_code == 409
    assert client.post(f"/api/v1/reorganisations/{pk}/cancel/").status_code == 200
    assert client.post(f"/api/v1/reorganisations/{pk}/preview/", {}, format="json").status_code == 409


def test_api_is_for_site_administrators_only():
    world = two_departments()
    assert _api(world["moderator"]).get("/api/v1/reorganisations/").status_code == 403
    assert APIClient().get("/api/v1/reorganisations/").status_code in (401, 403)


def test_old_agency_addresses_redirect_permanently(client):
    world = two_departments()
    merged(world, site_admin())
    response = client.get(reverse("qa:agency", args=["so-tnmt"]) + "?page=2")
    assert response.status_code == 301
    assert response["Location"] == reverse("qa:agency", args=["so-nong-nghiep-va-moi-truong"]) + "?page=2"
    assert client.get(reverse("qa:agency", args=["khong-co"])).status_code == 404


def test_an_old_answer_shows_the_name_then_and_the_successors_archive_includes_it(client):
    world = two_departments()
    old = PublishedQuestionFactory(agency=world["tnmt"], topic=world["land"], public_title="Cấp đổi sổ đỏ bị mất")
    merged(world, site_admin())
    page = client.get(old.get_absolute_url()).content.decode()
    assert "Sở Tài nguyên và Môi trường (nay là Sở Nông nghiệp và Môi trường)" in page
    successor_page = client.get(reverse("qa:agency", args=["so-nong-nghiep-va-moi-truong"])).content.decode()
    assert "Cấp đổi sổ đỏ bị mất" in successor_page


def test_the_admin_previews_with_choices_and_applies_in_one_click(client):
    world = two_departments()
    admin = site_admin()
    verified_login(client, admin)
    add = client.post(
        reverse("admin:orgchanges_reorganisation_add"),
        {
            "kind": "merge",
            "title": "Hợp nhất Sở TN&MT và Sở NN&PTNT",
            "legal_basis": "",
            "effective_date": "01/03/2025",
            "sources": [world["tnmt"].pk, world["nnptnt"].pk],
            "new_name": "Sở Nông nghiệp và Môi trường",
            "new_slug": "so-nong-nghiep-va-moi-truong",
            "new_code": "HP-SNNMT",
            "new_kind": "department",
            "rules-TOTAL_FORMS": "0",
            "rules-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert add.status_code == 302, add.content.decode()[:3000]
    operation = Reorganisation.objects.get()
    preview_url = reverse("admin:orgchanges_preview", args=[operation.pk])
    page = client.get(preview_url)
    assert page.status_code == 200
    assert "Sở Nông nghiệp và Môi trường" in page.content.decode()
    membership = world["moderator"].memberships.get()
    response = client.post(preview_url, {f"membership-{membership.pk}": ""})
    assert response.status_code == 302
    operation.refresh_from_db()
    assert operation.status == Status.PREVIEWED and operation.membership_choices == {str(membership.pk): None}
    client.post(reverse("admin:orgchanges_step", args=[operation.pk, "apply"]))
    operation.refresh_from_db()
    assert operation.status == Status.APPLIED
    assert not world["moderator"].memberships.exists()
    assert Agency.objects.get(code="HP-SNNMT").questions.count() == 3


def test_the_admin_shows_why_a_preview_is_refused(client):
    world = two_departments()
    admin = site_admin()
    verified_login(client, admin)
    operation = Reorganisation.objects.create(kind="close", effective_date=PAST)
    operation.sources.set([world["tnmt"]])
    response = client.post(reverse("admin:orgchanges_preview", args=[operation.pk]), follow=True)
    assert "vẫn còn 2 câu hỏi chưa xử lý xong" in response.content.decode()
    operation.refresh_from_db()
    assert operation.status == Status.DRAFT
