"""Routing of a referral to a structure's role queue, by the directory's rules.

Semantics (see the directory's `conventions.routing`): emergency rules (priority 0)
matching a signal all fire; otherwise the first matching rule wins. `when` keys are
ANDed, list values mean "any of", `any:` is an OR of sub-conditions, ages are bands.
A chosen rule's `also_route_to_if` (its `role`, plus conditions of the same kind) sends
a copy of the referral to a second queue when its conditions hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from conversations.directory import Deployment, RoutingRule

AGE_BANDS: Final[dict[str, tuple[int, int]]] = {
    "u16": (0, 15),
    "16_17": (16, 17),
    "18_25": (18, 25),
    "26_29": (26, 29),
    "30_plus": (30, 120),
}


@dataclass(frozen=True)
class RouteDecision:
    role: str
    structure: str | None
    rule_id: str | None
    urgency: str
    suggest: tuple[str, ...]
    emergency_contacts: tuple[str, ...]
    # Queues that get a copy of the referral (`also_route_to_if`), and their structures.
    also_roles: tuple[str, ...] = ()
    also_structures: tuple[str, ...] = ()


def _as_set(value: Any) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    if isinstance(value, Iterable):
        return {str(v) for v in value}
    return {str(value)}


def _age_ok(facts: Mapping[str, Any], key: str, bound: int) -> bool:
    band = AGE_BANDS.get(str(facts.get("age_band")))
    if band is None:
        return False
    return band[0] >= bound if key == "age_min" else band[1] <= bound


def matches(when: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    for key, expected in when.items():
        if key in ("age_min", "age_max"):
            ok = _age_ok(facts, key, int(expected))
        elif key == "any":
            ok = any(matches(sub, facts) for sub in expected)
        elif key == "flags_absent":
            ok = not (_as_set(expected) & _as_set(facts.get("flags")))
        else:
            ok = bool(_as_set(expected) & _as_set(facts.get(key)))
        if not ok:
            return False
    return True


# Keys of `also_route_to_if` that name the second queue, not a condition.
ALSO_TARGET_KEYS: Final = frozenset({"role", "route_to"})


def also_roles(rule: RoutingRule, facts: Mapping[str, Any], main_role: str) -> tuple[str, ...]:
    """The second queue of `rule` when its `also_route_to_if` conditions hold."""
    also = rule.also_route_to_if or {}
    role = also.get("role") or also.get("route_to")
    conditions = {k: v for k, v in also.items() if k not in ALSO_TARGET_KEYS}
    if not role or role == main_role or not matches(conditions, facts):
        return ()
    return (str(role),)


def emergency_rules(deployment: Deployment, signals: Iterable[str]) -> list[RoutingRule]:
    facts = {"signal": list(signals)}
    return [r for r in deployment.rules if r.priority == 0 and r.when and matches(r.when, facts)]


def route(deployment: Deployment, facts: Mapping[str, Any]) -> RouteDecision:
    """Pick the queue for a referral; never a dead end (falls back to the default route)."""
    fired = emergency_rules(deployment, _as_set(facts.get("signal")))
    contacts = tuple(dict.fromkeys(c for rule in fired for c in rule.show_emergency))
    chosen = next((r for r in fired if r.route_to), None)
    if chosen is None:
        chosen = next(
            (r for r in deployment.rules if r.priority > 0 and matches(r.when, facts)), None
        )
    role = chosen.route_to if chosen and chosen.route_to else deployment.default_route
    urgency = next((r.urgency for r in fired if r.urgency), None)
    urgency = urgency or (chosen.urgency if chosen and chosen.urgency else None)
    if urgency is None:
        urgency = "urgent" if fired else "normal"
    copies = also_roles(chosen, facts, role) if chosen else ()
    return RouteDecision(
        role=role,
        structure=deployment.roles.get(role),
        rule_id=chosen.id if chosen else None,
        urgency=urgency,
        suggest=chosen.suggest if chosen else (),
        emergency_contacts=contacts,
        also_roles=copies,
        also_structures=tuple(
            dict.fromkeys(deployment.roles[r] for r in copies if r in deployment.roles)
        ),
    )
