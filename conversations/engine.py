"""The conversation engine: `advance(state, event, now) -> Turn`, and nothing else.

Pure: the host loads flows, catalogs, the directory and the signal patterns once,
passes the clock and (for booking) the current seat counts, and carries out the
effects it gets back. Navigation (back, menu, a person, language, stop) and the
emergency screen work from every step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from conversations import advice as advice_rules
from conversations import events, handlers, handover, language_switch, navigation, safety
from conversations.button_matching import match_button
from conversations.calendar import Calendar
from conversations.directory import Deployment
from conversations.flows import Choice, Flows, Step
from conversations.i18n import N_, Catalogs
from conversations.model import (
    Event,
    EventKind,
    LinkStaffAccount,
    Reply,
    ReplyToAdviser,
    State,
    Turn,
)
from conversations.signals import SignalDetector
from conversations.steps import registry as steps
from conversations.turn import TurnBuilder
from conversations.understanding import (
    INTENT_SIGNALS,
    Understander,
    Understanding,
    default_understander,
)
from conversations.understanding.text import tokens

_AGE_INPUT = Step(id="age", flow="entry", input="age", save="age_band")
MIN_CONFIDENCE = 0.5
# One two-digit number (in any script's digits) and at most a few words around it.
_AGE_TEXT = re.compile(r"\D*(\d{2})\D*")
NOT_UNDERSTOOD = N_("Sorry, I did not understand. Please choose one of these options.")
# Small talk ("hi", "salut", "سلام", "thanks", "ok") is the first thing many people
# write: a kind word and the question again, never "I did not understand".
SMALL_TALK_REPLY = N_(
    "😊 I am here to help you. Choose one of the options below, or tell me in a few words "
    "what you need."
)
# A lexicon cue of small talk at least this strong (greetings, thanks: 0.7; "ok": 0.6).
SMALL_TALK_CUE = 0.6
# Laughter, thanks, a greeting or a thumbs up with no word (tears get the safety question:
# understanding/understander.py, DISTRESS_EMOJI).
SMALL_TALK_EMOJI = frozenset("😂🤣😄😀😁😃😆😊🙂😉😍🥰👍👌🙏👋❤💙💚💛🤝✌🎉")
# "I don't know" as the whole answer ("je sais pas", "bilmiyorum", "ما بعرف"): the model
# often reads it as a request for another language; it gets a kind word and the question
# again. The lexicon's `unsure` cues at least this strong, in a message of at most
# UNSURE_WORDS words (or one read as `language` or `other`), with no language cue.
UNSURE_REPLY = N_(
    "No problem, you do not have to be sure. Choose the answer that is closest to your situation."
)
UNSURE_CUE = 0.6
UNSURE_WORDS = 4
# A choice named in words by a message of at most ANSWER_WORDS words (the lexicon's
# `answer <flow>.<step>.<choice>` cues at least this strong): see Engine._named_choice.
ANSWER_CUE = 0.6
ANSWER_WORDS = 8
# A question about the bus, opening hours or an address is answered from the directory.
ABOUT_TARGETS = {"bus": "info.bus_week", "opening_hours": "info.places", "place": "info.places"}
# Another request (intent `other`) about health or papers opens its journey.
OTHER_TARGETS = {"health": "health", "papers": "papers"}
# Flows whose steps show slots, appointments or the bus schedule.
CALENDAR_FLOWS = frozenset({"appointment", "menu", "info"})

COMMANDS = {
    "/start": "nav.restart",
    "/menu": "nav.menu",
    "/back": "nav.back",
    "/human": "nav.human",
    "/language": "nav.language",
    "/stop": "nav.stop",
    "/help": "nav.menu",
    "/sos": "nav.danger",
    "/mydata": "nav.mydata",
    "/forget": "nav.forget",
    "/voice": "nav.voice",
}


class Engine:
    """Everything the engine needs that does not change between turns."""

    def __init__(
        self,
        flows: Flows,
        catalogs: Catalogs,
        deployment: Deployment,
        signals: SignalDetector,
        tz: ZoneInfo,
        understander: Understander | None = None,
    ) -> None:
        self.understander = understander or default_understander()
        self.flows = flows
        self.catalogs = catalogs
        self.deployment = deployment
        self.detector = signals
        self.tz = tz
        flows.validate(frozenset(steps.REGISTRY), frozenset(advice_rules.ADVICE))

    def advance(
        self,
        state: State,
        event: Event,
        now: datetime,
        availability: Mapping[str, int] | None = None,
        calendar: Calendar | None = None,
        handed_over: bool = False,
    ) -> Turn:
        """The turn `event` makes from `state`. The state is not changed, unless the caller
        hands it over (`handed_over`: decoded for this turn alone, never read again), which
        saves a deep copy on every turn of the runtime."""
        calendar = calendar or Calendar()
        if availability:
            calendar = replace(calendar, taken={**calendar.taken, **availability})
        turn = TurnBuilder(self, state if handed_over else state.copy(), now, calendar)
        if event.kind is EventKind.START:
            self._start(turn, event)
        elif event.kind is EventKind.PAYLOAD:
            self._payload(turn, event.payload or "")
        elif event.kind is EventKind.TEXT:
            self._text(turn, event.text or "", event.data.get("understood"))
        elif event.kind is EventKind.NUDGE:
            turn.nudge()
        elif event.kind is EventKind.EXPIRE:
            turn.expire()
        elif event.kind in events.TOLD:
            events.TOLD[event.kind](turn, event.data)
        return turn.build()

    def needs_calendar(self, state: State, event: Event) -> bool:
        """Whether the host should load seats, openings and appointments for this turn
        (four queries: skipped when the tapped choice leads to a flow without dates)."""
        understood = event.data.get("understood")
        if understood is not None and understood.about in ABOUT_TARGETS:
            return True
        if event.payload and event.payload.startswith(("nav.appt.", "nav.bus.")):
            return True
        if state.flow not in CALENDAR_FLOWS:
            return False
        choice = self._tapped_choice(state, event)
        if choice is None or choice.next is None:
            return True
        flow, _ = self.flows.resolve(choice.next, state.flow)
        return flow in CALENDAR_FLOWS

    def _tapped_choice(self, state: State, event: Event) -> Choice | None:
        prefix = f"{state.flow}.{state.step}."
        if not event.payload or not event.payload.startswith(prefix):
            return None
        try:
            step = self.flows.step(state.flow, state.step)
        except KeyError:
            return None
        wanted = event.payload[len(prefix) :]
        return next((c for c in step.choices if c.id == wanted), None)

    # --- event kinds -----------------------------------------------------------

    def _start(self, turn: TurnBuilder, event: Event) -> None:
        state = turn.state
        if event.source and not state.source:
            state.source = event.source[:64]
        if state.lang is None:
            state.lang = self.catalogs.pick(event.lang_hint)
            turn.goto("entry.language", push=False)
            return
        turn.say(turn.t("Welcome back! Here is where we were."))
        turn.render_current()

    def _payload(self, turn: TurnBuilder, payload: str) -> None:
        if not payload.startswith("nav.reply."):
            # A button instead of the answer to an adviser: the next text is not one.
            turn.state.scratch.pop("reply_to", None)
        if payload.startswith("nav."):
            self._nav(turn, payload)
            return
        step = turn.current_step()
        if step.handler:
            if steps.on_payload(turn, step, payload):
                return
        else:
            prefix = f"{step.flow}.{step.id}."
            if payload.startswith(prefix):
                choice = next((c for c in step.choices if c.id == payload[len(prefix) :]), None)
                if choice is not None:
                    turn.choose(step, choice)
                    return
        turn.say(turn.t("That button belongs to an earlier question. Here is where we are now."))
        turn.render_current()

    def _text(self, turn: TurnBuilder, text: str, understood: Understanding | None) -> None:
        text = text.strip()[:2000]
        if text.lower().startswith("/link "):
            turn.effects.append(LinkStaffAccount(text[6:].strip()[:16]))
            turn.say(
                turn.t("Thank you. If the code is right, Relais notifications will come here.")
            )
            return
        command = COMMANDS.get(text.split(" ")[0].lower()) if text.startswith("/") else None
        if command:
            self._nav(turn, command)
            return
        if understood is None:  # the host did not read it beforehand (tests, terminal)
            understood = self.understander.understand(text)
        age_band = turn.state.profile.get("age_band")
        rule_signals = self.detector.detect(text, age_band)
        if not rule_signals and "reply_to" not in turn.state.scratch:
            named = self._named_choice(turn, text)
            if named is not None:
                step, choice = named
                turn.choose(step, choice)
                return
        signals = rule_signals or self._model_signals(understood, age_band)
        replying_to = turn.state.scratch.pop("reply_to", None)
        if replying_to and turn.state.consent:
            # The adviser gets the answer whatever it says; an emergency in it gets the
            # numbers too (and its own urgent referral), first.
            if signals:
                handover.emergency(turn, signals)
            turn.effects.append(ReplyToAdviser(int(replying_to), text[:3000]))
            turn.say(turn.t("Sent to your adviser. They will answer you here."))
            turn.render_current()
            return
        if signals:
            handover.emergency(turn, signals)
            turn.render_current(reask=True)
            return
        step = turn.current_step()
        if step.input and not step.handler:
            turn.take_input(step, text)
            if understood.uncertain_emergency:
                safety.ask(turn, understood.possible_emergency or "")
            return
        if step.save == "age_band" and _typed_age(text):
            band = handlers.parse_input(turn, _AGE_INPUT, text)
            choice = next((c for c in step.choices if c.value == band), None)
            if choice is not None:
                turn.choose(step, choice)
                return
        buttons = turn.buttons_of(step) + turn.hidden_nav_buttons()
        button = match_button(text, buttons)
        if button is not None:
            self._payload(turn, button.payload)
        elif understood.uncertain_emergency:
            # Never small talk for a message that might be an emergency: one kind question,
            # and nothing else (not even an offer to switch language).
            safety.ask(turn, understood.possible_emergency or "")
            return
        elif self._unsure(text, understood):
            turn.say(turn.t(UNSURE_REPLY))
            turn.render_current(reask=True)
        elif understood.intent == "appointment" and understood.about in ABOUT_TARGETS:
            turn.goto(ABOUT_TARGETS[understood.about])
        elif understood.intent == "other" and understood.about in OTHER_TARGETS:
            turn.goto(OTHER_TARGETS[understood.about])
        elif (
            understood.intent in self.flows.journeys
            and understood.confidence >= MIN_CONFIDENCE
            and understood.intent != turn.state.flow  # never restart it silently
        ):
            turn.goto(understood.intent)
        elif understood.intent in ("human", "language") and understood.confidence >= MIN_CONFIDENCE:
            self._nav(turn, f"nav.{understood.intent}")
        elif understood.intent == "other" and self._small_talk(text):
            turn.say(turn.t(SMALL_TALK_REPLY))
            turn.render_current(reask=True)
        else:
            turn.say(turn.t(NOT_UNDERSTOOD))
            turn.render_current(reask=True)
        language_switch.maybe_offer_language(
            turn, understood.language, understood.language_confidence, text
        )

    def _unsure(self, text: str, understood: Understanding) -> bool:
        scores = self.understander.rule_scores(text)
        if scores.get("unsure", 0.0) < UNSURE_CUE or scores.get("language", 0.0) >= UNSURE_CUE:
            return False
        return len(tokens(text)) <= UNSURE_WORDS or understood.intent in ("language", "other")

    def _small_talk(self, text: str) -> bool:
        if not any(c.isalpha() for c in text):  # "👍", "😂😂", "🙏"
            return any(c in SMALL_TALK_EMOJI for c in text)
        return self.understander.rule_scores(text).get("other", 0.0) >= SMALL_TALK_CUE

    def _model_signals(self, understood: Understanding, age_band: str | None) -> tuple[str, ...]:
        """The learned model's emergency signals (when the rules found none)."""
        if not understood.is_emergency:
            return ()
        found = understood.signals or (INTENT_SIGNALS[understood.intent],)
        return self.detector.for_age(found, age_band)

    def _named_choice(self, turn: TurnBuilder, text: str) -> tuple[Step, Choice] | None:
        """The one choice of the current question that a short message names in words
        ("chez un pote", "arkadaşımda kalıyorum" at "where do you sleep?"): the lexicon's
        `answer <payload>` cues. The model, reading the message without the question, took
        several of these for emergencies; an emergency cue of the rules still comes first."""
        step = turn.current_step()
        if not step.choices or step.input or step.handler:
            return None
        if len(tokens(text)) > ANSWER_WORDS:
            return None
        scores = self.understander.rule_scores(text)
        named = [
            choice
            for choice in step.choices
            if scores.get(f"answer {step.flow}.{step.id}.{choice.id}", 0.0) >= ANSWER_CUE
        ]
        return (step, named[0]) if len(named) == 1 else None

    def _nav(self, turn: TurnBuilder, payload: str) -> None:
        navigation.follow(turn, payload)


def _typed_age(text: str) -> bool:
    """An age typed in a few words: "19", "j'ai 19 ans", "I'm 19", "мені 19", "١٩"."""
    match = _AGE_TEXT.fullmatch(text)
    return match is not None and len(text.split()) <= 4 and 10 <= int(match.group(1)) <= 99


def render_step_for_tests(engine: Engine, state: State, now: datetime) -> list[Reply]:
    """The replies a person would see for the current step (used by golden tests)."""
    turn = TurnBuilder(engine, state.copy(), now, Calendar())
    turn.render_current()
    return list(turn.build().replies)


def current_step(engine: Engine, state: State) -> Step:
    return engine.flows.step(state.flow, state.step)
