"""The agenda (appointments as conseillers read them), openings and closures in storage:
a day's appointments, a place's coming bookings, withdrawing an opening, listing
closures; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import AgendaRepository, AppointmentRepository, Database
from storage.openings import OpeningRepository
from storage.scope import EVERY_STRUCTURE, Scope

T0 = datetime(2030, 12, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def _book(
    db: Database, place: str, starts_at: datetime, service: str = "first-meeting"
) -> int:
    async with db.transaction() as session:
        booked = await AppointmentRepository(session).book(
            conversation_id=None,
            slot_key=f"{place}:{starts_at:%Y%m%d%H%M}",
            place_id=place,
            service=service,
            starts_at=starts_at,
            ends_at=starts_at + HOUR / 2,
            capacity=2,
            lang="fr",
        )
        assert booked is not None
        return booked.id


async def test_a_days_agenda_and_a_places_feed(db: Database) -> None:
    late = await _book(db, "ml-hq", T0 + 5 * HOUR)
    early = await _book(db, "bus-jaude", T0)
    cancelled = await _book(db, "ml-hq", T0 + 2 * HOUR)
    absent = await _book(db, "ml-hq", T0 + 3 * HOUR)
    tomorrow = await _book(db, "ml-hq", T0 + 24 * HOUR)
    async with db.transaction() as session:
        agenda = AgendaRepository(session)
        gone = await agenda.get(cancelled, EVERY_STRUCTURE)
        missed = await agenda.get(absent, EVERY_STRUCTURE)
        assert gone is not None and missed is not None
        assert await agenda.get(999, EVERY_STRUCTURE) is None
        gone.status, missed.status = "cancelled", "no_show"
    async with db.transaction() as session:
        agenda = AgendaRepository(session)
        day = await agenda.between(EVERY_STRUCTURE, T0 - HOUR, T0 + 15 * HOUR)
        at_hq = await agenda.between(EVERY_STRUCTURE, T0 - HOUR, T0 + 15 * HOUR, "ml-hq")
        feed = await agenda.booked_at(EVERY_STRUCTURE, "ml-hq", T0, T0 + 48 * HOUR)
        every = await agenda.page(EVERY_STRUCTURE)
        second = await agenda.page(EVERY_STRUCTURE, limit=2, offset=1)
    assert [a.id for a in day] == [early, absent, late]
    assert [a.id for a in at_hq] == [absent, late]
    assert [a.id for a in feed] == [late, tomorrow]
    assert [a.id for a in every] == [early, cancelled, absent, late, tomorrow]
    assert [a.id for a in second] == [cancelled, absent]


async def test_a_structure_reads_the_appointments_of_its_services_only(db: Database) -> None:
    ours = await _book(db, "ml-hq", T0, service="ml-cmv-welcome")
    theirs = await _book(db, "ml-hq", T0 + HOUR, service="cecler-agir63")
    scope = Scope("ml-cmv", services=frozenset({"ml-cmv-welcome"}))
    async with db.transaction() as session:
        agenda = AgendaRepository(session)
        assert await agenda.get(theirs, scope) is None
        assert await agenda.get(ours, scope) is not None
        assert [a.id for a in await agenda.page(scope)] == [ours]
        assert [a.id for a in await agenda.between(scope, T0, T0 + 2 * HOUR)] == [ours]
        assert [a.id for a in await agenda.booked_at(scope, "ml-hq", T0, T0 + 2 * HOUR)] == [ours]
        # A bare scope (no services resolved from the directory) sees nothing.
        assert await agenda.page(Scope("ml-cmv")) == []


async def test_openings_are_withdrawn_once_and_closures_listed_in_order(db: Database) -> None:
    async with db.transaction() as session:
        openings = OpeningRepository(session)
        opening = await openings.add(
            kind="one_off",
            place_id="stand-x",
            name="Stand",
            address="",
            territory=None,
            service="ml-milo-machine",
            starts_at=T0,
            ends_at=T0 + 2 * HOUR,
            slot_minutes=30,
            capacity=2,
        )
        await openings.add_closure(place_id=None, starts_at=T0 + 48 * HOUR, ends_at=T0 + 72 * HOUR)
        await openings.add_closure(place_id="ml-hq", starts_at=T0, ends_at=T0 + 24 * HOUR)
    async with db.transaction() as session:
        openings = OpeningRepository(session)
        saved = await openings.get(opening.id)
        assert saved is not None and saved.name == "Stand"
        assert [c.place_id for c in await openings.closures()] == ["ml-hq", None]
        theirs = Scope("cecler", places=frozenset({"cecler-hq"}))
        assert [c.place_id for c in await openings.closures(theirs)] == [None]
        assert await openings.get(opening.id, theirs) is None
        assert await openings.withdraw(opening.id)
        assert not await openings.withdraw(opening.id)
    async with db.transaction() as session:
        assert await OpeningRepository(session).get(opening.id) is None
