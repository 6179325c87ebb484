"""The seeds' yearly tables (DOMAIN.md §6) over a period, for every structure or one.

Every table is `{row: {column: value}}`. People are the intakes of the period in scope,
one per conversation (its latest intake); a fact the person did not give counts as
"not_said", never guessed. Shares are percentages of the table's total, one decimal,
None when there is nobody. Outcomes and aid count the referrals closed in the period.

- `people`: first welcomes (not known to the Mission Locale before), already known,
  not said, and everyone accompanied; of which men, women, QPV, minors, BPI.
- `gender`, `qpv`, `known_to_ml`, `age_bands`, `statuses`, `territories`: counts and
  shares of people.
- `themes`: referrals created in the period by theme.
- `outcomes`: closed referrals by outcome (the closed list of `storage/outcomes.py`),
  with how many were of people living in a QPV, and of BPI.
- `aid_by_fund`, `aid_by_purpose`: aids granted at closing, number and euros.
- `ctai` and `ctai_exits`: the CTAI's breakdown of newcomers (BPI): men, women, under 26
  (the age bands cannot tell 25 from 26), and their positive exits (of which training,
  of which a durable job), and housing found.
- `kiosk_met`: young people met by the bus, per month (and per place when known).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.model_casework import KioskEncounter, ReferralAid
from storage.models import Intake, Referral
from storage.outcomes import AID_FUNDS, AID_PURPOSES, HOUSING, JOBS, OUTCOMES, POSITIVE_EXITS
from storage.scope import Scope

Table = dict[str, dict[str, Any]]
NOT_SAID: Final = "not_said"
AGE_BANDS: Final = ("u16", "16_17", "18_25", "26_29", "30_plus")
UNDER_26: Final = frozenset({"u16", "16_17", "18_25"})
STATUSES: Final = ("minor", "bpi", "formerly_ase")
FLAGS: Final = ("rqth", "justice_pjj", "justice_spip", "lone_parent")
GENDERS: Final = ("woman", "man", "other")


@dataclass(frozen=True)
class Person:
    gender: str
    known_to_ml: str
    qpv: str
    age_band: str
    territory: str
    statuses: frozenset[str]

    @classmethod
    def of(cls, intake: Intake) -> Person:
        qpv = {True: "yes", False: "no", None: NOT_SAID}[intake.qpv_resident]
        known = {"yes": "known", "no": "new"}.get(intake.known_to_ml or "", NOT_SAID)
        return cls(
            gender=intake.gender or NOT_SAID,
            known_to_ml=known,
            qpv=qpv,
            age_band=intake.age_band or NOT_SAID,
            territory=intake.territory or NOT_SAID,
            statuses=frozenset([*intake.statuses, *(intake.flags or [])]),
        )


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _counted(keys: Iterable[str], values: Counter[str], total: int) -> Table:
    """A count and a share per key, in the given order, then any other key seen."""
    ordered = [*keys, *sorted(k for k in values if k not in keys)]
    return {k: {"count": values[k], "share": share(values[k], total)} for k in ordered}


def _breakdown(people: list[Person]) -> dict[str, Any]:
    total = len(people)
    men = sum(p.gender == "man" for p in people)
    women = sum(p.gender == "woman" for p in people)
    qpv = sum(p.qpv == "yes" for p in people)
    minors = sum("minor" in p.statuses for p in people)
    return {
        "total": total,
        "men": men,
        "women": women,
        "other_gender": sum(p.gender == "other" for p in people),
        "gender_not_said": sum(p.gender == NOT_SAID for p in people),
        "qpv": qpv,
        "qpv_not_said": sum(p.qpv == NOT_SAID for p in people),
        "minors": minors,
        "bpi": sum("bpi" in p.statuses for p in people),
        "men_share": share(men, total),
        "women_share": share(women, total),
        "qpv_share": share(qpv, total),
        "minors_share": share(minors, total),
    }


def people_tables(people: list[Person]) -> dict[str, Table]:
    total = len(people)
    known = {key: [p for p in people if p.known_to_ml == key] for key in ("new", "known")}
    return {
        "people": {
            "first_welcomes": _breakdown(known["new"]),
            "already_known": _breakdown(known["known"]),
            "known_not_said": _breakdown([p for p in people if p.known_to_ml == NOT_SAID]),
            "accompanied": _breakdown(people),
        },
        "gender": _counted((*GENDERS, NOT_SAID), Counter(p.gender for p in people), total),
        "qpv": _counted(("yes", "no", NOT_SAID), Counter(p.qpv for p in people), total),
        "known_to_ml": _counted(
            ("new", "known", NOT_SAID), Counter(p.known_to_ml for p in people), total
        ),
        "age_bands": _counted((*AGE_BANDS, NOT_SAID), Counter(p.age_band for p in people), total),
        "statuses": _counted(
            (*STATUSES, *FLAGS), Counter(s for p in people for s in p.statuses), total
        ),
        "territories": _counted((), Counter(p.territory for p in people), total),
    }


def ctai_table(people: list[Person]) -> Table:
    bpi = [p for p in people if "bpi" in p.statuses]
    return {
        "bpi": {
            "total": len(bpi),
            "men": sum(p.gender == "man" for p in bpi),
            "women": sum(p.gender == "woman" for p in bpi),
            "under_26": sum(p.age_band in UNDER_26 for p in bpi),
        }
    }


class YearlyTables:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def people(self, start: datetime, end: datetime, scope: Scope) -> list[Person]:
        """One person per conversation: their latest intake of the period in scope."""
        stmt = select(Intake).where(Intake.created_at >= start, Intake.created_at < end)
        if not scope.everything:
            stmt = stmt.where(Intake.id.in_(select(Referral.intake_id).where(*scope.where())))
        latest: dict[object, Intake] = {}
        for intake in (await self._session.scalars(stmt.order_by(Intake.created_at))).all():
            key = intake.conversation_id or ("intake", intake.id)
            latest[key] = intake
        return [Person.of(intake) for intake in latest.values()]

    async def themes(self, start: datetime, end: datetime, scope: Scope) -> Table:
        stmt = select(Referral.theme).where(
            Referral.created_at >= start, Referral.created_at < end, *scope.where()
        )
        found = Counter((await self._session.scalars(stmt)).all())
        return {theme: {"referrals": found[theme]} for theme in sorted(found)}

    async def outcomes(self, start: datetime, end: datetime, scope: Scope) -> dict[str, Table]:
        stmt = (
            select(Referral.outcome, Intake.qpv_resident, Intake.statuses)
            .outerjoin(Intake, Referral.intake_id == Intake.id)
            .where(*self._closed(start, end, scope))
        )
        rows = (await self._session.execute(stmt)).all()
        table: Table = {
            outcome: {"referrals": 0, "qpv": 0, "qpv_share": None, "bpi": 0} for outcome in OUTCOMES
        }
        exits = Counter[str]()
        for outcome, qpv, statuses in rows:
            row = table.setdefault(outcome, {"referrals": 0, "qpv": 0, "qpv_share": None, "bpi": 0})
            row["referrals"] += 1
            row["qpv"] += qpv is True
            bpi = "bpi" in (statuses or [])
            row["bpi"] += bpi
            if bpi:
                exits["closed"] += 1
                exits["positive_exits"] += outcome in POSITIVE_EXITS
                exits["training"] += outcome == "training"
                exits["any_job"] += outcome in JOBS
                exits["durable_job"] += outcome == "employment_durable"
                exits["housing"] += outcome in HOUSING
        for row in table.values():
            row["qpv_share"] = share(row["qpv"], row["referrals"])
        keys = ("closed", "positive_exits", "training", "any_job", "durable_job", "housing")
        return {"outcomes": table, "ctai_exits": {"bpi": {key: exits[key] for key in keys}}}

    async def aid(self, start: datetime, end: datetime, scope: Scope) -> dict[str, Table]:
        stmt = (
            select(ReferralAid.fund, ReferralAid.purpose, ReferralAid.amount_cents)
            .join(Referral, Referral.id == ReferralAid.referral_id)
            .where(*self._closed(start, end, scope))
        )
        by_fund = {fund: {"aids": 0, "amount_eur": 0.0} for fund in AID_FUNDS}
        by_purpose = {p: {"aids": 0, "amount_eur": 0.0} for p in (*AID_PURPOSES, NOT_SAID)}
        for fund, purpose, cents in (await self._session.execute(stmt)).all():
            empty = {"aids": 0, "amount_eur": 0.0}
            fund_row = by_fund.setdefault(fund, dict(empty))
            for row in (fund_row, by_purpose.setdefault(purpose or NOT_SAID, dict(empty))):
                row["aids"] += 1
                row["amount_eur"] = round(row["amount_eur"] + (cents or 0) / 100, 2)
        return {"aid_by_fund": by_fund, "aid_by_purpose": by_purpose}

    async def kiosk(self, year: int, scope: Scope) -> Table:
        stmt = select(KioskEncounter).where(
            KioskEncounter.day >= date(year, 1, 1), KioskEncounter.day < date(year + 1, 1, 1)
        )
        if not scope.everything:
            stmt = stmt.where(KioskEncounter.place.in_(sorted(scope.places)))
        rows = (await self._session.scalars(stmt)).all()
        places = sorted({row.place or NOT_SAID for row in rows})
        table: Table = {
            f"{year}-{month:02d}": {"total": 0, **dict.fromkeys(places, 0)}
            for month in range(1, 13)
        }
        for row in rows:
            cells = table[f"{year}-{row.day.month:02d}"]
            cells["total"] += row.count
            cells[row.place or NOT_SAID] += row.count
        return table

    @staticmethod
    def _closed(start: datetime, end: datetime, scope: Scope) -> tuple[Any, ...]:
        return (
            Referral.status == "closed",
            Referral.closed_at >= start,
            Referral.closed_at < end,
            *scope.where(),
        )

    async def all(
        self, year: int, start: datetime, end: datetime, scope: Scope
    ) -> dict[str, Table]:
        people = await self.people(start, end, scope)
        return {
            **people_tables(people),
            "themes": await self.themes(start, end, scope),
            **await self.outcomes(start, end, scope),
            **await self.aid(start, end, scope),
            "ctai": ctai_table(people),
            "kiosk_met": await self.kiosk(year, scope),
        }
