"""Conseillers' Telegram notifications: a one-time link code and the linked conversation.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("telegram_link_code", sa.String(16), nullable=True))
        batch.add_column(
            sa.Column("telegram_link_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("telegram_conversation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_api_tokens_telegram_conversation_id_conversations",
            "conversations",
            ["telegram_conversation_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint(
            "fk_api_tokens_telegram_conversation_id_conversations", type_="foreignkey"
        )
        for column in (
            "telegram_conversation_id",
            "telegram_link_expires_at",
            "telegram_link_code",
        ):
            batch.drop_column(column)
