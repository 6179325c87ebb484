"""Plain turns (storage/plain_turns.py) on PostgreSQL and SQLite: optimistic, all or nothing.

The write checks the conversation's version: when another process wrote in between,
nothing of the turn is stored and the runtime plays it again in the locked path, once.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from sqlalchemy import event, text

from bench.journey import HOUSING_JOURNEY
from bench.relais_turns import build_runtime, event_of, play_journey
from bot.runtime import Inbound, Runtime
from storage import Database
from storage.plain_turns import PlainTurn, PlainTurns, Redelivered, SealedTurn, StoredConversation
from storage.plain_turns_postgres import PostgresPlainTurns
from storage.plain_turns_sqlite import SqlitePlainTurns
from storage.types import utcnow


async def _started(runtime: Runtime, person: str, turns: int = 3) -> None:
    """The person up to the main menu (start, language, consent)."""
    for number, (kind, value) in enumerate(HOUSING_JOURNEY[:turns]):
        await runtime.handle(Inbound("web", person, event_of(kind, value), message_id=f"m{number}"))


async def _row(db: Database, person: str, runtime: Runtime) -> dict[str, Any]:
    key = runtime.person_key("web", person)
    async with db.transaction() as session:
        row = (
            await session.execute(
                text(
                    "SELECT c.id, c.version, (SELECT count(*) FROM outbox_messages o"
                    " WHERE o.conversation_id = c.id) AS queued,"
                    " (SELECT count(*) FROM inbound_messages i"
                    " WHERE i.conversation_id = c.id) AS recorded"
                    " FROM conversations c WHERE c.person_key = :key"
                ),
                {"key": key},
            )
        ).one()
    return dict(row._mapping)


async def _bump_version(db: Database, conversation_id: int) -> None:
    """Another process's turn: the version moves."""
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE conversations SET version = version + 1 WHERE id = :id"),
            {"id": conversation_id},
        )


async def test_a_tap_reads_and_writes_without_a_transaction(db: Database) -> None:
    assert db.plain_turns is not None
    runtime = build_runtime(db)
    await _started(runtime, "p")
    before = await _row(db, "p", runtime)
    outcome = await runtime.handle(
        Inbound("web", "p", event_of("payload", "menu.main.housing"), message_id="m3")
    )
    after = await _row(db, "p", runtime)
    assert outcome.replies and outcome.cursor == after["queued"]
    assert after["version"] == before["version"] + 1
    assert after["queued"] == before["queued"] + len(outcome.replies)
    assert after["recorded"] == before["recorded"] + 1


async def test_a_moved_version_writes_nothing(db: Database) -> None:
    plain = db.plain_turns
    assert plain is not None
    runtime = build_runtime(db)
    await _started(runtime, "p")
    read = await plain.read(runtime.person_key("web", "p"))
    assert read is not None
    before = await _row(db, "p", runtime)
    await _bump_version(db, read.id)
    now = utcnow()
    written = await plain.write(
        runtime.person_key("web", "p"),
        PlainTurn(
            read.id,
            {**read.state, "lost": True},
            None,
            True,
            "web",
            [{"text": "never stored"}],
            "delivered",
            "web:lost",
            version=read.version,
            now=now,
            delivered_at=now,
        ),
    )
    after = await _row(db, "p", runtime)
    assert written is None
    assert after["version"] == before["version"] + 1  # the other writer's only
    assert (after["queued"], after["recorded"]) == (before["queued"], before["recorded"])
    again = await plain.read(runtime.person_key("web", "p"))
    assert again is not None and "lost" not in again.state


class _Wrapped(PlainTurns):
    """The database's own plain path, watched."""

    def __init__(self, db: Database) -> None:
        assert db.plain_turns is not None
        super().__init__(db.engine.dialect)
        self.db, self.inner = db, db.plain_turns
        db._plain_turns = self  # the runtime reads it on every turn

    async def _fetch(self, person_key: str) -> StoredConversation | None:
        return await self.inner._fetch(person_key)

    async def _store(self, sealed: SealedTurn) -> int | None:
        return await self.inner._store(sealed)

    async def _insert(
        self, person_key: str, channel: str, stored_state: str, now: datetime
    ) -> int | None:
        return await self.inner._insert(person_key, channel, stored_state, now)

    async def close(self) -> None:
        await self.inner.close()


