"""Appointments that people keep: reminders, dated openings (bus stops), closures,
subscriptions (bus announcements).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        _ts("due_at"),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("sent_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reminders"),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name="fk_reminders_appointment_id_appointments",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("appointment_id", "kind", name="uq_reminders_appointment_id_kind"),
    )
    op.create_index("ix_reminders_appointment_id", "reminders", ["appointment_id"])
    op.create_index("ix_reminders_status_due_at", "reminders", ["status", "due_at"])
    op.create_table(
        "openings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("place_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("address", sa.String(250), nullable=False),
        sa.Column("territory", sa.String(64), nullable=True),
        sa.Column("service", sa.String(64), nullable=False),
        _ts("starts_at"),
        _ts("ends_at"),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        _ts("created_at"),
        _ts("announced_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_openings"),
    )
    op.create_index("ix_openings_starts_at", "openings", ["starts_at"])
    op.create_table(
        "closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.String(64), nullable=True),
        _ts("starts_at"),
        _ts("ends_at"),
        sa.Column("reason", sa.String(120), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_closures"),
    )
    op.create_table(
        "subscriptions",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(16), nullable=False),
        sa.Column("territory", sa.String(64), nullable=True),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("conversation_id", "topic", name="pk_subscriptions"),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_subscriptions_conversation_id_conversations",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    for table in ("subscriptions", "closures", "openings", "reminders"):
        op.drop_table(table)
