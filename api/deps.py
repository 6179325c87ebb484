"""The casework services for one request, built from the app's parts and the caller.

Routes call these with the `Caller` their `CallerDep` gave them: `referrals(request,
who).claim(referral_id)`. Nothing is built at import time; the parts (database, engine,
directory) are read from `app.state.services` at each request, so a directory replaced at
run time is seen at once.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from api.casework import (
    AccountService,
    AgendaService,
    Caller,
    NoteService,
    OpeningService,
    ReferralService,
    StatsService,
)
from api.casework.case_view import CaseViewService
from api.casework.directory import DirectoryService
from api.labels import CaseLabels


def _parts(request: Request) -> Any:
    return request.app.state.services


def referrals(request: Request, who: Caller) -> ReferralService:
    parts = _parts(request)
    return ReferralService(parts.db, who, parts.engine.deployment)


def notes(request: Request, who: Caller) -> NoteService:
    parts = _parts(request)
    return NoteService(parts.db, who, parts.engine)


def agenda(request: Request, who: Caller) -> AgendaService:
    parts = _parts(request)
    return AgendaService(parts.db, who, parts.engine.deployment, parts.engine.tz)


def openings(request: Request, who: Caller) -> OpeningService:
    parts = _parts(request)
    return OpeningService(parts.db, who, parts.engine)


def accounts(request: Request, who: Caller) -> AccountService:
    parts = _parts(request)
    return AccountService(parts.db, who, parts.engine.deployment)


def stats(request: Request, who: Caller) -> StatsService:
    parts = _parts(request)
    return StatsService(parts.db, who, parts.engine.deployment)


def directory(request: Request, who: Caller) -> DirectoryService:
    parts = _parts(request)
    return DirectoryService(parts.db, who, parts)


def case_view(request: Request, who: Caller) -> CaseViewService:
    """Referrals read in plain French, labelled from the catalogs, flows and directory."""
    parts = _parts(request)
    engine = parts.engine
    return CaseViewService(
        parts.db, who, CaseLabels(engine.catalogs, engine.flows, engine.deployment)
    )
