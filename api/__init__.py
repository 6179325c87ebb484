"""The admin API for conseillers and administrators (FastAPI, /api/v1, bearer tokens).

Depends on storage/ for reads and writes; never on bot/ adapters. Every route needs a
valid token; conseillers only ever see their own structure's cases.
"""
