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

from conversations.directory_checks import one_line, shape_problem, webhook_problem

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
class RoutingRule:
    id: str
    priority: int
    when: dict[str, Any]
    route_to: str | None
    urgency: str | None
    show_emergency: tuple[str, ...]
    suggest: tuple[str, ...]
    also_route_to_if: dict[str, Any] | None = None


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


def _deployment(raw: dict[str, Any]) -> Deployment:
    territories, default_territory = _territories(raw.get("territories") or [])
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
            p["id"]: Place(p["id"], p["name"], _address(p), p.get("territory"), p.get("phone"))
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
    )
    _check(deployment)
    return deployment


def _check(deployment: Deployment) -> None:
    problems = []
    for rule in deployment.rules:
        if rule.route_to and rule.route_to not in deployment.roles:
            problems.append(f"rule {rule.id}: unknown role {rule.route_to}")
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
    if deployment.default_route not in deployment.roles:
        problems.append(f"default_route {deployment.default_route} is not a role")
    if problems:
        raise DirectoryError(f"{deployment.id}: " + "; ".join(problems))


def load_directory(path: Path = DEFAULT_DIRECTORY, deployment_id: str | None = None) -> Deployment:
    """Load one deployment (the first one when no id is given) from a directory file."""
    return parse_directory(path.read_text(encoding="utf-8"), deployment_id)


def parse_directory(text: str, deployment_id: str | None = None) -> Deployment:
    """Parse and check a directory document; DirectoryError says what is wrong, on one
    line (directory_checks.py: depth, aliases, webhooks)."""
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
