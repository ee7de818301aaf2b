"""generate_archive: fast COPY loading that leaves the archive exactly as publishing would have."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection

from qa import selectors
from qa.models import Answer, AskerContact, Question, QuestionStatus, ReferenceSequence
from qa.services.indexing import build_search_text
from qa.text import fold
from tests.qa.search_terms import search_pairs_mismatches, search_terms_mismatches

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("generate_archive loads with COPY: PostgreSQL only")


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename IN ('qa_question', 'qa_answer')")
        return {row[0] for row in cursor.fetchall()}


def test_published_questions_are_searchable_and_indexed_like_published_ones():
    call_command("generate_archive", questions=60, verbosity=0)

    questions = list(Question.objects.select_related("answer", "contact"))
    assert len(questions) == 60
    assert {q.status for q in questions} == {QuestionStatus.PUBLISHED}
    for question in questions:
        assert question.search_text == build_search_text(question)
        assert question.staff_search_text == fold(f"{question.reference} {question.title} {question.body}")
        assert question.public_title == question.title and question.published_at >= question.answered_at
        assert question.answer.body.startswith("<p>") and question.contact.email.endswith("@example.vn")
    # Vietnamese text with its diacritics, found by a search without them.
    sample = questions[0]
    assert any(ch in sample.title + sample.body for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉĩọỏốồổỗộớờởỡợụủũứừửữựỳỷỹỵ")
    # The search's words table holds every published question, as the triggers of qa migration 0007 write it.
    assert search_terms_mismatches() == 0
    assert search_pairs_mismatches() == 0
    words = " ".join(fold(sample.public_title).split()[:3])
    assert sample.pk in [q.pk for q in selectors.archive(search=words, ordering="newest")[:200]]


def test_reference_codes_are_unique_and_continue_each_agency_sequence():
    call_command("generate_archive", questions=40, verbosity=0)
    call_command("generate_archive", questions=40, verbosity=0)

    references = list(Question.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references)) == 80
    highest = Counter()
    for reference in references:
        prefix, number = reference.rsplit("-", 1)
        code, year = prefix.rsplit("-", 1)
        highest[(code, int(year))] = max(highest[(code, int(year))], int(number))
    for sequence in ReferenceSequence.objects.select_related("agency"):
        # The next submission's number is above every generated one.
        assert sequence.last_value >= highest[(sequence.agency.code, sequence.year)]


def test_every_state_for_one_agency_with_answers_only_where_the_workflow_has_them():
    call_command("generate_archive", questions=300, states="all", agency="HP-STNMT", verbosity=0)

    questions = Question.objects.all()
    assert {q.agency.code for q in questions.select_related("agency")} == {"HP-STNMT"}
    states = set(questions.values_list("status", flat=True))
    assert {QuestionStatus.SUBMITTED, QuestionStatus.ACCEPTED, QuestionStatus.PUBLISHED} <= states
    assert len(states) >= 7
    answered = set(Answer.objects.values_list("question__status", flat=True))
    S = QuestionStatus
    assert answered <= {S.IN_REVIEW, S.APPROVED, S.ANSWERED, S.PUBLISHED}
    # Unpublished questions keep their text private: nothing in the public search text.
    assert not questions.exclude(status=QuestionStatus.PUBLISHED).exclude(search_text="").exists()
    assert AskerContact.objects.count() == 300


def test_dropping_indexes_for_a_large_load_rebuilds_the_same_ones():
    before = _indexes()
    call_command("generate_archive", questions=30, drop_indexes="yes", verbosity=0)
    assert _indexes() == before
