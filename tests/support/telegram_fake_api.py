"""A scripted fake Bot API server on loopback, for what the emulator cannot do: 429 with
retry_after, 403 blocked, 5xx outages, redelivered update_ids and offset bookkeeping.

It sits at the HTTP seam: the real adapters (python-telegram-bot, aiogram) talk to it
over HTTP exactly as to Telegram. Every call is recorded with its parsed parameters and
the time it arrived; `script(method, answers...)` queues answers for the next calls;
`block(chat_id)` makes sendMessage to that chat answer 403 until `unblock`. Files sent
with multipart (sendVoice) are recorded as bytes.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from aiohttp import web

BOT = {"id": 666, "is_bot": True, "first_name": "Fake Bot", "username": "FakeBot"}


def error(code: int, description: str, retry_after: int | None = None) -> tuple[int, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return code, body


TOO_MANY = error(429, "Too Many Requests: retry after 1", retry_after=1)
BLOCKED = error(403, "Forbidden: bot was blocked by the user")
BAD_REQUEST = error(400, "Bad Request: chat not found")
SERVER_ERROR = error(500, "Internal Server Error")
CONFLICT = error(409, "Conflict: something odd")


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    at: float


class FakeBotApi:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self._scripts: dict[str, list[tuple[int, Any]]] = defaultdict(list)
        self._blocked: set[int] = set()
        self._new_update = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._message_id = 0
        self.url = ""

    async def start(self) -> FakeBotApi:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()

    def script(self, method: str, *answers: tuple[int, Any]) -> None:
        self._scripts[method].extend(answers)

    def block(self, chat_id: int) -> None:
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def push(self, *updates: dict[str, Any]) -> None:
        self.updates.extend(updates)
        self._new_update.set()

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            raw: dict[str, Any] = await request.json()
        else:
            raw = dict(await request.post())
        parsed: dict[str, Any] = {}
        for key, value in raw.items():
            if isinstance(value, web.FileField):
                parsed[key] = value.file.read()
                continue
            try:
                parsed[key] = json.loads(value) if isinstance(value, str) else value
            except ValueError:
                parsed[key] = value
        for key, value in list(parsed.items()):  # a file sent as `attach://<part name>`
            if isinstance(value, str) and value.startswith("attach://"):
                parsed[key] = parsed.pop(value.removeprefix("attach://"), value)
        return parsed

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append(Call(method, params, time.monotonic()))
        if self._scripts[method]:
            status, body = self._scripts[method].pop(0)
        elif method == "sendMessage" and int(params["chat_id"]) in self._blocked:
            status, body = BLOCKED
        else:
            status, body = 200, {"ok": True, "result": await self._result(method, params)}
        return web.json_response(body, status=status)

    async def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "sendVoice":
            self._message_id += 1
            chat = {"id": int(params["chat_id"]), "type": "private", "first_name": "Sam"}
            audio = params["voice"]
            return {
                "message_id": self._message_id,
                "date": int(time.time()),
                "chat": chat,
                "from": BOT,
                "voice": {
                    "file_id": f"voice-{self._message_id}",
                    "file_unique_id": f"u-voice-{self._message_id}",
                    "duration": 1,
                    "mime_type": "audio/ogg",
                    "file_size": len(audio) if isinstance(audio, bytes) else 0,
                },
            }
        if method == "sendMessage":
            self._message_id += 1
            chat = {"id": int(params["chat_id"]), "type": "private", "first_name": "Sam"}
            return {
                "message_id": self._message_id,
                "date": int(time.time()),
                "chat": chat,
                "from": BOT,
                "text": str(params["text"]),
            }
        return True

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            self._new_update.clear()
            wait = min(float(params.get("timeout") or 0), 0.5)
            try:
                await asyncio.wait_for(self._new_update.wait(), wait)
            except TimeoutError:
                pass
        return list(self.updates)


def message_update(update_id: int, user_id: int, text: str, lang: str = "fr") -> dict[str, Any]:
    sender = {"id": user_id, "is_bot": False, "first_name": "Sam", "language_code": lang}
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "Sam"},
        "from": sender,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    return {"update_id": update_id, "message": message}


def voice_update(update_id: int, user_id: int, lang: str = "fr") -> dict[str, Any]:
    """The person sent a voice message (only its description: nobody fetches the audio)."""
    update = message_update(update_id, user_id, "", lang)
    message = update["message"]
    del message["text"]
    message["voice"] = {
        "file_id": f"person-voice-{update_id}",
        "file_unique_id": f"u-person-voice-{update_id}",
        "duration": 3,
        "mime_type": "audio/ogg",
        "file_size": 4200,
    }
    return update


def callback_update(update_id: int, user_id: int, data: str) -> dict[str, Any]:
    chat = {"id": user_id, "type": "private", "first_name": "Sam"}
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cq-{update_id}",
            "from": {"id": user_id, "is_bot": False, "first_name": "Sam"},
            "chat_instance": f"ci-{user_id}",
            "data": data,
            "message": {"message_id": 1, "date": int(time.time()), "chat": chat, "from": BOT},
        },
    }
