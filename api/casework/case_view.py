"""A referral as a conseiller reads it: labels, names and cards instead of codes (issue
18), and the CSV export of the referrals in scope, with the same labels.

Reads are scoped and audited like `ReferralService.read`; the linked referrals shown are
only those this caller may see.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Final

from sqlalchemy import select

from api.casework.caller import Caller, audit
from api.casework.referrals import visible_referral
from api.inbox.strings import INBOX_STRINGS
from api.labels import CaseLabels
from storage import Database, IntakeRepository, ReferralRepository
from storage.models import AuditEntry, Intake, Referral
from storage.referral_updates import UPDATED_BY_PERSON
from storage.referrals import ReferralFilters

EXPORT_LIMIT: Final = 5000
# The CSV's columns, as keys of the inbox strings (their French headers).
EXPORT_COLUMNS: Final = (
    "export.id",
    "export.received",
    "export.theme",
    "export.urgency",
    "export.status",
    "export.reason",
    "export.structure",
    "export.queue",
    "export.language",
    "export.outcome",
    "export.facts",
)


class CaseViewService:
    def __init__(self, db: Database, who: Caller, labels: CaseLabels) -> None:
        self._db, self._who, self._labels = db, who, labels

    async def readable(self, referral_id: int) -> dict[str, Any]:
        """The referral in plain French: facts, names, service cards, the person's
        language, the referrals linked to it and what the person added since."""
        async with self._db.transaction() as session:
            referral = await visible_referral(session, self._who, referral_id)
            intake = (
                await IntakeRepository(session).get(referral.intake_id)
                if referral.intake_id
                else None
            )
            linked_ids = await ReferralRepository(session).linked_ids(referral.id)
            linked = [
                r for r in await self._referrals(session, linked_ids) if self._who.scope.allows(r)
            ]
            history = await self._history(session, referral.id)
            await audit(session, self._who, "read", "referral", referral.id)
        return self._shape(referral, intake, linked, history)

    async def export_rows(self, filters: ReferralFilters) -> list[list[str]]:
        """The referrals in scope that pass the filters, one labelled row each."""
        async with self._db.transaction() as session:
            found, _ = await ReferralRepository(session).search(
                filters, self._who.scope, EXPORT_LIMIT, 0
            )
            ids = [r.id for r in found]
            await audit(session, self._who, "export", "referral", None, count=len(ids))
        return [self._row(r) for r in found]

    def headers(self) -> list[str]:
        return [self._labels.t(INBOX_STRINGS[key]) for key in EXPORT_COLUMNS]

    def _row(self, referral: Referral) -> list[str]:
        labels = self._labels
        facts = (referral.summary or {}).get("facts", {})
        return [
            str(referral.id),
            referral.created_at.isoformat(timespec="minutes"),
            labels.value("theme", referral.theme),
            labels.value("urgency", referral.urgency),
            labels.value("status", referral.status),
            labels.value("reason", referral.reason),
            labels.structure(referral.structure),
            labels.queue(referral.role),
            labels.language(referral.lang).name,
            labels.value("outcome", referral.outcome) if referral.outcome else "",
            "; ".join(f"{name} : {value}" for name, value in labels.facts(facts)),
        ]

    @staticmethod
    async def _referrals(session: Any, ids: list[int]) -> list[Referral]:
        if not ids:
            return []
        stmt = select(Referral).where(Referral.id.in_(ids)).order_by(Referral.id)
        return [*(await session.scalars(stmt)).all()]

    @staticmethod
    async def _history(session: Any, referral_id: int) -> list[AuditEntry]:
        stmt = (
            select(AuditEntry)
            .where(
                AuditEntry.resource == "referral",
                AuditEntry.resource_id == referral_id,
                AuditEntry.action == UPDATED_BY_PERSON,
            )
            .order_by(AuditEntry.id)
        )
        return [*(await session.scalars(stmt)).all()]

    def _shape(
        self,
        referral: Referral,
        intake: Intake | None,
        linked: list[Referral],
        history: list[AuditEntry],
    ) -> dict[str, Any]:
        labels = self._labels
        summary = referral.summary or {}
        intake_facts: list[tuple[str, str]] = []
        if intake is not None:
            intake_facts = labels.facts(
                {
                    **intake.answers,
                    "age_band": intake.age_band,
                    "commune": intake.commune,
                    "territory": intake.territory,
                    "statuses": intake.statuses,
                    "signals": intake.signals,
                    "source": intake.source,
                    "channel": intake.channel,
                }
            )
        return {
            "id": referral.id,
            "theme": labels.value("theme", referral.theme),
            "urgency": labels.value("urgency", referral.urgency),
            "status": labels.value("status", referral.status),
            "reason": labels.value("reason", referral.reason),
            "structure": labels.structure(referral.structure),
            "queue": labels.queue(referral.role),
            "also_queues": [labels.queue(r) for r in summary.get("also_roles", [])],
            "outcome": labels.value("outcome", referral.outcome) if referral.outcome else None,
            "language": asdict(labels.language(referral.lang)),
            "facts": [{"label": k, "value": v} for k, v in labels.facts(summary.get("facts", {}))],
            "intake": [{"label": k, "value": v} for k, v in intake_facts],
            "services": [asdict(c) for c in labels.service_cards(summary.get("suggest", []))],
            "linked": [
                {
                    "id": r.id,
                    "theme": labels.value("theme", r.theme),
                    "structure": labels.structure(r.structure),
                    "status": labels.value("status", r.status),
                }
                for r in linked
            ],
            "history": [
                {
                    "at": entry.at.isoformat(),
                    "facts": [labels.fact_name(f) for f in entry.detail.get("facts", [])],
                    "urgency_from": labels.value("urgency", entry.detail.get("urgency_from")),
                    "urgency_to": labels.value("urgency", entry.detail.get("urgency_to")),
                }
                for entry in history
            ],
        }