class _OtherProcessWritesFirst(_Wrapped):
    """Between this process's read and write, another process's turn commits."""

    conflicts = 0

    async def _fetch(self, person_key: str) -> StoredConversation | None:
        read = await super()._fetch(person_key)
        if read is not None:
            await _bump_version(self.db, read.id)
            self.conflicts += 1
        return read


async def test_a_conflict_is_played_again_in_the_locked_path_once(db: Database) -> None:
    runtime = build_runtime(db)
    await _started(runtime, "p")
    before = await _row(db, "p", runtime)
    racing = _OtherProcessWritesFirst(db)
    outcome = await runtime.handle(
        Inbound("web", "p", event_of("payload", "menu.main.housing"), message_id="m3")
    )
    after = await _row(db, "p", runtime)
    assert racing.conflicts == 1
    # The other writer's bump, then this turn once, through the locked path.
    assert after["version"] == before["version"] + 2
    assert after["queued"] == before["queued"] + len(outcome.replies)
    assert after["recorded"] == before["recorded"] + 1
    assert outcome.cursor == after["queued"]


async def test_a_redelivered_message_gets_the_same_replies(db: Database) -> None:
    runtime = build_runtime(db)
    await _started(runtime, "p")
    tap = Inbound("web", "p", event_of("payload", "menu.main.housing"), message_id="m3")
    first = await runtime.handle(tap)
    before = await _row(db, "p", runtime)
    second = await runtime.handle(tap)
    assert second.duplicate and second.replies == first.replies
    assert await _row(db, "p", runtime) == before


class _Counting(_Wrapped):
    written = 0

    async def _store(self, sealed: SealedTurn) -> int | None:
        cursor = await super()._store(sealed)
        self.written += cursor is not None
        return cursor


async def test_a_new_persons_first_turn_is_plain(db: Database) -> None:
    runtime = build_runtime(db)
    counting = _Counting(db)
    kind, value = HOUSING_JOURNEY[0]
    outcome = await runtime.handle(Inbound("web", "new", event_of(kind, value), message_id="m0"))
    after = await _row(db, "new", runtime)
    assert counting.written == 1  # the turn went through the plain write, not the locked path
    assert outcome.replies and outcome.cursor == after["queued"] == len(outcome.replies)
    assert (after["version"], after["recorded"]) == (1, 1)
    again = await runtime.handle(Inbound("web", "new", event_of(kind, value), message_id="m0"))
    assert again.duplicate and again.replies == outcome.replies
    assert await _row(db, "new", runtime) == after


async def test_create_refuses_a_person_who_has_a_conversation(db: Database) -> None:
    plain = db.plain_turns
    assert plain is not None
    runtime = build_runtime(db)
    await _started(runtime, "p")
    before = await _row(db, "p", runtime)
    assert await plain.create(runtime.person_key("web", "p"), "web", {}) is None
    assert await _row(db, "p", runtime) == before


class _OtherProcessCreatesFirst(_Wrapped):
    """Another process creates the person's conversation between this one's read and
    insert: the insert finds the person there and the turn is played in the locked path."""

    async def _insert(
        self, person_key: str, channel: str, stored_state: str, now: datetime
    ) -> int | None:
        assert await self.inner._insert(person_key, channel, stored_state, now) is not None
        return await self.inner._insert(person_key, channel, stored_state, now)


async def test_a_conversation_created_by_another_process_is_played_in_the_locked_path(
    db: Database,
) -> None:
    runtime = build_runtime(db)
    _OtherProcessCreatesFirst(db)
    kind, value = HOUSING_JOURNEY[0]
    outcome = await runtime.handle(Inbound("web", "new", event_of(kind, value), message_id="m0"))
    after = await _row(db, "new", runtime)
    assert outcome.replies and outcome.cursor == after["queued"] == len(outcome.replies)
    assert (after["version"], after["recorded"]) == (1, 1)


