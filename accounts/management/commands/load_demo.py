"""`manage.py load_demo`: fill the database with the Vietnamese demo and print the demo accounts.

Every local app (settings.LOCAL_APPS) may ship a `demo` module with a `load(stdout)`
function; they run in INSTALLED_APPS order, so accounts (agencies, users) comes
before qa (topics, questions), and an app added later brings its own demo data
without touching this command. Each module is idempotent: a second run changes
nothing.
"""

import time
from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from accounts import demo as accounts_demo
from accounts.lineage import current_successor
from accounts.models import Agency

# The pages worth opening first (the agreed URL contract; plain paths so this base app imports no other app).
DEMO_PAGES = [
    ("Home", "/"),
    ("Public archive and search", "/questions/"),
    ("Staff panel (log in as a staff account)", "/staff/"),
    ("Live dialogues", "/dialogues/"),
    ("Site administration", "/admin/"),
    ("API docs", "/api/docs/"),
]


def demo_modules() -> list[tuple[AppConfig, ModuleType]]:
    """(app config, its `demo` module) for each local app that has one, in INSTALLED_APPS order."""
    local = set(getattr(settings, "LOCAL_APPS", []))
    found = []
    for config in apps.get_app_configs():
        if config.name in local and module_has_submodule(config.module, "demo"):
            found.append((config, import_module(f"{config.name}.demo")))
    return found


class Command(BaseCommand):
    help = "Load the Vietnamese demo data (idempotent) and print the demo accounts and pages."

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        connection = transaction.get_connection()
        # One transaction: a failure leaves no half-loaded demo behind.
        with transaction.atomic():
            # The demo writes history that "already happened" (questions asked, answered, published): the
            # messages the services queue for it (confirmation e-mails to fictional askers, staff alerts) must
            # not go out. They are on-commit callbacks of this transaction; drop the ones added here.
            pending_before = len(connection.run_on_commit)
            for _config, module in demo_modules():
                module.load(self.stdout)
            dropped = len(connection.run_on_commit) - pending_before
            del connection.run_on_commit[pending_before:]
        if dropped:
            self.stdout.write(f"{dropped} messages about the demo history were not sent (on purpose).")
        self.stdout.write(f"Demo data ready in {time.monotonic() - started:.1f} s.")
        self._print_accounts()

    def _print_accounts(self) -> None:
        rows = [("E-mail", "Password", "Role", "Agency")]
        for item in accounts_demo.ACCOUNTS:
            # Today's agency: the demo reorganisation may have moved the staff to a successor.
            found = Agency.objects.filter(code=item.agency).first() if item.agency else None
            successor = current_successor(found) if found else None
            agency = successor.name if successor else ""
            rows.append((item.email, accounts_demo.DEMO_PASSWORD, item.role_label, agency))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        line = "+-" + "-+-".join("-" * w for w in widths) + "-+"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo accounts (demo only: never use this password anywhere real)"))
        self.stdout.write(line)
        for index, row in enumerate(rows):
            self.stdout.write("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
            if index == 0:
                self.stdout.write(line)
        self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Two-step log-in of the site administrator (the admin site requires it)"))
        self.stdout.write(f"  authenticator app secret: {accounts_demo.DEMO_TOTP_SECRET}")
        self.stdout.write("  or the current code: python manage.py demo_code")
        self.stdout.write(f"  or a backup code (each works once): {', '.join(accounts_demo.DEMO_BACKUP_CODES)}")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Open"))
        for label, path in DEMO_PAGES:
            self.stdout.write(f"  {settings.SITE_URL}{path}  {label}")
