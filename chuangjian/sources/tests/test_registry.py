"""The source registry sits below its users: it knows no app, and the apps that feed it
do not import the assessment."""

from __future__ import annotations

import ast
from pathlib import Path

import chuangjian

ROOT = Path(chuangjian.__file__).parent
APPS = {p.name for p in ROOT.iterdir() if (p / "apps.py").exists()}


def _imported_apps(where: Path) -> set[str]:
    """The chuangjian apps imported by ``where`` (a module, or the non-test modules of a folder)."""
    found: set[str] = set()
    paths = [where] if where.is_file() else list(where.rglob("*.py"))
    for path in paths:
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = name.split(".")
                if len(parts) >= 2 and parts[0] == "chuangjian" and parts[1] in APPS:
                    found.add(parts[1])
    return found


def test_the_source_registry_imports_no_app() -> None:
    assert _imported_apps(ROOT / "sources") <= {"sources"}


def test_reporting_no_longer_imports_the_assessment() -> None:
    assert "assessment" not in _imported_apps(ROOT / "reporting")


def test_the_sources_apps_declare_do_not_import_the_assessment() -> None:
    modules = list(ROOT.glob("*/sources.py"))
    assert {p.parent.name for p in modules} >= {"reporting", "inspections", "evidence"}
    for module in modules:
        assert "assessment" not in _imported_apps(module), module


def test_every_app_source_module_is_registered_at_start_up() -> None:
    from chuangjian import sources

    keys = {s.key for s in sources.sources()}
    assert {"activities", "inspections", "news"} <= keys
