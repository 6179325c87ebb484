"""Checks a services directory passes before it is read: shape, depth, webhook addresses.

A directory comes from a file or from an admin's upload (`PUT /api/v1/directory`); either
way a bad one is refused with one line saying why, never a crash:

- nesting deeper than `MAX_DEPTH` (900 nested `[` used to exhaust the parser's stack) and
  more than `MAX_ALIASES` aliases ("billion laughs") are refused before the document is
  built;
- an organisation's `notify.webhook` is an https URL to a public host: no credentials in
  it, no IP address of a private, loopback, link-local or reserved range, no local host
  name (`localhost`, `.local`, `.internal`…), no numeric host that a resolver would read
  as an address. The sender resolves the host again at each send and refuses private
  addresses then too (api/notify/senders.py);
- every placeholder of a shipped flow sentence (`{cej_allowance}`) has a value in the
  deployment (a service's `template_values`), so a raw placeholder never reaches a person.
"""

from __future__ import annotations

import ipaddress
import re
import string
from functools import cache
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import yaml

if TYPE_CHECKING:
    from conversations.directory import Deployment

MAX_DEPTH: Final = 40
MAX_ALIASES: Final = 100
ONE_LINE: Final = 300
LOCAL_SUFFIXES: Final = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".corp")
# A top-level domain is made of letters (or an IDN's xn--): never a number.
_TOP_LEVEL: Final = re.compile(r"^(?:[^\W\d_][\w-]*|xn--[a-z0-9-]+)$")


def one_line(text: str, limit: int = ONE_LINE) -> str:
    """`text` on one line, at most `limit` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def shape_problem(text: str) -> str | None:
    """Why the YAML text is too deep or has too many aliases to be read; None if fine.
    Raises yaml.YAMLError when it is not YAML at all."""
    depth = aliases = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return f"nested deeper than {MAX_DEPTH} levels"
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                return f"more than {MAX_ALIASES} aliases"
    return None


def webhook_problem(url: Any) -> str | None:
    """Why `url` may not be a webhook; None when it is an https URL to a public host."""
    if not isinstance(url, str) or not url:
        return "must be an https URL"
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port
    except ValueError:
        return "is not a valid URL"
    if parts.scheme != "https":
        return "must be an https URL"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials"
    if not host:
        return "has no host"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        return None if address.is_global else "must be a public address"
    host = host.rstrip(".")
    last = host.rsplit(".", 1)[-1]
    if "." not in host or host.endswith(LOCAL_SUFFIXES) or not _TOP_LEVEL.match(last):
        return "must be a public host name"
    return None


def template_value_ok(value: Any) -> bool:
    """A template value is a text, a number, or {money: amount}."""
    if isinstance(value, dict):
        return set(value) == {"money"} and isinstance(value["money"], int | float)
    return isinstance(value, str | int | float) and not isinstance(value, bool)


@cache
def flow_placeholders() -> dict[str, tuple[str, ...]]:
    """Placeholder name -> where (flow.step) in the shipped flows' sentences that are
    shown as they are (steps without a handler, which would fill its own values)."""
    from conversations.flows import load_flows  # the flows never import the directory

    flows = load_flows()
    found: dict[str, list[str]] = {}
    for flow in flows.flows.values():
        for step in flow.steps.values():
            if step.handler:
                continue
            sentences = [step.text or ""] + [choice.label for choice in step.choices]
            for sentence in sentences:
                for _, name, _, _ in string.Formatter().parse(sentence):
                    if name:
                        found.setdefault(name, []).append(f"{flow.id}.{step.id}")
    return {name: tuple(dict.fromkeys(where)) for name, where in found.items()}


def placeholder_problems(deployment: Deployment) -> list[str]:
    """One line per flow placeholder the deployment gives no value for."""
    problems = []
    for name, where in sorted(flow_placeholders().items()):
        if name in deployment.template_values:
            continue
        theme = name.split("_", 1)[0]
        owners = [s.id for s in deployment.services.values() if theme in s.raw.get("themes", ())]
        hint = f" (e.g. service {', '.join(owners[:3])})" if owners else ""
        problems.append(
            f"placeholder {{{name}}} of flow {', '.join(where)} has no value: add "
            f"template_values.{name} to a service{hint}"
        )
    return problems
