"""Initial schema: conversations, inbox, outbox, intakes, referrals, slots, appointments, tokens.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _conversation_fk(table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["conversation_id"],
        ["conversations.id"],
        name=f"fk_{table}_conversation_id_conversations",
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(8), nullable=True),
        sa.Column("consent", sa.Boolean(), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_conversations"),
        sa.UniqueConstraint("person_key", name="uq_conversations_person_key"),
    )
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("message_key", sa.String(128), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("replies", sa.JSON(), nullable=False),
        _ts("created_at"),
        _conversation_fk("inbound_messages", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_inbound_messages"),
        sa.UniqueConstraint(
            "channel", "message_key", name="uq_inbound_messages_channel_message_key"
        ),
    )
    op.create_index("ix_inbound_messages_conversation_id", "inbound_messages", ["conversation_id"])
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("created_at"),
        _ts("delivered_at", nullable=True),
        _conversation_fk("outbox_messages", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_messages"),
    )
    op.create_index("ix_outbox_messages_conversation_id", "outbox_messages", ["conversation_id"])
    op.create_index("ix_outbox_messages_channel_status", "outbox_messages", ["channel", "status"])
    op.create_table(
        "intakes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("theme", sa.String(32), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("age_band", sa.String(16), nullable=True),
        sa.Column("commune", sa.String(120), nullable=True),
        sa.Column("territory", sa.String(64), nullable=True),
        sa.Column("statuses", sa.JSON(), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("source", sa.String(64), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        _ts("created_at"),
        _conversation_fk("intakes", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_intakes"),
    )
    op.create_index("ix_intakes_conversation_id", "intakes", ["conversation_id"])
    op.create_index("ix_intakes_created_at", "intakes", ["created_at"])
    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intake_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("theme", sa.String(32), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("structure", sa.String(64), nullable=True),
        sa.Column("role", sa.String(64), nullable=True),
        sa.Column("rule_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["intake_id"],
            ["intakes.id"],
            name="fk_referrals_intake_id_intakes",
            ondelete="SET NULL",
        ),
        _conversation_fk("referrals", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_referrals"),
    )
    op.create_index("ix_referrals_intake_id", "referrals", ["intake_id"])
    op.create_index("ix_referrals_conversation_id", "referrals", ["conversation_id"])
    op.create_index("ix_referrals_created_at", "referrals", ["created_at"])
    op.create_index("ix_referrals_status_created_at", "referrals", ["status", "created_at"])
    op.create_table(
        "slots",
        sa.Column("key", sa.String(96), nullable=False),
        sa.Column("place_id", sa.String(64), nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        _ts("starts_at"),
        _ts("ends_at"),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "booked >= 0 AND booked <= capacity", name="ck_slots_booked_within_capacity"
        ),
        sa.PrimaryKeyConstraint("key", name="pk_slots"),
    )
    op.create_index("ix_slots_place_id", "slots", ["place_id"])
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("slot_key", sa.String(96), nullable=False),
        sa.Column("place_id", sa.String(64), nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        _ts("starts_at"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        _ts("created_at"),
        _ts("cancelled_at", nullable=True),
        _conversation_fk("appointments", "SET NULL"),
        sa.ForeignKeyConstraint(["slot_key"], ["slots.key"], name="fk_appointments_slot_key_slots"),
        sa.PrimaryKeyConstraint("id", name="pk_appointments"),
    )
    op.create_index("ix_appointments_conversation_id", "appointments", ["conversation_id"])
    op.create_index("ix_appointments_slot_key", "appointments", ["slot_key"])
    op.create_index("ix_appointments_starts_at", "appointments", ["starts_at"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("structure", sa.String(64), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _ts("created_at"),
        _ts("expires_at", nullable=True),
        _ts("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )


def downgrade() -> None:
    # Dropping a table drops its indexes; children go before their parents.
    for table in (
        "api_tokens",
        "appointments",
        "slots",
        "referrals",
        "intakes",
        "outbox_messages",
        "inbound_messages",
        "conversations",
    ):
        op.drop_table(table)
