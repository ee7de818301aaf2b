"""Folded original text for the staff queue search, filled for questions that already exist."""

import re
import unicodedata

from django.db import migrations, models


def _fold(value: str) -> str:
    # A frozen copy of qa.text.fold: migrations must not change when the app's code does.
    text = unicodedata.normalize("NFD", value.lower().replace("đ", "d").replace("Đ", "d"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def fill(apps, schema_editor):
    Question = apps.get_model("qa", "Question")
    for question in Question.objects.only("pk", "reference", "title", "body").iterator(chunk_size=500):
        Question.objects.filter(pk=question.pk).update(
            staff_search_text=_fold(f"{question.reference} {question.title} {question.body}")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("qa", "0002_postgres_search_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="staff_search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
