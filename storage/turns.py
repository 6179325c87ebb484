"""The writes that end every turn: conversation state, replies, inbox row — at once.

This is the hot path of Relais (every message of every person), so it bypasses the ORM's
unit of work. On PostgreSQL the three writes are one hand-written statement
(data-modifying CTEs, the replies as one array parameter): one round trip, one text
prepared once per connection whatever the number of replies. SQLite, which has no
data-modifying CTEs, gets three Core statements built once. A message id already
recorded raises IntegrityError (unique inbox key), like `InboxRepository.record`.

A turn that read the conversation without locking it passes the version it read: the
state is then written only if the version is still that one, and `VersionMoved` is
raised otherwise (the caller rolls the transaction back and plays the turn again, locked).
The state is sealed here, once, and the sealed text comes back with the new version, so
that the runtime can remember it for the person's next turn (storage/plain_turns.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Text, bindparam, insert, literal_column, or_, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation, InboundMessage, OutboxMessage
from storage.outbox import DELIVERED, OutboxRepository
from storage.sealing import sealed_json_text
from storage.types import utcnow

_CONVERSATIONS = Conversation.__table__
_INBOX = InboundMessage.__table__
_OUTBOX = OutboxMessage.__table__


@dataclass(frozen=True)
class TurnWrite:
    conversation_id: int
    state: dict[str, Any]
    lang: str | None
    consent: bool | None
    channel: str
    replies: Sequence[dict[str, Any]]
    reply_status: str
    message_key: str | None


@dataclass(frozen=True)
class WrittenTurn:
    cursor: int  # the web chat cursor: the conversation's messages with this turn's replies
    version: int  # the conversation's version after the turn
    stored_state: str  # the state as written (JSON text of the sealed token)


class VersionMoved(Exception):
    """Another writer moved the conversation since it was read: nothing may be kept."""


# PostgreSQL: one statement. The final SELECT sees the outbox as it was before the
# statement: `seen_before` does not count the replies queued here.
_ONE_STATEMENT = text(
    """
    WITH save_state AS (
        UPDATE conversations
        SET state = CAST(CAST(:state AS TEXT) AS JSON), lang = CAST(:lang AS VARCHAR),
            consent = CAST(:consent AS BOOLEAN), version = version + 1,
            updated_at = CAST(:now AS TIMESTAMPTZ)
        WHERE id = CAST(:conversation_id AS INTEGER)
          AND (CAST(:version AS INTEGER) IS NULL OR version = CAST(:version AS INTEGER))
        RETURNING version
    ), record AS (
        INSERT INTO inbound_messages (channel, message_key, conversation_id, replies, created_at)
        SELECT CAST(:channel AS VARCHAR), CAST(:message_key AS VARCHAR),
               CAST(:conversation_id AS INTEGER), CAST(:replies AS JSON),
               CAST(:now AS TIMESTAMPTZ)
        WHERE CAST(:message_key AS VARCHAR) IS NOT NULL AND EXISTS (SELECT 1 FROM save_state)
    ), queued AS (
        INSERT INTO outbox_messages
            (conversation_id, channel, body, status, attempts, created_at, delivered_at)
        SELECT CAST(:conversation_id AS INTEGER), CAST(:channel AS VARCHAR),
               CAST(body AS JSON), CAST(:reply_status AS VARCHAR), 0,
               CAST(:now AS TIMESTAMPTZ), CAST(:delivered_at AS TIMESTAMPTZ)
        FROM unnest(CAST(:bodies AS TEXT[])) WITH ORDINALITY AS replies(body, position)
        WHERE EXISTS (SELECT 1 FROM save_state)
        ORDER BY position
        RETURNING id
    )
    SELECT (SELECT version FROM save_state) AS version,
           (SELECT count(*) FROM queued) AS queued,
           (SELECT count(*) FROM outbox_messages
            WHERE conversation_id = CAST(:conversation_id AS INTEGER)) AS seen_before
    """
).bindparams(
    bindparam("replies", type_=_INBOX.c.replies.type),
    bindparam("now", type_=_CONVERSATIONS.c.updated_at.type),
    bindparam("delivered_at", type_=_OUTBOX.c.delivered_at.type),
)

# SQLite: three statements. Parameters are named apart from the columns (a parameter
# named like a column would be added to the UPDATE's SET clause).
_SAVE_STATE = (
    update(_CONVERSATIONS)
    .where(
        _CONVERSATIONS.c.id == bindparam("p_conversation_id"),
        or_(
            bindparam("p_version", type_=Integer).is_(None),
            _CONVERSATIONS.c.version == bindparam("p_version", type_=Integer),
        ),
    )
    .values(
        state=bindparam("p_state", type_=Text),
        lang=bindparam("p_lang"),
        consent=bindparam("p_consent"),
        version=_CONVERSATIONS.c.version + literal_column("1"),
        updated_at=bindparam("p_now", type_=_CONVERSATIONS.c.updated_at.type),
    )
    .returning(_CONVERSATIONS.c.version)
)
_RECORD = insert(_INBOX).values(
    channel=bindparam("p_channel"),
    message_key=bindparam("p_message_key"),
    conversation_id=bindparam("p_conversation_id"),
    replies=bindparam("p_replies", type_=_INBOX.c.replies.type),
    created_at=bindparam("p_now", type_=_INBOX.c.created_at.type),
)
_QUEUE = insert(_OUTBOX).values(
    conversation_id=bindparam("p_conversation_id"),
    channel=bindparam("p_channel"),
    body=bindparam("p_body", type_=_OUTBOX.c.body.type),
    status=bindparam("p_reply_status"),
    attempts=literal_column("0"),
    created_at=bindparam("p_now", type_=_OUTBOX.c.created_at.type),
    delivered_at=bindparam("p_delivered_at", type_=_OUTBOX.c.delivered_at.type),
)


async def write_turn(
    session: AsyncSession, turn: TurnWrite, expected_version: int | None = None
) -> WrittenTurn:
    """Store the turn; with `expected_version`, only if the conversation is still at it
    (else raise VersionMoved). On PostgreSQL the cursor's count comes back with the write."""
    now = utcnow()
    delivered_at = now if turn.reply_status == DELIVERED else None
    dialect = session.get_bind().dialect
    stored_state = sealed_json_text(dialect, turn.state)
    if dialect.name == "postgresql":
        row = (
            await session.execute(
                _ONE_STATEMENT,
                {
                    "conversation_id": turn.conversation_id,
                    "version": expected_version,
                    "state": stored_state,
                    "lang": turn.lang,
                    "consent": turn.consent,
                    "now": now,
                    "channel": turn.channel,
                    "message_key": turn.message_key,
                    "replies": list(turn.replies),
                    "reply_status": turn.reply_status,
                    "delivered_at": delivered_at,
                    "bodies": [sealed_json_text(dialect, body) for body in turn.replies],
                },
            )
        ).one()
        if row.version is None:
            raise VersionMoved(turn.conversation_id)
        cursor = int(row.seen_before) + int(row.queued)
        return WrittenTurn(cursor, int(row.version), stored_state)
    version = await _write_in_three(
        session, turn, stored_state, expected_version, now, delivered_at
    )
    cursor = await OutboxRepository(session).seen(turn.conversation_id)
    return WrittenTurn(cursor, version, stored_state)


async def _write_in_three(
    session: AsyncSession,
    turn: TurnWrite,
    stored_state: str,
    expected_version: int | None,
    now: Any,
    delivered_at: Any,
) -> int:
    common = {"p_conversation_id": turn.conversation_id, "p_channel": turn.channel, "p_now": now}
    version = await session.scalar(
        _SAVE_STATE,
        {
            **common,
            "p_version": expected_version,
            "p_state": stored_state,
            "p_lang": turn.lang,
            "p_consent": turn.consent,
        },
    )
    if version is None:
        raise VersionMoved(turn.conversation_id)
    if turn.message_key is not None:
        await session.execute(
            _RECORD, {**common, "p_message_key": turn.message_key, "p_replies": list(turn.replies)}
        )
    if turn.replies:
        rows = [
            {
                **common,
                "p_body": body,
                "p_reply_status": turn.reply_status,
                "p_delivered_at": delivered_at,
            }
            for body in turn.replies
        ]
        await session.execute(_QUEUE, rows)
    return int(version)
