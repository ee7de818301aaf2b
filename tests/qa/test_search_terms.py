"""qa_search_terms (qa migration 0007): the unfiltered archive search's candidate source stays in step with qa_question.

The table is written by triggers, so every writer keeps it right; a missed
write would silently drop questions from, or leave stale ones in, search results.
"""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from qa import selectors
from qa.models import Question, QuestionStatus
from qa.services.indexing import question_reindex
from tests.factories import PublishedQuestionFactory, QuestionFactory
from tests.qa.search_terms import search_pairs_mismatches, search_terms_mismatches


def _mismatches() -> int:
    """Rows where qa_search_terms or qa_search_pairs (migrations 0007, 0015, one trigger) differ from the questions."""
    return search_terms_mismatches() + search_pairs_mismatches()


pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("qa_search_terms exists on PostgreSQL only")


def _rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM qa_search_terms")
        terms = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM qa_search_pairs")
        assert cursor.fetchone()[0] == terms
        return terms


def _found(query: str) -> list[int]:
    return [q.pk for q in selectors.archive(search=query)]


def test_published_questions_only_and_their_words():
    published = PublishedQuestionFactory(public_title="Tách thửa đất ở Lại Xuân", answer="<p>Trả lời.</p>")
    QuestionFactory(title="Tách thửa đất chưa duyệt")  # submitted: never in the archive

    assert _rows() == 1 and _mismatches() == 0
    assert _found("tach thua lai xuan") == [published.pk]


def test_an_edit_of_the_public_version_changes_what_is_found():
    question = PublishedQuestionFactory(public_title="Học phí mầm non", answer="<p>Trả lời.</p>")
    question.public_title = "Giấy phép lái xe hạng B2"
    question.save(update_fields=["public_title"])
    question_reindex(question=question)

    assert _mismatches() == 0
    assert _found("giay phep lai xe") == [question.pk]
    assert _found("hoc phi mam non") == []


def test_unpublishing_and_republishing():
    question = PublishedQuestionFactory(public_title="Chế độ thai sản", answer="<p>Trả lời.</p>")
    Question.objects.filter(pk=question.pk).update(status=QuestionStatus.ANSWERED, published_at=None)
    assert _rows() == 0 and _found("che do thai san") == []

    later = timezone.now() + datetime.timedelta(days=1)
    Question.objects.filter(pk=question.pk).update(status=QuestionStatus.PUBLISHED, published_at=later)
    assert _mismatches() == 0 and _found("che do thai san") == [question.pk]


def test_writes_that_do_not_change_the_search_leave_it_alone_and_deletes_remove_it():
    question = PublishedQuestionFactory(public_title="Hoàn công nhà ở", answer="<p>Trả lời.</p>")
    Question.objects.filter(pk=question.pk).update(view_count=7, helpful_yes=2)
    assert _mismatches() == 0 and _rows() == 1

    question.delete()
    assert _rows() == 0


def test_truncating_questions_empties_it():
    PublishedQuestionFactory(public_title="Lệ phí trước bạ", answer="<p>Trả lời.</p>")
    with connection.cursor() as cursor:
        # What a transactional test's flush does; the test's transaction rolls it back.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE qa_question CASCADE")
    assert _rows() == 0


def test_pairs_are_the_words_adjacent_in_the_vector():
    question = PublishedQuestionFactory(public_title="Giải thể hộ kinh doanh", body="Thế nào?", answer="<p>A.</p>")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pairs::text FROM qa_search_pairs WHERE question_id = %s", [question.pk])
        pairs = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pairs @@ %s::tsquery, pairs @@ %s::tsquery, pairs @@ %s::tsquery FROM qa_search_pairs",
            ["'giai_the' & 'ho_kinh'", "'kinh_do':*", "'giai_ho'"],
        )
        held = cursor.fetchone()
    assert "'giai_the'" in pairs and "'the_ho'" in pairs and "'ho_kinh'" in pairs
    assert held == (True, True, False)
