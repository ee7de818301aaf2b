"""The archive search's candidate source: a narrow table of published questions' words, in date order (PostgreSQL).

Why (measured by bench/archive.py, docs/performance.md): finding the newest
matches of common words walks published questions newest first and checks each
against the query. On qa_question that check read the stored search_vector,
about 1.3 KB a row and TOASTed, so every walked row cost a TOAST index lookup,
a TOAST page and a decompression (about 4 buffers and 3-5 µs): a walk of 17,000
rows took 190 ms warm (72,000 buffers). qa_search_terms holds, per published
question, its date and its words without positions (strip(search_vector):
about 735 bytes, stored inline and uncompressed, ten rows a page): the same
walk reads about 2,000 buffers and takes 12-25 ms, and the GIN index on it
serves rare words with smaller, cached heap pages. Positions are only needed
to rank the newest candidates, which still reads qa_question.search_vector.

The table is kept by triggers on qa_question, like the generated column it
derives from: every writer (publishing, editing, unpublishing, deleting, the
admin, fixtures, flush) keeps it right, with no code path to forget. A
superuser's bulk load with session_replication_role = replica skips triggers,
so generate_archive fills the table itself after its COPY. No foreign key: it
would make Django's flush (TRUNCATE of the known tables) fail; the triggers
delete and truncate instead. Filling it on an existing million-row archive takes
about a minute.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE TABLE IF NOT EXISTS qa_search_terms (
        question_id bigint PRIMARY KEY,
        published_at timestamptz,
        terms tsvector NOT NULL
    )
    """,
    """
    CREATE OR REPLACE FUNCTION qa_search_terms_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE qa_search_terms;
        ELSIF TG_OP = 'DELETE' THEN
            DELETE FROM qa_search_terms WHERE question_id = OLD.id;
        ELSIF NEW.status = 'published' THEN
            INSERT INTO qa_search_terms (question_id, published_at, terms)
            VALUES (NEW.id, NEW.published_at, strip(NEW.search_vector))
            ON CONFLICT (question_id) DO UPDATE SET published_at = EXCLUDED.published_at, terms = EXCLUDED.terms;
        ELSE
            DELETE FROM qa_search_terms WHERE question_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS qa_search_terms_insert ON qa_question",
    "DROP TRIGGER IF EXISTS qa_search_terms_update ON qa_question",
    "DROP TRIGGER IF EXISTS qa_search_terms_delete ON qa_question",
    "DROP TRIGGER IF EXISTS qa_search_terms_truncate ON qa_question",
    "CREATE TRIGGER qa_search_terms_insert AFTER INSERT ON qa_question FOR EACH ROW "
    "WHEN (NEW.status = 'published') EXECUTE FUNCTION qa_search_terms_sync()",
    # Only writes that change what the search sees: view counts and votes do not touch the table.
    "CREATE TRIGGER qa_search_terms_update AFTER UPDATE ON qa_question FOR EACH ROW "
    "WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.published_at IS DISTINCT FROM NEW.published_at "
    "OR OLD.search_text IS DISTINCT FROM NEW.search_text) EXECUTE FUNCTION qa_search_terms_sync()",
    "CREATE TRIGGER qa_search_terms_delete AFTER DELETE ON qa_question FOR EACH ROW "
    "WHEN (OLD.status = 'published') EXECUTE FUNCTION qa_search_terms_sync()",
    "CREATE TRIGGER qa_search_terms_truncate AFTER TRUNCATE ON qa_question "
    "FOR EACH STATEMENT EXECUTE FUNCTION qa_search_terms_sync()",
    # Filled in date order, so a walk newest first reads consecutive pages.
    "INSERT INTO qa_search_terms (question_id, published_at, terms) "
    "SELECT id, published_at, strip(search_vector) FROM qa_question WHERE status = 'published' "
    "ORDER BY published_at, id ON CONFLICT (question_id) DO NOTHING",
    "CREATE INDEX IF NOT EXISTS qa_search_terms_date ON qa_search_terms (published_at DESC, question_id DESC)",
    "CREATE INDEX IF NOT EXISTS qa_search_terms_gin ON qa_search_terms USING gin (terms)",
    "ANALYZE qa_search_terms",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS qa_search_terms_insert ON qa_question",
    "DROP TRIGGER IF EXISTS qa_search_terms_update ON qa_question",
    "DROP TRIGGER IF EXISTS qa_search_terms_delete ON qa_question",
    "DROP TRIGGER IF EXISTS qa_search_terms_truncate ON qa_question",
    "DROP FUNCTION IF EXISTS qa_search_terms_sync()",
    "DROP TABLE IF EXISTS qa_search_terms",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("qa", "0006_question_queue_tab")]

    operations = [migrations.RunPython(forward, backward)]
