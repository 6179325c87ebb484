"""A service of the deployment's directory as a card a person can act on: its name, what
it does, where, when, its phone, how to go, and whether an interpreter can be there.

Every line comes from the directory of the current deployment; a line without data is
left out, never filled with a placeholder. A service the deployment lacks has no card.
Web chat turns the 📞 and 📍 lines into tap-to-call and map links (bot/webchat).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from conversations.directory import Deployment, Opening, Service
from conversations.formatting import weekday_name
from conversations.i18n import N_

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder

PHONE: Final = "📞"
ADDRESS: Final = "📍"
MAX_PLACES: Final = 3
MAX_OPENINGS: Final = 4
# Unicode isolates keep numbers and times left-to-right inside right-to-left text.
ISOLATE: Final = "\u2068{}\u2069"

ACCESS: Final[dict[str, str]] = {
    "appointment": N_("How to go: by appointment."),
    "appointment_or_drop_in": N_("How to go: come without an appointment, or book one."),
    "direct": N_("How to go: you can go there directly, no appointment needed."),
    "outreach": N_("How to go: the team comes to where young people are."),
    "via_role": N_("How to go: an adviser puts you in touch."),
    "via_siao": N_("How to go: through the 115 (SIAO)."),
    "via_ofii": N_("How to go: through the OFII."),
    "via_ase_referent": N_("How to go: through your child welfare (ASE) referent."),
    "via_social_worker": N_("How to go: a social worker makes the request with you."),
    "via_professional": N_("How to go: a professional who follows you makes the request."),
    "departmental_commission": N_(
        "How to go: an adviser prepares the request with you; a committee decides."
    ),
    "orientation_form": N_("How to go: a partner sends an orientation form, or ask on site."),
    "pre_admission": N_("How to go: after a first interview to check it fits you."),
}
INTERPRETER: Final = N_("An interpreter can be there.")
MONTHLY: Final = N_("once a month")
FORTNIGHTLY: Final = N_("every two weeks")


def _places(deployment: Deployment, service: Service) -> list[str]:
    """Place ids of the service: its own list, then those of its openings."""
    listed = [str(p) for p in service.raw.get("places") or []]
    listed += [o.place for o in deployment.openings.get(service.id, ()) if o.place]
    return list(dict.fromkeys(listed))


def _address_lines(turn: TurnBuilder, deployment: Deployment, service: Service) -> list[str]:
    lines = []
    for place_id in _places(deployment, service):
        place = deployment.places.get(place_id)
        if place is not None and place.has_street and place.address:
            lines.append(f"{ADDRESS} {turn.t(place.name)}: {ISOLATE.format(place.address)}")
    return lines[:MAX_PLACES]


def _opening_line(turn: TurnBuilder, deployment: Deployment, opening: Opening) -> str:
    days = ", ".join(weekday_name(day, turn.lang) for day in opening.weekdays)
    parts = [days]
    if opening.start and opening.end:
        parts.append(ISOLATE.format(f"{opening.start}–{opening.end}"))
    if opening.recurrence == "monthly":
        parts.append(f"({turn.t(MONTHLY)})")
    elif opening.recurrence == "fortnightly":
        parts.append(f"({turn.t(FORTNIGHTLY)})")
    place = deployment.places.get(opening.place) if opening.place else None
    where = f"{turn.t(place.name)}: " if place is not None else ""
    return f"🕒 {where}{' '.join(parts)}"


def _phone(deployment: Deployment, service: Service) -> str | None:
    if service.raw.get("phone"):
        return str(service.raw["phone"])
    for place_id in _places(deployment, service):
        place = deployment.places.get(place_id)
        if place is not None and place.phone:
            return place.phone
    organisation = deployment.organisations.get(str(service.raw.get("organisation")))
    return organisation.phone if organisation is not None else None


def service_card(turn: TurnBuilder, service_id: str) -> str | None:
    """The card of one service of the current deployment; None if it has no such service."""
    deployment = turn.engine.deployment
    service = deployment.services.get(service_id)
    if service is None:
        return None
    lines = [f"🏢 {turn.t(service.name)}"]
    summary = service.raw.get("summary")
    if summary:
        lines.append(turn.t(str(summary)))
    lines += _address_lines(turn, deployment, service)
    openings = deployment.openings.get(service.id, ())[:MAX_OPENINGS]
    lines += [_opening_line(turn, deployment, o) for o in openings]
    phone = _phone(deployment, service)
    if phone:
        lines.append(f"{PHONE} {ISOLATE.format(phone)}")
    mode = (service.raw.get("access") or {}).get("mode")
    if mode in ACCESS:
        lines.append(turn.t(ACCESS[mode]))
    if service.raw.get("interpreter") is True:
        lines.append(turn.t(INTERPRETER))
    return "\n".join(lines)


def service_cards(turn: TurnBuilder, service_ids: Iterable[str]) -> list[str]:
    """Cards of the services the current deployment has, in order, without twins."""
    cards = (service_card(turn, s) for s in dict.fromkeys(service_ids))
    return [card for card in cards if card is not None]


def emergency_lines(turn: TurnBuilder, contact_ids: Iterable[str]) -> list[str]:
    """'📞 115 — Emergency shelter' lines for the deployment's emergency contacts."""
    contacts = turn.engine.deployment.emergency_contacts
    return [
        f"{PHONE} {ISOLATE.format(contacts[c].number)} — {turn.t(contacts[c].label)}"
        for c in dict.fromkeys(contact_ids)
        if c in contacts
    ]
