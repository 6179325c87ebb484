"""The web chat cursor is a position in the person's own conversation (issue 20): it used
to be the outbox's global id, which told anyone how many messages the whole service had
sent between two of their polls."""

from __future__ import annotations

import httpx

from support.webchat import WebChat


async def _everything(client: httpx.AsyncClient, chat: WebChat) -> dict[str, object]:
    url = f"/webchat/sessions/{chat.session_id}/messages"
    return dict((await client.get(url, params={"after": 0})).json())


async def test_the_cursor_counts_the_persons_own_messages_only(client: httpx.AsyncClient) -> None:
    mine, others = WebChat(client), WebChat(client)
    await mine.start(lang="fr")
    first = mine.cursor
    assert first == len(mine.last)  # the messages of this conversation, nothing else
    await others.start(lang="fr")
    await others.tap("entry.language.fr")
    for n in range(3):  # a busy service meanwhile
        await others.say(f"bonjour {n}")
    url = f"/webchat/sessions/{mine.session_id}/messages"
    idle = (await client.get(url, params={"after": mine.cursor})).json()
    assert idle == {"messages": [], "cursor": first}
    await mine.tap("entry.language.fr")
    assert mine.cursor == first + len(mine.last)
    everything = await _everything(client, mine)
    assert everything["cursor"] == mine.cursor
    assert isinstance(everything["messages"], list) and len(everything["messages"]) == mine.cursor
    # Reading from a position in the middle gives the rest, in order.
    rest = (await client.get(url, params={"after": first})).json()
    assert rest["messages"] == mine.last and rest["cursor"] == mine.cursor


async def test_a_stale_cursor_catches_up_instead_of_waiting_forever(
    client: httpx.AsyncClient,
) -> None:
    chat = WebChat(client)
    await chat.start(lang="fr")
    url = f"/webchat/sessions/{chat.session_id}/messages"
    stale = (await client.get(url, params={"after": 10_000})).json()
    assert stale == {"messages": [], "cursor": chat.cursor}
    await chat.tap("entry.language.fr")
    fresh = (await client.get(url, params={"after": stale["cursor"]})).json()
    assert fresh["messages"] == chat.last
