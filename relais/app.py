"""The all-in-one ASGI app of `relais serve`: web chat API, chat page, admin API, health."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api.errors import install_error_mapping
from api.inbox import pages as inbox_pages
from api.routes import (
    accounts,
    audit,
    casenotes,
    cases,
    directory,
    openings,
    queues,
    referral_views,
    referrals,
    slots,
    stats,
    templates,
)
from bot.telegram import webhook as telegram_webhook
from bot.webchat import audio as webchat_audio
from bot.webchat import kiosk as webchat_kiosk
from bot.webchat import pages as chat_pages
from bot.webchat import routes as webchat
from bot.webchat import sessions as webchat_sessions
from relais import hardening
from relais.allow_header import AllowHeader
from relais.gc_freeze import freeze_startup_objects
from relais.log_handoff import access_log_off_the_loop
from relais.scheduler import start_scheduler
from relais.settings import Settings
from relais.wiring import start_services
from storage.availability import RETRY_AFTER_SECONDS, database_unavailable

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await start_services(settings)
        app.state.services = services
        scheduler = start_scheduler(services) if settings.scheduler else None
        if services.telegram is not None:
            await services.telegram.start()
        freeze_startup_objects()
        try:
            with access_log_off_the_loop():
                yield
        finally:
            if services.telegram is not None:
                await services.telegram.stop()
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            await services.close()

    app = FastAPI(title="Relais", version="0.1.0", lifespan=lifespan)
    hardening.install(app)  # security headers, body size, rate limits, log redaction
    install_error_mapping(app)  # the casework's domain errors as HTTP statuses
    app.include_router(webchat.router)
    app.include_router(webchat_sessions.router)
    app.include_router(webchat_audio.router)
    app.include_router(webchat_kiosk.router)
    app.include_router(chat_pages.router)
    app.include_router(inbox_pages.router)
    app.mount("/static", StaticFiles(directory=chat_pages.STATIC), name="static")
    app.mount("/inbox/static", StaticFiles(directory=inbox_pages.STATIC), name="inbox-static")
    app.include_router(telegram_webhook.router)
    for router in (
        referrals.router,
        referral_views.router,
        casenotes.router,
        cases.router,
        slots.router,
        accounts.router,
        stats.router,
        audit.router,
        directory.router,
        openings.router,
        queues.router,
        templates.router,
    ):
        app.include_router(router)

    app.add_middleware(AllowHeader, schema=app.openapi)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in error.errors()
        ]
        return JSONResponse({"detail": details}, status_code=422)

    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeout)
    @app.exception_handler(OSError)
    async def database_down(_: Request, error: Exception) -> JSONResponse:
        # The request's transaction was rolled back as a whole: nothing is half-written,
        # and the client may send the same request again (message ids make it safe).
        if not database_unavailable(error):
            raise error
        log.warning("database unavailable (%s): answered 503", type(error).__name__)
        return JSONResponse(
            {"detail": "the database is unavailable for a moment; try again"},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
