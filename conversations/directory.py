"""The deployment's services directory: territories, roles, places, permanences, rules.

Read once from YAML (the sample in conversations/data/services.yaml by default) into
frozen objects; the engine, routing and slot generation only ever read them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import yaml

from conversations.directory_checks import (
    one_line,
    placeholder_problems,
    shape_problem,
    template_value_ok,
    webhook_problem,
)

DEFAULT_DIRECTORY: Final = Path(__file__).resolve().parent / "data" / "services.yaml"
WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class DirectoryError(ValueError):
    """The directory file is malformed or refers to something that does not exist."""


def normalize(text: str) -> str:
    """Lower-case, accent-free, single-spaced text for tolerant comparisons."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in stripped)
    return " ".join(cleaned.split())


@dataclass(frozen=True)
class EmergencyContact:
    id: str
    number: str
    label: str
    signals: tuple[str, ...]


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    address: str
    territory: str | None
    phone: str | None = None
    # False when the directory only knows the town: not worth a map link on a card.
    has_street: bool = True


@dataclass(frozen=True)
class OpeningPattern:
    weekdays: tuple[int, ...]
    start: str
    end: str
    recurrence: str = "weekly"


@dataclass(frozen=True)
class Permanence:
    id: str
    service: str
    place: str
    patterns: tuple[OpeningPattern, ...]
    slot_minutes: int = 30
    capacity: int = 1
    mobile: bool = False
    # A dated opening (bus stop, one-off slot) instead of weekly patterns.
    window: tuple[datetime, datetime] | None = None


@dataclass(frozen=True)
class Opening:
    """When a service is open, as shown on its card: a place (if any), weekdays, and
    hours when they are known. Drop-in and closed-to-booking openings are included."""

    place: str | None
    weekdays: tuple[int, ...]
    start: str | None
    end: str | None
    recurrence: str = "weekly"


@dataclass(frozen=True)
class RoutingRule:
    id: str
    priority: int
    when: dict[str, Any]
    route_to: str | None
    urgency: str | None
    show_emergency: tuple[str, ...]
    suggest: tuple[str, ...]
    also_route_to_if: dict[str, Any] | None = None
    variant: str | None = None  # the variant of a suggested service this rule picks


@dataclass(frozen=True)
class AdviceCard:
    """Services shown at the end of a journey when `when` (routing conditions on the
    person's answers) holds, besides the routed rule's `suggest`."""

    when: dict[str, Any]
    show: tuple[str, ...]


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    phone: str | None = None
    # Where referrals are announced: e-mail, signed webhook, fallback for escalations.
    notify_email: str | None = None
    notify_webhook: str | None = None
    fallback_email: str | None = None
    receives_referrals: bool = False


@dataclass(frozen=True)
class Deployment:
    id: str
    name: str
    default_route: str
    roles: dict[str, str]  # role id -> organisation id
    organisations: dict[str, Organisation]
    territories: dict[str, tuple[str, ...]]  # normalised commune -> territory ids
    default_territory: str | None
    places: dict[str, Place]
    permanences: tuple[Permanence, ...]
    services: dict[str, Service]
    rules: tuple[RoutingRule, ...]
    emergency_contacts: dict[str, EmergencyContact]
    openings: dict[str, tuple[Opening, ...]] = field(default_factory=dict)  # by service id
    advice_cards: tuple[AdviceCard, ...] = ()
    # Values flow sentences may use ({cej_allowance}), from the services' `template_values`:
    # a string, or {money: amount} formatted in the person's locale.
    template_values: dict[str, Any] = field(default_factory=dict)
    # The QPV (priority neighbourhood) names offered by the indicator question
    # `neighbourhood`; the answer raises the `qpv_resident` flag.
    qpv_neighbourhoods: tuple[str, ...] = ()
    # Names shown to conseillers (api/labels.py): role (queue) labels and territory names.
    role_labels: dict[str, str] = field(default_factory=dict)
    territory_names: dict[str, str] = field(default_factory=dict)

    def territory_of(self, commune: str | None) -> str | None:
        if not commune:
            return None
        found = self.territories.get(normalize(commune))
        return found[0] if found else None

    def contacts_for(self, signal: str) -> list[EmergencyContact]:
        return [c for c in self.emergency_contacts.values() if signal in c.signals]

    def bookable(self) -> list[Permanence]:
        return [p for p in self.permanences if p.patterns or p.window]


def _address(raw: dict[str, Any]) -> str:
    address = raw.get("address") or {}
    parts = [
        address.get("street"),
        " ".join(filter(None, [address.get("postcode"), address.get("city")])),
    ]
    return ", ".join(p for p in parts if p)


