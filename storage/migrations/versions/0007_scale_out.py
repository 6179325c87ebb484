"""Scale out: shared rate-limit buckets and leases (issue 15).

`rate_limits` is UNLOGGED on PostgreSQL: written on almost every request, never worth a
WAL record or a replica (after a server crash it comes back empty: every bucket full,
like after the restart of a single process). Its fillfactor leaves room on each page so
that updates stay HOT. On SQLite (one process) both tables exist but stay empty or
nearly: the in-memory buckets are used there.

Revision ID: 0007_scale
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_scale"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(96), nullable=False),
        sa.Column("rate", sa.Double(), nullable=False),
        sa.Column("burst", sa.Double(), nullable=False),
        sa.Column("queue", sa.Boolean(), nullable=False),
        sa.Column("tokens", sa.Double(), nullable=False),
        sa.Column("stamp", sa.Double(), nullable=False),
        sa.Column("wait", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_rate_limits"),
        prefixes=["UNLOGGED"] if postgres else [],
        **({"postgresql_with": {"fillfactor": 50}} if postgres else {}),
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_leases"),
    )


def downgrade() -> None:
    op.drop_table("leases")
    op.drop_table("rate_limits")
