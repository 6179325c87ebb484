"""One turn in progress: the state being changed, the replies and effects gathered.

The engine dispatches an event; this builder holds the moves every flow shares
(go to a step, answer, go back, reach a person, raise an emergency, finish a journey)
and translates every sentence through the catalogs in the person's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from conversations import advice as advice_rules
from conversations import handlers
from conversations.calendar import Calendar
from conversations.directory import Permanence, Place
from conversations.flows import Choice, Step
from conversations.i18n import DEFAULT_LANGUAGE, N_
from conversations.model import (
    Button,
    CreateReferral,
    Effect,
    RecordIntake,
    Reply,
    State,
    Turn,
)
from conversations.profile import facts_of, intake_profile
from conversations.routing import route

if TYPE_CHECKING:
    from conversations.engine import Engine

JOURNEYS: Final = frozenset({"housing", "cej", "aid", "appointment"})
MAX_HOPS: Final = 25

NAV_LABELS: Final = {
    "back": N_("⬅ Back"),
    "menu": N_("🏠 Menu"),
    "human": N_("🙋 Talk to a person"),
    "language": N_("🌐 Language"),
    "stop": N_("✋ Stop"),
}

# Asked in both languages when free text seems written in another shipped language.
LANGUAGE_OFFER: Final = N_("Do you want to continue in {language}?")

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


class _Blanks(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class TurnBuilder:
    def __init__(self, engine: Engine, state: State, now: datetime, calendar: Calendar) -> None:
        self.engine = engine
        self.state = state
        self.now = now
        self.calendar = calendar
        self.availability: Mapping[str, int] = calendar.taken
        self.replies: list[Reply] = []
        self.effects: list[Effect] = []

    # --- language -----------------------------------------------------------------

    @property
    def lang(self) -> str:
        return self.state.lang or DEFAULT_LANGUAGE

    def t(self, message: str, **values: Any) -> str:
        text = self.engine.catalogs.gettext(self.lang, message)
        if values or "{" in text:
            merged = {**advice_rules.template_values(self), **values}
            text = text.format_map(_Blanks({k: str(v) for k, v in merged.items()}))
        return text

    def say(
        self,
        text: str,
        buttons: tuple[Button, ...] = (),
        urgent: bool = False,
        appointment_id: int | None = None,
    ) -> None:
        self.replies.append(Reply(text, buttons, urgent, appointment_id))

    # --- steps ----------------------------------------------------------------------

    def current_step(self) -> Step:
        return self.engine.flows.step(self.state.flow, self.state.step)

    def nav_button(self, action: str) -> Button:
        return Button(self.t(NAV_LABELS[action]), f"nav.{action}")

    def nav_buttons(self, step: Step) -> tuple[Button, ...]:
        if not step.nav:
            return ()
        if f"{step.flow}.{step.id}" in ("menu.main", "info.menu"):
            return tuple(self.nav_button(a) for a in ("human", "language", "stop"))
        actions = (["back"] if self.state.stack else []) + ["menu", "human"]
        return tuple(self.nav_button(a) for a in actions)

    def hidden_nav_buttons(self) -> list[Button]:
        return [self.nav_button(a) for a in NAV_LABELS]

    def buttons_of(self, step: Step) -> list[Button]:
        if step.handler:
            return handlers.buttons(self, step)
        return [Button(self.t(c.label), f"{step.flow}.{step.id}.{c.id}") for c in step.choices]

    def render_current(self, reask: bool = False) -> None:
        step = self.current_step()
        if step.handler:
            handlers.render(self, step)
            return
        text = self.t(step.text) if step.text else ""
        self.say(text, tuple(self.buttons_of(step)) + self.nav_buttons(step))

    def menu_target(self) -> str:
        return "menu.main" if self.state.consent else "info.menu"

    def goto(self, target: str, push: bool = True) -> None:
        flow_id, step_id = self.engine.flows.resolve(target, self.state.flow)
        if flow_id in JOURNEYS and not self.state.consent:
            self.say(self.t("To go further, I need your agreement to keep your answers."))
            flow_id, step_id = "entry", "consent"
        if push and (self.state.flow, self.state.step) != (flow_id, step_id):
            self.state.stack.append([self.state.flow, self.state.step])
            del self.state.stack[:-20]
        if flow_id != self.state.flow:
            self.state.scratch = {}
            if flow_id in JOURNEYS:
                self.state.answers = {}
        self._enter(flow_id, step_id)

    def _enter(self, flow_id: str, step_id: str) -> None:
        for _ in range(MAX_HOPS):
            self.state.flow, self.state.step = flow_id, step_id
            if flow_id == "menu" or (flow_id == "info" and step_id == "menu"):
                # Also when reached by a pass-through step (`done` -> menu.main).
                self.state.stack.clear()
            step = self.current_step()
            if step.profile and step.save and step.save in self.state.profile:
                flow_id, step_id = self._follow(step)
                continue
            if step.finish:
                self.record_intake(self.engine.flows.flows[step.flow].theme)
            if step.advice:
                for text in advice_rules.ADVICE[step.advice](self):
                    self.say(text)
            if step.handler:
                handlers.enter(self, step)
                return
            if step.choices or step.input:
                self.render_current()
                return
            if step.text:
                self.say(self.t(step.text))
            flow_id, step_id = self._follow(step)
        raise RuntimeError(f"flow loop at {flow_id}.{step_id}")

    def _follow(self, step: Step, choice: Choice | None = None) -> tuple[str, str]:
        target = choice.next if choice and choice.next else self.next_target(step)
        return self.engine.flows.resolve(target, step.flow)

    def next_target(self, step: Step) -> str:
        known = {**self.state.profile, **self.state.answers}
        for branch in step.next:
            if all(known.get(k) in values for k, values in branch.when.items()):
                return branch.target
        return self.menu_target()

    def choose(self, step: Step, choice: Choice) -> None:
        if choice.consent is not None:
            self.state.consent = choice.consent
        if step.save:
            (self.state.profile if step.profile else self.state.answers)[step.save] = choice.value
        if choice.signal:
            self.emergency((choice.signal,))
        if choice.referral:
            self.referral("journey", self.engine.flows.flows[step.flow].theme)
        flow_id, step_id = self._follow(step, choice)
        self.goto(f"{flow_id}.{step_id}")

    def take_input(self, step: Step, text: str) -> None:
        value = handlers.parse_input(self, step, text)
        if value is None:
            self.render_current(reask=True)
            return
        assert step.save is not None
        (self.state.profile if step.profile else self.state.answers)[step.save] = value
        if step.input == "commune":
            territory = self.engine.deployment.territory_of(value)
            if territory:
                self.state.profile["territory"] = territory
        flow_id, step_id = self._follow(step)
        self.goto(f"{flow_id}.{step_id}")

    def back(self) -> None:
        if not self.state.stack:
            self.goto(self.menu_target(), push=False)
            return
        flow_id, step_id = self.state.stack.pop()
        self.state.flow, self.state.step = flow_id, step_id
        self.render_current()

    def stop(self) -> None:
        self.state.stack.clear()
        self.state.flow, self.state.step = self.engine.flows.resolve(self.menu_target(), "menu")
        self.say(
            self.t("Goodbye! You can write to me again at any time."),
            (Button(self.t("Start again"), "nav.restart"),),
        )

    # --- people, cases and emergencies ---------------------------------------------

    def human(self) -> None:
        if not self.state.consent:
            phone = self.engine.deployment.places.get("ml-hq")
            self.say(
                self.t(
                    "To pass your request to an adviser, I need your agreement to keep your "
                    "answers. You can also call the Mission Locale: {phone}.",
                    phone=phone.phone if phone and phone.phone else "",
                ),
                (Button(self.t("I agree"), "nav.consent"), self.nav_button("menu")),
            )
            self.state.flow, self.state.step = "entry", "consent"
            return
        theme = self.engine.flows.flows[self.state.flow].theme
        theme = theme if self.state.flow in JOURNEYS else "general"
        self.record_intake(theme)
        self.referral("wants_human", theme)
        self.say(self.t("I have passed your request to an adviser. They will answer you here."))
        self.goto(self.menu_target(), push=False)

    def emergency(self, signals: tuple[str, ...]) -> None:
        contacts: list[str] = []
        for signal in signals:
            if signal in EMERGENCY_INTRO:
                self.say(self.t(EMERGENCY_INTRO[signal]), urgent=True)
            for contact in self.engine.deployment.contacts_for(signal):
                line = f"📞 \u2068{contact.number}\u2069 — {self.t(contact.label)}"
                if line not in contacts:
                    contacts.append(line)
        if contacts:
            self.say("\n".join(contacts), urgent=True)
        new = [s for s in signals if s not in self.state.signals]
        if not new:
            return
        if self.state.consent:
            self.state.signals.extend(new)
            self.record_intake("emergency")
            self.referral("emergency", "emergency")
            self.say(self.t("I have also alerted an adviser, who will contact you here soon."))
        else:
            self.say(self.t("If you want an adviser to contact you, tap “Talk to a person”."))

    def record_intake(self, theme: str) -> None:
        if not self.state.consent:
            return
        self.effects.append(
            RecordIntake(
                theme=theme,
                answers=dict(self.state.answers),
                profile=intake_profile(self.state),
                urgency=route(self.engine.deployment, facts_of(self.state, theme)).urgency,
                signals=tuple(self.state.signals),
            )
        )

    def referral(self, reason: str, theme: str) -> None:
        if not self.state.consent:
            return
        facts = facts_of(self.state, theme)
        decision = route(self.engine.deployment, facts)
        self.effects.append(
            CreateReferral(
                theme=theme,
                urgency=decision.urgency,
                reason=reason,
                structure=decision.structure,
                role=decision.role,
                rule_id=decision.rule_id,
                summary={"facts": facts, "suggest": list(decision.suggest)},
            )
        )

    def nudge(self) -> None:
        """One gentle nudge for a journey left half-way (the clock decides when)."""
        if self.state.flow not in JOURNEYS or self.state.scratch.get("nudged"):
            return
        self.say(self.t("Still there? We can go on where we stopped."))
        self.render_current()
        self.state.scratch["nudged"] = "yes"

    def expire(self) -> None:
        """Days later: start clean next time. The intake written so far is kept."""
        if self.state.flow in ("menu", "entry"):
            return
        self.state.stack.clear()
        self.state.answers = {}
        self.state.scratch = {}
        self.state.flow, self.state.step = self.engine.flows.resolve(self.menu_target(), "menu")

    def maybe_offer_language(self, code: str | None, confidence: float, text: str) -> None:
        """Free text that looks written in another shipped language: offer to switch, in
        both languages, once per language; never switch silently."""
        catalogs = self.engine.catalogs
        if (
            not code
            or code == self.state.lang
            or not catalogs.supports(code)
            or confidence < 0.7
            or len(text.strip()) < 8
            or self.state.scratch.get("offered_lang") == code
        ):
            return
        self.state.scratch["offered_lang"] = code
        names = {language.code: language.name for language in catalogs.languages}
        current = self.lang
        lines = [
            catalogs.gettext(lang, LANGUAGE_OFFER).format(language=names[code])
            for lang in dict.fromkeys((current, code))
        ]
        self.say(
            "\n".join(lines),
            (
                Button(names[code], f"nav.lang.{code}"),
                Button(names.get(current, current), f"nav.lang.{current}"),
            ),
        )

    def switch_language(self, code: str) -> None:
        if not self.engine.catalogs.supports(code):
            self.render_current()
            return
        self.state.lang = code
        if (self.state.flow, self.state.step) == ("entry", "language"):
            self.goto(
                "entry.consent" if self.state.consent is None else self.menu_target(), push=False
            )
            return
        self.render_current()

    def bookable(self) -> list[Permanence]:
        """Weekly permanences of the directory, then dated openings (bus stops, one-offs)."""
        dated = [opening.as_permanence() for opening in self.calendar.openings]
        return self.engine.deployment.bookable() + dated

    def place(self, place_id: str) -> Place | None:
        found = self.engine.deployment.places.get(place_id)
        if found is not None:
            return found
        opening = next((o for o in self.calendar.openings if o.place_id == place_id), None)
        return opening.as_place() if opening else None

    def build(self) -> Turn:
        return Turn(self.state, tuple(self.replies), tuple(self.effects))
