"""The conversation core stays pure: no channel, web, database or HTTP library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import conversations

PACKAGE = Path(conversations.__file__).resolve().parent
FORBIDDEN = frozenset({"telegram", "aiogram", "fastapi", "sqlalchemy", "httpx"})
SOURCES = sorted(PACKAGE.rglob("*.py"))


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_sources_are_found() -> None:
    assert {p.name for p in SOURCES} >= {"engine.py", "turn.py", "routing.py", "slots.py"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_forbidden_import(path: Path) -> None:
    assert _imported_roots(path) & FORBIDDEN == set()


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_forbidden_name_in_source(path: Path) -> None:
    # Also catches importlib.import_module("...") and the like.
    text = path.read_text(encoding="utf-8")
    lines = [
        line
        for line in text.splitlines()
        if any(f"import {name}" in line or f'"{name}' in line for name in FORBIDDEN)
    ]
    assert lines == []
