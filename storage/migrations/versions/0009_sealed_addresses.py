"""Channel addresses are sealed by their column (SealedText) like other personal text,
so `relais admin rotate-keys` re-seals them; the column becomes TEXT.

Revision ID: 0009
Revises: 0008_scoping, 0002_telegram (merges the two branches)
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = ("0008_scoping", "0002_telegram")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("channel_addresses") as batch:
        batch.alter_column(
            "address", existing_type=sa.String(512), type_=sa.Text(), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("channel_addresses") as batch:
        batch.alter_column(
            "address", existing_type=sa.Text(), type_=sa.String(512), existing_nullable=False
        )