def _patterns(raw: dict[str, Any]) -> tuple[OpeningPattern, ...]:
    patterns = []
    for entry in raw.get("schedule") or []:
        if entry.get("weekday_status") == "unknown":
            continue
        days = tuple(WEEKDAYS.index(d) for d in entry["weekdays"])
        patterns.append(
            OpeningPattern(days, entry["from"], entry["to"], entry.get("recurrence", "weekly"))
        )
    return tuple(patterns)


def _openings_of(entries: list[dict[str, Any]], place: str | None) -> list[Opening]:
    found = []
    for entry in entries:
        if entry.get("weekday_status") == "unknown" or not entry.get("weekdays"):
            continue
        known_hours = entry.get("hours_status") != "unknown"
        found.append(
            Opening(
                place=place,
                weekdays=tuple(WEEKDAYS.index(d) for d in entry["weekdays"]),
                start=entry.get("from") if known_hours else None,
                end=entry.get("to") if known_hours else None,
                recurrence=entry.get("recurrence", "weekly"),
            )
        )
    return found


def _openings(raw: dict[str, Any]) -> dict[str, tuple[Opening, ...]]:
    """Every service's openings, from its permanences (not closed) and its `opening`."""
    by_service: dict[str, list[Opening]] = {}
    for service in raw.get("services") or []:
        by_service.setdefault(service["id"], []).extend(
            _openings_of(service.get("opening") or [], None)
        )
    for permanence in raw.get("permanences") or []:
        if permanence.get("status") == "closed":
            continue
        by_service.setdefault(permanence["service"], []).extend(
            _openings_of(permanence.get("schedule") or [], permanence.get("place"))
        )
    return {k: tuple(v) for k, v in by_service.items() if v}


def _permanence(raw: dict[str, Any]) -> Permanence | None:
    if raw.get("status") == "closed" or raw.get("public_booking") is False:
        return None
    if not (raw.get("by_appointment") or raw.get("mobile")):
        return None
    return Permanence(
        id=raw["id"],
        service=raw["service"],
        place=raw["place"],
        patterns=_patterns(raw),
        slot_minutes=int(raw.get("slot_minutes", 30)),
        capacity=int(raw.get("capacity", 1)),
        mobile=bool(raw.get("mobile", False)),
    )


def _territories(raw: list[dict[str, Any]]) -> tuple[dict[str, tuple[str, ...]], str | None]:
    by_commune: dict[str, list[str]] = {}
    default = None
    for territory in raw:
        if territory.get("type") == "remainder":
            default = territory["id"]
        for commune in territory.get("communes") or []:
            by_commune.setdefault(normalize(commune["name"]), []).insert(0, territory["id"])
    return {k: tuple(v) for k, v in by_commune.items()}, default


def _organisations(raw: dict[str, Any]) -> dict[str, Organisation]:
    receiving = {r["organisation"] for r in raw.get("roles") or [] if r.get("receives_referrals")}
    found = {}
    for org in raw.get("organisations") or []:
        notify = org.get("notify") or {}
        found[org["id"]] = Organisation(
            id=org["id"],
            name=org["name"],
            phone=org.get("phone"),
            notify_email=notify.get("email"),
            notify_webhook=notify.get("webhook"),
            fallback_email=notify.get("fallback_email"),
            receives_referrals=org["id"] in receiving,
        )
    return found


