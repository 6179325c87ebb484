"""The pure conversation core: engine, flows as data, triage, eligibility and routing.

Nothing here performs I/O at turn time or imports telegram, aiogram, fastapi or
sqlalchemy; hosts (bot/) load flows, catalogs and the services directory once and
pass them in.
"""
