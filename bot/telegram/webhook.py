"""POST /telegram/webhook: Telegram's webhook, answered only once the update is stored.

The X-Telegram-Bot-Api-Secret-Token header is checked first (missing → 401, wrong → 403)
and nothing is read or written before that. The update is then validated by the
library, stored and processed inside the request; a failure answers 503 (database
unavailable) or 500 so Telegram delivers it again, and the inbox makes the redelivery
harmless.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, Response, status

from bot.telegram.channel import TelegramChannel
from storage.availability import RETRY_AFTER_SECONDS, database_unavailable

log = logging.getLogger(__name__)
router = APIRouter(prefix="/telegram", tags=["telegram"])
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _channel(request: Request) -> TelegramChannel:
    channel: TelegramChannel | None = getattr(request.app.state.services, "telegram", None)
    if channel is None or channel.mode != "webhook":
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Telegram webhook is not enabled")
    return channel


@router.post("/webhook", include_in_schema=False)
async def webhook(
    request: Request,
    secret: Annotated[str | None, Header(alias=SECRET_HEADER)] = None,
) -> Response:
    channel = _channel(request)
    if secret is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing secret token")
    if not hmac.compare_digest(secret.encode(), channel.secret.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "wrong secret token")
    # Parsed once: the JSON goes straight to bot/telegram/updates.py, which reads only
    # the fields Relais uses (no round trip through the library's models).
    try:
        update = json.loads(await request.body())
    except ValueError:
        update = None
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        # Malformed JSON or not an Update: no retry can fix it.
        log.warning("telegram webhook: malformed update ignored")
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "not a Telegram update")
    try:
        await channel.handler.handle(update)
    except Exception as error:
        # Not confirmed: Telegram delivers the update again (the inbox makes that safe).
        if database_unavailable(error):
            log.warning("telegram webhook: database unavailable, Telegram will retry")
            return Response(
                status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        log.exception("telegram webhook: update not stored; Telegram will deliver it again")
        return Response(status_code=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return Response(status_code=status.HTTP_200_OK)
