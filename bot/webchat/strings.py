"""The sentences of the chat page itself (labels, kiosk screens), as catalog msgids.

The page never hard-codes a sentence: it asks `GET /webchat/ui?lang=xx` for these,
translated into the conversation's language. Keys are what the page's `data-t`
attributes name.
"""

from __future__ import annotations

from typing import Final

from conversations.i18n import N_
from conversations.turn import NAV_LABELS
from conversations.voice import NO_VOICE

CHAT_STRINGS: Final[dict[str, str]] = {
    "page_title": N_("Relais: housing, work, money, appointments"),
    "log_label": N_("Conversation"),
    "choices": N_("Choices"),
    "input_label": N_("Your message"),
    "input_placeholder": N_("Write your message…"),
    "send": N_("Send"),
    "language": N_("Language"),
    "urgent": N_("Urgent"),
    "you_said": N_("You said:"),
    "calendar": N_("Add to my calendar"),
    "offline": N_("No connection. Your message was not sent: please try again."),
    "unavailable": N_(
        "Sorry, I cannot answer right now. Your message was not sent: please try again in a moment."
    ),
    "kiosk_welcome": N_(
        "Hello! A question about housing, work, money or an appointment? "
        "Tap Start to chat in your language."
    ),
    "kiosk_start": N_("Start"),
    "kiosk_finish": N_("Finish"),
    "kiosk_finish_confirm": N_("Finish and clear the screen for the next person?"),
    "kiosk_finish_yes": N_("Yes, finish"),
    "kiosk_finish_no": N_("Keep chatting"),
    "kiosk_thanks": N_("Thank you! Everything is cleared from this screen."),
    # The bus team's counter of young people met (issue 18): a tap per person, no data.
    "kiosk_met": N_("+1 young person met"),
    "kiosk_met_today": N_("Met today:"),
    # Speech (issue 19): a listen button on each message, the "read aloud" setting.
    "listen": N_("Listen to this message"),
    "read_aloud": N_("Read every message aloud"),
    "audio_failed": N_("Sorry, this message cannot be read aloud right now."),
    "no_voice": NO_VOICE,
    "talk_to_person": NAV_LABELS["human"],
}
