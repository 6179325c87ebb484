"""Quick replies a conseiller can send, delivered in the young person's language.

Four are fixed and translated by the catalogs (`TEMPLATES`); admins write more, a wording
per shipped language (`storage.reply_templates`). One without a wording in the person's
language is refused, never sent in another language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from api.casework.caller import Caller, audit
from api.casework.errors import Conflict, NotFound
from conversations.i18n import N_, Catalogs
from storage import Database
from storage.reply_templates import ReplyTemplateRepository

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


@dataclass(frozen=True)
class TemplateView:
    """A template as the inbox lists it: fixed ones are the catalogs' translations."""

    key: str
    title: str
    fixed: bool
    texts: dict[str, str]


async def written_wording(session: AsyncSession, key: str, lang: str) -> str:
    """The wording of an admin's template in the person's language; never another one."""
    template = await ReplyTemplateRepository(session).get(key)
    if template is None:
        raise NotFound("reply template not found")
    wording = template.texts.get(lang, "").strip()
    if not wording:
        raise Conflict(f"this reply template has no translation in the person's language ({lang})")
    return wording


class TemplateService:
    """Admins write, replace and delete templates; everyone signed in reads them."""

    def __init__(self, db: Database, who: Caller, catalogs: Catalogs) -> None:
        self._db, self._who, self._catalogs = db, who, catalogs

    async def all(self) -> list[TemplateView]:
        fixed = [
            TemplateView(
                key, key, True, {c: self._catalogs.gettext(c, msgid) for c in self._catalogs.codes}
            )
            for key, msgid in TEMPLATES.items()
        ]
        async with self._db.transaction() as session:
            written = await ReplyTemplateRepository(session).all()
        return fixed + [TemplateView(t.key, t.title, False, dict(t.texts)) for t in written]

    def unknown_languages(self, texts: dict[str, str]) -> list[str]:
        return sorted(set(texts) - set(self._catalogs.codes))

    async def put(self, key: str, title: str, texts: dict[str, str]) -> tuple[TemplateView, bool]:
        self._who.require_admin()
        if key in TEMPLATES:
            raise Conflict("a fixed template cannot be changed")
        kept = {lang: text for lang, text in texts.items() if text.strip()}
        async with self._db.transaction() as session:
            template, created = await ReplyTemplateRepository(session).put(key, title, kept)
            action = "create" if created else "update"
            await audit(session, self._who, action, "reply_template", None, key=key)
            view = TemplateView(template.key, template.title, False, dict(template.texts))
        return view, created

    async def delete(self, key: str) -> None:
        self._who.require_admin()
        if key in TEMPLATES:
            raise Conflict("a fixed template cannot be deleted")
        async with self._db.transaction() as session:
            if not await ReplyTemplateRepository(session).remove(key):
                raise NotFound("reply template not found")
            await audit(session, self._who, "delete", "reply_template", None, key=key)
