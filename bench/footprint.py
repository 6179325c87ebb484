"""On-disk size of the case store, to report the bytes kept per finished conversation."""

from __future__ import annotations

from sqlalchemy import text

from storage import Database


async def store_bytes(db: Database) -> int:
    """Bytes of all tables and indexes (PostgreSQL) or pages of the database (SQLite)."""
    async with db.engine.connect() as conn:
        if db.is_sqlite:
            pages = await conn.scalar(text("PRAGMA page_count"))
            size = await conn.scalar(text("PRAGMA page_size"))
            return int(pages or 0) * int(size or 0)
        total = await conn.scalar(
            text(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r'"
            )
        )
    return int(total or 0)
