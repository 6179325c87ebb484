"""Security findings (issue 20): who made an opening or a closure, and failed `/link` codes.

`created_by` tells an opening or closure an admin made (only an admin withdraws it) from
one a conseiller made for their structure; rows made before have none and count as an
admin's. `telegram_link_failures` counts the wrong `/link` codes sent while an account's
code was waiting: after five, the code is void (storage/tokens.py).

Revision ID: 0008_scoping
Revises: 0007_scale
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_scoping"
down_revision: str | Sequence[str] | None = "0007_scale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("openings", "closures")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("created_by", sa.Integer(), nullable=True))
            batch.create_foreign_key(
                f"fk_{table}_created_by_api_tokens",
                "api_tokens",
                ["created_by"],
                ["id"],
                ondelete="SET NULL",
            )
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column("telegram_link_failures", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("telegram_link_failures")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_created_by_api_tokens", type_="foreignkey")
            batch.drop_column("created_by")
