"""The statistics tables' rows, built by a tag: the same HTML as the template loop they replace."""

from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

from stats.templatetags.stats_tags import table_rows

# The loop the tag replaced, with each row's values looked up beforehand (the template had a get_item filter).
LOOP = Template(
    "{% load i18n %}{% for values in rows %}<tr>{% for value in values %}"
    '{% if forloop.first %}<th scope="row">{{ value }}</th>{% else %}'
    '<td class="num">{% if value is None %}–{% else %}{{ value }}{% endif %}</td>{% endif %}'
    '{% endfor %}</tr>{% empty %}<tr><td colspan="{{ columns|length }}">'
    '{% translate "Nothing in this period." %}</td></tr>{% endfor %}'
)


def _loop(table, language: str) -> str:
    rows = [[row.get(key) for key, _label in table.columns] for row in table.rows]
    with translation.override(language):
        return LOOP.render(Context({"rows": rows, "columns": table.columns}))


def _tag(table, language: str) -> str:
    with translation.override(language):
        return table_rows(Context({"table": table}), table).replace("\n", "")


def test_rows_equal_the_template_loop_in_both_languages():
    table = SimpleNamespace(
        columns=[("name", "Name"), ("received", "Received"), ("rate", "Rate"), ("median", "Median")],
        rows=[
            {"name": "Sở Tư pháp <b>&</b>", "received": 12345, "rate": 97.5, "median": None},
            {"name": "Sở Y tế", "received": 0, "rate": None, "median": 3},
            {"received": 7},
        ],
    )
    for language in ("vi", "en"):
        assert _tag(table, language) == _loop(table, language)
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in _tag(table, "vi")


def test_an_empty_table_says_so_in_the_chosen_language():
    table = SimpleNamespace(columns=[("name", "Name"), ("received", "Received")], rows=[])
    assert _tag(table, "vi") == _loop(table, "vi")
    assert _tag(table, "en") == '<tr><td colspan="2">Nothing in this period.</td></tr>'
