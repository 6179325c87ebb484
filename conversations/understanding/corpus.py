"""The labelled messages: the training corpus, the held-out test set, the old eval set.

`data/train/<lang>.yaml` and `data/test/<lang>.yaml` (see data/CORPUS.md): a `language`
and `examples` mapping `intent` or `intent/about` to messages. The older evaluation set
(tests/conversations/data/understanding_eval.yaml) maps language -> intent -> messages;
it is training-side material and is added to the training corpus.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import yaml

from conversations.understanding.model import ABOUTS, INTENTS, LANGUAGES

DATA_DIR: Final = Path(__file__).resolve().parent / "data"
TRAIN_DIR: Final = DATA_DIR / "train"
TEST_DIR: Final = DATA_DIR / "test"
# The blind sets, data/blind*/ (blind, blind2, …): 400 messages each, written on
# 2026-12-07 by writers who saw no corpus, each before the run it judged was trained
# (CORPUS.md). Never trained on; later additions are decontaminated against them.
BLIND_PREFIX: Final = "blind"


def blind_sets(data_dir: Path = DATA_DIR) -> dict[str, Path]:
    """The blind held-out sets by folder name, in the order they were written."""
    found = [p for p in data_dir.glob(f"{BLIND_PREFIX}*") if p.is_dir()]
    return {p.name: p for p in sorted(found, key=lambda p: (len(p.name), p.name))}


def held_out_sets() -> dict[str, Path]:
    """Every held-out set by name: test/ and the blind sets."""
    return {"test": TEST_DIR, **blind_sets()}


# In the source tree (test data, not shipped data).
_ROOT: Final = Path(__file__).resolve().parents[2]
LEGACY_EVAL_FILE: Final = _ROOT / "tests" / "conversations" / "data" / "understanding_eval.yaml"


@dataclass(frozen=True)
class Example:
    language: str
    intent: str
    text: str
    about: str | None = None

    @property
    def label(self) -> str:
        """The fine label the model learns: "appointment/bus", or the intent alone."""
        return f"{self.intent}/{self.about}" if self.about else self.intent


def parse_label(key: str, where: str) -> tuple[str, str | None]:
    intent, _, about = str(key).partition("/")
    if intent not in INTENTS:
        raise ValueError(f"{where}: unknown intent {intent!r}")
    if about and about not in ABOUTS:
        raise ValueError(f"{where}: unknown about {about!r}")
    return intent, about or None


def load_file(path: Path) -> list[Example]:
    """One corpus file (train/ or test/ format), or the old evaluation set's format."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping")
    if "examples" in raw:
        blocks = {str(raw.get("language") or path.stem): raw["examples"] or {}}
    else:
        blocks = raw
    examples = []
    for language, by_label in blocks.items():
        if language not in LANGUAGES:
            raise ValueError(f"{path}: unknown language {language!r}")
        for key, texts in by_label.items():
            intent, about = parse_label(key, f"{path} {language}")
            examples.extend(Example(language, intent, str(t), about) for t in texts or ())
    return examples


def corpus_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def load_corpus(*sources: Path) -> list[Example]:
    """Examples of files and directories (every *.yaml of a directory), in order."""
    examples: list[Example] = []
    for source in sources:
        files = corpus_files(source) if source.is_dir() else [source]
        for path in files:
            examples.extend(load_file(path))
    return examples


def training_sources() -> tuple[Path, ...]:
    """What the shipped model is fitted on: train/ and the old evaluation set."""
    return tuple(p for p in (TRAIN_DIR, LEGACY_EVAL_FILE) if p.exists())


def digest(sources: Iterable[Path]) -> str:
    """A hash of the training files' bytes: the weights record the corpus they came from."""
    sha = hashlib.sha256()
    for source in sources:
        for path in corpus_files(source) if source.is_dir() else [source]:
            sha.update(path.name.encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()[:16]
