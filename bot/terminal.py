"""`relais chat`: the journeys in a terminal, with numbered buttons or JSON lines.

Reads stdin in a worker thread so the event loop is never blocked. In `--json` mode
each input line is {"text": ...} or {"payload": ...} and each bot message is printed
as one JSON object per line.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
from typing import Any

from bot.runtime import Inbound, Runtime
from conversations.model import Event

CHANNEL = "terminal"


def _print_human(messages: list[dict[str, Any]], buttons: list[dict[str, Any]]) -> None:
    for message in messages:
        print(message["text"])
        for button in message["buttons"]:
            buttons.append(button)
            print(f"  [{len(buttons)}] {button['label']}")
    sys.stdout.flush()


def _print_json(messages: list[dict[str, Any]]) -> None:
    for message in messages:
        print(json.dumps(message, ensure_ascii=False))
    sys.stdout.flush()


def _print(messages: list[dict[str, Any]], as_json: bool, buttons: list[dict[str, Any]]) -> None:
    if as_json:
        _print_json(messages)
    else:
        _print_human(messages, buttons)


def _event(line: str, as_json: bool, buttons: list[dict[str, Any]]) -> Event | None:
    if as_json:
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            return None
        if not isinstance(data, dict):
            return None
        if isinstance(data.get("payload"), str):
            return Event.button(data["payload"])
        if isinstance(data.get("text"), str):
            return Event.message(data["text"])
        return None
    if line.isdigit() and 1 <= int(line) <= len(buttons):
        return Event.button(buttons[int(line) - 1]["payload"])
    return Event.message(line)


async def run_chat(
    runtime: Runtime, as_json: bool, lang: str | None, session: str | None, source: str | None
) -> int:
    user_id = session or secrets.token_hex(8)
    outcome = await runtime.handle(Inbound(CHANNEL, user_id, Event.start(lang, source)))
    buttons: list[dict[str, Any]] = []
    _print(outcome.replies, as_json, buttons)
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return 0
        line = line.strip()
        if not line:
            continue
        event = _event(line, as_json, buttons)
        if event is None:
            print(json.dumps({"error": 'expected {"text": ...} or {"payload": ...}'}))
            continue
        buttons = []
        outcome = await runtime.handle(Inbound(CHANNEL, user_id, event))
        _print(outcome.replies, as_json, buttons)
