"""Full-text index for the archive search, on PostgreSQL only.

The stored search_text is already folded (no diacritics, đ→d, lower case), so the
`simple` configuration is enough and SQLite can match the same text with LIKE.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS qa_question_search_gin ON qa_question "
    "USING gin (to_tsvector('simple', search_text)) WHERE status = 'published'"
)
DROP = "DROP INDEX IF EXISTS qa_question_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("qa", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
