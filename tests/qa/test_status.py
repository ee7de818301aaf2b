"""The status table (qa.status) classifies every status, and everything else is derived from it.

A status added to QuestionStatus but not to STATUS_TABLE, not reachable in the workflow, or not
translated fails here; so does a database whose generated columns do not follow the table.
"""

import dataclasses
import datetime

import pytest
from django.db import connection
from django.utils import translation

from qa import deadlines, periodic, status, status_schema, views, workflow
from qa.models import Question
from qa.models import QuestionStatus as S
from qa.services import privacy
from qa.staff import selectors as staff_selectors
from qa.status import STATUS_TABLE, Clock, QueueTab
from tests.factories import QuestionFactory

ALL = {str(value) for value in S.values}


def _translated(text) -> bool:
    with translation.override("en"):
        english = str(text)
    with translation.override("vi"):
        return bool(english) and str(text) != english


def test_every_status_is_in_the_table_and_nothing_else():
    assert set(STATUS_TABLE) == ALL


@pytest.mark.parametrize("value", sorted(ALL))
def test_every_status_is_classified_everywhere(value):
    row = STATUS_TABLE[value]
    assert isinstance(row.open, bool) and isinstance(row.public, bool)
    assert row.clock in Clock
    # The label is translated (the catalogue is Vietnamese-first).
    assert _translated(S(value).label)
    if value == S.UNVERIFIED:
        # Not yet confirmed: in no tab, no clock, nothing to explain, and the workflow only submits it.
        assert row.tab is None and row.clock == Clock.STOPPED and row.explanation is None
        return
    assert row.tab in QueueTab, "a verified question must be in a staff queue tab"
    assert row.explanation is not None and _translated(row.explanation)
    # Reachable: some move of the workflow leads to it.
    assert any(t.target == value for t in workflow.TRANSITIONS.values()), f"no transition leads to {value}"
    # Open statuses have a way out (at least one move that changes the status).
    leaves = [t for t in workflow.TRANSITIONS.values() if value in t.sources and t.target not in (None, value)]
    assert leaves or not row.open, f"open status {value} has no way out"
    # A running or paused clock is a status with work to do.
    assert row.clock == Clock.STOPPED or row.open


def test_exactly_one_public_status_the_one_the_search_indexes_use():
    # The archive's partial indexes and the qa_search_terms triggers (migrations 0002, 0004, 0007) say 'published'.
    assert {"published"} == status.PUBLIC_STATUSES
    assert status.PUBLIC_STATUSES <= status.CLOSED_STATUSES


def test_every_tab_has_a_label_and_a_status():
    assert set(status.TAB_LABELS) == {str(tab) for tab in QueueTab}
    assert all(status.tab_statuses().values())


def test_the_rest_of_the_code_reads_the_table():
    by_tab = {tab: set(statuses) for tab, statuses in staff_selectors.TABS.items()}
    for value, row in STATUS_TABLE.items():
        if row.tab is not None:
            assert value in by_tab[row.tab]
    assert list(staff_selectors.TABS) == [str(tab) for tab in QueueTab]
    assert set(staff_selectors.TAB_LABELS) == {*staff_selectors.TABS, staff_selectors.ALL_TAB}
    assert {v for v, r in STATUS_TABLE.items() if r.clock == Clock.ANSWER} == deadlines.ANSWER_CLOCK_STATUSES
    assert {v for v, r in STATUS_TABLE.items() if r.clock == Clock.TRANSFER} == deadlines.TRANSFER_CLOCK_STATUSES
    assert {v for v, r in STATUS_TABLE.items() if r.clock == Clock.PAUSED} == deadlines.PAUSED_STATUSES
    assert set(workflow._OPEN) == {v for v, r in STATUS_TABLE.items() if r.open}
    assert set(privacy.CLOSED_STATUSES) == ALL - set(workflow._OPEN) - {S.UNVERIFIED}
    assert views._CLOCK_STATUSES == deadlines.ANSWER_CLOCK_STATUSES | deadlines.PAUSED_STATUSES
    with translation.override("en"):
        assert views._explanation(S.ACCEPTED) == str(STATUS_TABLE[S.ACCEPTED].explanation)
        assert views._explanation(S.UNVERIFIED) == ""


@pytest.mark.django_db
@pytest.mark.sqlite
def test_generated_columns_follow_the_table():
    """Fails when the database's queue_tab or deadline expression differs from the table (run `migrate`)."""
    assert status_schema.stale_columns() == []
    assert status_schema.check_status_columns(databases=["default"]) == []
    today = datetime.date(2026, 12, 7)
    for value, row in STATUS_TABLE.items():
        question = QuestionFactory(status=value, transfer_due_date=today, due_date=today + datetime.timedelta(days=9))
        question.refresh_from_db(fields=["queue_tab", "deadline"])
        assert question.queue_tab == (str(row.tab) if row.tab else None), value
        assert question.deadline == deadlines.DeadlineClock.deadline(question), value
    assert set(periodic.running_clock_questions().values_list("status", flat=True)) == (status.RUNNING_CLOCK_STATUSES)


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_changed_table_rebuilds_the_column_and_its_indexes(monkeypatch):
    """A status moved to another tab: the column is stale, one sync rebuilds it with indexes and statistics."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL keeps DDL in the test's transaction")
    question = QuestionFactory(status=S.APPROVED)
    moved = dict(STATUS_TABLE)
    moved[S.APPROVED] = dataclasses.replace(STATUS_TABLE[S.APPROVED], tab=QueueTab.REVIEW)
    monkeypatch.setattr(status, "STATUS_TABLE", moved)
    field = Question._meta.get_field("queue_tab")
    monkeypatch.setattr(field, "expression", status.QueueTabCase())
    monkeypatch.delattr(field, "_resolved_expression", raising=False)
    assert status_schema.stale_columns() == ["queue_tab"]
    assert status_schema.check_status_columns(databases=["default"])[0].id == "qa.W001"
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # DDL may not follow pending deferred checks
    with connection.schema_editor() as editor:
        assert status_schema.sync_status_columns(editor) == ["queue_tab"]
    assert status_schema.stale_columns() == []
    question.refresh_from_db(fields=["queue_tab"])
    assert question.queue_tab == "review"
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "qa_question")
        cursor.execute("SELECT 1 FROM pg_statistic_ext WHERE stxname = 'qa_question_agency_tab_stats'")
        assert cursor.fetchone()
    assert {index.name for index in Question._meta.indexes} <= set(constraints)
