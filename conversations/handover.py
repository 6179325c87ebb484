"""Handing the person over to an adviser: the intake, the routed referral, and the
emergency card with its numbers (raised from any step, first of all)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from conversations.i18n import N_
from conversations.model import NEWEST_OPEN_REFERRAL, Button, CreateReferral, RecordIntake
from conversations.profile import facts_of, intake_profile
from conversations.routing import route

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder

# After "talk to a person": what they type next goes with the request, so that the
# adviser knows what it is about.
SAY_WHAT_ABOUT: Final = N_("If you like, write in a few words what it is about: I will pass it on.")

EMERGENCY_INTRO: Final = {
    "homeless_tonight": N_(
        "If you have nowhere safe to sleep tonight, call 115 now. It is free, day and night."
    ),
    "violence_against_women": N_(
        "You are not alone and it is not your fault. If you are in danger now, call 17 or 112."
    ),
    "minor_in_danger": N_("If you are under 18 and in danger, call 119. It is free and secret."),
    "suicidal_distress": N_(
        "I am worried about you. Please call 3114 now: someone will listen, day and night. "
        "If your life is in danger, call 15 or 112."
    ),
    "medical_emergency": N_("This sounds serious. Call 15 (SAMU) or 112 now."),
}


def to_person(turn: TurnBuilder) -> None:
    if not turn.state.consent:
        phone = turn.engine.deployment.places.get("ml-hq")
        turn.say(
            turn.t(
                "To pass your request to an adviser, I need your agreement to keep your "
                "answers. You can also call the Mission Locale: {phone}.",
                phone=phone.phone if phone and phone.phone else "",
            ),
            (Button(turn.t("I agree"), "nav.consent"), turn.nav_button("menu")),
        )
        turn.state.flow, turn.state.step = "entry", "consent"
        turn.state.after_consent = "human"
        return
    theme = turn.engine.flows.flows[turn.state.flow].theme
    theme = theme if turn.state.flow in turn.engine.flows.journeys else "general"
    record_intake(turn, theme)
    referral(turn, "wants_human", theme)
    turn.say(turn.t("I have passed your request to an adviser. They will answer you here."))
    turn.say(turn.t(SAY_WHAT_ABOUT))
    turn.goto(turn.menu_target(), push=False)
    # The next message they type goes to the adviser with the request (a button cancels).
    turn.state.scratch["reply_to"] = str(NEWEST_OPEN_REFERRAL)


def emergency(turn: TurnBuilder, signals: tuple[str, ...]) -> None:
    contacts: list[str] = []
    for signal in signals:
        if signal in EMERGENCY_INTRO:
            turn.say(turn.t(EMERGENCY_INTRO[signal]), urgent=True)
        for contact in turn.engine.deployment.contacts_for(signal):
            line = f"📞 \u2068{contact.number}\u2069 — {turn.t(contact.label)}"
            if line not in contacts:
                contacts.append(line)
    if contacts:
        turn.say("\n".join(contacts), urgent=True)
    new = [s for s in signals if s not in turn.state.signals]
    if not new:
        return
    if turn.state.consent:
        turn.state.signals.extend(new)
        record_intake(turn, "emergency")
        referral(turn, "emergency", "emergency")
        turn.say(turn.t("I have also alerted an adviser, who will contact you here soon."))
    else:
        # The button it names: before consent the question on screen may not offer it.
        turn.say(
            turn.t("If you want an adviser to contact you, tap “Talk to a person”."),
            (turn.nav_button("human"),),
        )


def record_intake(turn: TurnBuilder, theme: str) -> None:
    if not turn.state.consent:
        return
    turn.effects.append(
        RecordIntake(
            theme=theme,
            answers=dict(turn.state.answers),
            profile=intake_profile(turn.state),
            urgency=route(turn.engine.deployment, facts_of(turn.state, theme)).urgency,
            signals=tuple(turn.state.signals),
        )
    )


def referral(turn: TurnBuilder, reason: str, theme: str) -> None:
    if not turn.state.consent:
        return
    facts = facts_of(turn.state, theme)
    decision = route(turn.engine.deployment, facts)
    turn.effects.append(
        CreateReferral(
            theme=theme,
            urgency=decision.urgency,
            reason=reason,
            structure=decision.structure,
            role=decision.role,
            rule_id=decision.rule_id,
            summary={
                "facts": facts,
                "suggest": list(decision.suggest),
                # Copy queues (`also_route_to_if`), kept in the JSON summary: no migration.
                "also_roles": list(decision.also_roles),
                "also_structures": list(decision.also_structures),
            },
        )
    )