def _template_values(raw: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """Every service's `template_values`, as name -> (value, service id)."""
    found: dict[str, tuple[Any, str]] = {}
    problems = []
    for service in raw.get("services") or []:
        for name, value in (service.get("template_values") or {}).items():
            if name in found:
                problems.append(
                    f"template value {name} given by both {found[name][1]} and {service['id']}"
                )
            elif not template_value_ok(value):
                problems.append(
                    f"service {service['id']}: template_values.{name} must be a text, a "
                    "number or {money: amount}"
                )
            found[name] = (value, service["id"])
    if problems:
        raise DirectoryError(f"{raw['id']}: " + "; ".join(problems))
    return found


def _deployment(raw: dict[str, Any]) -> Deployment:
    territories, default_territory = _territories(raw.get("territories") or [])
    values = _template_values(raw)
    rules = tuple(
        sorted(
            (
                RoutingRule(
                    id=r["id"],
                    priority=int(r.get("priority", 50)),
                    when=dict(r.get("when") or {}),
                    route_to=r.get("route_to"),
                    urgency=r.get("urgency"),
                    show_emergency=tuple(r.get("show_emergency") or ()),
                    suggest=tuple(r.get("suggest") or ()),
                    also_route_to_if=r.get("also_route_to_if"),
                    variant=r.get("variant"),
                )
                for r in raw.get("routing_rules") or []
            ),
            key=lambda rule: rule.priority,
        )
    )
    deployment = Deployment(
        id=raw["id"],
        name=raw["name"],
        default_route=raw["default_route"],
        roles={r["id"]: r["organisation"] for r in raw.get("roles") or []},
        organisations=_organisations(raw),
        territories=territories,
        default_territory=default_territory,
        places={
            p["id"]: Place(
                p["id"],
                p["name"],
                _address(p),
                p.get("territory"),
                p.get("phone"),
                has_street=bool((p.get("address") or {}).get("street")),
            )
            for p in raw.get("places") or []
        },
        permanences=tuple(
            p for p in (_permanence(x) for x in raw.get("permanences") or []) if p is not None
        ),
        services={s["id"]: Service(s["id"], s["name"], s) for s in raw.get("services") or []},
        rules=rules,
        emergency_contacts={
            c["id"]: EmergencyContact(c["id"], str(c["number"]), c["label_en"], tuple(c["signals"]))
            for c in raw.get("emergency_contacts") or []
        },
        openings=_openings(raw),
        advice_cards=tuple(
            AdviceCard(dict(c.get("when") or {}), tuple(c.get("show") or ()))
            for c in raw.get("advice_cards") or []
        ),
        template_values={k: v for k, (v, _) in values.items()},
        qpv_neighbourhoods=tuple(str(n["name"]) for n in raw.get("qpv_neighbourhoods") or []),
        role_labels={r["id"]: str(r.get("label_en") or r["id"]) for r in raw.get("roles") or []},
        territory_names={
            t["id"]: str(t.get("name") or t["id"]) for t in raw.get("territories") or []
        },
    )
    _check(deployment)
    return deployment


def _check(deployment: Deployment) -> None:
    problems = []
    for rule in deployment.rules:
        if rule.route_to and rule.route_to not in deployment.roles:
            problems.append(f"rule {rule.id}: unknown role {rule.route_to}")
        also = rule.also_route_to_if or {}
        also_role = also.get("role") or also.get("route_to")
        if also and also_role not in deployment.roles:
            problems.append(f"rule {rule.id}: also_route_to_if names unknown role {also_role}")
        problems += [
            f"rule {rule.id}: unknown emergency contact {c}"
            for c in rule.show_emergency
            if c not in deployment.emergency_contacts
        ]
    for permanence in deployment.permanences:
        if permanence.place not in deployment.places:
            problems.append(f"permanence {permanence.id}: unknown place {permanence.place}")
    problems += [
        f"organisation {org.id}: notify.webhook {problem}"
        for org in deployment.organisations.values()
        if org.notify_webhook is not None
        and (problem := webhook_problem(org.notify_webhook)) is not None
    ]
    problems += [
        f"advice_cards: unknown service {service}"
        for card in deployment.advice_cards
        for service in card.show
        if service not in deployment.services
    ]
    problems += placeholder_problems(deployment)
    if deployment.default_route not in deployment.roles:
        problems.append(f"default_route {deployment.default_route} is not a role")
    if problems:
        raise DirectoryError(f"{deployment.id}: " + "; ".join(problems))


def load_directory(path: Path = DEFAULT_DIRECTORY, deployment_id: str | None = None) -> Deployment:
    """Load one deployment (the first one when no id is given) from a directory file."""
    try:
        return parse_directory(path.read_text(encoding="utf-8"), deployment_id)
    except DirectoryError as error:
        raise DirectoryError(one_line(f"{path.name}: {error}")) from None


def parse_directory(text: str, deployment_id: str | None = None) -> Deployment:
    """Parse and check a directory document; DirectoryError says what is wrong, on one
    line (directory_checks.py: depth, aliases, webhooks, placeholders)."""
    try:
        problem = shape_problem(text)
        if problem is not None:
            raise DirectoryError(f"not a services directory: {problem}")
        data = yaml.safe_load(text)
        deployments = data.get("deployments") or []
    except (yaml.YAMLError, AttributeError, RecursionError) as error:
        raise DirectoryError(one_line(f"not a services directory: {error}")) from None
    try:
        for raw in deployments:
            if deployment_id in (None, raw["id"]):
                return _deployment(raw)
        known = ", ".join(str(d["id"]) for d in deployments)
    except DirectoryError as error:
        raise DirectoryError(one_line(str(error))) from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        raise DirectoryError(one_line(f"malformed services directory: {error!r}")) from None
    raise DirectoryError(one_line(f"deployment {deployment_id!r} not found (known: {known})"))
