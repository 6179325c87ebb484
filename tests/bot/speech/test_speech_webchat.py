"""Web chat audio (issue 19): each bot message may carry `audio`; GET on it with the session
in `X-Session` answers audio/ogg for that session's message only, 404 for anyone else."""

from __future__ import annotations

import httpx
import pytest

from support.speech import needs_speech
from support.webchat import WebChat

pytestmark = needs_speech


async def _audio(client: httpx.AsyncClient, url: str, session_id: str | None) -> httpx.Response:
    headers = {"X-Session": session_id} if session_id is not None else {}
    return await client.get(url, headers=headers)


@pytest.mark.parametrize("lang", ["ar", "uk", "fr", "fr_FALC"])
async def test_every_reply_can_be_heard_in_its_language(
    chat: WebChat, client: httpx.AsyncClient, lang: str
) -> None:
    await chat.start(lang=lang)
    await chat.tap(f"entry.language.{lang}")
    assert all(m["audio"] for m in chat.last), chat.last
    url = chat.last[0]["audio"]
    assert chat.session_id not in url
    answer = await _audio(client, url, chat.session_id)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "audio/ogg"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.content.startswith(b"OggS") and b"OpusHead" in answer.content[:100]


async def test_the_same_message_has_the_same_link_in_the_answer_and_later(
    chat: WebChat, client: httpx.AsyncClient
) -> None:
    await chat.start(lang="uk")
    await chat.tap("entry.language.uk")
    again = await client.get(f"/webchat/sessions/{chat.session_id}/messages?after=0")
    links = [m["audio"] for m in again.json()["messages"]]
    assert [m["audio"] for m in chat.last] == links[-len(chat.last) :]


async def test_another_session_or_no_session_gets_404(
    chat: WebChat, client: httpx.AsyncClient
) -> None:
    await chat.start(lang="fr")
    await chat.tap("entry.language.fr")
    url = chat.last[0]["audio"]
    other = WebChat(client)
    await other.start(lang="en")
    assert (await _audio(client, url, other.session_id)).status_code == 404
    assert (await _audio(client, url, None)).status_code == 404
    assert (await _audio(client, url, "not-a-session")).status_code == 404
    assert (await _audio(client, "/webchat/audio/" + "0" * 32, chat.session_id)).status_code == 404


async def test_a_language_without_a_voice_has_no_audio(chat: WebChat) -> None:
    await chat.start(lang="ps")
    await chat.tap("entry.language.ps")
    assert all(m["audio"] is None for m in chat.last)


async def test_personal_text_is_never_cached(chat: WebChat, client: httpx.AsyncClient) -> None:
    """The answer echoing the person's own words is spoken on demand and not kept."""
    speech = client._transport.app.state.services.speech  # type: ignore[attr-defined]
    await chat.start(lang="fr")
    await chat.tap("entry.language.fr")
    await chat.tap("agree")
    for message in chat.last:
        assert (await _audio(client, message["audio"], chat.session_id)).status_code == 200
    cached = len(speech.cache)
    assert cached >= 1  # catalog sentences are kept
    assert not speech.cacheable("fr", "Vous avez écrit : 63000 Clermont, j'ai 19 ans")
    last = chat.last[-1]
    assert speech.cacheable("fr", last["text"], [b["label"] for b in last["buttons"]])
