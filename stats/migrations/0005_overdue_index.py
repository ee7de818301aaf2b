"""A partial covering index for the statistics' "overdue now" (PostgreSQL only).

Every statistics page, download and API answer counts the questions whose running clock ended before today
(qa.periodic.questions_overdue), overall or per agency, read live from the question table. At 1,000,000
questions that was a bitmap heap scan of every overdue row (15,000 rows, 14,000 heap pages: 200–400 ms on a busy
machine); with the running-clock questions' deadline and the two columns the statistics group by in one small
index it is an index-only scan (2 ms). The index is the statistics' need, so it lives with them.
"""

from django.db import migrations

STATUSES = ("submitted", "accepted", "in_review", "approved")  # qa.deadlines' transfer and answer clocks
# Written as PostgreSQL prints it back (pg_indexes), so that generate_archive, which drops the table's indexes
# for a large load and recreates them from their printed definitions, recreates exactly this one.
CONDITION = "((status)::text = ANY ((ARRAY[{}])::text[]))".format(
    ", ".join(f"'{status}'::character varying" for status in STATUSES)
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS stats_q_running_deadline_idx ON qa_question (deadline) "
            f"INCLUDE (agency_id, topic_id) WHERE {CONDITION}"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS stats_q_running_deadline_idx")


class Migration(migrations.Migration):
    dependencies = [("stats", "0004_levels"), ("qa", "0009_reach_phone_lookup")]

    operations = [migrations.RunPython(create, drop)]
