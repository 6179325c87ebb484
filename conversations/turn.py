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
from conversations import handlers, handover
from conversations.calendar import Calendar
from conversations.directory import Permanence, Place
from conversations.flows import Choice, Step
from conversations.i18n import DEFAULT_LANGUAGE, N_
from conversations.model import (
    Button,
    Effect,
    Reply,
    State,
    Turn,
)
from conversations.profile import VOICE_NOTES
from conversations.rule_needs import step_not_needed
from conversations.steps import registry as steps

if TYPE_CHECKING:
    from conversations.engine import Engine

MAX_HOPS: Final = 25
CONSENT_STEP: Final = ("entry", "consent")

NAV_LABELS: Final = {
    "back": N_("⬅ Back"),
    "menu": N_("🏠 Menu"),
    "human": N_("🙋 Talk to a person"),
    "language": N_("🌐 Language"),
    "stop": N_("✋ Stop"),
    "danger": N_("🆘 I'm in danger"),
    "voice": N_("🔊 Voice messages"),
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
        speak = self.state.profile.get(VOICE_NOTES) == "on"
        self.replies.append(Reply(text, buttons, urgent, appointment_id, self.lang, speak))

    # --- steps ----------------------------------------------------------------------

    def current_step(self) -> Step:
        return self.engine.flows.step(self.state.flow, self.state.step)

    def nav_button(self, action: str) -> Button:
        return Button(self.t(NAV_LABELS[action]), f"nav.{action}")

    def nav_buttons(self, step: Step) -> tuple[Button, ...]:
        # "I'm in danger" is on every step, even the first ones (conversations/safety.py).
        if not step.nav:
            return (self.nav_button("danger"),)
        if f"{step.flow}.{step.id}" in ("menu.main", "info.menu"):
            menu = ("human", "language", "voice", "stop", "danger")
            return tuple(self.nav_button(a) for a in menu)
        actions = (["back"] if self.state.stack else []) + ["menu", "human", "danger"]
        return tuple(self.nav_button(a) for a in actions)

    def hidden_nav_buttons(self) -> list[Button]:
        """The navigation buttons a typed word can press: in the person's language, then
        in English ("stop", "menu", "back" are typed whatever one's language)."""
        english = [
            Button(self.engine.catalogs.gettext("en", label), f"nav.{action}")
            for action, label in NAV_LABELS.items()
        ]
        return [self.nav_button(a) for a in NAV_LABELS] + english

    def buttons_of(self, step: Step) -> list[Button]:
        if step.handler:
            return steps.buttons(self, step)
        return [Button(self.t(c.label), f"{step.flow}.{step.id}.{c.id}") for c in step.choices]

    def render_current(self, reask: bool = False) -> None:
        step = self.current_step()
        if step.handler:
            steps.render(self, step)
            return
        text = self.t(step.text) if step.text else ""
        self.say(text, tuple(self.buttons_of(step)) + self.nav_buttons(step))

    def menu_target(self) -> str:
        return "menu.main" if self.state.consent else "info.menu"

    def goto(self, target: str, push: bool = True) -> None:
        flow_id, step_id = self.engine.flows.resolve(target, self.state.flow)
        if flow_id in self.engine.flows.journeys and not self.state.consent:
            self.say(self.t("To go further, I need your agreement to keep your answers."))
            self.state.after_consent = f"{flow_id}.{step_id}"
            flow_id, step_id = "entry", "consent"
        if push and (self.state.flow, self.state.step) != (flow_id, step_id):
            self.state.stack.append([self.state.flow, self.state.step])
            del self.state.stack[:-20]
        if flow_id != self.state.flow:
            self.state.scratch = {}
            if flow_id in self.engine.flows.journeys:
                self.state.answers = {}
        self._enter(flow_id, step_id)

    def _enter(self, flow_id: str, step_id: str) -> None:
        if (flow_id, step_id) != CONSENT_STEP:
            self.state.after_consent = None
        for _ in range(MAX_HOPS):
            self.state.flow, self.state.step = flow_id, step_id
            if flow_id == "menu" or (flow_id == "info" and step_id == "menu"):
                # Also when reached by a pass-through step (`done` -> menu.main).
                self.state.stack.clear()
            step = self.current_step()
            answered = step.profile and step.save and step.save in self.state.profile
            if answered or step_not_needed(self, step):
                flow_id, step_id = self._follow(step)
                continue
            if step.finish:
                handover.record_intake(self, self.engine.flows.flows[step.flow].theme)
            if step.advice:
                for text in advice_rules.ADVICE[step.advice](self):
                    self.say(text)
            if step.handler:
                steps.enter(self, step)
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
            pending, self.state.after_consent = self.state.after_consent, None
            if choice.consent and pending:
                self._carry_out(pending)
                return
        if step.save:
            (self.state.profile if step.profile else self.state.answers)[step.save] = choice.value
        if choice.signal:
            handover.emergency(self, (choice.signal,))
        if choice.referral:
            handover.referral(self, "journey", self.engine.flows.flows[step.flow].theme)
        flow_id, step_id = self._follow(step, choice)
        self.goto(f"{flow_id}.{step_id}")

    def _carry_out(self, pending: str) -> None:
        """Do what the person asked for before consent was asked (they just agreed)."""
        if pending == "human":
            handover.to_person(self)
        else:
            self.goto(pending, push=False)

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

    def nudge(self) -> None:
        """One gentle nudge for a journey left half-way (the clock decides when)."""
        if self.state.flow not in self.engine.flows.journeys or self.state.scratch.get("nudged"):
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
