"""The query-planner techniques live in qa/search only; domain code calls its plain functions."""

import pathlib

import pytest

QA = pathlib.Path(__file__).resolve().parents[3] / "qa"
# Reading a plan, swapping a queryset's class through Django's private _chain(), building instances from raw rows,
# the search table and its tsquery SQL, planner statistics, the trigram operator class.
TECHNIQUES = ["EXPLAIN", "._chain()", "__class__ =", ".from_db(", "qa_search_terms", "to_tsquery", "CREATE STATISTICS"]
# Migrations create the tables and indexes; generate_archive (the benchmark's data generator) fills them itself.
OUTSIDE = ("search", "migrations", "management")


def _domain_files() -> list[pathlib.Path]:
    return [path for path in QA.rglob("*.py") if path.relative_to(QA).parts[0] not in OUTSIDE]


@pytest.mark.parametrize("technique", TECHNIQUES)
def test_no_planner_technique_outside_qa_search(technique):
    offenders = [str(path.relative_to(QA)) for path in _domain_files() if technique in path.read_text()]
    assert offenders == []


def test_every_search_module_names_its_benchmark_figure():
    for path in (QA / "search").glob("*.py"):
        text = path.read_text()
        if path.name in ("__init__.py", "planner.py"):
            assert "docs/performance.md" in text, path.name
        else:
            assert "bench/results/" in text and "docs/performance.md" in text, path.name


def test_the_techniques_are_found_where_they_are():
    # The check above would pass on an empty tree: make sure it reads the files that hold the techniques.
    search = "".join(path.read_text() for path in (QA / "search").glob("*.py"))
    assert all(technique in search for technique in TECHNIQUES)
    assert len(_domain_files()) > 30
