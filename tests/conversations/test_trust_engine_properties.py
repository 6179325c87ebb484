"""Property-based tests of the engine (issue 8): random events in random states of every
flow never raise, always answer, and never leave a person at a dead end.

A run starts either from a fresh conversation or directly at any step of any flow (in
French or English, with or without consent: what a state saved before a flow change
could look like), then plays random events: a button of the current question, a stale
button of an earlier one, navigation payloads and commands, made-up payloads, free text
(emergencies, numbers, town names, control and bidi-override characters, very long
text), and the clock's nudge and expiry. The host's part is simulated like the runtime
does it: a booking keeps one of its two endings, /mydata has the engine word what is
kept, /forget erases the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conversations.engine import Engine
from conversations.model import (
    AppointmentFacts,
    BookAppointment,
    Event,
    EventKind,
    ForgetMe,
    KeptData,
    Reply,
    ShowMyData,
    State,
    Turn,
)

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
# What the host would load for /mydata: one request, one appointment.
KEPT = {
    "kept": KeptData(
        (("housing", "claimed"),),
        (AppointmentFacts(7, "ml-hq", datetime(2026, 11, 25, 9, 0, tzinfo=UTC)),),
    )
}
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Steps that are their own way out: choosing a language, agreeing or not.
SELF_CONTAINED = {("entry", "language"), ("entry", "consent")}

EMERGENCIES = [
    "I have nowhere to sleep tonight",
    "je dors dehors ce soir",
    "my boyfriend hits me",
    "il me frappe",
    "I want to kill myself",
    "je veux mourir",
    "j'ai 15 ans et mes parents me battent",
    "I can't breathe, chest pain",
]
NAV_PAYLOADS = [
    "nav.back",
    "nav.menu",
    "nav.human",
    "nav.language",
    "nav.stop",
    "nav.restart",
    "nav.consent",
    "nav.mydata",
    "nav.forget",
    "nav.forget_confirmed",
    "nav.reply.1",
    "nav.reply.x",
    "nav.",
    "nav.unknown",
    "nav.voice",
    "nav.voice.heard",
    "nav.voice.heard.ar",
    "nav.voice.nothing",
]
COMMANDS = [
    "/start",
    "/menu",
    "/back",
    "/human",
    "/language",
    "/stop",
    "/help",
    "/mydata",
    "/voice",
]
ODD_TEXT = [
    "",
    " ",
    "19",
    "0",
    "-3",
    "99999999999999999999999",
    "Clermont-Ferrand",
    "aulnat",
    "1",
    "oui",
    "yes",
    "⬅ Back",
    "🏠 Menu",
    "\u202egnihton\u202c",
    "\u2066Aulnat\u2069",
    "\x00\x01\x1b[31mred\x7f",
    "line\r\nbreak\u2028sep",
    "<script>alert(1)</script>",
    "*bold* _it_ [link](http://x)",
    "{name} {0} %s",
]
CONTROL = st.sampled_from(
    ["\u202e", "\u202d", "\u2066", "\u2067", "\u2069", "\x00", "\x1b", "\u200f"]
)


@st.composite
def free_text(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return draw(st.sampled_from(EMERGENCIES))
    if kind == 1:
        return draw(st.sampled_from(ODD_TEXT + COMMANDS))
    if kind == 2:
        return draw(st.text(max_size=40))
    if kind == 3:
        parts = draw(st.lists(st.one_of(CONTROL, st.text(max_size=8)), max_size=8))
        return "".join(parts)
    if kind == 4:
        return draw(st.sampled_from(["a", "é", "ش", "🙂", "x "])) * draw(st.integers(500, 9000))
    return draw(st.sampled_from(EMERGENCIES)) + draw(CONTROL) + draw(st.text(max_size=10))


@dataclass
class Person:
    """One conversation driven through the engine, with the host's part simulated."""

    engine: Engine
    state: State
    seen: list[str] = field(default_factory=list)
    last: tuple[Reply, ...] = ()

    def run(self, event: Event) -> tuple[list[Reply], Turn]:
        turn = self.engine.advance(self.state, event, NOW)
        replies = list(turn.replies)
        state = turn.state
        pending = list(turn.effects)
        ok = True
        while pending:
            effect = pending.pop(0)
            if isinstance(effect, ForgetMe):
                self.state, self.last = State(), tuple(replies)
                return replies, turn
            if isinstance(effect, ShowMyData):
                told = self.engine.advance(state, Event(EventKind.MY_DATA, data=KEPT), NOW)
                replies[0:0] = told.replies
            if isinstance(effect, BookAppointment):
                ok = not ok  # alternate: a free seat, then a seat someone just took
                ending = effect.ending(7 if ok else None)
                replies += ending.replies
                state = ending.state
                pending += ending.effects
        self.state = state
        self.last = tuple(replies)
        self.seen += [b.payload for r in replies for b in r.buttons]
        return replies, turn

    def current_buttons(self) -> list[str]:
        return [b.payload for r in self.last for b in r.buttons]


