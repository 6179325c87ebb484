"""`/mydata`: what Relais keeps about the person, read from the case store, in their language."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.engine import Engine
from conversations.formatting import clock, day
from conversations.i18n import N_
from conversations.model import Button, Reply, State
from conversations.turn import NAV_LABELS
from storage import AppointmentRepository
from storage.models import Referral

LANGUAGE = N_("Language")
CONSENT = N_("Agreement to keep your answers")
ANSWERS = N_("Your answers")
REQUESTS = N_("Requests sent to advisers")
APPOINTMENTS = N_("Appointments")


async def my_data(
    session: AsyncSession, engine: Engine, conversation_id: int, state: State
) -> Reply:
    lang = state.lang or "fr"

    def t(message: str) -> str:
        return engine.catalogs.gettext(lang, message)

    answers = {**state.profile, **state.answers}
    referrals = (
        await session.scalars(select(Referral).where(Referral.conversation_id == conversation_id))
    ).all()
    appointments = await AppointmentRepository(session).for_conversation(conversation_id)
    nothing = t("Nothing.")
    consent = {True: t("yes"), False: t("no"), None: nothing}[state.consent]
    lines = [
        t("Here is what I keep about you:"),
        f"• {t(LANGUAGE)}: {lang}",
        f"• {t(CONSENT)}: {consent}",
        f"• {t(ANSWERS)}: "
        + (", ".join(f"{k} = \u2068{v}\u2069" for k, v in sorted(answers.items())) or nothing),
        f"• {t(REQUESTS)}: " + (", ".join(f"{r.theme} ({r.status})" for r in referrals) or nothing),
        f"• {t(APPOINTMENTS)}: "
        + (
            ", ".join(
                f"{day(a.starts_at, lang, engine.tz)} {clock(a.starts_at, lang, engine.tz)}"
                f" — {engine.deployment.places[a.place_id].name}"
                for a in appointments
                if a.place_id in engine.deployment.places
            )
            or nothing
        ),
        t("To erase everything, send /forget."),
    ]
    # Never a dead end: the person can go on from here (issue 8, tests/conversations).
    menu_label = NAV_LABELS["menu"]
    return Reply("\n".join(lines), (Button(t(menu_label), "nav.menu"),))
