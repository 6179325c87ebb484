"""The indicators of a period for the activity reports, as the caller may see them.

A conseiller's figures are their structure's (`storage.stats`, `api.casework.scoping`):
asking for another structure is refused (403). An admin sees every structure's, or one
structure's of the directory (another name is 404). Every read, and every CSV export, is
written to the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api.casework.caller import Caller, audit
from api.casework.errors import Forbidden, NotFound
from api.casework.scoping import places_of, scope_of, services_of
from conversations.directory import Deployment
from storage import Database
from storage.scope import Scope
from storage.stats import StatsRepository


def _asked(structure: str | None) -> dict[str, str]:
    return {"structure": structure} if structure else {}


class StatsService:
    def __init__(self, db: Database, who: Caller, deployment: Deployment) -> None:
        self._db, self._who, self._deployment = db, who, deployment
        self._scope = scope_of(who, deployment)

    def _scope_for(self, structure: str | None) -> Scope:
        """The caller's scope, narrowed to one structure when asked."""
        if structure is None:
            return self._scope
        if self._who.role != "admin":
            if structure != self._who.structure:
                raise Forbidden("a conseiller sees only their own structure's indicators")
            return self._scope
        if structure not in self._deployment.organisations:
            raise NotFound(f"structure not found: {structure}")
        return Scope(
            structure,
            services=services_of(self._deployment, structure),
            places=places_of(self._deployment, structure),
        )

    async def indicators(
        self, start: datetime, end: datetime, export: str, structure: str | None = None
    ) -> dict[str, Any]:
        """The figures of [start, end); `export` is the format asked (json or csv)."""
        scope = self._scope_for(structure)
        async with self._db.transaction() as session:
            figures = await StatsRepository(session).indicators(start, end, scope)
            action = "export" if export == "csv" else "stats"
            period = {"from": start.isoformat(), "to": end.isoformat()}
            await audit(
                session,
                self._who,
                action,
                "stats",
                None,
                format=export,
                **period,
                **_asked(structure),
            )
        return figures

    async def yearly(self, year: int, export: str, structure: str | None) -> dict[str, Any]:
        """A calendar year's figures and the seeds' tables (`storage/stats_tables.py`)."""
        scope = self._scope_for(structure)
        async with self._db.transaction() as session:
            figures = await StatsRepository(session).yearly(year, scope)
            action = "export" if export == "csv" else "stats"
            await audit(
                session,
                self._who,
                action,
                "stats",
                None,
                format=export,
                year=year,
                **_asked(structure),
            )
        return {**figures, "structure": scope.structure if not scope.everything else None}
