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
from tests.qa.search_terms import search_terms_mismatches as _mismatches

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("qa_search_terms exists on PostgreSQL only")


def _rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM qa_search_terms")
        return cursor.fetchone()[0]


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
