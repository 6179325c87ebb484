"""Alembic revision files, applied in order by `storage.Database.upgrade()`.

Each revision is hand-checked against both SQLite and PostgreSQL; the test suite
verifies that the migrated schema matches `storage.models`.
"""
