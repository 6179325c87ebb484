"""The writes that end every turn: conversation state, replies, inbox row — at once.

This is the hot path of Relais (every message of every person), so it bypasses the ORM's
unit of work. On PostgreSQL the three writes are one hand-written statement
(data-modifying CTEs, the replies as one array parameter): one round trip, one text
prepared once per connection whatever the number of replies. SQLite, which has no
data-modifying CTEs, gets three Core statements built once. A message id already
recorded raises IntegrityError (unique inbox key), like `InboxRepository.record`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, literal_column, text, update
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


# PostgreSQL: one statement.
_ONE_STATEMENT = text(
    """
    WITH save_state AS (
        UPDATE conversations
        SET state = CAST(:state AS JSON), lang = CAST(:lang AS VARCHAR),
            consent = CAST(:consent AS BOOLEAN), version = version + 1,
            updated_at = CAST(:now AS TIMESTAMPTZ)
        WHERE id = CAST(:conversation_id AS INTEGER)
    ), record AS (
        INSERT INTO inbound_messages (channel, message_key, conversation_id, replies, created_at)
        SELECT CAST(:channel AS VARCHAR), CAST(:message_key AS VARCHAR),
               CAST(:conversation_id AS INTEGER), CAST(:replies AS JSON),
               CAST(:now AS TIMESTAMPTZ)
        WHERE CAST(:message_key AS VARCHAR) IS NOT NULL
    )
    INSERT INTO outbox_messages
        (conversation_id, channel, body, status, attempts, created_at, delivered_at)
    SELECT CAST(:conversation_id AS INTEGER), CAST(:channel AS VARCHAR), CAST(body AS JSON),
           CAST(:reply_status AS VARCHAR), 0, CAST(:now AS TIMESTAMPTZ),
           CAST(:delivered_at AS TIMESTAMPTZ)
    FROM unnest(CAST(:bodies AS TEXT[])) WITH ORDINALITY AS replies(body, position)
    ORDER BY position
    RETURNING id, (
        SELECT count(*) FROM outbox_messages
        WHERE conversation_id = CAST(:conversation_id AS INTEGER)
    ) AS seen_before
    """
).bindparams(
    bindparam("state", type_=_CONVERSATIONS.c.state.type),
    bindparam("replies", type_=_INBOX.c.replies.type),
    bindparam("now", type_=_CONVERSATIONS.c.updated_at.type),
    bindparam("delivered_at", type_=_OUTBOX.c.delivered_at.type),
)

# SQLite: three statements. Parameters are named apart from the columns (a parameter
# named like a column would be added to the UPDATE's SET clause).
_SAVE_STATE = (
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.id == bindparam("p_conversation_id"))
    .values(
        state=bindparam("p_state", type_=_CONVERSATIONS.c.state.type),
        lang=bindparam("p_lang"),
        consent=bindparam("p_consent"),
        version=_CONVERSATIONS.c.version + literal_column("1"),
        updated_at=bindparam("p_now", type_=_CONVERSATIONS.c.updated_at.type),
    )
)
_RECORD = insert(_INBOX).values(
    channel=bindparam("p_channel"),
    message_key=bindparam("p_message_key"),
    conversation_id=bindparam("p_conversation_id"),
    replies=bindparam("p_replies", type_=_INBOX.c.replies.type),
    created_at=bindparam("p_now", type_=_INBOX.c.created_at.type),
)
_QUEUE = (
    insert(_OUTBOX)
    .values(
        conversation_id=bindparam("p_conversation_id"),
        channel=bindparam("p_channel"),
        body=bindparam("p_body", type_=_OUTBOX.c.body.type),
        status=bindparam("p_reply_status"),
        attempts=literal_column("0"),
        created_at=bindparam("p_now", type_=_OUTBOX.c.created_at.type),
        delivered_at=bindparam("p_delivered_at", type_=_OUTBOX.c.delivered_at.type),
    )
    .returning(_OUTBOX.c.id, sort_by_parameter_order=True)
)


async def write_turn(session: AsyncSession, turn: TurnWrite) -> int:
    """Store the turn; return the web chat cursor: how many messages the conversation
    has with this turn's replies (storage/outbox.py). On PostgreSQL the count comes back
    with the insert (its subquery sees the rows from before the statement)."""
    now = utcnow()
    delivered_at = now if turn.reply_status == DELIVERED else None
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        result = await session.execute(
            _ONE_STATEMENT,
            {
                "conversation_id": turn.conversation_id,
                "state": turn.state,
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
        rows = result.all()
        if rows:
            return int(rows[0].seen_before) + len(rows)
    else:
        await _write_in_three(session, turn, now, delivered_at)
    return await OutboxRepository(session).seen(turn.conversation_id)


async def _write_in_three(
    session: AsyncSession, turn: TurnWrite, now: Any, delivered_at: Any
) -> list[int]:
    common = {"p_conversation_id": turn.conversation_id, "p_channel": turn.channel, "p_now": now}
    await session.execute(
        _SAVE_STATE,
        {**common, "p_state": turn.state, "p_lang": turn.lang, "p_consent": turn.consent},
    )
    if turn.message_key is not None:
        await session.execute(
            _RECORD, {**common, "p_message_key": turn.message_key, "p_replies": list(turn.replies)}
        )
    if not turn.replies:
        return []
    rows = [
        {
            **common,
            "p_body": body,
            "p_reply_status": turn.reply_status,
            "p_delivered_at": delivered_at,
        }
        for body in turn.replies
    ]
    return list((await session.scalars(_QUEUE, rows)).all())
