"""The dialogues app's layout: the services' public surface, no private imports, no status set outside the workflow."""

import ast
from pathlib import Path

import dialogues
from dialogues import services

APP = Path(dialogues.__file__).parent

ROOT = APP.parent


def _modules():
    return sorted(APP.rglob("*.py"))


def test_every_service_its_callers_use_is_in_the_public_surface():
    """Views, the API, the socket, tasks, the demo, the benchmark and the tests call `services.<name>`: all exported."""
    used = set()
    for folder in ("dialogues", "bench", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text())
            imports = [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
            for node in imports:
                if node.module == "dialogues.services":
                    used.update(alias.name for alias in node.names)
            ours = any(
                (node.module == "dialogues" or (node.level == 1 and node.module is None and path.parent == APP))
                and any(alias.name == "services" and alias.asname is None for alias in node.names)
                for node in imports
            )
            if ours:  # `services` here is this app's (other apps have services modules too)
                used.update(
                    node.attr
                    for node in ast.walk(tree)
                    if isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "services"
                )
    used.discard("__all__")  # this test's own
    assert len(used) > 20, "callers not found: the scan is broken"
    assert used <= set(services.__all__), used - set(services.__all__)
    assert all(hasattr(services, name) for name in services.__all__)


def test_no_module_of_the_app_imports_another_modules_private_names():
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                offenders += [f"{path.name}: {a.name}" for a in node.names if a.name.startswith("_")]
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                base = node.value
                if isinstance(base, ast.Name) and base.id in {"services", "workflow", "events", "hub", "selectors"}:
                    offenders.append(f"{path.name}: {base.id}.{node.attr}")
    assert offenders == []


def test_only_the_workflow_assigns_a_status():
    assigning = set()
    for path in _modules():
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if any(isinstance(t, ast.Attribute) and t.attr == "status" for t in targets):
                assigning.add(path.relative_to(APP).as_posix())
    assert assigning == {"workflow.py"}
