"""Which facts the deployment's routing rules still need: the `ask_if_rules_need` of a
step, decided from the rules and the facts known so far.

A rule's `when` is read with three values: it holds, it fails, or it is undecided
because a fact it tests has not been answered yet (a fact is known once answered, even
"not_said"). A profile question is worth asking when an undecided rule, reached before
any rule that already holds, tests that fact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from conversations.directory import Deployment
from conversations.flows import Step
from conversations.profile import flag_sources, known_facts
from conversations.routing import AGE_BANDS

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder

# Keys of `also_route_to_if` that name the second queue, not a condition.
TARGET_KEYS: Final = frozenset({"role", "route_to"})


def _as_set(value: Any) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    if isinstance(value, Iterable):
        return {str(v) for v in value}
    return {str(value)}


def sources_of(key: str, expected: Any) -> frozenset[str]:
    """The answered facts a `when` key depends on (a flag depends on its question)."""
    if key in ("age_min", "age_max"):
        return frozenset({"age_band"})
    if key == "territory":
        return frozenset({"territory", "commune"})
    if key in ("flags", "flags_absent"):
        return frozenset().union(*(flag_sources(f) for f in _as_set(expected)))
    return frozenset({key})


def _flag_state(flag: str, facts: Mapping[str, Any]) -> bool | None:
    if flag in _as_set(facts.get("flags")):
        return True
    return False if all(s in facts for s in flag_sources(flag)) else None


def _condition(key: str, expected: Any, facts: Mapping[str, Any]) -> bool | None:
    if key in ("age_min", "age_max"):
        if "age_band" not in facts:
            return None
        band = AGE_BANDS.get(str(facts["age_band"]))
        if band is None:
            return False
        return band[0] >= int(expected) if key == "age_min" else band[1] <= int(expected)
    if key == "any":
        return _any(evaluate(sub, facts) for sub in expected)
    if key in ("flags", "flags_absent"):
        states = [_flag_state(f, facts) for f in _as_set(expected)]
        found = _any(states)
        return found if key == "flags" else (None if found is None else not found)
    if key == "territory" and key not in facts and "commune" in facts:
        return False  # a town outside every territory of the deployment
    if key not in facts:
        return None
    return bool(_as_set(expected) & _as_set(facts[key]))


def _any(values: Iterable[bool | None]) -> bool | None:
    seen = list(values)
    if True in seen:
        return True
    return None if None in seen else False


def evaluate(when: Mapping[str, Any], facts: Mapping[str, Any]) -> bool | None:
    """True when `when` holds, False when it fails, None while it is undecided."""
    result: bool | None = True
    for key, expected in when.items():
        if key in TARGET_KEYS:
            continue
        value = _condition(key, expected, facts)
        if value is False:
            return False
        if value is None:
            result = None
    return result


def undecided_on(when: Mapping[str, Any], facts: Mapping[str, Any], fact: str) -> bool:
    """Whether answering `fact` could still decide `when`."""
    if evaluate(when, facts) is not None:
        return False
    for key, expected in when.items():
        if key in TARGET_KEYS or _condition(key, expected, facts) is not None:
            continue
        if key == "any":
            if any(undecided_on(sub, facts, fact) for sub in expected):
                return True
        elif fact in sources_of(key, expected):
            return True
    return False


def rules_need(deployment: Deployment, facts: Mapping[str, Any], fact: str) -> bool:
    """Whether a routing rule that could still fire depends on `fact`.

    Emergency rules (priority 0) fire on signals alone and are left out. A rule that
    already holds wins: no later rule can fire, but its own second queue
    (`also_route_to_if`) may still need the fact.
    """
    if fact in facts:
        return False
    for rule in deployment.rules:
        if rule.priority == 0:
            continue
        holds = evaluate(rule.when, facts)
        if holds is False:
            continue
        also = rule.also_route_to_if or {}
        if undecided_on(rule.when, facts, fact) or undecided_on(also, facts, fact):
            return True
        if holds is True:
            return False
    return False


def step_not_needed(turn: TurnBuilder, step: Step) -> bool:
    """A step with `ask_if_rules_need` that no routing rule needs now: skipped."""
    if step.ask_if_rules_need is None:
        return False
    theme = turn.engine.flows.flows[step.flow].theme
    facts = known_facts(turn.state, theme)
    return not rules_need(turn.engine.deployment, facts, step.ask_if_rules_need)
