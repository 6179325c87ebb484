"""The conseillers' casework as services: what the admin API's routes call.

Each service is built for one request from the database, the caller and the parts of the
deployment it needs (`api.deps`); each method is one transaction over the storage
repositories, writes the audit log, and raises the domain errors of
`api.casework.errors` (mapped to HTTP in `api.errors`, one place). Nothing here knows HTTP.

- `referrals`: list, read, claim, assign, transfer, change of status, close;
- `notes`: notes on a referral, replies to the person and the messages exchanged;
- `agenda`: appointments, a day's agenda, a place's feed, no-shows;
- `booking`: a conseiller books a slot for a referral's person (the chat's booking path);
- `openings`: bus stops and one-off openings, closures;
- `accounts`: tokens and duty settings;
- `stats`: the indicators of a period (and their CSV export);
- `directory`: the services directory, read (webhook URLs hidden from conseillers) and
  replaced (admins).

What a conseiller may see is one rule, `api.casework.scoping` over `storage.scope`.
"""

from api.casework.accounts import AccountService
from api.casework.agenda import AgendaService
from api.casework.booking import BookingService
from api.casework.caller import Caller
from api.casework.errors import CaseworkError, Conflict, Forbidden, NotFound
from api.casework.notes import NoteService
from api.casework.openings import OpeningService
from api.casework.referrals import ReferralService, visible_referral
from api.casework.stats import StatsService

__all__ = [
    "AccountService",
    "AgendaService",
    "BookingService",
    "Caller",
    "CaseworkError",
    "Conflict",
    "Forbidden",
    "NotFound",
    "NoteService",
    "OpeningService",
    "ReferralService",
    "StatsService",
    "visible_referral",
]
