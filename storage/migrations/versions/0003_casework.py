"""Casework: referral assignment and outcome, notes, messages, audit log, notifications.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _referral_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["referral_id"],
        ["referrals.id"],
        name=f"fk_{table}_referral_id_referrals",
        ondelete="CASCADE",
    )


def _author_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["author_id"],
        ["api_tokens.id"],
        name=f"fk_{table}_author_id_api_tokens",
        ondelete="SET NULL",
    )


def upgrade() -> None:
    with op.batch_alter_table("referrals") as batch:
        batch.add_column(sa.Column("assigned_to", sa.Integer(), nullable=True))
        batch.add_column(_ts("claimed_at"))
        batch.add_column(_ts("first_contact_at"))
        batch.add_column(_ts("closed_at"))
        batch.add_column(sa.Column("outcome", sa.String(32), nullable=True))
        batch.add_column(_ts("escalated_at"))
        batch.create_foreign_key(
            "fk_referrals_assigned_to_api_tokens",
            "api_tokens",
            ["assigned_to"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_referrals_assigned_to", ["assigned_to"])
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
        batch.add_column(
            sa.Column("on_duty", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("queues", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(_ts("last_assigned_at"))
    op.create_table(
        "referral_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        _ts("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_referral_notes"),
        _referral_fk("referral_notes"),
        _author_fk("referral_notes"),
    )
    op.create_index("ix_referral_notes_referral_id", "referral_notes", ["referral_id"])
    op.create_table(
        "referral_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("template", sa.String(64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        _ts("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_referral_messages"),
        _referral_fk("referral_messages"),
        _author_fk("referral_messages"),
    )
    op.create_index("ix_referral_messages_referral_id", "referral_messages", ["referral_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("resource", sa.String(32), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        _ts("at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_actor_id", "audit_log", ["actor_id"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_resource", "audit_log", ["resource", "resource_id"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("next_attempt_at", nullable=False),
        sa.Column("last_error", sa.String(300), nullable=True),
        _ts("created_at", nullable=False),
        _ts("sent_at"),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
        _referral_fk("notifications"),
    )
    op.create_index("ix_notifications_referral_id", "notifications", ["referral_id"])
    op.create_index("ix_notifications_status_next", "notifications", ["status", "next_attempt_at"])


def downgrade() -> None:
    for table in ("notifications", "audit_log", "referral_messages", "referral_notes"):
        op.drop_table(table)
    with op.batch_alter_table("api_tokens") as batch:
        for column in ("last_assigned_at", "queues", "on_duty", "email"):
            batch.drop_column(column)
    with op.batch_alter_table("referrals") as batch:
        batch.drop_index("ix_referrals_assigned_to")
        batch.drop_constraint("fk_referrals_assigned_to_api_tokens", type_="foreignkey")
        for column in ("escalated_at", "outcome", "closed_at", "first_contact_at", "claimed_at"):
            batch.drop_column(column)
        batch.drop_column("assigned_to")
