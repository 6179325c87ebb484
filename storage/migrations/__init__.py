"""Alembic migrations of the case store.

A package only so that wheels ship env.py, script.py.mako and the revisions;
run them through `storage.Database.upgrade()`.
"""
