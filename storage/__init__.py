"""Case store of Relais: SQLAlchemy models, Alembic migrations and repositories.

Open a `Database`, call `upgrade()` once at start-up, then use `db.transaction()` and
build the repositories you need on its session; they flush but never commit.
"""

from storage.appointments import AppointmentRepository
from storage.conversations import ConversationRepository
from storage.db import Database
from storage.inbox import InboxRepository
from storage.intakes import IntakeRepository
from storage.outbox import OutboxRepository
from storage.referrals import ReferralRepository
from storage.tokens import TokenRepository

__all__ = [
    "AppointmentRepository",
    "ConversationRepository",
    "Database",
    "InboxRepository",
    "IntakeRepository",
    "OutboxRepository",
    "ReferralRepository",
    "TokenRepository",
]
