"""Raw SQL that builds model instances: the agency and topic of a submission in one round trip.

Why (bench/results/2026-11-30-2101.md, row 22: 151.8 submissions a second through the API, p95 123 ms, 5.7 ms of
server CPU each; docs/performance.md, "Submissions": five statements in one transaction, the agency and topic
being one of them): two ORM lookups cost a round trip and the ORM's work twice. One LEFT JOIN on a one-row
derived table reads both (either may be missing), and the rows are turned into instances with the database's
converters and Model.from_db, as the ORM itself does.
"""

from django.db import connection

from accounts.models import Agency

from ..models import Topic


def agency_and_topic(agency_id: int | None, topic_id: int | None) -> tuple[Agency | None, Topic | None]:
    """The agency and the topic with these ids (None for an unknown id), in one query."""
    quote = connection.ops.quote_name
    agency_columns = [f.column for f in Agency._meta.concrete_fields]
    topic_columns = [f.column for f in Topic._meta.concrete_fields]
    select = ", ".join([*(f"a.{quote(c)}" for c in agency_columns), *(f"t.{quote(c)}" for c in topic_columns)])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {select} FROM (SELECT 1 AS one) AS o "  # noqa: S608 (names from the models)
            f"LEFT JOIN {quote(Agency._meta.db_table)} AS a ON a.{quote(Agency._meta.pk.column)} = %s "
            f"LEFT JOIN {quote(Topic._meta.db_table)} AS t ON t.{quote(Topic._meta.pk.column)} = %s",
            [agency_id, topic_id],
        )
        row = cursor.fetchone()
    agency_values, topic_values = row[: len(agency_columns)], row[len(agency_columns) :]
    converters = connection.ops.get_db_converters

    def build(model, values):
        if values[0] is None:  # the primary key: no such row
            return None
        fields = model._meta.concrete_fields
        converted = []
        for field, value in zip(fields, values, strict=True):
            column = field.get_col(model._meta.db_table)
            for converter in [*converters(column), *column.get_db_converters(connection)]:
                value = converter(value, column, connection)
            converted.append(value)
        return model.from_db(connection.alias, [f.attname for f in fields], converted)

    return build(Agency, agency_values), build(Topic, topic_values)
