"""Builds the runtime from settings: database, catalogs, flows, directory, engine."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.pseudonyms import Pseudonymizer
from bot.runtime import Runtime
from bot.telegram.channel import TelegramChannel, TelegramConfig
from bot.webchat.calendar_links import CalendarLinks
from conversations.directory import Deployment, load_directory
from conversations.engine import Engine
from conversations.flows import load_flows
from conversations.i18n import Catalogs
from conversations.signals import SignalDetector
from relais.settings import Settings
from storage import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    engine: Engine
    runtime: Runtime
    calendar_links: CalendarLinks
    # The Telegram channel when RELAIS_TELEGRAM_TOKEN is set (started by the app's lifespan).
    telegram: TelegramChannel | None = None

    def switch_directory(self, deployment: Deployment) -> None:
        """Serve a new services directory from the next turn on (admin API)."""
        self.engine = build_engine(self.settings, deployment)
        self.runtime.engine = self.engine


def build_engine(settings: Settings, deployment: Deployment | None = None) -> Engine:
    return Engine(
        load_flows(),
        Catalogs(),
        deployment or load_directory(settings.directory_file(), settings.deployment),
        SignalDetector(),
        ZoneInfo(settings.timezone),
    )


def telegram_config(settings: Settings) -> TelegramConfig:
    if settings.telegram_token is None:
        raise ValueError("RELAIS_TELEGRAM_TOKEN is not set")
    return TelegramConfig(
        token=settings.telegram_token.get_secret_value(),
        library=settings.telegram_library,
        mode=settings.telegram_mode,
        api_url=settings.telegram_api_url,
        webhook_url=settings.telegram_webhook_url,
        webhook_secret=settings.telegram_secret(),
        address_key=settings.pseudonym_key(),
        rate_overall=settings.telegram_rate_overall,
        rate_per_chat=settings.telegram_rate_per_chat,
    )


async def start_services(settings: Settings) -> Services:
    """Open the database, apply migrations and build the runtime (no create_all)."""
    engine = build_engine(settings)
    db = Database(settings.database_url, keyring=settings.keyring())
    await db.upgrade()
    runtime = Runtime(
        db,
        engine,
        Pseudonymizer(settings.pseudonym_key()),
        reminder_hours=settings.reminder_hours,
        quiet_hours=settings.quiet_hours,
    )
    services = Services(
        settings, db, engine, runtime, CalendarLinks(settings.pseudonym_key())
    )
    if settings.telegram_token is not None:
        services.telegram = TelegramChannel(telegram_config(settings), runtime, engine.catalogs)
    return services
