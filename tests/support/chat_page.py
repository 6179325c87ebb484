"""Drives the web chat page like a person: taps the offered buttons, types, reads."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import expect


class ChatPage:
    def __init__(self, page: Any) -> None:
        self.page = page

    def choice(self, wanted: str) -> Any:
        """The enabled button whose payload is `wanted`, ends with `.wanted` or starts
        with `wanted` when it ends with a dot."""
        if wanted.endswith("."):
            selector = f'.choice[data-payload^="{wanted}"]:enabled'
        else:
            selector = (
                f'.choice[data-payload="{wanted}"]:enabled, '
                f'.choice[data-payload$=".{wanted}"]:enabled'
            )
        return self.page.locator(selector).first

    def tap(self, wanted: str) -> None:
        button = self.choice(wanted)
        expect(button).to_be_visible()
        button.click()
        # The turn is over when the next question's buttons are there (or a reply came).
        expect(self.page.locator(".choice:disabled")).to_have_count(0)

    def skip_to(self, wanted: str, skip: str = "not_said", limit: int = 8) -> None:
        """Answers the optional questions with `skip` until `wanted` is offered, then taps
        it (the profile and yearly-report questions depend on the deployment's rules)."""
        for _ in range(limit):
            if self.choice(wanted).count():
                self.tap(wanted)
                return
            self.tap(skip)
        raise AssertionError(f"{wanted!r} was never offered")

    def say(self, text: str) -> None:
        self.page.fill("#text", text)
        self.page.press("#text", "Enter")
        expect(self.page.locator(".msg.me").last).to_contain_text(text)
        expect(self.page.locator(".choice:disabled")).to_have_count(0)

    def session(self) -> dict[str, Any] | None:
        value = self.page.evaluate("sessionStorage.getItem('relais-chat')")
        return None if value is None else dict(json.loads(value))

    def last_bot(self) -> Any:
        return self.page.locator(".msg.bot").last
