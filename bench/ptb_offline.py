"""What lets the python-telegram-bot baseline run offline: a Bot API transport that
answers locally, and the journey's inputs as Telegram updates."""

from __future__ import annotations

import json
import time
from typing import Any

from telegram.request import BaseRequest, RequestData

from bench.journey import HOUSING_JOURNEY

BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Relais", "username": "relais_bot"}


class FakeTransport(BaseRequest):
    """Answers every Bot API call locally, as Telegram would, without a network."""

    def __init__(self) -> None:
        self._message_id = 0

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        result: Any = True
        if endpoint == "getMe":
            result = BOT_USER
        elif endpoint in ("sendMessage", "editMessageText"):
            self._message_id += 1
            result = {
                "message_id": self._message_id,
                "date": int(time.time()),
                "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
        return 200, json.dumps({"ok": True, "result": result}).encode()


def update_dicts(user_id: int, turns: int = 0) -> list[dict[str, Any]]:
    """The journey's inputs as Telegram updates (JSON) of one private chat."""
    user = {"id": user_id, "is_bot": False, "first_name": "Person", "language_code": "en"}
    chat = {"id": user_id, "type": "private"}
    updates: list[dict[str, Any]] = []
    for number, (kind, value) in enumerate(HOUSING_JOURNEY[: turns or None]):
        update_id = user_id * 100 + number
        if kind == "payload":
            updates.append(
                {
                    "update_id": update_id,
                    "callback_query": {
                        "id": str(update_id),
                        "from": user,
                        "chat_instance": str(user_id),
                        "data": value,
                        "message": {"message_id": number, "date": 0, "chat": chat, "text": "?"},
                    },
                }
            )
            continue
        message: dict[str, Any] = {
            "message_id": number,
            "date": 0,
            "chat": chat,
            "from": user,
            "text": "/start" if kind == "start" else value,
        }
        if kind == "start":
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": 6}]
        updates.append({"update_id": update_id, "message": message})
    return updates
