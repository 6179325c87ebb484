"""The chat page and the inbox from the server's side: the pages, their translated
strings, the session language, ending a kiosk session, and no sentence hard-coded in the
static files (every one is a catalog msgid)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from api.inbox.pages import STATIC as INBOX_STATIC
from api.inbox.strings import INBOX_STRINGS
from bot.webchat.pages import STATIC as CHAT_STATIC
from bot.webchat.strings import CHAT_STRINGS
from support.webchat import WebChat

# Text a page may show without the catalogs: the brand, the send arrow, the 🔊 pictogram.
NOT_SENTENCES = {"Relais", "➤", "🔊"}


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.keys: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style")
        for name, value in attrs:
            if name in ("data-t", "data-t-label", "data-t-placeholder") and value:
                self.keys.add(value)
            if name in ("aria-label", "placeholder", "title", "alt") and value:
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def _parsed(path: Path) -> _Texts:
    parser = _Texts()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize(
    ("page", "strings"),
    [(CHAT_STATIC / "chat.html", CHAT_STRINGS), (INBOX_STATIC / "inbox.html", INBOX_STRINGS)],
)
def test_pages_hard_code_no_sentence_and_name_only_known_strings(
    page: Path, strings: dict[str, str]
) -> None:
    parsed = _parsed(page)
    assert set(parsed.texts) <= NOT_SENTENCES
    assert parsed.keys <= set(strings)


@pytest.mark.parametrize(
    ("scripts", "strings"),
    [
        ([CHAT_STATIC / "chat.js", CHAT_STATIC / "listen.js"], CHAT_STRINGS),
        (sorted(INBOX_STATIC.glob("inbox*.js")), INBOX_STRINGS),
    ],
)
def test_scripts_ask_only_for_known_strings(scripts: list[Path], strings: dict[str, str]) -> None:
    used: set[str] = set()
    for script in scripts:
        used |= set(re.findall(r'\bt\("([\w.]+)"', script.read_text(encoding="utf-8")))
    assert used and used <= set(strings)


async def test_pages_are_served_with_a_strict_content_security_policy(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/", "/inbox"):
        response = await client.get(path)
        assert response.status_code == 200 and "text/html" in response.headers["content-type"]
        assert "script-src 'self'" in response.headers["content-security-policy"]
    for asset in (
        "static/chat.js",
        "static/listen.js",
        "static/chat.css",
        "inbox/static/inbox.js",
    ):
        assert (await client.get(f"/{asset}")).status_code == 200
    for asset in ("inbox-core.js", "inbox.css"):
        assert (await client.get(f"/inbox/static/{asset}")).status_code == 200


async def test_chat_ui_strings_follow_the_language_and_its_direction(
    client: httpx.AsyncClient,
) -> None:
    arabic = (await client.get("/webchat/ui", params={"lang": "ar"})).json()
    assert (arabic["lang"], arabic["direction"]) == ("ar", "rtl")
    assert set(arabic["strings"]) == set(CHAT_STRINGS)
    assert {lang["code"]: lang["direction"] for lang in arabic["languages"]}["fa_AF"] == "rtl"
    assert len(arabic["languages"]) == 11
    dari = (await client.get("/webchat/ui", params={"lang": "fa-AF"})).json()
    assert (dari["lang"], dari["direction"]) == ("fa_AF", "rtl")
    unknown = (await client.get("/webchat/ui", params={"lang": "xx-YY"})).json()
    assert (unknown["lang"], unknown["direction"]) == ("fr", "ltr")


async def test_inbox_ui_is_french(client: httpx.AsyncClient) -> None:
    inbox = (await client.get("/inbox/ui")).json()
    assert inbox["lang"] == "fr" and set(inbox["strings"]) == set(INBOX_STRINGS)
    assert inbox["strings"]["claim"] == "Prendre en charge"
    assert inbox["strings"]["status.new"] == "Nouvelle"


async def test_session_info_tells_the_conversation_language(
    chat: WebChat, client: httpx.AsyncClient
) -> None:
    await chat.start()
    await chat.tap("entry.language.ps")
    info = await client.get(f"/webchat/sessions/{chat.session_id}")
    assert info.json() == {"lang": "ps", "direction": "rtl"}
    assert (await client.get("/webchat/sessions/not-a-session")).status_code == 404


async def test_an_ended_session_takes_no_message_even_right_after_a_plain_turn(
    chat: WebChat, client: httpx.AsyncClient
) -> None:
    # The last turn was written without the lock and is remembered for the next one.
    await chat.start()
    await chat.tap("entry.language.fr")
    url = f"/webchat/sessions/{chat.session_id}"
    assert (await client.post(f"{url}/end")).status_code == 204

    sent = await client.post(f"{url}/messages", json={"payload": "entry.consent.agree"})
    assert sent.status_code == 404


async def test_ending_a_session_retires_its_id_but_keeps_the_referral(
    chat: WebChat, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await chat.start(source="bus-jaude")
    await chat.tap("entry.language.fr")
    await chat.tap("agree")
    await chat.tap("menu.main.housing")
    await chat.tap("street")
    url = f"/webchat/sessions/{chat.session_id}"
    assert (await client.post(f"{url}/end")).status_code == 204

    assert (await client.get(f"{url}/messages", params={"after": 0})).status_code == 404
    assert (await client.post(f"{url}/messages", json={"text": "hi"})).status_code == 404
    assert (await client.get(url)).status_code == 404
    assert (await client.post(f"{url}/end")).status_code == 404
    referrals = (await client.get("/api/v1/referrals", headers=admin_headers)).json()
    assert [(r["reason"], r["urgency"]) for r in referrals] == [("emergency", "urgent")]
    intakes = (await client.get("/api/v1/intakes", headers=admin_headers)).json()
    assert [i["source"] for i in intakes] == ["bus-jaude"]
