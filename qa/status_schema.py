"""Keeps Question's generated columns (queue_tab, deadline) equal to the status table, without a migration.

Why: Django refuses to alter a generated column's expression ("Modifying GeneratedFields is not
supported"), so every status change used to need a hand-written migration that drops and re-adds the
columns and their indexes. Their expressions now deconstruct to a stable name (qa.status.QueueTabCase,
DeadlineCase), and this module compares what the database computes with what the table says:

- `stale_columns()` names the columns whose stored expression differs (a system check and
  tests/qa/test_status.py report it);
- `sync_status_columns()` rebuilds those columns (drop, add: the database fills them again), then
  re-creates the indexes and planner statistics that went with them. It runs in migration 0010 and after
  every `migrate` (qa.apps), so deploying a status change is the usual `manage.py migrate`. Rebuilding
  rewrites the question table once, about a second per 100,000 questions (docs/performance.md).
"""

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from .models import Question
from .search import planner

COLUMNS = ("deadline", "queue_tab")
_PROBE = "qa_status_probe"


def _fields():
    return [Question._meta.get_field(name) for name in COLUMNS]


def _unopened_editor(connection: BaseDatabaseWrapper) -> BaseDatabaseSchemaEditor:
    """A schema editor used only to render SQL: never entered, so it also works inside a transaction (SQLite)."""
    return connection.SchemaEditorClass(connection, collect_sql=True)


def _definition(editor: BaseDatabaseSchemaEditor, field) -> tuple[str, list]:
    """The column's definition as Django would create it now (type, GENERATED ALWAYS AS (...), nullability)."""
    sql, params = editor.column_sql(Question, field)
    return sql, list(params or [])


def _table_columns(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        return {column.name for column in connection.introspection.get_table_description(cursor, "qa_question")}


def _postgres_expressions(cursor, table: str) -> dict[str, str]:
    cursor.execute(
        "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
        "JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = %s::regclass AND a.attgenerated = 's'",
        [table],
    )
    return dict(cursor.fetchall())


def stale_columns(using: str = "default") -> list[str]:
    """The generated columns whose expression in the database differs from the status table ([] when in step)."""
    connection = connections[using]
    if "qa_question" not in connection.introspection.table_names():
        return []
    present = _table_columns(connection)
    editor = _unopened_editor(connection)
    expected = {field.column: _definition(editor, field) for field in _fields()}
    if connection.vendor == "postgresql":
        return _stale_postgres(connection, expected, present)
    if connection.vendor == "sqlite":
        return _stale_sqlite(connection, expected, present)
    return []


def _stale_postgres(connection: BaseDatabaseWrapper, expected: dict, present: set[str]) -> list[str]:
    """Compare PostgreSQL's own rendering of both expressions: the real columns and a probe table made now."""
    quote = connection.ops.quote_name
    columns = ", ".join(
        [f"{quote('status')} varchar(32)", f"{quote('transfer_due_date')} date", f"{quote('due_date')} date"]
        + [f"{quote(column)} {sql}" for column, (sql, _params) in expected.items()]
    )
    params = [param for _sql, column_params in expected.values() for param in column_params]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{_PROBE}")
        cursor.execute(connection.ops.compose_sql(f"CREATE TEMPORARY TABLE {_PROBE} ({columns})", params))
        try:
            wanted = _postgres_expressions(cursor, f"pg_temp.{_PROBE}")
            actual = _postgres_expressions(cursor, "qa_question")
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{_PROBE}")
    return [column for column in expected if column not in present or actual.get(column) != wanted.get(column)]


def _stale_sqlite(connection: BaseDatabaseWrapper, expected: dict, present: set[str]) -> list[str]:
    """SQLite keeps the CREATE TABLE text as Django wrote it: look for each column's definition in it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'qa_question'")
        (table_sql,) = cursor.fetchone()
    editor = _unopened_editor(connection)
    stale = []
    for column, (sql, params) in expected.items():
        definition = sql % tuple(editor.quote_value(param) for param in params) if params else sql
        if column not in present or f'"{column}" {definition}' not in table_sql:
            stale.append(column)
    return stale


def _index_names(editor: BaseDatabaseSchemaEditor) -> set[str]:
    with editor.connection.cursor() as cursor:
        return set(editor.connection.introspection.get_constraints(cursor, "qa_question"))


def sync_status_columns(editor: BaseDatabaseSchemaEditor) -> list[str]:
    """Rebuild the stale generated columns with the table's expressions; return the columns rebuilt."""
    stale = stale_columns(editor.connection.alias)
    if not stale:
        return []
    present = _table_columns(editor.connection)
    fields = [field for field in _fields() if field.column in stale]
    # The indexes on those columns go first (SQLite refuses to drop an indexed column), and come back after.
    names = {field.name for field in fields}
    existing = _index_names(editor)
    for index in Question._meta.indexes:
        if index.name in existing and names & {name.lstrip("-") for name in index.fields}:
            editor.remove_index(Question, index)
    for field in fields:
        if field.column in present:
            editor.remove_field(Question, field)
    for field in fields:
        editor.add_field(Question, field)
    existing = _index_names(editor)  # SQLite remade the table with the model's indexes: add only what is missing
    for index in Question._meta.indexes:
        if index.name not in existing:
            editor.add_index(Question, index)
    planner.create_queue_statistics(editor)
    return [field.column for field in fields]


def sync_after_migrate(using: str = "default", **kwargs) -> None:
    """post_migrate: a status-table change reaches the database with `manage.py migrate`, no migration file."""
    connection = connections[using]
    if not stale_columns(using):
        return
    with connection.schema_editor() as editor:
        sync_status_columns(editor)


def check_status_columns(app_configs=None, databases=None, **kwargs) -> list:
    """`manage.py check --database default`: a database whose generated columns do not follow the table.

    A warning, not an error: `migrate` runs the database checks first and must go on to rebuild the columns."""
    from django.core import checks

    return [
        checks.Warning(
            f"Column qa_question.{column} does not follow qa.status.STATUS_TABLE.",
            hint="Run `manage.py migrate`: it rebuilds the column (qa.status_schema).",
            id="qa.W001",
        )
        for alias in databases or []
        for column in stale_columns(alias)
    ]
