"""Print the current two-step log-in code of the demo site administrator (demo data only)."""

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import demo


class Command(BaseCommand):
    help = "Print the code the demo site administrator's authenticator shows now (after `load_demo`)."

    def handle(self, *args, **options) -> None:
        try:
            code = demo.demo_totp_code()
        except (TOTPDevice.DoesNotExist, demo.User.DoesNotExist) as exc:
            raise CommandError(
                "No demo site administrator with an authenticator: run `manage.py load_demo` first."
            ) from exc
        self.stdout.write(f"{demo.account('superuser').email}: {code} (valid for about 30 seconds)")
