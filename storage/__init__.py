"""Case store of Relais: SQLAlchemy models, Alembic migrations and repositories.

Open a `Database`, call `upgrade()` once at start-up, then use `db.transaction()` and
build the repositories you need on its session; they flush but never commit.
"""

# Core tables outside models.py (rate limits, leases) join the metadata here.
from storage import leases as _leases  # noqa: F401
from storage import limits as _limits  # noqa: F401
from storage.agenda import AgendaRepository
from storage.appointments import AppointmentRepository
from storage.audit import AuditRepository
from storage.conversations import ConversationRepository
from storage.db import Database
from storage.inbox import InboxRepository
from storage.intakes import IntakeRepository
from storage.notes import MessageRepository, NoteRepository
from storage.notifications import NotificationRepository
from storage.outbox import OutboxRepository
from storage.referrals import ReferralRepository
from storage.stats import StatsRepository
from storage.tokens import TokenRepository

__all__ = [
    "AgendaRepository",
    "AppointmentRepository",
    "AuditRepository",
    "ConversationRepository",
    "Database",
    "InboxRepository",
    "IntakeRepository",
    "MessageRepository",
    "NoteRepository",
    "NotificationRepository",
    "OutboxRepository",
    "ReferralRepository",
    "StatsRepository",
    "TokenRepository",
]
