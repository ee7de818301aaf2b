"""Keyset pagination of the public archive: "older results" continue after the last row shown, at any depth.

Why (issue 17: page 200 of a common word, newest first, walked ~200,000 rows, about 1.07 s at 1,000,000 questions;
bench/results/ newest .md, "archive shapes", the deep-page rows; docs/performance.md, "Every archive shape"):
OFFSET reads and discards every row before the page; a condition "after the last row shown" on the sort's index
(qa migration archive_sort_indexes: every sort ends in published_at, id, all descending) starts the index scan
right there, so the thousandth page costs what the first does. Numbered pages stay for the first
MAX_NUMBERED_ROWS rows (cheap offsets), and every page links "older results" with a cursor.

A cursor is the sort's values of the last row shown (opaque, URL-safe base64 of JSON), tied to the sort so that a
cursor from another order is refused, not misread.
"""

import base64
import binascii
import datetime
import json

from django.db.models import BooleanField, Expression

# Numbered pages reach this many rows (10 pages of 20); past them a page is reached by its cursor ("older results").
# Deeper offsets of a search cost the walk of every skipped match: at 1,000 rows 0.1-3 s at a million questions.
MAX_NUMBERED_ROWS = 200


class BadCursor(ValueError):
    """A cursor that was not made by encode() for this sort (edited, truncated, or from another order)."""


class RowBefore(Expression):
    """(col1, col2, ...) < (v1, v2, ...): the rows after `values` in an all-descending order on `columns`.

    A row-value comparison, which PostgreSQL serves as one range of a btree index on the same columns
    (and SQLite evaluates; it has row values since 3.15).
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, columns: tuple[str, ...], values: tuple) -> None:
        super().__init__(output_field=BooleanField())
        self.columns = columns
        self.values = values

    def as_sql(self, compiler, connection):
        from qa.models import Question

        alias = compiler.quote_name_unless_alias(next(iter(compiler.query.alias_map)))
        quote = connection.ops.quote_name
        names = [f"{alias}.{quote(Question._meta.get_field(c).column)}" for c in self.columns]
        params = []
        for column, value in zip(self.columns, self.values, strict=True):
            field = Question._meta.get_field(column)
            params.append(field.get_db_prep_value(value, connection))
        placeholders = ", ".join(["%s"] * len(params))
        return f"(({', '.join(names)}) < ({placeholders}))", params


def encode(sort: str, values: tuple) -> str:
    """The cursor after a row whose sort values are `values` (datetimes as ISO text)."""
    plain = [v.isoformat() if isinstance(v, datetime.datetime) else v for v in values]
    raw = json.dumps([sort, *plain], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(sort: str, cursor: str, kinds: tuple[type, ...]) -> tuple:
    """The sort values in `cursor`, checked against the sort and the value types `kinds`; BadCursor otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadCursor(cursor) from exc
    if not isinstance(data, list) or len(data) != len(kinds) + 1 or data[0] != sort:
        raise BadCursor(cursor)
    values = []
    for kind, value in zip(kinds, data[1:], strict=True):
        if kind is datetime.datetime:
            if not isinstance(value, str):
                raise BadCursor(cursor)
            try:
                parsed = datetime.datetime.fromisoformat(value)
            except ValueError as exc:
                raise BadCursor(cursor) from exc
            if parsed.tzinfo is None:
                raise BadCursor(cursor)
            values.append(parsed)
        elif kind is int:
            if not isinstance(value, int) or isinstance(value, bool):
                raise BadCursor(cursor)
            values.append(value)
        else:
            raise BadCursor(cursor)
    return tuple(values)
