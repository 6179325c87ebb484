"""Long polling with getUpdates, confirming an update only after it is stored.

The offset sent to Telegram is what confirms updates, so it moves past an update only
once `UpdateHandler.handle` has committed it. If storing fails, the same batch is asked
for again after a pause; an update that fails `max_failures` times in a row is logged and
skipped, so that one poisonous update cannot stop the channel. While the database is
unavailable nothing counts as a failure and nothing is skipped: the poller waits, with a
pause doubling up to a minute, and the same updates are handled once it is back.
Duplicates are caught by the inbox (unique update_id), never by comparing ids.

With several instances, only the holder of the bot's lease polls (Telegram allows one
getUpdates at a time per bot); the others stand by and check every second. When the
holder dies its lease runs out (10 s) and another instance starts polling from
Telegram's last confirmed offset: updates the dead one stored but had not confirmed yet
come again and are recognised by the inbox.
"""

from __future__ import annotations

import asyncio
import logging

from bot.telegram.client import BotClient, TelegramError
from bot.telegram.inbound import UpdateHandler
from storage.availability import database_unavailable
from storage.leases import Lease

log = logging.getLogger(__name__)
MAX_PAUSE_SECONDS = 60.0


class Poller:
    def __init__(
        self,
        client: BotClient,
        handler: UpdateHandler,
        *,
        timeout: int = 25,
        retry_seconds: float = 1.0,
        max_failures: int = 5,
        lease: Lease | None = None,
        standby_seconds: float = 1.0,
    ) -> None:
        self._client = client
        self._handler = handler
        self._timeout = timeout
        self._retry = retry_seconds
        self._max_failures = max_failures
        self._failures: dict[int, int] = {}
        self.offset: int | None = None
        self._pause = retry_seconds
        self._lease = lease
        self._standby = standby_seconds
        self.polls = 0  # getUpdates calls made by this instance

    async def run(self) -> None:
        while True:
            if self._lease is not None and not self._lease.held:
                # Another instance polls; whoever polls next starts from Telegram's offset.
                self.offset = None
                await asyncio.sleep(self._standby)
                continue
            self.polls += 1
            try:
                updates = await self._client.get_updates(self.offset, self._timeout)
            except TelegramError as exc:
                log.warning("telegram polling: getUpdates failed: %s", exc)
                await asyncio.sleep(self._retry)
                continue
            if not await self.process(updates):
                await asyncio.sleep(self._pause)
                self._pause = min(self._pause * 2, MAX_PAUSE_SECONDS)
            else:
                self._pause = self._retry

    async def process(self, updates: list[dict[str, object]]) -> bool:
        """Handle a batch in order; False if one could not be stored (offset stays before it)."""
        for update in updates:
            update_id = int(str(update["update_id"]))
            try:
                await self._handler.handle(update)
            except Exception as error:
                if database_unavailable(error):
                    log.warning("telegram polling: database unavailable, %s waits", update_id)
                    return False
                failures = self._failures.get(update_id, 0) + 1
                self._failures[update_id] = failures
                if failures < self._max_failures:
                    log.exception("telegram polling: update %s not stored, will retry", update_id)
                    return False
                log.error(
                    "telegram polling: update %s skipped after %s failures", update_id, failures
                )
            self._failures.pop(update_id, None)
            self.offset = update_id + 1
        return True
