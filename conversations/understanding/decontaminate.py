"""Drop training additions that are too close to a held-out message.

Additions and a blind set are written at the same time by the same kind of writer, so
an addition can nearly repeat a held-out message; training on it would make that set a
kinder judge. The rule (docs/understanding.md, "The data and the held-out rule"): an
addition is dropped when, against any held-out message of its language (casefolded),
rapidfuzz `ratio` ≥ 60 or `token_set_ratio` ≥ 80.

    python -m conversations.understanding.decontaminate FILE... [--against test blind …]

rewrites each file with the kept messages and says how many were dropped.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

import yaml
from rapidfuzz import fuzz, process

from conversations.understanding.corpus import Example, held_out_sets, load_corpus, load_file

RATIO: Final = 60
TOKEN_SET_RATIO: Final = 80


def held_out_by_language(examples: Iterable[Example]) -> dict[str, list[str]]:
    by_language: dict[str, list[str]] = {}
    for example in examples:
        by_language.setdefault(example.language, []).append(example.text.casefold())
    return by_language


def too_close(text: str, held_out: Sequence[str]) -> bool:
    """Whether `text` is within the rule's reach of any of `held_out` (casefolded)."""
    if not held_out:
        return False
    text = text.casefold()
    for scorer, limit in ((fuzz.ratio, RATIO), (fuzz.token_set_ratio, TOKEN_SET_RATIO)):
        if process.extractOne(text, held_out, scorer=scorer, score_cutoff=limit) is not None:
            return True
    return False


def decontaminate_file(
    path: Path, held_out: dict[str, list[str]], against: Sequence[str]
) -> tuple[int, int]:
    """Rewrites `path` with only the messages far enough from `held_out`: (kept, dropped)."""
    examples = load_file(path)
    kept = [e for e in examples if not too_close(e.text, held_out.get(e.language, []))]
    dropped = len(examples) - len(kept)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0] if lines and lines[0].startswith("#") else f"# {path.stem}"
    blocks: dict[str, list[str]] = {}
    for example in kept:
        blocks.setdefault(example.label, []).append(example.text)
    language = examples[0].language if examples else path.stem.split("_")[0]
    note = (
        f" Decontaminated: {dropped} of {len(examples)} dropped as too close to a"
        f" {'/'.join(against)} message (rapidfuzz ratio >= {RATIO} or token_set_ratio >="
        f" {TOKEN_SET_RATIO}), {len(kept)} kept."
    )
    body = yaml.safe_dump(
        {"language": language, "examples": blocks},
        allow_unicode=True,
        sort_keys=False,
        width=10_000,
    )
    path.write_text(f"{header}{note}\n{body}", encoding="utf-8")
    return len(kept), dropped


def main(argv: Sequence[str] | None = None) -> None:
    sets = held_out_sets()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--against", nargs="+", choices=sorted(sets), default=sorted(sets))
    args = parser.parse_args(argv)
    held_out = held_out_by_language(load_corpus(*(sets[name] for name in args.against)))
    for path in args.files:
        kept, dropped = decontaminate_file(path, held_out, args.against)
        print(f"{path}: {kept} kept, {dropped} dropped")


if __name__ == "__main__":
    main()
