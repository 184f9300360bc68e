"""The layering rules of the README's "Architecture" section, checked by reading every module's
imports with `ast` (function-level imports included, since those hide circles best)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path


def _imports(path: Path) -> set[str]:
    """Every module name `path` imports, relative imports resolved against its package."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            # `from roadmap import tasks` names the module in the alias, not in node.module.
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _violations(package: str, forbidden) -> list[str]:
    found = []
    for path in _modules(package):
        for name in sorted(_imports(path)):
            if forbidden(name):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def _is_or_under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_curriculum_imports_neither_roadmap_nor_accounts():
    assert _violations("curriculum", lambda n: _is_or_under(n, "roadmap", "accounts")) == []


def test_accounts_never_imports_roadmap():
    assert _violations("accounts", lambda n: _is_or_under(n, "roadmap")) == []


def test_the_pure_package_imports_no_models_nor_the_orm():
    def forbidden(name):
        return (
            _is_or_under(name, "django.db", "roadmap.models", "roadmap.services", "roadmap.views")
            or _is_or_under(name, "curriculum", "accounts")
            or name.endswith(".models")
        )

    assert _violations("roadmap/lib", forbidden) == []


@pytest.mark.parametrize("layer", ["roadmap/views", "roadmap/services", "roadmap/forms"])
def test_views_services_and_forms_never_import_tasks(layer):
    # Services enqueue by task name (roadmap.services.deliveries), so tasks -> services is the
    # only direction and there is no import circle.
    assert _violations(layer, lambda n: n.endswith(".tasks") or ".tasks." in n) == []


def test_the_checker_sees_a_violation(tmp_path, monkeypatch):
    # The rules above pass only if the walker finds imports at all: prove it on a known import.
    assert "roadmap.lib.gaps" in _imports(ROOT / "roadmap" / "lib" / "planner.py")
    assert "roadmap.services.deliveries" in _imports(ROOT / "roadmap" / "services" / "reminders.py")
