"""A static check that the flows and the routing rules fit together.

1. Every routing rule of a deployment can fire from some path through the flows: all
   its `when` conditions can be met by answers some flow can save (plus the topic of the
   journey and the signals a choice or a message can raise), while no rule of higher
   priority matches first. Emergency rules (priority 0) all fire on their signal.
2. No flow asks a fact that no rule, no card and no adviser uses.

The values a flow can save are read from its steps, all paths together: a rule is
reported reachable when some combination of those values (each possibly unanswered)
makes it win. Profile answers (`profile: true`) count for every journey, since they
are kept from one journey to the next.

Run `python -m conversations.rule_coverage` for the list of problems (exit 1 if any).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from conversations.directory import DEFAULT_DIRECTORY, Deployment, RoutingRule, load_directory
from conversations.flows import Flows, Step, load_flows
from conversations.profile import NEIGHBOURHOOD_OTHER, TOPICS, flags_of
from conversations.routing import AGE_BANDS
from conversations.rule_needs import TARGET_KEYS, evaluate, sources_of
from conversations.signals import SIGNALS_FILE, SignalDetector
from conversations.understanding.model import INTENT_SIGNALS, MEDICAL_SIGNAL

PACKAGE: Final = Path(__file__).resolve().parent
# Modules that read answers to show a card or book a seat: a fact they name is used.
FACT_READERS: Final = ("advice.py", "service_cards.py", "booking.py")
# Facts asked for the adviser or the yearly report, not for routing or cards.
FOR_ADVISERS: Final[dict[str, str]] = {
    "followed_by": "the adviser picks up with the service already following the person",
    "interpreter": "the adviser books an interpreter for the meeting",
    "care_end": "the adviser sees how soon care ends (the urgent case raises a signal)",
    "resources_band": "the adviser sees the person's resources for aid requests",
    "gender": "yearly report: share of women and men (issue 18)",
    "neighbourhood": "yearly report: share living in a QPV (issue 18)",
    "known_to_ml": "yearly report: new or already known young people (issue 18)",
    "reason": "the adviser sees why an appointment was booked, in its intake's answers",
}
# The topic of a referral asked from outside any journey ("talk to a person").
GENERAL_TOPIC: Final = "general"
UNANSWERED: Final = None


@dataclass(frozen=True)
class Problem:
    deployment: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.deployment}: {self.subject}: {self.detail}"


@dataclass(frozen=True)
class Scenario:
    """What a referral of one journey (or of "talk to a person") may know."""

    topic: str
    values: Mapping[str, frozenset[Any]]  # fact -> values it can take (None: unanswered)


def raisable_signals(flows: Flows) -> frozenset[str]:
    """Signals a choice raises, plus those free text raises (patterns and the model)."""
    raw = yaml.safe_load(SIGNALS_FILE.read_text(encoding="utf-8")) or {}
    found = {c.signal for f in flows.flows.values() for s in f.steps.values() for c in s.choices}
    found |= set(raw) | set(INTENT_SIGNALS.values()) | {MEDICAL_SIGNAL}
    found.discard(None)
    for signal in list(found):
        found |= set(SignalDetector.for_age((str(signal),), "16_17"))
    return frozenset(str(s) for s in found)


def _saved_values(step: Step, deployment: Deployment) -> dict[str, set[Any]]:
    """The facts a step can save, with their values (the town as its territory)."""
    if step.save is None:
        return {}
    if step.input == "commune":
        territories = {ids[0] for ids in deployment.territories.values()}
        return {"territory": territories | {UNANSWERED}, "commune": {"a town"}}
    if step.input == "age" or (step.save == "age_band" and not step.choices):
        return {step.save: set(AGE_BANDS)}
    if step.handler == "neighbourhood":
        return {step.save: set(deployment.qpv_neighbourhoods) | set(NEIGHBOURHOOD_OTHER)}
    if step.input:
        return {step.save: {"free text"}}
    return {step.save: {c.value for c in step.choices}}


def scenarios(flows: Flows, deployment: Deployment) -> list[Scenario]:
    """One scenario per journey, and one for "talk to a person" from the menu."""
    kept: dict[str, set[Any]] = {}
    by_flow: dict[str, dict[str, set[Any]]] = {}
    for flow in flows.flows.values():
        own = by_flow.setdefault(flow.id, {})
        for step in flow.steps.values():
            for fact, values in _saved_values(step, deployment).items():
                target = kept if step.profile or fact == "territory" else own
                target.setdefault(fact, set()).update(values)
    found = [Scenario(GENERAL_TOPIC, _frozen(kept))]
    for flow_id in sorted(flows.journeys):
        flow = flows.flows[flow_id]
        merged = {k: set(v) for k, v in kept.items()}
        for fact, values in by_flow[flow_id].items():
            merged.setdefault(fact, set()).update(values)
        # A journey that asks its topic (`save: topic`) routes on the answer.
        topics = {TOPICS.get(flow.theme, flow.theme)} | merged.pop("topic", set())
        found += [Scenario(str(topic), _frozen(merged)) for topic in sorted(topics)]
    return found


def _frozen(values: Mapping[str, set[Any]]) -> dict[str, frozenset[Any]]:
    return {fact: frozenset(v | {UNANSWERED}) for fact, v in values.items()}


def _variables(rules: Iterable[RoutingRule]) -> list[str]:
    """The answered facts the `when` of these rules depend on."""
    found: dict[str, None] = {}
    for rule in rules:
        for key, expected in _conditions(rule.when):
            for fact in sorted(sources_of(key, expected)):
                found.setdefault(fact, None)
    return list(found)


def _conditions(when: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for key, expected in when.items():
        if key == "any":
            for sub in expected:
                yield from _conditions(sub)
        elif key not in TARGET_KEYS:
            yield key, expected


def _with_flags(facts: dict[str, Any]) -> dict[str, Any]:
    facts["flags"] = flags_of(facts)
    return facts


def can_fire(rule: RoutingRule, earlier: list[RoutingRule], scenario: Scenario) -> bool:
    """Whether some answers of the scenario make `rule` the first rule that matches."""
    variables = [v for v in _variables([rule, *earlier]) if v not in ("topic", "commune")]
    start = _with_flags({"topic": scenario.topic, "signal": []})

    def search(facts: dict[str, Any], rest: list[str]) -> bool:
        if evaluate(rule.when, facts) is False:
            return False
        if any(evaluate(other.when, facts) is True for other in earlier):
            return False
        if not rest:
            return evaluate(rule.when, facts) is True
        fact, later = rest[0], rest[1:]
        options = scenario.values.get(fact, frozenset({UNANSWERED}))
        return any(search(_with_flags({**facts, fact: value}), later) for value in options)

    return search(start, variables)


def _values(expected: Any) -> set[str]:
    if expected is None:
        return set()
    return {expected} if isinstance(expected, str) else {str(v) for v in expected}


def _emergency_fires(rule: RoutingRule, signals: frozenset[str]) -> bool:
    return any(evaluate(rule.when, {"signal": [s]}) is True for s in signals)


def unreachable_rules(flows: Flows, deployment: Deployment) -> list[Problem]:
    signals = raisable_signals(flows)
    found = scenarios(flows, deployment)
    problems = []
    ordinary = [r for r in deployment.rules if r.priority > 0]
    for rule in deployment.rules:
        if rule.priority == 0:
            if not _emergency_fires(rule, signals):
                wanted = ", ".join(sorted(_values(rule.when.get("signal")))) or "its signal"
                problems.append(
                    Problem(deployment.id, rule.id, f"no choice or message raises {wanted}")
                )
            continue
        earlier = ordinary[: ordinary.index(rule)]
        if not any(can_fire(rule, earlier, scenario) for scenario in found):
            problems.append(Problem(deployment.id, rule.id, _why_not(rule, earlier, found)))
    return problems


def _why_not(rule: RoutingRule, earlier: list[RoutingRule], found: list[Scenario]) -> str:
    alone = [s for s in found if can_fire(rule, [], s)]
    if alone:
        return "can match, but a rule of higher priority always matches first"
    missing = sorted({f"{k}={v}" for k, v in _conditions(rule.when) if not _meetable(k, v, found)})
    if missing:
        return "no flow can give " + ", ".join(missing)
    return "no flow gives all its conditions together"


def _meetable(key: str, expected: Any, found: list[Scenario]) -> bool:
    return any(
        can_fire(RoutingRule("probe", 1, {key: expected}, None, None, (), ()), [], s) for s in found
    )


def used_facts(deployments: Iterable[Deployment]) -> set[str]:
    """Facts some rule (of any deployment) tests, directly or through a flag."""
    found: set[str] = set()
    for deployment in deployments:
        for rule in deployment.rules:
            for when in (rule.when, rule.also_route_to_if or {}):
                for key, expected in _conditions(when):
                    found |= sources_of(key, expected)
    return found


def read_by_cards(package: Path = PACKAGE) -> set[str]:
    """Quoted names in the modules that read answers (cards, booking)."""
    found: set[str] = set()
    for name in FACT_READERS:
        path = package / name
        if path.exists():
            found |= set(re.findall(r"[\"']([a-z_0-9]+)[\"']", path.read_text(encoding="utf-8")))
    return found


def unused_questions(flows: Flows, deployments: list[Deployment]) -> list[Problem]:
    used = used_facts(deployments) | read_by_cards() | set(FOR_ADVISERS)
    asked: dict[str, str] = {}
    for flow in flows.flows.values():
        for step in flow.steps.values():
            if step.save and step.save not in asked:
                asked[step.save] = f"{flow.id}.{step.id}"
    every = "+".join(d.id for d in deployments)
    return [
        Problem(every, where, f"asks {fact!r}, which no rule, card or adviser uses")
        for fact, where in sorted(asked.items())
        if fact not in used and not (fact == "commune" and "territory" in used)
    ]


def shipped_deployments(path: Path = DEFAULT_DIRECTORY) -> list[Deployment]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [load_directory(path, d["id"]) for d in raw.get("deployments") or []]


def check(flows: Flows, deployments: list[Deployment]) -> list[Problem]:
    problems = [p for d in deployments for p in unreachable_rules(flows, d)]
    return problems + unused_questions(flows, deployments)


def main() -> int:
    problems = check(load_flows(), shipped_deployments())
    for problem in problems:
        print(problem)
    print(
        f"{len(problems)} problem(s)"
        if problems
        else "Every rule can fire; every question is used."
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
