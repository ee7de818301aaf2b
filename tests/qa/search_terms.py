"""What the tests of qa_search_terms (qa migration 0007) compare: the table against the published questions."""

from django.db import connection


def search_terms_mismatches() -> int:
    """Rows where qa_search_terms differs from the published questions' dates and stripped vectors."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM (SELECT id, published_at, strip(search_vector) AS terms FROM qa_question
                                  WHERE status = 'published') q
            FULL JOIN qa_search_terms t ON t.question_id = q.id
            WHERE q.id IS NULL OR t.question_id IS NULL
               OR q.published_at IS DISTINCT FROM t.published_at OR q.terms <> t.terms
            """
        )
        return cursor.fetchone()[0]