@st.composite
def next_event(draw: st.DrawFn, person: Person) -> Event:
    current = person.current_buttons()
    kind = draw(st.integers(0, 9))
    if kind <= 4 and current:
        return Event.button(draw(st.sampled_from(current)))
    if kind == 5 and person.seen:
        return Event.button(draw(st.sampled_from(person.seen)))
    if kind == 6:
        return Event.button(
            draw(st.one_of(st.sampled_from(NAV_PAYLOADS), st.text(max_size=30), st.just("x.y.z")))
        )
    if kind == 7:
        return draw(st.sampled_from([Event(EventKind.NUDGE), Event(EventKind.EXPIRE)]))
    return Event.message(draw(free_text()))


def all_steps(engine: Engine) -> list[tuple[str, str]]:
    return sorted((f.id, s) for f in engine.flows.flows.values() for s in f.steps)


@st.composite
def starting_state(draw: st.DrawFn, engine: Engine) -> State:
    if draw(st.booleans()):
        return State()
    flow, step = draw(st.sampled_from(all_steps(engine)))
    return State(
        lang=draw(st.sampled_from(["en", "fr"])),
        consent=draw(st.sampled_from([True, False, None])),
        flow=flow,
        step=step,
    )


def _check(person: Person, happened: Event, replies: list[Reply], turn: Turn) -> None:
    where = (person.state.flow, person.state.step)
    event(f"reached {where[0]}")  # hypothesis statistics: which flows the runs visit
    if happened.kind in (EventKind.NUDGE, EventKind.EXPIRE):
        return  # the clock may stay silent
    assert replies, f"no reply to {happened} at {where}"
    if any(isinstance(e, ForgetMe) for e in turn.effects):
        return  # erased: the next message starts a new conversation
    payloads = [b.payload for r in replies for b in r.buttons]
    assert where in SELF_CONTAINED or any(p.startswith("nav.") for p in payloads), (
        f"dead end at {where} after {happened}: {[r.text[:60] for r in replies]} {payloads}"
    )


@SETTINGS
@given(data=st.data())
def test_random_events_in_random_states(engine: Engine, data: st.DataObject) -> None:
    person = Person(engine, data.draw(starting_state(engine), label="state"))
    first = Event.start(lang_hint=data.draw(st.sampled_from(["en", "fr", "xx", None])))
    replies, turn = person.run(first)
    _check(person, first, replies, turn)
    for _ in range(data.draw(st.integers(1, 14), label="turns")):
        event = data.draw(next_event(person), label="event")
        replies, turn = person.run(event)
        _check(person, event, replies, turn)


@SETTINGS
@given(data=st.data())
def test_every_step_answers_every_kind_of_input(engine: Engine, data: st.DataObject) -> None:
    flow, step = data.draw(st.sampled_from(all_steps(engine)), label="step")
    state = State(lang="en", consent=True, flow=flow, step=step)
    person = Person(engine, state)
    event = data.draw(
        st.one_of(
            st.builds(Event.message, free_text()),
            st.builds(Event.button, st.sampled_from(NAV_PAYLOADS)),
            st.builds(Event.button, st.text(max_size=40)),
        ),
        label="event",
    )
    replies, turn = person.run(event)
    _check(person, event, replies, turn)
