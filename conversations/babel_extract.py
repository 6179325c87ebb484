"""Babel extractor for YAML data: flows (`text`, `label`, `title`) and the services
directory (`label_en` of emergency contacts, `name` and `summary` of services, `name` of
places), so their sentences
land in the catalogs.

Registered as the `relais_yaml` extractor in pyproject.toml; see babel.cfg.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import yaml

FLOW_KEYS = frozenset({"text", "label", "title"})


def _walk(
    node: yaml.Node, key: str | None, keys: frozenset[str], inside: str | None = None
) -> Iterator[tuple[int, str]]:
    """(line, text) of every scalar under one of `keys` (below `inside`, if given)."""
    if isinstance(node, yaml.ScalarNode):
        if key in keys and node.value and inside is None:
            yield node.start_mark.line + 1, node.value
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            below = None if key_node.value == inside else inside
            yield from _walk(value_node, key_node.value, keys, below)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item, None, keys, inside)


def _extract(
    fileobj: BinaryIO, wanted: tuple[tuple[frozenset[str], str | None], ...]
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Messages of every (keys, inside) pair of `wanted`, in line order."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if root is not None:
        found = [m for keys, inside in wanted for m in _walk(root, None, keys, inside)]
        for line, message in sorted(found):
            yield line, "_", message, []


def extract_yaml(
    fileobj: BinaryIO, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Flows: yield (line, funcname, message, comments) as Babel's protocol wants."""
    return _extract(fileobj, ((FLOW_KEYS, None),))


def extract_directory(
    fileobj: BinaryIO, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Services directory: the emergency contacts' labels, the services' names and
    one-line summaries and the places' names, shown to people on cards."""
    return _extract(
        fileobj,
        (
            (frozenset({"label_en"}), "emergency_contacts"),
            (frozenset({"summary", "name"}), "services"),
            # Place names: many are a French name with an English description ("Mission
            # Locale — head office"); shown on cards and booking buttons in every language.
            (frozenset({"name"}), "places"),
            # Queue names, shown to conseillers in French (api/labels.py).
            (frozenset({"label_en"}), "roles"),
        ),
    )
