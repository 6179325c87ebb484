"""Routes are translations: no module in api/routes/ imports SQLAlchemy (queries live in
storage/), and every domain error of the casework has its HTTP status."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from api.casework import errors
from api.errors import STATUS_OF

ROUTES = Path(__file__).resolve().parents[2] / "api" / "routes"


def sql_imports(source: str) -> list[str]:
    """The SQLAlchemy modules a Python source imports, at any depth of the file."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
    return [name for name in found if name.split(".")[0] == "sqlalchemy"]


@pytest.mark.parametrize(
    "source",
    [
        "import sqlalchemy",
        "import sqlalchemy.orm as orm",
        "from sqlalchemy import select",
        "from sqlalchemy.ext.asyncio import AsyncSession",
        "def f():\n    from sqlalchemy import func\n",
        "if True:\n    import json, sqlalchemy\n",
    ],
)
def test_the_scan_finds_sqlalchemy_imports(source: str) -> None:
    assert sql_imports(source)


def test_the_scan_ignores_what_only_looks_like_it() -> None:
    assert sql_imports("import sqlalchemy_utils\nfrom storage import sqlalchemy_free\n") == []
    assert sql_imports('"""sqlalchemy"""\n# import sqlalchemy\n') == []


def test_no_route_module_imports_sqlalchemy() -> None:
    modules = sorted(ROUTES.glob("*.py"))
    assert len(modules) >= 9, "api/routes/ moved? point ROUTES at it"
    offenders = {
        path.name: names
        for path in modules
        if (names := sql_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_every_domain_error_has_a_status() -> None:
    kinds = [
        kind
        for _, kind in inspect.getmembers(errors, inspect.isclass)
        if issubclass(kind, errors.CaseworkError) and kind is not errors.CaseworkError
    ]
    assert sorted(k.__name__ for k in kinds) == ["Conflict", "Forbidden", "NotFound"]
    assert {kind: STATUS_OF[kind] for kind in kinds} == {
        errors.Forbidden: 403,
        errors.NotFound: 404,
        errors.Conflict: 409,
    }
