"""Teams, load and reply templates (issue 18).

Queues (teams) of a structure that conseillers join (`api_tokens.queues` names them), a
cap on the open referrals the round robin gives an account (`api_tokens.max_open`), and
the reply templates admins write, one wording per language.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "queues",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("structure", sa.String(64), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_queues"),
    )
    op.create_index("ix_queues_structure", "queues", ["structure"])
    op.create_table(
        "reply_templates",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_reply_templates"),
    )
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("max_open", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("max_open")
    op.drop_table("reply_templates")
    op.drop_index("ix_queues_structure", table_name="queues")
    op.drop_table("queues")
