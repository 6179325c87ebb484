"""The seeds' indicators (issue 18): profile facts and outcomes.

Intakes keep the yearly report's answers (gender, already known to the Mission Locale,
living in a QPV) and the directory's flags; a referral closed with an aid keeps its
fund, purpose and amount (`referral_aids`); the bus kiosk's "met" button counts young
people per day and place (`kiosk_encounters`, no personal data).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("intakes") as batch:
        batch.add_column(sa.Column("gender", sa.String(16), nullable=True))
        batch.add_column(sa.Column("known_to_ml", sa.String(16), nullable=True))
        batch.add_column(sa.Column("qpv_resident", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("flags", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "referral_aids",
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("fund", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name="fk_referral_aids_referral_id_referrals",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("referral_id", name="pk_referral_aids"),
    )
    op.create_table(
        "kiosk_encounters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("place", sa.String(64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kiosk_encounters"),
        sa.UniqueConstraint("day", "place", name="uq_kiosk_encounters_day_place"),
    )


def downgrade() -> None:
    op.drop_table("kiosk_encounters")
    op.drop_table("referral_aids")
    with op.batch_alter_table("intakes") as batch:
        for column in ("flags", "qpv_resident", "known_to_ml", "gender"):
            batch.drop_column(column)
