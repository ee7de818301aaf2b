"""Phrases found without reading positions: each published question's pairs of adjacent words (PostgreSQL).

Why (bench/results/2026-12-08-0256.md, "Search relevance": phrase queries p95 1,531 ms, the archive search p95
1,121 ms at 1,000,000 rows while its p50 was 34 ms): a phrase ("giải thể", "hộ khẩu thường trú") is found by
listing the rows holding its words and checking their positions on qa_question. When the phrase is rare among
those rows (its syllables are common elsewhere), the check ran out of batches and the GIN index rechecked the
positions of every row holding the words: tens of thousands of TOASTed vectors. qa_search_pairs holds, per
published question, the pairs of words adjacent in its search_vector ("giai_the", "the_nao"), derived from the
vector's own positions, so `a <-> b` holds exactly when the pair `a_b` does and `a <-> b <-> c` implies `a_b & b_c`.
A pair is far rarer than either of its words: its GIN index lists a rare phrase's few candidates directly, and
their positions are then checked on those rows only (qa.search.archive._pair_matches).

Kept by the same trigger function as qa_search_terms (0007), so every writer keeps it right. Lexemes of the
'simple' configuration never hold "_", so a pair lexeme is unambiguous; queries on it are built with ::tsquery
(to_tsquery would split "a_b" into a phrase). Filling it on an existing million-row archive takes a few minutes.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION qa_adjacent_pairs(vector tsvector) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_to_tsvector(array_agg(DISTINCT a.lexeme || '_' || b.lexeme)), ''::tsvector)
        FROM (SELECT lexeme, unnest(positions) AS position FROM unnest(vector)) a
        JOIN (SELECT lexeme, unnest(positions) AS position FROM unnest(vector)) b ON b.position = a.position + 1
    $$
    """,
    """
    CREATE TABLE IF NOT EXISTS qa_search_pairs (
        question_id bigint PRIMARY KEY,
        published_at timestamptz,
        pairs tsvector NOT NULL
    )
    """,
    """
    CREATE OR REPLACE FUNCTION qa_search_terms_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE qa_search_terms;
            TRUNCATE qa_search_pairs;
        ELSIF TG_OP = 'DELETE' THEN
            DELETE FROM qa_search_terms WHERE question_id = OLD.id;
            DELETE FROM qa_search_pairs WHERE question_id = OLD.id;
        ELSIF NEW.status = 'published' THEN
            INSERT INTO qa_search_terms (question_id, published_at, terms)
            VALUES (NEW.id, NEW.published_at, strip(NEW.search_vector))
            ON CONFLICT (question_id) DO UPDATE SET published_at = EXCLUDED.published_at, terms = EXCLUDED.terms;
            INSERT INTO qa_search_pairs (question_id, published_at, pairs)
            VALUES (NEW.id, NEW.published_at, qa_adjacent_pairs(NEW.search_vector))
            ON CONFLICT (question_id) DO UPDATE SET published_at = EXCLUDED.published_at, pairs = EXCLUDED.pairs;
        ELSE
            DELETE FROM qa_search_terms WHERE question_id = NEW.id;
            DELETE FROM qa_search_pairs WHERE question_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "INSERT INTO qa_search_pairs (question_id, published_at, pairs) "
    "SELECT id, published_at, qa_adjacent_pairs(search_vector) FROM qa_question WHERE status = 'published' "
    "ON CONFLICT (question_id) DO NOTHING",
    "CREATE INDEX IF NOT EXISTS qa_search_pairs_gin ON qa_search_pairs USING gin (pairs)",
    "ANALYZE qa_search_pairs",
]
BACKWARD = [
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
    "DROP TABLE IF EXISTS qa_search_pairs",
    "DROP FUNCTION IF EXISTS qa_adjacent_pairs(tsvector)",
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
    dependencies = [("qa", "0014_question_place")]

    operations = [migrations.RunPython(forward, backward)]
