"""Reply template repository: the quick replies admins write, a wording per language."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ReplyTemplate
from storage.types import utcnow


class ReplyTemplateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def all(self) -> list[ReplyTemplate]:
        stmt = select(ReplyTemplate).order_by(ReplyTemplate.key)
        return [*(await self._session.scalars(stmt)).all()]

    async def get(self, key: str) -> ReplyTemplate | None:
        return await self._session.get(ReplyTemplate, key)

    async def put(self, key: str, title: str, texts: dict[str, str]) -> tuple[ReplyTemplate, bool]:
        """Create or replace a template; True when it is new."""
        template = await self.get(key)
        created = template is None
        if template is None:
            template = ReplyTemplate(key=key, title=title, texts=dict(texts))
            self._session.add(template)
        else:
            template.title, template.texts, template.updated_at = title, dict(texts), utcnow()
        await self._session.flush()
        return template, created

    async def remove(self, key: str) -> bool:
        template = await self.get(key)
        if template is None:
            return False
        await self._session.delete(template)
        await self._session.flush()
        return True
