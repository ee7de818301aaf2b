"""Import rules, read from the source with ast (docs/architecture.md explains them).

1. Apps depend one way, each only on the apps below it:

       core  ←  accounts  ←  notifications  ←  qa  ←  dialogues  ←  stats

   (`config` and `bench` sit above all of them.)
2. Nothing imports `config` except the project's entry points: config itself, manage.py and the
   benchmark's own settings and ASGI module.
3. No module imports another module's private `_name` (a private submodule of its own package is fine).

Imports inside functions count too: a lazy import is still a dependency.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: an app may import the apps before it in this list, never those after it.
LAYERS = ["core", "accounts", "notifications", "qa", "dialogues", "stats", "orgchanges"]
# Entry points and tools: they may import every app (nothing imports them).
TOP = ["config", "bench"]
# The only modules outside `config` that may import `config`.
CONFIG_IMPORTERS = {"manage.py", "bench/settings.py", "bench/asgi.py"}
PACKAGES = LAYERS + TOP


@dataclass(frozen=True)
class Import:
    source: str  # path relative to the root, e.g. "qa/views.py"
    line: int
    module: str  # absolute dotted module, e.g. "accounts.models"
    names: tuple[str, ...]  # names taken with "from module import …"


def _module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, relative: str) -> list[Import]:
    """Every import in `source` (a file at `relative`), with relative imports made absolute."""
    path = Path(relative)
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(ast.parse(source, filename=relative)):
        if isinstance(node, ast.Import):
            found += [Import(relative, node.lineno, alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append(Import(relative, node.lineno, module, tuple(alias.name for alias in node.names)))
    return found


def project_files() -> list[str]:
    files = ["manage.py"]
    for package in PACKAGES:
        files += [
            path.relative_to(ROOT).as_posix()
            for path in sorted((ROOT / package).rglob("*.py"))
            if "migrations" not in path.parts and "node_modules" not in path.parts
        ]
    return files


def _package_of(relative: str) -> str:
    return relative.split("/", 1)[0] if "/" in relative else ""


def _is_submodule(module: str, name: str) -> bool:
    base = ROOT.joinpath(*module.split("."))
    return (base / f"{name}.py").exists() or (base / name / "__init__.py").exists()


def violations(imports: list[Import]) -> list[str]:
    """What breaks the three rules, one line each ("path:line: why")."""
    found = []
    for item in imports:
        target = item.module.split(".", 1)[0]
        source_package = _package_of(item.source)
        where = f"{item.source}:{item.line}"
        if target == "config" and source_package != "config" and item.source not in CONFIG_IMPORTERS:
            found.append(f"{where}: imports {item.module} (only entry points may import config)")
        above = target in TOP or (
            target in LAYERS and source_package in LAYERS and LAYERS.index(target) > LAYERS.index(source_package)
        )
        if source_package in LAYERS and target not in (source_package, "config") and above:
            found.append(f"{where}: {source_package} imports {item.module}, which sits above it")
        if target in PACKAGES:
            for name in item.names:
                if name.startswith("_") and not name.startswith("__") and not _is_submodule(item.module, name):
                    found.append(f"{where}: imports the private {item.module}.{name}")
    return found


def test_the_project_follows_the_import_rules():
    imports = []
    for relative in project_files():
        imports += imports_of((ROOT / relative).read_text(encoding="utf-8"), relative)
    assert len(imports) > 1000  # the walk really read the project
    assert violations(imports) == []


@pytest.mark.parametrize(
    ("relative", "source", "expected"),
    [
        ("accounts/services.py", "from config.celery import app\n", "only entry points may import config"),
        ("qa/views.py", "def f():\n    import config.settings\n", "only entry points may import config"),
        ("accounts/models.py", "from qa.models import Question\n", "accounts imports qa.models, which sits above it"),
        ("core/errors.py", "from accounts import permissions\n", "core imports accounts, which sits above it"),
        ("qa/services/x.py", "from ..workflow import _guard\n", "imports the private qa.workflow._guard"),
        ("stats/views.py", "from .selectors import _rows\n", "imports the private stats.selectors._rows"),
        ("notifications/views.py", "from dialogues.models import X\n", "which sits above it"),
    ],
)
def test_a_violation_is_reported(relative, source, expected):
    """The checker itself: each rule catches a made-up breach (so the test above can fail)."""
    (found,) = violations(imports_of(source, relative))
    assert expected in found
    assert found.startswith(f"{relative}:")


@pytest.mark.parametrize(
    ("relative", "source"),
    [
        ("config/urls.py", "from stats import urls\nfrom config.api import x\n"),
        ("bench/settings.py", "from config.settings.base import *\n"),
        ("stats/aggregation.py", "from dialogues.models import DialogueSession\nfrom core.dates import format_date\n"),
        ("qa/management/commands/generate_archive.py", "from . import _archive_corpus\n"),
        ("accounts/views.py", "from django.utils import _os\n"),
    ],
)
def test_allowed_imports_are_not_reported(relative, source):
    assert violations(imports_of(source, relative)) == []
