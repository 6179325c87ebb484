"""The indicators of a period for the activity reports, as the caller may see them.

A conseiller's figures are their structure's (`storage.stats`, `api.casework.scoping`);
every read, and every CSV export, is written to the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api.casework.caller import Caller, audit
from api.casework.scoping import scope_of
from conversations.directory import Deployment
from storage import Database
from storage.stats import StatsRepository


class StatsService:
    def __init__(self, db: Database, who: Caller, deployment: Deployment) -> None:
        self._db, self._who = db, who
        self._scope = scope_of(who, deployment)

    async def indicators(self, start: datetime, end: datetime, export: str) -> dict[str, Any]:
        """The figures of [start, end); `export` is the format asked (json or csv)."""
        async with self._db.transaction() as session:
            figures = await StatsRepository(session).indicators(start, end, self._scope)
            action = "export" if export == "csv" else "stats"
            period = {"from": start.isoformat(), "to": end.isoformat()}
            await audit(session, self._who, action, "stats", None, format=export, **period)
        return figures