async def test_a_push_channel_turn_is_plain_once_its_address_is_stored(db: Database) -> None:
    runtime = build_runtime(db)
    counting = _Counting(db)

    def tap(number: int) -> Inbound:
        kind, value = HOUSING_JOURNEY[number]
        return Inbound(
            "telegram", "42", event_of(kind, value), message_id=f"u{number}", address="sealed-42"
        )

    await runtime.handle(tap(0))  # a new person: the locked path stores the address
    await runtime.handle(tap(1))
    assert counting.written == 1
    key = runtime.person_key("telegram", "42")
    async with db.transaction() as session:
        await session.execute(
            text(
                "UPDATE channel_addresses SET unreachable_at = CURRENT_TIMESTAMP"
                " WHERE conversation_id = (SELECT id FROM conversations WHERE person_key = :key)"
            ),
            {"key": key},
        )
    await runtime.handle(tap(2))  # they blocked us, now write again: the address is stored
    assert counting.written == 1
    async with db.transaction() as session:
        unreachable = await session.scalar(
            text(
                "SELECT unreachable_at FROM channel_addresses WHERE conversation_id ="
                " (SELECT id FROM conversations WHERE person_key = :key)"
            ),
            {"key": key},
        )
    assert unreachable is None
    await runtime.handle(tap(3))
    assert counting.written == 2


async def test_the_next_turn_uses_what_was_written_and_a_stale_memory_is_refused(
    db: Database,
) -> None:
    runtime = build_runtime(db)
    await _started(runtime, "p")  # language and consent were plain turns
    key = runtime.person_key("web", "p")
    plain = db.plain_turns
    assert plain is not None
    remembered = await plain.read(key, remembered=True)
    stored = await plain.read(key)
    assert remembered is not None and stored is not None
    assert (remembered.id, remembered.version, remembered.state) == (
        stored.id,
        stored.version,
        stored.state,
    )
    # Kept sealed: no answer of the person in clear in memory between turns.
    kept = plain._written[key].stored_state
    assert "entry" not in kept and "consent" not in kept and kept.startswith('"enc2:')

    before = await _row(db, "p", runtime)
    await _bump_version(db, stored.id)  # another process's turn: the memory is stale
    outcome = await runtime.handle(
        Inbound("web", "p", event_of("payload", "menu.main.housing"), message_id="m3")
    )
    after = await _row(db, "p", runtime)
    assert after["version"] == before["version"] + 2
    assert after["queued"] == before["queued"] + len(outcome.replies)
    assert after["recorded"] == before["recorded"] + 1


async def test_a_turn_with_effects_on_a_stale_memory_is_played_again_locked_once(
    db: Database,
) -> None:
    runtime = build_runtime(db)
    intake = HOUSING_JOURNEY[-2]
    await play_journey(runtime, "p", stop_after=len(HOUSING_JOURNEY) - 2)
    row = await _row(db, "p", runtime)
    await _bump_version(db, row["id"])  # another process's turn: the memory is stale

    inserts: list[str] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO INTAKES"):
            inserts.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", watch)
    try:
        outcome = await runtime.handle(Inbound("web", "p", event_of(*intake), message_id="intake"))
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", watch)
    after = await _row(db, "p", runtime)
    # The write checked the version and refused, and its intake went with it: the
    # replay, locked, inserted it again (a kept one would have been updated).
    assert len(inserts) == 2
    assert after["version"] == row["version"] + 2
    assert after["recorded"] == row["recorded"] + 1
    assert after["queued"] == row["queued"] + len(outcome.replies) == outcome.cursor
    async with db.transaction() as session:
        intakes = await session.scalar(
            text("SELECT count(*) FROM intakes WHERE conversation_id = :id"), {"id": row["id"]}
        )
    assert intakes == 1
    # What the locked path wrote is remembered for the next turn.
    plain = db.plain_turns
    assert plain is not None
    assert plain._written[runtime.person_key("web", "p")].version == after["version"]


