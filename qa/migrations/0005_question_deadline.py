"""The effective deadline stored as a generated column, and the staff queue's indexes on it.

Why (docs/performance.md, "Staff queue at 100,000 questions"): the queue sorted and
filtered by a CASE expression computed for every row of a tab, so its first page
cost grew with the agency. Stored by PostgreSQL (or SQLite), the deadline can be
read in index order: the first page is an index range scan. Adding the column
rewrites the table once (about a second per 100,000 questions).

The staff search (every folded term as a substring of staff_search_text) gets a
trigram index on PostgreSQL, so a rare term does not read the whole agency. The
pg_trgm extension is a trusted one: the database owner may create it.
"""

from django.db import migrations, models

TRIGRAM_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS qa_question_staff_search_trgm ON qa_question "
    "USING gin (staff_search_text gin_trgm_ops)",
]
TRIGRAM_BACKWARD = ["DROP INDEX IF EXISTS qa_question_staff_search_trgm"]


def trigram_forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in TRIGRAM_FORWARD:
            schema_editor.execute(statement)


def trigram_backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in TRIGRAM_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("qa", "0004_search_vector")]

    operations = [
        migrations.RemoveIndex(model_name="question", name="qa_q_agency_queue_idx"),
        migrations.AddField(
            model_name="question",
            name="deadline",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Case(
                    models.When(status="submitted", then=models.F("transfer_due_date")),
                    models.When(
                        status__in=["accepted", "approved", "in_review", "information_requested"],
                        then=models.F("due_date"),
                    ),
                    default=None,
                    output_field=models.DateField(),
                ),
                output_field=models.DateField(blank=True, null=True),
                verbose_name="deadline",
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(fields=["agency", "status", "deadline", "-created_at", "-id"], name="qa_q_queue_idx"),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(fields=["agency", "deadline", "-created_at", "-id"], name="qa_q_agency_deadline_idx"),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(fields=["agency", "-created_at", "-id"], name="qa_q_agency_created_idx"),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(fields=["agency", "-updated_at", "-id"], name="qa_q_agency_updated_idx"),
        ),
        migrations.RunPython(trigram_forward, trigram_backward),
    ]
