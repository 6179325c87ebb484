"""The commune is typed free text: it is now sealed at rest, so its column holds a token.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("intakes") as batch:
        batch.alter_column(
            "commune", existing_type=sa.String(120), type_=sa.Text(), existing_nullable=True
        )


def downgrade() -> None:
    with op.batch_alter_table("intakes") as batch:
        batch.alter_column(
            "commune", existing_type=sa.Text(), type_=sa.String(120), existing_nullable=True
        )
