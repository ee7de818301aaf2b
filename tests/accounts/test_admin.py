"""The Django admin for site administrators: users, agencies and memberships."""

import pytest
from django.urls import reverse

from accounts.models import Agency, Membership, User
from tests.accounts.otp import verified_login
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def admin_client(client):
    superuser = User.objects.create_superuser(email="quantri@example.vn", password="quan-tri-vien-2026")
    verified_login(client, superuser)  # the admin requires two-step log-in (tests/accounts/test_two_factor.py)
    return client


@pytest.mark.parametrize("model", ["user", "agency", "membership"])
def test_changelist_and_add_pages_load(admin_client, model):
    MembershipFactory()
    assert admin_client.get(reverse(f"admin:accounts_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:accounts_{model}_add")).status_code == 200


def test_change_pages_load(admin_client):
    membership = MembershipFactory()
    for name, obj in [("user", membership.user), ("agency", membership.agency), ("membership", membership)]:
        assert admin_client.get(reverse(f"admin:accounts_{name}_change", args=[obj.pk])).status_code == 200


def test_admin_creates_user_with_lowercase_email(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Can.Bo@HaiPhong.gov.vn",
            "password1": "can-bo-so-tnmt-7",
            "password2": "can-bo-so-tnmt-7",
            # The membership inline's (empty) formset.
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    user = User.objects.get(email="can.bo@haiphong.gov.vn")
    assert user.check_password("can-bo-so-tnmt-7")


def test_admin_creates_agency_and_membership(admin_client):
    parent = AgencyFactory()
    response = admin_client.post(
        reverse("admin:accounts_agency_add"),
        {
            "name": "Sở Giao thông vận tải Hải Phòng",
            "slug": "so-gtvt-hai-phong",
            "code": "HP-SGTVT",
            "kind": Agency.Kind.DEPARTMENT,
            "parent": parent.pk,
            "description": "",
            "email": "sogtvt@haiphong.gov.vn",
            "answer_deadline_days": 10,
            "review_required": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    agency = Agency.objects.get(code="HP-SGTVT")
    assert agency.parent == parent
    assert agency.review_required is True

    staff = UserFactory()
    response = admin_client.post(
        reverse("admin:accounts_membership_add"),
        {"user": staff.pk, "agency": agency.pk, "role": Membership.Role.REVIEWER},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Membership.objects.filter(user=staff, agency=agency, role=Membership.Role.REVIEWER).exists()


def test_admin_refuses_duplicate_membership(admin_client):
    membership = MembershipFactory()
    response = admin_client.post(
        reverse("admin:accounts_membership_add"),
        {"user": membership.user.pk, "agency": membership.agency.pk, "role": membership.role},
    )
    assert response.status_code == 200
    assert Membership.objects.count() == 1


def test_admin_search_finds_users_by_name(admin_client):
    UserFactory(email="tim@example.vn", full_name="Trần Văn Tìm")
    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "Tìm"})
    assert "tim@example.vn" in response.content.decode()


def test_non_staff_cannot_open_admin(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
