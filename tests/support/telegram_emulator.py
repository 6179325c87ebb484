"""The Bot API emulator (npm `telegram-test-api`) for end-to-end tests, and a person using it.

`Emulator.start()` runs `tests/support/npm/launch-emulator.js` (installed by
`.ci/install-node-deps`) on a free loopback port; that launcher corrects the emulator's
deviations from the real Bot API (see its header). `TelegramUser` plays one person: it
sends complete update objects (with `is_bot`, `language_code`, command entities, and a
callback query's `chat_instance` and message), and reads what the bot sent to its chat.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.profile_questions import rather_not_say

NPM_DIR = Path(__file__).resolve().parent / "npm"
BOT = {"id": 666, "is_bot": True, "first_name": "Relais Test Bot", "username": "TestNameBot"}


class Emulator:
    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}"

    @classmethod
    def start(cls) -> Emulator:
        node = shutil.which("node")
        if node is None or not (NPM_DIR / "node_modules" / "telegram-test-api").is_dir():
            message = "telegram-test-api is not installed (run .ci/install-node-deps)"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(message)
            pytest.skip(message)
        process = subprocess.Popen(
            [node, "launch-emulator.js"],
            cwd=NPM_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        line = process.stdout.readline()  # {"port": N} once listening
        if not line:
            process.wait(5)
            pytest.fail(f"the Telegram emulator did not start (exit {process.returncode})")
        return cls(process, int(json.loads(line)["port"]))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()

    async def client_call(self, route: str, body: dict[str, Any]) -> Any:
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as http:
            response = await http.post(route, json=body)
        response.raise_for_status()
        return response.json()["result"]


class TelegramUser:
    """One person in a private chat with the bot. `settle()` waits until the app has stored
    the update just sent and sent every reply (the fixture knows how to check that)."""

    def __init__(
        self,
        emulator: Emulator,
        token: str,
        user_id: int,
        settle: Callable[[], Awaitable[None]],
        language_code: str | None = "fr",
    ) -> None:
        self.emulator = emulator
        self.token = token
        self.user = {"id": user_id, "is_bot": False, "first_name": "Sam"}
        if language_code:
            self.user["language_code"] = language_code
        self.chat = {"id": user_id, "type": "private", "first_name": "Sam"}
        self._settle = settle
        self.last: list[dict[str, Any]] = []

    async def send(self, text: str) -> None:
        message: dict[str, Any] = {
            "botToken": self.token,
            "from": self.user,
            "chat": self.chat,
            "date": int(time.time()),
            "text": text,
        }
        route = "/sendMessage"
        if text.startswith("/"):
            length = len(text.split(" ")[0])
            message["entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
            route = "/sendCommand"
        await self._act(route, message)

    async def tap(self, wanted: str) -> None:
        """Tap the offered button whose payload is `wanted` or ends with `.wanted`
        (after "I'd rather not say" to profile questions asked before it)."""
        for _ in range(12):
            skip = rather_not_say(self.payloads(), wanted)
            if skip is None:
                break
            await self._tap_once(skip)
        await self._tap_once(wanted)

    async def skip_profile(self) -> None:
        """Answer "I'd rather not say" to the profile questions being asked, if any."""
        for _ in range(12):
            skip = rather_not_say(self.payloads(), "")
            if skip is None:
                return
            await self._tap_once(skip)

    async def _tap_once(self, wanted: str) -> None:
        for message in reversed(self.last):
            found = [p for p in _payloads(message) if p == wanted or p.endswith("." + wanted)]
            if found:
                break
        else:
            raise AssertionError(f"no button {wanted!r} among {self.payloads()}")
        shown = {
            "message_id": message["message_id"],
            "date": int(time.time()),
            "chat": self.chat,
            "from": BOT,
            "text": message["text"],
        }
        query = {
            "botToken": self.token,
            "from": self.user,
            "message": shown,
            "chat_instance": f"ci-{self.user['id']}",
            "data": found[0],
        }
        await self._act("/sendCallback", query)

    async def _act(self, route: str, body: dict[str, Any]) -> None:
        await self.emulator.client_call(route, body)
        await self._settle()
        received = await self.emulator.client_call(
            "/getUpdates", {"token": self.token, "chatId": self.chat["id"]}
        )
        self.last = [{**r["message"], "message_id": r["messageId"]} for r in received]

    def payloads(self) -> list[str]:
        return [p for m in self.last for p in _payloads(m)]

    def text(self) -> str:
        return "\n".join(m["text"] for m in self.last if "text" in m)

    def voices(self) -> list[dict[str, Any]]:
        """The voice notes among the last messages (`voice_ogg`: the file is Ogg/Opus)."""
        return [m for m in self.last if "voice" in m]


def _payloads(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [button["callback_data"] for row in rows for button in row]
