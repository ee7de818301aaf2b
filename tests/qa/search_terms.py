"""What the tests of qa_search_terms and qa_search_pairs (qa migrations 0007, 0015) compare: each table against
the published questions."""

from django.db import connection


def _mismatches(table: str, column: str, expression: str) -> int:
    """Rows where `table` differs from the published questions' dates and `expression` of their vectors."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*) FROM (SELECT id, published_at, {expression} AS value FROM qa_question
                                  WHERE status = 'published') q
            FULL JOIN {table} t ON t.question_id = q.id
            WHERE q.id IS NULL OR t.question_id IS NULL
               OR q.published_at IS DISTINCT FROM t.published_at OR q.value <> t.{column}
            """  # noqa: S608 (fixed names)
        )
        return cursor.fetchone()[0]


def search_terms_mismatches() -> int:
    """Rows where qa_search_terms differs from the published questions' dates and stripped vectors."""
    return _mismatches("qa_search_terms", "terms", "strip(search_vector)")


def search_pairs_mismatches() -> int:
    """Rows where qa_search_pairs differs from the published questions' adjacent pairs."""
    return _mismatches("qa_search_pairs", "pairs", "qa_adjacent_pairs(search_vector)")
