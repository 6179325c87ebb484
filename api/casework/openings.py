"""Dated openings (outreach-bus stops, one-off slots) and closures of places.

The outreach team publishes the bus's stops; people who opted in near a stop are told at
once, in their language. A closure (holiday) removes the slots it covers. An opening or
a closure lasts at most 62 days.

What touches the whole deployment is an admin's: announcing a bus stop to the young
people, closing every place, withdrawing an opening or a closure an admin made (or one
made before the rule, whose maker is unknown). A conseiller publishes openings of their
structure's services, closes and reopens the places only their structure serves, and
sees their structure's openings and the closures that concern its places
(`api.casework.scoping`); anything else is "not found", or "forbidden" when they can
see it but may not change it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from api.casework.caller import Caller, audit
from api.casework.errors import Conflict, Forbidden, NotFound
from api.casework.scoping import place_owners, scope_of, service_owner
from api.notify.bus_stops import announce_bus_stop
from conversations.engine import Engine
from storage import Database, TokenRepository
from storage.models import Closure, Opening
from storage.openings import OpeningRepository
from storage.types import utcnow

LONGEST: Final = timedelta(days=62)


def _ordered(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at or ends_at - starts_at > LONGEST:
        raise Conflict("ends_at must be after starts_at, at most 62 days later")


class OpeningService:
    def __init__(self, db: Database, who: Caller, engine: Engine) -> None:
        self._db, self._who, self._engine = db, who, engine
        self._scope = scope_of(who, engine.deployment)

    @property
    def _admin(self) -> bool:
        return self._who.role == "admin"

    async def publish(self, fields: dict[str, Any], announce: bool) -> tuple[Opening, int]:
        """Add an opening (`Opening` columns; a place id is made up when None) and, for a
        bus stop, tell its subscribers unless `announce` is false. Returns the opening
        and how many people were told."""
        _ordered(fields["starts_at"], fields["ends_at"])
        kind = fields["kind"]
        announcing = kind == "bus_stop" and announce
        if not self._admin:
            self._may_publish(fields, announcing)
        place_id = fields.get("place_id") or f"{kind.replace('_', '-')}-{utcnow():%Y%m%d%H%M%S%f}"
        async with self._db.transaction() as session:
            opening = await OpeningRepository(session).add(
                **{**fields, "place_id": place_id, "created_by": self._who.token_id}
            )
            await audit(session, self._who, "publish", "opening", opening.id)
            opening_id = opening.id
        told = 0
        if announcing:
            told = await announce_bus_stop(self._db, self._engine, opening_id, utcnow())
        async with self._db.transaction() as session:
            saved = await OpeningRepository(session).get(opening_id)
        if saved is None:
            raise NotFound("opening not found")
        return saved, told

    def _may_publish(self, fields: dict[str, Any], announcing: bool) -> None:
        deployment = self._engine.deployment
        if announcing:
            raise Forbidden("admin only: announcing a bus stop to the young people")
        if service_owner(deployment, fields["service"]) != self._who.structure:
            raise Forbidden("a conseiller publishes openings of their structure's services")
        place = fields.get("place_id")
        if place in deployment.places and self._who.structure not in place_owners(
            deployment, place
        ):
            raise Forbidden("this place is not one your structure serves")

    async def coming(self, days: int, kind: str | None) -> Sequence[Opening]:
        """Openings in scope of the next `days` days, optionally of one kind."""
        now = utcnow()
        end = now + timedelta(days=days)
        async with self._db.transaction() as session:
            return await OpeningRepository(session).between(now, end, kind, self._scope)

    async def withdraw(self, opening_id: int) -> None:
        async with self._db.transaction() as session:
            openings = OpeningRepository(session)
            opening = await openings.get(opening_id, self._scope)
            if opening is None:
                raise NotFound("opening not found")
            if not self._admin and not await self._by_conseiller(session, opening.created_by):
                raise Forbidden("admin only: an opening an admin made")
            await openings.withdraw(opening_id)
            await audit(session, self._who, "withdraw", "opening", opening_id)

    async def close_place(self, fields: dict[str, Any]) -> Closure:
        """Add a closure (`Closure` columns; a place id of None closes every place)."""
        _ordered(fields["starts_at"], fields["ends_at"])
        async with self._db.transaction() as session:
            if not self._admin:
                await self._own_place(session, fields.get("place_id"))
            closure = await OpeningRepository(session).add_closure(
                **fields, created_by=self._who.token_id
            )
            await audit(session, self._who, "close", "place", closure.id, place=closure.place_id)
        return closure

    async def reopen(self, closure_id: int) -> None:
        """Delete a closure: its slots are offered again."""
        async with self._db.transaction() as session:
            openings = OpeningRepository(session)
            closure = await openings.closure(closure_id, self._scope)
            if closure is None:
                raise NotFound("closure not found")
            if not self._admin:
                if not await self._by_conseiller(session, closure.created_by):
                    raise Forbidden("admin only: a closure an admin made")
                await self._own_place(session, closure.place_id)
            await openings.reopen(closure_id)
            await audit(session, self._who, "reopen", "place", closure_id, place=closure.place_id)

    async def closures(self) -> Sequence[Closure]:
        async with self._db.transaction() as session:
            return await OpeningRepository(session).closures(self._scope)

    async def _own_place(self, session: AsyncSession, place: str | None) -> None:
        """A conseiller changes only a place that their structure alone serves."""
        if place is None:
            raise Forbidden("admin only: closing every place")
        deployment = self._engine.deployment
        owners = set(place_owners(deployment, place))
        for service in await OpeningRepository(session).services_at(place):
            owners.add(service_owner(deployment, service))
        if self._who.structure not in owners:
            raise NotFound("place not found")
        if owners != {self._who.structure}:
            raise Forbidden("admin only: a place several structures serve")

    @staticmethod
    async def _by_conseiller(session: AsyncSession, maker: int | None) -> bool:
        account = await TokenRepository(session).get(maker) if maker is not None else None
        return account is not None and account.role == "conseiller"
