"""`manage.py statistics_report --agency <slug> --period 2026-H2`: write the six-monthly report as a PDF."""

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.models import Agency
from stats import reports
from stats.periods import parse_period


class Command(BaseCommand):
    help = "Write the six-monthly report (PDF) of an agency with its sub-agencies, or of the whole portal."

    def add_arguments(self, parser):
        parser.add_argument("--agency", default="", help="Agency slug (default: the whole portal).")
        parser.add_argument("--period", required=True, help="e.g. 2026-H2 (also 2026, 2026-Q3, 2026-07).")
        parser.add_argument("--output", default="", help="PDF file to write (default: bao-cao-<period>-<agency>.pdf).")
        parser.add_argument("--language", default="vi", choices=["vi", "en"])

    def handle(self, *args, agency: str, period: str, output: str, language: str, **options):
        target = None
        if agency:
            target = Agency.objects.filter(slug=agency).first()
            if target is None:
                raise CommandError(f"There is no agency {agency!r}.")
        try:
            chosen = parse_period(period)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        started = time.monotonic()
        with translation.override(language):
            pdf = reports.render_pdf(reports.render_pdf_html(reports.report_context(target, chosen)))
        path = Path(output or f"bao-cao-{chosen.code}-{target.slug if target else 'toan-cong'}.pdf")
        path.write_bytes(pdf)
        self.stdout.write(f"{path} ({len(pdf) // 1024} KiB) written in {time.monotonic() - started:.1f} s")
