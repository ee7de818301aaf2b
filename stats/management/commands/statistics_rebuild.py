"""`manage.py statistics_rebuild`: recompute every statistics row from the questions' events."""

import time

from django.core.management.base import BaseCommand

from stats import aggregation


class Command(BaseCommand):
    help = "Recompute all daily statistics rows from the audit events (after merges or calendar changes)."

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = aggregation.rebuild_all()
        self.stdout.write(f"{rows} daily rows rebuilt in {time.monotonic() - started:.1f} s")
