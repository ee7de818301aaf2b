"""The demo loader's mechanism and the accounts app's own demo data (agencies, staff, citizen)."""

import ast
import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import transaction

from accounts import demo
from accounts.management.commands import load_demo
from accounts.models import Agency, Membership, User

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

ROOT = Path(django_settings.BASE_DIR)


def test_accounts_demo_builds_the_agency_tree_and_staff_once():
    out = io.StringIO()
    demo.load(out)
    assert Agency.objects.count() == len(demo.AGENCIES) >= 15
    stnmt = Agency.objects.get(code=demo.DEMO_AGENCY_CODE)
    assert stnmt.parent.code == "HP-UBND" and stnmt.review_required
    assert Agency.objects.get(code="HP-SYT").answer_deadline_days == 10
    assert set(Membership.objects.filter(agency=stnmt).values_list("user__email", "role")) == {
        (a.email, a.role) for a in demo.ACCOUNTS if a.agency
    }
    # Each other agency has one officer holding the working roles, without a usable password.
    officer = demo.officer("HP-SXD")
    assert not officer.has_usable_password()
    assert set(officer.memberships.values_list("agency__code", "role")) == {
        ("HP-SXD", role) for role in demo.OFFICER_ROLES
    }
    # The accounts one logs in with share the demo password; the superuser is the only site admin.
    assert all(demo.account(a.role).check_password(demo.DEMO_PASSWORD) for a in demo.ACCOUNTS)
    assert list(User.objects.filter(is_staff=True).values_list("email", flat=True)) == [demo.account("superuser").email]
    assert all(email.endswith("@demo.example") for email in User.objects.values_list("email", flat=True))

    counts = (Agency.objects.count(), User.objects.count(), Membership.objects.count())
    # An edited demo row is left as it is.
    Agency.objects.filter(code="HP-SYT").update(answer_deadline_days=12)
    demo.load(out)
    assert (Agency.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert Agency.objects.get(code="HP-SYT").answer_deadline_days == 12
    assert "0 agencies and 0 users created" in out.getvalue()


def test_demo_modules_follow_installed_apps_among_local_apps(settings):
    names = [config.name for config, _module in load_demo.demo_modules()]
    assert names[:2] == ["accounts", "qa"]
    assert set(names) <= set(settings.LOCAL_APPS)
    settings.LOCAL_APPS = ["accounts"]
    assert [config.name for config, _module in load_demo.demo_modules()] == ["accounts"]


def test_command_loads_only_local_apps_and_prints_the_accounts(settings):
    settings.LOCAL_APPS = ["accounts"]
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert Agency.objects.count() == len(demo.AGENCIES)
    for item in demo.ACCOUNTS:
        assert item.email in text and item.role_label in text
    assert demo.DEMO_PASSWORD in text and f"{settings.SITE_URL}/staff/" in text


def test_command_drops_the_messages_its_modules_queue_but_no_others(monkeypatch, django_capture_on_commit_callbacks):
    ran = []

    def fake_load(stdout):
        transaction.on_commit(lambda: ran.append("demo history"))

    monkeypatch.setattr(load_demo, "demo_modules", lambda: [(None, SimpleNamespace(load=fake_load))])
    with django_capture_on_commit_callbacks(execute=True):
        transaction.on_commit(lambda: ran.append("caller's own"))
        call_command("load_demo", stdout=io.StringIO())
    assert ran == ["caller's own"]


@pytest.mark.parametrize("path", ["accounts/demo.py", "accounts/management/commands/load_demo.py"])
def test_base_app_demo_code_imports_no_other_app(path):
    tree = ast.parse((ROOT / path).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"qa", "dialogues", "notifications"}


def test_demo_site_administrator_reaches_the_admin_with_the_printed_second_step(settings):
    """The admin requires two-step log-in: the demo prints what the demo administrator types."""
    from django.test import Client
    from django.urls import reverse

    settings.LOCAL_APPS = ["accounts"]
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert demo.DEMO_TOTP_SECRET in text and demo.DEMO_BACKUP_CODES[0] in text and "demo_code" in text
    admin = demo.account("superuser")
    login = {"email": admin.email, "password": demo.DEMO_PASSWORD, "next": "/admin/"}

    with_backup = Client()
    assert with_backup.post(reverse("accounts:login"), login)["Location"] == reverse("accounts:login_code")
    with_backup.post(reverse("accounts:login_code"), {"otp_token": demo.DEMO_BACKUP_CODES[0]})
    assert with_backup.get("/admin/").status_code == 200

    printed = io.StringIO()
    call_command("demo_code", stdout=printed)
    code = printed.getvalue().split(": ")[1].split()[0]
    with_app = Client()
    with_app.post(reverse("accounts:login"), login)
    with_app.post(reverse("accounts:login_code"), {"otp_token": code})
    assert with_app.get("/admin/").status_code == 200
