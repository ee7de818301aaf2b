"""Open data: the published archive as a dataset (CSV and JSON Lines), rebuilt daily by Celery beat.

One row per published question with its public title and text, the answer as
plain text, agency, topic, channel, dates, working days taken (the statistics'
own replay of the audit events, so the same calendar and paused-clock rules) and
its rating summary. Only public fields are read: never AskerContact, the
original title and text, internal notes or anyone's account. Files are written
beside MEDIA_ROOT under opendata/ and swapped in atomically.
"""

import csv
import json
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from qa.models import Question, QuestionStatus

from .aggregation import CHUNK, VN, working_days_taken

LICENCE = "CC BY 4.0"
FILES = {"csv": "hoi-dap.csv", "jsonl": "hoi-dap.jsonl"}
FIELDS = [
    ("reference", _("Reference code")),
    ("agency", _("Agency that answered")),
    ("agency_code", _("Agency code")),
    ("topic", _("Topic")),
    ("channel", _("Channel the question came by (web, api, phone, paper, email, dialogue)")),
    ("received_on", _("Date received (Vietnam time)")),
    ("answered_on", _("Date answered")),
    ("published_on", _("Date published")),
    ("working_days_taken", _("Working days from receipt to answer, without days waiting for the asker")),
    ("title", _("Public title (personal data removed by the moderator)")),
    ("question", _("Public text of the question")),
    ("answer", _("The agency's answer, as plain text")),
    ("asker_satisfied", _("The asker's rating: true (satisfied), false, or empty when not rated")),
    ("helpful_yes", _("Readers who found the answer helpful")),
    ("helpful_no", _("Readers who did not")),
]


def directory() -> Path:
    return Path(settings.MEDIA_ROOT) / "opendata"


def _date(value):
    return value.astimezone(VN).date().isoformat() if value else ""


def dataset_rows():
    """Yield one dict per published question (public fields only), in reference order, chunk by chunk."""
    ids = list(
        Question.objects.filter(status=QuestionStatus.PUBLISHED).order_by("reference").values_list("pk", flat=True)
    )
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        questions = (
            Question.objects.filter(pk__in=chunk)
            .select_related("agency", "topic", "answer")
            .only(
                "reference",
                "channel",
                "received_at",
                "answered_at",
                "published_at",
                "public_title",
                "public_body",
                "rating_satisfied",
                "helpful_yes",
                "helpful_no",
                "due_date",
                "agency_id",
                "topic_id",
                "agency__name",
                "agency__code",
                "topic__name",
                "answer__body",
            )
            .order_by("reference")
        )
        taken = working_days_taken(chunk)
        for q in questions:
            answer = getattr(q, "answer", None)
            yield {
                "reference": q.reference,
                "agency": q.agency.name,
                "agency_code": q.agency.code,
                "topic": q.topic.name,
                "channel": q.channel,
                "received_on": _date(q.received_at),
                "answered_on": _date(q.answered_at),
                "published_on": _date(q.published_at),
                "working_days_taken": taken.get(q.pk),
                "title": q.public_title,
                "question": q.public_body,
                "answer": " ".join(strip_tags(answer.body).split()) if answer else "",
                "asker_satisfied": q.rating_satisfied,
                "helpful_yes": q.helpful_yes,
                "helpful_no": q.helpful_no,
            }


def _replace(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_open_data() -> int:
    """Write both files (CSV with a byte-order mark for spreadsheets, JSON Lines); returns the number of rows."""
    rows = list(dataset_rows())
    keys = [key for key, _label in FIELDS]

    def write_csv(handle) -> None:
        handle.write("\ufeff")
        writer = csv.DictWriter(handle, fieldnames=keys)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if row[k] is None else row[k]) for k in keys})

    def write_jsonl(handle) -> None:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")

    _replace(directory() / FILES["csv"], write_csv)
    _replace(directory() / FILES["jsonl"], write_jsonl)
    (directory() / "built-at.txt").write_text(timezone.now().isoformat(), encoding="utf-8")
    return len(rows)


def status() -> dict:
    """When the files were last built and their sizes (for the page)."""
    built = directory() / "built-at.txt"
    return {
        "built_at": built.read_text(encoding="utf-8") if built.exists() else None,
        "sizes": {
            fmt: (directory() / name).stat().st_size for fmt, name in FILES.items() if (directory() / name).exists()
        },
    }
