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


# --- no import cycle at run time ------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(path: Path, modules: set[str]) -> set[str]:
    """Modules of conversations/ imported when `path` is imported: top-level statements
    only (not inside functions, nor under `if TYPE_CHECKING:`)."""
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found |= {name for name in names if name in modules}
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles, state = [], dict.fromkeys(graph, 0)

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for following in sorted(graph[node]):
            if state[following] == 1:
                cycles.append([*trail[trail.index(following) :], following])
            elif state[following] == 0:
                visit(following, [*trail, following])
        state[node] = 2

    for node in sorted(graph):
        if state[node] == 0:
            visit(node, [node])
    return cycles


def test_the_cycle_finder_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_at_run_time() -> None:
    modules = {_module_name(path) for path in SOURCES}
    graph = {_module_name(p): _runtime_imports(p, modules) - {_module_name(p)} for p in SOURCES}
    # A package's modules import their package first: that edge is not a cycle.
    graph = {m: {i for i in imports if not m.startswith(i + ".")} for m, imports in graph.items()}
    assert _cycles(graph) == []
