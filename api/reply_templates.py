"""Quick replies a conseiller can send, delivered in the young person's language."""

from __future__ import annotations

from typing import Final

from conversations.i18n import N_

TEMPLATES: Final[dict[str, str]] = {
    "appointment_confirmed": N_("Your appointment is confirmed. See you soon!"),
    "bring_papers": N_(
        "Please bring your ID or residence permit if you have one, and any letters from the "
        "CAF, your landlord or France Travail. No papers? Come anyway."
    ),
    "call_us": N_("Please call us at {phone}, or answer here."),
    "we_tried": N_("We tried to reach you. Write to us here when you can."),
}
HEADER: Final = N_("Message from your adviser ({name}):")
REPLY_LABEL: Final = N_("✍ Reply")