class _Batches(_Wrapped):
    """Records the size of every batch the group commit writes."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.sizes: list[int] = []
        inner_write = self.inner._write_batch  # type: ignore[attr-defined]

        async def write_batch(batch: list[SealedTurn]) -> list[int | Exception | None]:
            self.sizes.append(len(batch))
            return await inner_write(batch)

        self.inner._group._write = write_batch  # type: ignore[attr-defined]


def _tap(runtime: Runtime, person: str, message_id: str) -> Inbound:
    return Inbound("web", person, event_of("payload", "menu.main.housing"), message_id=message_id)


async def test_concurrent_turns_share_one_write_and_each_gets_its_own_outcome(
    db: Database,
) -> None:
    """Group commit: a stale version and a redelivered id in a batch refuse only their turn."""
    runtime = build_runtime(db)
    people = [f"p{n}" for n in range(6)]
    for person in people:
        await _started(runtime, person)
    before = {person: await _row(db, person, runtime) for person in people}
    await runtime.handle(_tap(runtime, "p0", "again"))  # to be redelivered
    await _bump_version(db, before["p1"]["id"])  # p1's memory is stale
    batches = _Batches(db)
    outcomes = await asyncio.gather(
        runtime.handle(_tap(runtime, "p0", "again")),
        *(runtime.handle(_tap(runtime, person, "t")) for person in people[1:]),
    )
    after = {person: await _row(db, person, runtime) for person in people}
    assert max(batches.sizes) > 1, batches.sizes  # several turns in one write
    assert outcomes[0].duplicate
    assert after["p0"]["version"] == before["p0"]["version"] + 1  # the first delivery only
    assert after["p1"]["version"] == before["p1"]["version"] + 2  # the bump, then the locked path
    for person, outcome in zip(people[1:], outcomes[1:], strict=True):
        assert not outcome.duplicate and outcome.replies
        assert outcome.cursor == after[person]["queued"]
        assert after[person]["queued"] == before[person]["queued"] + len(outcome.replies)
        assert after[person]["recorded"] == before[person]["recorded"] + 1


async def test_one_write_for_many_turns_refuses_a_stale_version_and_a_redelivery(
    db: Database,
) -> None:
    """The batched write itself: every turn of a batch gets the outcome it would get alone."""
    plain = db.plain_turns
    assert isinstance(plain, PostgresPlainTurns | SqlitePlainTurns)
    runtime = build_runtime(db)
    people = ["a", "b", "c", "d"]
    reads = {}
    for person in people:
        await _started(runtime, person)
        reads[person] = await plain.read(runtime.person_key("web", person))
    before = {person: await _row(db, person, runtime) for person in people}
    await _bump_version(db, before["b"]["id"])

    def turn(person: str, message_id: str) -> SealedTurn:
        read = reads[person]
        assert read is not None
        now = utcnow()
        key = f"{runtime.person_key('web', person)[:24]}:{message_id}"
        return plain.seal(
            PlainTurn(
                read.id,
                {**read.state, "batched": person},
                "fr",
                True,
                "web",
                [{"text": f"to {person}"}, {"text": "and one more"}],
                "delivered",
                key,
                version=read.version,
                now=now,
                delivered_at=now,
            )
        )

    first = await plain._write_batch([turn("a", "x"), turn("b", "x"), turn("d", "x")])
    # c's id m2 is recorded already: the batch fails, each turn is written alone.
    second = await plain._write_batch([turn("c", "m2"), turn("c", "y")])
    after = {person: await _row(db, person, runtime) for person in people}
    for person, cursor in (("a", first[0]), ("d", first[2])):
        assert after[person]["version"] == before[person]["version"] + 1
        assert after[person]["queued"] == before[person]["queued"] + 2 == cursor
        assert after[person]["recorded"] == before[person]["recorded"] + 1
    assert first[1] is None  # b's version had moved: nothing of its turn written
    assert after["b"]["version"] == before["b"]["version"] + 1  # the bump alone
    assert (after["b"]["queued"], after["b"]["recorded"]) == (
        before["b"]["queued"],
        before["b"]["recorded"],
    )
    assert isinstance(second[0], Redelivered)
    assert second[1] == after["c"]["queued"] == before["c"]["queued"] + 2
    assert after["c"]["version"] == before["c"]["version"] + 1
