"""One open referral per person and need (issue 18): links and history.

A new need of a person who already has an open referral elsewhere becomes a new referral
linked to the earlier one (`referral_links`). The history of a referral updated by a new
request is written in the existing `audit_log`, so no other table is needed.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "referral_links",
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("linked_referral_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name="fk_referral_links_referral_id_referrals",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["linked_referral_id"],
            ["referrals.id"],
            name="fk_referral_links_linked_referral_id_referrals",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("referral_id", "linked_referral_id", name="pk_referral_links"),
    )
    op.create_index(
        "ix_referral_links_linked_referral_id", "referral_links", ["linked_referral_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_referral_links_linked_referral_id", table_name="referral_links")
    op.drop_table("referral_links")
