"""What the PostgreSQL planner is told, and what is read back from it, for the staff queue and the archive."""

from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# Multivariate statistics on (agency, queue_tab): the planner estimates a tab's size from its own agency's share of
# each tab instead of assuming the two independent; the staff queue shows that estimate for a tab above the count
# cap (docs/performance.md, "Staff queue at 100,000 questions"). Created by qa migration 0006; re-created here when
# qa.status_schema rebuilds the queue_tab column (dropping a column drops its statistics).
QUEUE_STATISTICS = [
    "CREATE STATISTICS IF NOT EXISTS qa_question_agency_tab_stats (mcv) ON agency_id, queue_tab FROM qa_question",
    "ANALYZE qa_question",
]


def create_queue_statistics(editor: BaseDatabaseSchemaEditor) -> None:
    if editor.connection.vendor == "postgresql":
        for statement in QUEUE_STATISTICS:
            editor.execute(statement)
