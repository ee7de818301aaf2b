"""Run the outbox sweep once: for runs without Celery beat (the embedded run, or cron)."""

from django.core.management.base import BaseCommand

from notifications.services import outbox_sweep


class Command(BaseCommand):
    help = "Re-dispatch pending notifications and reclaim ones left by a stopped worker (what beat runs every minute)."

    def handle(self, *args, **options):
        result = outbox_sweep()
        self.stdout.write(
            f"{result['reclaimed']} reclaimed, {result['failed']} failed, {result['dispatched']} dispatched."
        )
