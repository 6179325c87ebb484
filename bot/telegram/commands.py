"""The command menu shown by Telegram clients, set per language with setMyCommands.

Descriptions are msgids of the gettext catalogs, translated for each shipped language
(`language_code`), plus a default list in French for every other language. Labels the
engine already shows on its buttons are reused; the others are marked with N_ so that
`make catalogs` extracts them.
"""

from __future__ import annotations

import logging
from typing import Final

from bot.telegram.client import BotClient, Command, TelegramError
from conversations.i18n import DEFAULT_LANGUAGE, N_, Catalogs
from conversations.turn import NAV_LABELS

log = logging.getLogger(__name__)

COMMANDS: Final = (
    ("sos", NAV_LABELS["danger"]),
    ("start", N_("Start again")),
    ("menu", NAV_LABELS["menu"]),
    ("language", NAV_LABELS["language"]),
    ("human", NAV_LABELS["human"]),
    ("voice", NAV_LABELS["voice"]),
    ("mydata", N_("See the data kept about me")),
    ("forget", N_("Erase my data")),
    ("help", N_("Help")),
)


def commands_for(catalogs: Catalogs, lang: str) -> list[Command]:
    return [Command(name, catalogs.gettext(lang, msgid)[:256]) for name, msgid in COMMANDS]


async def publish_commands(client: BotClient, catalogs: Catalogs) -> None:
    """Set the menu for each shipped language, then the French default; never fatal."""
    targets: list[tuple[str, str | None]] = [(code, code) for code in catalogs.codes]
    targets.append((DEFAULT_LANGUAGE, None))
    for lang, language_code in targets:
        try:
            await client.set_my_commands(commands_for(catalogs, lang), language_code)
        except TelegramError as exc:
            log.warning("telegram: setMyCommands(%s) failed: %s", language_code, exc)
