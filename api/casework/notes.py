"""Notes on a referral, and messages with the young person through their channel.

A reply is written to the person's outbox in the same transaction as its record on the
referral; their channel delivers it. Quick replies are translated into the person's
language; free text goes as written, under a translated header naming the writer. The
first reply is the first contact, and takes a new referral for the writer.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.casework.caller import Caller, audit
from api.casework.errors import Conflict
from api.casework.referrals import visible_referral
from api.reply_templates import HEADER, REPLY_LABEL, TEMPLATES, written_wording
from conversations.engine import Engine
from conversations.i18n import DEFAULT_LANGUAGE
from conversations.text_hygiene import clean_text
from storage import ConversationRepository, Database, OutboxRepository, TokenRepository
from storage.models import Referral, ReferralMessage, ReferralNote
from storage.notes import MessageRepository, NoteRepository
from storage.referrals import ReferralRepository
from storage.types import utcnow


class NoteService:
    def __init__(self, db: Database, who: Caller, engine: Engine) -> None:
        self._db, self._who, self._engine = db, who, engine

    async def add_note(self, referral_id: int, body: str) -> ReferralNote:
        async with self._db.transaction() as session:
            referral = await visible_referral(session, self._who, referral_id)
            note = await NoteRepository(session).add(referral.id, self._who.token_id, body)
            await audit(session, self._who, "note", "referral", referral.id)
        return note

    async def notes(self, referral_id: int) -> list[ReferralNote]:
        async with self._db.transaction() as session:
            referral = await visible_referral(session, self._who, referral_id)
            await audit(session, self._who, "read_notes", "referral", referral.id)
            return await NoteRepository(session).of(referral.id)

    async def messages(self, referral_id: int) -> list[ReferralMessage]:
        async with self._db.transaction() as session:
            referral = await visible_referral(session, self._who, referral_id)
            await audit(session, self._who, "read_messages", "referral", referral.id)
            return await MessageRepository(session).of(referral.id)

    async def reply(
        self, referral_id: int, *, template: str | None = None, text: str = ""
    ) -> ReferralMessage:
        """Send the person a quick reply (`template`) or free `text`, in their channel."""
        async with self._db.transaction() as session:
            referral = await visible_referral(session, self._who, referral_id)
            conversation = (
                await ConversationRepository(session).get(referral.conversation_id)
                if referral.conversation_id
                else None
            )
            if conversation is None:
                raise Conflict("the person's conversation is gone")
            lang = conversation.lang or DEFAULT_LANGUAGE
            catalogs = self._engine.catalogs
            if template in TEMPLATES:
                said = self._quick_reply(referral, template, lang)
            elif template is not None:
                said = await written_wording(session, template, lang)
            else:
                said = f"{await self._header(session, lang)}\n{text}"
            button = {
                "label": catalogs.gettext(lang, REPLY_LABEL),
                "payload": f"nav.reply.{referral.id}",
            }
            await OutboxRepository(session).add(
                conversation.id,
                conversation.channel,
                {"text": said, "buttons": [button], "urgent": False},
            )
            message = await MessageRepository(session).add_to_person(
                referral.id, self._who.token_id, template, template or text
            )
            await ReferralRepository(session).touch_first_contact(referral.id, utcnow())
            if referral.status == "new":
                referral.status, referral.assigned_to = "claimed", self._who.token_id
                referral.claimed_at = utcnow()
            await audit(session, self._who, "reply", "referral", referral.id)
        return message

    def _quick_reply(self, referral: Referral, template: str, lang: str) -> str:
        organisation = self._engine.deployment.organisations.get(referral.structure or "")
        phone = organisation.phone if organisation and organisation.phone else ""
        wording = self._engine.catalogs.gettext(lang, TEMPLATES[template])
        return wording.format(phone=f"\u2068{phone}\u2069")

    async def _header(self, session: AsyncSession, lang: str) -> str:
        author = await TokenRepository(session).get(self._who.token_id)
        # Cleaned again: a name stored before names were cleaned at the edge.
        writer = clean_text(author.name if author and author.name else "Mission Locale")[:60]
        return self._engine.catalogs.gettext(lang, HEADER).format(name=writer)
