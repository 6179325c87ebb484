"""Codes made readable for conseillers: every triage fact and answer, structure and queue
names, suggested services as cards and the person's language, in French.

The API keeps its codes; the inbox and the CSV export show what this module makes of
them. A flow answer is shown with the label of the choice the person tapped (its msgid,
translated by the French catalog); the facts no flow asks (signals, flags, topics) and the
fact names have one mapping here; statuses, urgencies, themes, reasons and outcomes share
the inbox's own value labels (`api/inbox/strings.py`). Names come from the directory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from api.inbox.strings import INBOX_STRINGS
from conversations.directory import Deployment, Service
from conversations.flows import Flows
from conversations.formatting import weekday_name
from conversations.i18n import DEFAULT_LANGUAGE, N_, Catalogs

STAFF_LANGUAGE: Final = DEFAULT_LANGUAGE
# Languages a French-speaking conseiller's free reply can be read in.
READS_FRENCH: Final = frozenset({"fr", "fr_FALC"})

FACT_NAMES: Final[dict[str, str]] = {
    "age_band": N_("Age"),
    "channel": N_("Channel"),
    "source": N_("Came through"),
    "aid_need": N_("Aid needed"),
    "ase_history": N_("Child welfare (ASE)"),
    "care_end": N_("End of care"),
    "commune": N_("Town"),
    "flags": N_("Situations"),
    "followed_by": N_("Already followed by"),
    "gender": N_("Gender"),
    "housing_problem": N_("Housing problem"),
    "housing_situation": N_("Where they sleep"),
    "interpreter": N_("Interpreter"),
    "justice": N_("Justice follow-up"),
    "known_to_ml": N_("Already came to the Mission Locale"),
    "neighbourhood": N_("Neighbourhood"),
    "reason": N_("Reason given"),
    "resources_band": N_("Monthly resources"),
    "rqth": N_("Disability recognition (RQTH)"),
    "signal": N_("Emergency signals"),
    "status": N_("Residence status"),
    "statuses": N_("Statuses"),
    "territory": N_("Territory"),
    "topic": N_("Topic"),
    "work_situation": N_("Current activity"),
    "young_child_alone": N_("Alone with a young child"),
}
SIGNALS: Final[dict[str, str]] = {
    "homeless_tonight": N_("No safe place to sleep tonight"),
    "violence_against_women": N_("Violence against a woman"),
    "minor_in_danger": N_("Minor in danger"),
    "suicidal_distress": N_("Suicidal distress"),
    "medical_emergency": N_("Medical emergency"),
    "no_food_today": N_("Nothing to eat today"),
    "eviction_imminent": N_("Eviction imminent"),
    "energy_cut_off": N_("Energy or water cut off"),
    "leaving_care_no_solution": N_("Leaving care with no solution"),
}
FLAGS: Final[dict[str, str]] = {
    "rqth": N_("Disability recognised (RQTH)"),
    "justice_spip": N_("Followed by the SPIP"),
    "justice_pjj": N_("Followed by the PJJ"),
    "lone_parent": N_("Lone parent"),
    "child_under_3": N_("Child under 3"),
    "qpv_resident": N_("Lives in a priority neighbourhood (QPV)"),
    "in_school": N_("At school"),
}
TOPICS: Final[dict[str, str]] = {
    "housing": N_("Housing"),
    "cej": N_("CEJ (youth commitment contract)"),
    "aid_funds": N_("Money and financial aid"),
    "appointment": N_("Appointment"),
    "health": N_("Health"),
    "mental_health": N_("Mental health and wellbeing"),
    "legal_rights": N_("Rights and legal information"),
    "childcare": N_("Childcare"),
    "mobility": N_("Mobility and transport"),
    "language_fle": N_("Learning French"),
    "refugees_bpi": N_("Newcomers, refugees and asylum"),
    "justice": N_("Justice follow-up"),
    "disability": N_("Disability"),
    "discrimination": N_("Discrimination"),
    "training": N_("Training and orientation"),
    "employment": N_("Work and employment"),
    "emergency": N_("Emergency"),
    "general": N_("General"),
}
STATUSES: Final[dict[str, str]] = {
    "minor": N_("Minor"),
    "bpi": N_("Beneficiary of international protection (BPI)"),
    "formerly_ase": N_("Formerly in child welfare (ASE)"),
}
# Each shipped language in French, and how it is written.
LANGUAGES: Final[dict[str, tuple[str, str]]] = {
    "fr": (N_("French"), N_("Latin alphabet")),
    "fr_FALC": (N_("Easy-to-read French"), N_("Latin alphabet")),
    "en": (N_("English"), N_("Latin alphabet")),
    "ar": (N_("Arabic"), N_("Arabic script, right to left")),
    "fa_AF": (N_("Dari"), N_("Arabic script, right to left")),
    "ps": (N_("Pashto"), N_("Arabic script, right to left")),
    "uk": (N_("Ukrainian"), N_("Cyrillic alphabet")),
    "ru": (N_("Russian"), N_("Cyrillic alphabet")),
    "ti": (N_("Tigrinya"), N_("Ge'ez script")),
    "bn": (N_("Bengali"), N_("Bengali script")),
    "tr": (N_("Turkish"), N_("Latin alphabet")),
}
CHANNELS: Final[dict[str, str]] = {"web": N_("Web chat"), "telegram": N_("Telegram")}
# Answers every question may get, whether or not its choices are in a flow file.
GENERIC_ANSWERS: Final[dict[str, str]] = {
    "not_said": N_("I'd rather not say"),
    "other": N_("Other"),
}
UNKNOWN: Final = N_("Not known")
# Facts that only repeat something shown elsewhere, or are empty.
_HIDDEN_EMPTY: Final = ("", None, [], {})
_MAX_OPENINGS: Final = 4


@dataclass(frozen=True)
class LanguageLabel:
    name: str
    native: str
    script: str
    direction: str
    reads_french: bool


@dataclass(frozen=True)
class ServiceCard:
    name: str
    summary: str | None = None
    phone: str | None = None
    addresses: list[str] = field(default_factory=list)
    hours: list[str] = field(default_factory=list)


def choice_labels(flows: Flows) -> dict[tuple[str, str], str]:
    """(fact, saved value) -> the msgid of the choice that saves it, first found."""
    found: dict[tuple[str, str], str] = {}
    for flow in flows.flows.values():
        for step in flow.steps.values():
            if not step.save:
                continue
            for choice in step.choices:
                found.setdefault((step.save, choice.id), choice.label)
            for choice in step.choices:
                found.setdefault((step.save, choice.value), choice.label)
    return found


class CaseLabels:
    """Readable French for one deployment's codes."""

    def __init__(
        self,
        catalogs: Catalogs,
        flows: Flows,
        deployment: Deployment,
        lang: str = STAFF_LANGUAGE,
    ) -> None:
        self._catalogs, self._deployment, self._lang = catalogs, deployment, lang
        self._choices = choice_labels(flows)

    def t(self, msgid: str) -> str:
        return self._catalogs.gettext(self._lang, msgid)

    def value(self, kind: str, code: str | None) -> str:
        """A status, urgency, theme, reason or outcome, as the inbox names it."""
        if code is None:
            return ""
        msgid = INBOX_STRINGS.get(f"{kind}.{code}")
        if msgid is None and kind == "theme":
            msgid = TOPICS.get(code)
        return self.t(msgid) if msgid else _humane(code)

    def fact_name(self, name: str) -> str:
        return self.t(FACT_NAMES[name]) if name in FACT_NAMES else _humane(name)

    def fact_value(self, name: str, value: Any) -> str:
        if isinstance(value, list | tuple):
            return ", ".join(self.fact_value(name, v) for v in value)
        if isinstance(value, bool):
            return self.t(N_("Yes") if value else N_("No"))
        code = str(value)
        fixed = {
            "signal": SIGNALS,
            "signals": SIGNALS,
            "flags": FLAGS,
            "topic": TOPICS,
            "statuses": STATUSES,
        }.get(name)
        if fixed is not None:
            return self.t(fixed[code]) if code in fixed else _humane(code)
        if name == "territory":
            return self._deployment.territory_names.get(code, _humane(code))
        if name == "channel":
            return self.t(CHANNELS[code]) if code in CHANNELS else _humane(code)
        if name == "source":
            place = self._deployment.places.get(code)
            return place.name if place else _humane(code)
        msgid = self._choices.get((name, code)) or GENERIC_ANSWERS.get(code)
        # Free answers (a town, a neighbourhood's name) are shown as the person gave them.
        return self.t(msgid) if msgid else code

    def facts(self, facts: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(label, value) of every fact that holds something."""
        return [
            (self.fact_name(name), self.fact_value(name, value))
            for name, value in facts.items()
            if value not in _HIDDEN_EMPTY
        ]

    def structure(self, organisation_id: str | None) -> str:
        if not organisation_id:
            return self.t(UNKNOWN)
        organisation = self._deployment.organisations.get(organisation_id)
        return organisation.name if organisation else _humane(organisation_id)

    def queue(self, role: str | None) -> str:
        if not role:
            return self.t(UNKNOWN)
        label = self._deployment.role_labels.get(role)
        return self.t(label) if label else _humane(role)

    def language(self, code: str) -> LanguageLabel:
        name, script = LANGUAGES.get(code, (UNKNOWN, UNKNOWN))
        native = next((x.name for x in self._catalogs.languages if x.code == code), "")
        return LanguageLabel(
            name=self.t(name),
            native=native,
            script=self.t(script),
            direction=self._catalogs.direction(code),
            reads_french=code in READS_FRENCH,
        )

    def service_cards(self, service_ids: Iterable[str]) -> list[ServiceCard]:
        """Cards of the suggested services the directory knows, in order, once each."""
        services = self._deployment.services
        return [self._card(services[s]) for s in dict.fromkeys(service_ids) if s in services]

    def _card(self, service: Service) -> ServiceCard:
        summary = service.raw.get("summary")
        return ServiceCard(
            name=service.name,
            summary=self.t(str(summary)) if summary else None,
            phone=self._phone(service),
            addresses=self._addresses(service),
            hours=self._hours(service),
        )

    def _places(self, service: Service) -> list[str]:
        listed = [str(p) for p in service.raw.get("places") or []]
        listed += [o.place for o in self._deployment.openings.get(service.id, ()) if o.place]
        return list(dict.fromkeys(listed))

    def _addresses(self, service: Service) -> list[str]:
        places = (self._deployment.places.get(p) for p in self._places(service))
        return [f"{p.name} : {p.address}" for p in places if p is not None and p.address]

    def _phone(self, service: Service) -> str | None:
        if service.raw.get("phone"):
            return str(service.raw["phone"])
        for place_id in self._places(service):
            place = self._deployment.places.get(place_id)
            if place is not None and place.phone:
                return place.phone
        organisation = self._deployment.organisations.get(str(service.raw.get("organisation")))
        return organisation.phone if organisation is not None else None

    def _hours(self, service: Service) -> list[str]:
        lines = []
        for opening in self._deployment.openings.get(service.id, ())[:_MAX_OPENINGS]:
            days = ", ".join(weekday_name(day, self._lang) for day in opening.weekdays)
            hours = f" {opening.start}–{opening.end}" if opening.start and opening.end else ""
            place = self._deployment.places.get(opening.place) if opening.place else None
            lines.append(f"{place.name} : {days}{hours}" if place else f"{days}{hours}")
        return lines


def _humane(code: str) -> str:
    """Last resort for a code no mapping knows: words, not an identifier."""
    words = code.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]
