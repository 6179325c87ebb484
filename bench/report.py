"""Writes a benchmark's Markdown table between its markers in docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def write_section(name: str, table: str, doc: Path = DOC) -> None:
    """Replace what is between `<!-- bench:NAME:start -->` and its end marker."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    if not doc.exists():
        return
    text = doc.read_text(encoding="utf-8")
    if start not in text or end not in text:
        return
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    doc.write_text(f"{head}{start}\n{table}\n{end}{tail}", encoding="utf-8")
