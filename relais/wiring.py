"""Builds the runtime from settings: database, catalogs, flows, directory, engine, and
what several instances share: the rate limits (in PostgreSQL, or in memory on SQLite)
and this instance's identity for leases."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import uuid4
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url

from api.login_limits import LOGIN_BUCKETS, FailedLogins
from bot.pseudonyms import Pseudonymizer
from bot.ratelimit import Limiter, MemoryLimiter, channel_buckets
from bot.runtime import Runtime
from bot.speech import Speech, SpeechConfig
from bot.telegram.channel import TelegramChannel, TelegramConfig, bot_id
from bot.webchat.calendar_links import CalendarLinks
from conversations.directory import Deployment, load_directory
from conversations.engine import Engine
from conversations.flows import load_flows
from conversations.i18n import Catalogs
from conversations.signals import SignalDetector
from relais.settings import Settings
from storage import Database
from storage.booking import ReminderPolicy
from storage.leases import Lease, new_holder
from storage.limits import PostgresLimiter


@dataclass
class Services:
    settings: Settings
    db: Database
    engine: Engine
    runtime: Runtime
    calendar_links: CalendarLinks
    # The Telegram channel when RELAIS_TELEGRAM_TOKEN is set (started by the app's lifespan).
    telegram: TelegramChannel | None = None
    # Every rate limit of the channels: shared by all instances on PostgreSQL.
    limiter: Limiter = field(
        default_factory=lambda: MemoryLimiter({**channel_buckets(), **LOGIN_BUCKETS})
    )
    # Wrong tokens on the admin API, per client address (api/login_limits.py).
    failed_logins: FailedLogins | None = None
    # This instance, as the holder of leases (jobs run once, one Telegram poller).
    instance: str = field(default_factory=new_holder)
    # Messages read aloud (web chat audio, Telegram voice notes); None when turned off.
    speech: Speech | None = None

    @property
    def reminders(self) -> ReminderPolicy:
        """When bookings are reminded (the chat's and a conseiller's alike)."""
        return self.runtime.reminders

    async def close(self) -> None:
        """Give the limiter's connections back, then close the pool."""
        if isinstance(self.limiter, PostgresLimiter):
            await self.limiter.close()
        await self.db.dispose()

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
    db = open_database(settings)
    await db.upgrade()
    runtime = Runtime(
        db,
        engine,
        Pseudonymizer(settings.pseudonym_key()),
        reminders=ReminderPolicy(
            ZoneInfo(settings.timezone), settings.reminder_hours, settings.quiet_hours
        ),
    )
    services = Services(settings, db, engine, runtime, CalendarLinks(settings.pseudonym_key()))
    services.limiter = build_limiter(settings, db)
    services.failed_logins = FailedLogins(services.limiter, settings.pseudonym_key())
    services.speech = build_speech(settings, engine.catalogs)
    if settings.telegram_token is not None:
        config = telegram_config(settings)
        lease = None
        if not db.is_sqlite:  # one process on SQLite: nobody to share the bot with
            name, ttl = f"telegram:{bot_id(config.token)}", settings.telegram_lease_seconds
            lease = Lease(db, name, services.instance, ttl=ttl)
        services.telegram = TelegramChannel(
            config, runtime, engine.catalogs, limiter=services.limiter, lease=lease
        )
    if services.telegram is not None:
        services.telegram.dispatcher.speech = services.speech
    return services


def build_speech(settings: Settings, catalogs: Catalogs) -> Speech | None:
    if not settings.speech:
        return None
    config = SpeechConfig(
        rate=settings.speech_rate,
        cache_bytes=settings.speech_cache_mb * 1024 * 1024,
        concurrency=settings.speech_concurrency,
    )
    return Speech(config, catalogs)


def open_database(settings: Settings) -> Database:
    """The case store; on PostgreSQL with the pool sized by the settings."""
    if settings.database_url.startswith("sqlite"):
        return Database(settings.database_url, keyring=settings.keyring())
    url, options = make_url(settings.database_url), {}
    if settings.db_pgbouncer:
        # asyncpg caches named prepared statements per connection; behind PgBouncer in
        # transaction mode the next transaction may run on another server connection.
        url = url.update_query_dict({"prepared_statement_cache_size": "0"})
        options["connect_args"] = {
            "statement_cache_size": 0,
            "prepared_statement_name_func": lambda: f"__relais_{uuid4().hex}__",
        }
    return Database(
        url.render_as_string(hide_password=False),
        keyring=settings.keyring(),
        # The whole budget (pool + overflow) is kept once opened: SQLAlchemy closes an
        # overflow connection as soon as it is returned, so bursts above the pool size
        # opened and closed a PostgreSQL connection per request (issue 14). Opened on
        # demand, never more than the budget.
        pool_size=settings.db_pool_size + settings.db_max_overflow,
        max_overflow=0,
        plain_turns=not settings.db_pgbouncer,
        **options,
    )


def build_limiter(settings: Settings, db: Database) -> Limiter:
    """PostgreSQL: the buckets in the database, shared; SQLite (one process): in memory."""
    buckets = (
        channel_buckets(
            telegram_overall=settings.telegram_rate_overall,
            telegram_per_chat=settings.telegram_rate_per_chat,
            notify_per_second=settings.notify_rate_per_second,
        )
        | LOGIN_BUCKETS
    )
    if db.is_sqlite:
        return MemoryLimiter(buckets)
    return PostgresLimiter(
        db, buckets, secret=settings.pseudonym_key(), in_transaction=settings.db_pgbouncer
    )
