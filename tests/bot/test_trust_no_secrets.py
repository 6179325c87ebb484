"""No secret in the repository (issue 8): no bot token, private key, secret key file or
.env with values among the project's files (virtualenv, var/ and npm modules aside)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "var", "node_modules", ".git", "__pycache__", ".pytest_cache", ".ruff_cache"}
PATTERNS = {
    "telegram bot token": re.compile(r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "aws key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "relais token in a url": re.compile(r"Bearer [A-Za-z0-9_-]{40,}"),
}


def _files() -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        if any(part in SKIPPED for part in path.relative_to(ROOT).parts):
            continue
        if path.is_file() and path.stat().st_size < 2_000_000:
            found.append(path)
    return found


def test_no_secret_file_is_kept_with_the_code() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _files()}
    assert "secret.key" not in {Path(n).name for n in names}
    assert not [n for n in names if Path(n).name == ".env"]


def test_no_secret_value_in_any_file() -> None:
    hits = []
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        hits += [
            f"{path.relative_to(ROOT)}: {name}" for name, p in PATTERNS.items() if p.search(text)
        ]
    assert not hits, hits
