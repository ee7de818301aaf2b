"""The staff queue tab stored as a generated column, and one index per queue order on (agency, tab).

Why (docs/performance.md, "Staff queue at 100,000 questions"): a tab of two
statuses ("in progress": accepted and approved) could not be read as one range
of the (agency, status, deadline) index, so its first page walked the agency's
deadline index and skipped the other statuses' rows (4,300 at 100,000
questions); sorting a small tab by "newest" or "updated" walked the whole
agency. With the tab stored, every tab in every order is one index range, and a
capped count reads at most cap + 1 index entries. Adding the column rewrites the
table once (about a second per 100,000 questions).

On PostgreSQL, multivariate statistics on (agency, tab) let the planner estimate
a tab's size from its own agency's share of each tab rather than assume the
two independent: the queue shows that estimate for tabs above the count cap.
"""

from django.db import migrations, models

STATISTICS_FORWARD = [
    "CREATE STATISTICS IF NOT EXISTS qa_question_agency_tab_stats (mcv) ON agency_id, queue_tab FROM qa_question",
    "ANALYZE qa_question",
]
STATISTICS_BACKWARD = ["DROP STATISTICS IF EXISTS qa_question_agency_tab_stats"]


def statistics_forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in STATISTICS_FORWARD:
            schema_editor.execute(statement)


def statistics_backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in STATISTICS_BACKWARD:
            schema_editor.execute(statement)


TABS = [
    ("new", ["submitted"]),
    ("in_progress", ["accepted", "approved"]),
    ("waiting", ["information_requested"]),
    ("review", ["in_review"]),
    ("answered", ["answered", "published"]),
    ("rejected", ["rejected"]),
    ("withdrawn", ["withdrawn"]),
]


class Migration(migrations.Migration):
    dependencies = [("qa", "0005_question_deadline")]

    operations = [
        migrations.RemoveIndex(model_name="question", name="qa_q_queue_idx"),
        migrations.AddField(
            model_name="question",
            name="queue_tab",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Case(
                    *(models.When(status__in=statuses, then=models.Value(tab)) for tab, statuses in TABS),
                    default=None,
                    output_field=models.CharField(max_length=12),
                ),
                output_field=models.CharField(blank=True, max_length=12, null=True),
                verbose_name="queue tab",
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                fields=["agency", "queue_tab", "deadline", "-created_at", "-id"], name="qa_q_tab_due_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(fields=["agency", "queue_tab", "-created_at", "-id"], name="qa_q_tab_created_idx"),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(fields=["agency", "queue_tab", "-updated_at", "-id"], name="qa_q_tab_updated_idx"),
        ),
        migrations.RunPython(statistics_forward, statistics_backward, elidable=True),
    ]
