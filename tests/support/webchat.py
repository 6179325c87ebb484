"""A web chat driver: talks to the real web chat API like the page does."""

from __future__ import annotations

from typing import Any

import httpx

from support.profile_questions import rather_not_say


class WebChat:
    """Drives one web chat session the way the page does, asserting buttons were offered."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.session_id = ""
        self.last: list[dict[str, Any]] = []
        self.cursor = 0

    async def start(self, lang: str | None = None, source: str | None = None) -> None:
        body = {k: v for k, v in {"lang": lang, "source": source}.items() if v}
        response = await self.client.post("/webchat/sessions", json=body)
        assert response.status_code == 201, response.text
        data = response.json()
        self.session_id = data["session_id"]
        self.last, self.cursor = data["messages"], data["cursor"]

    def payloads(self) -> list[str]:
        return [b["payload"] for m in self.last for b in m["buttons"]]

    def text(self) -> str:
        return "\n".join(m["text"] for m in self.last)

    async def _post(self, body: dict[str, Any]) -> None:
        url = f"/webchat/sessions/{self.session_id}/messages"
        response = await self.client.post(url, json=body)
        assert response.status_code == 200, response.text
        data = response.json()
        self.last, self.cursor = data["messages"], data["cursor"]

    async def tap(self, wanted: str) -> None:
        """Tap the offered button whose payload is `wanted` or ends with `.wanted`
        (after "I'd rather not say" to profile questions asked before it)."""
        for _ in range(12):
            skip = rather_not_say(self.payloads(), wanted)
            if skip is None:
                break
            await self._post({"payload": skip})
        offered = [p for p in self.payloads() if p == wanted or p.endswith("." + wanted)]
        assert offered, f"no button {wanted!r} among {self.payloads()}"
        await self._post({"payload": offered[0]})

    async def skip_profile(self) -> None:
        """Answer "I'd rather not say" to the profile questions being asked, if any."""
        for _ in range(12):
            skip = rather_not_say(self.payloads(), "")
            if skip is None:
                return
            await self._post({"payload": skip})

    async def say(self, text: str, message_id: str | None = None) -> None:
        await self._post({"text": text, **({"message_id": message_id} if message_id else {})})
