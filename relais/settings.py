"""Settings from RELAIS_* environment variables or a .env file, built once at start-up."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from conversations.directory import DEFAULT_DIRECTORY
from storage.sealing import Keyring

DERIVED_KEY = "derived"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RELAIS_", env_file=".env", extra="ignore")

    # Without RELAIS_DATABASE_URL: SQLite in the var folder (var_dir/relais.db), so that
    # RELAIS_VAR_DIR moves the database with the secret key it was sealed under.
    database_url: str = ""
    # PostgreSQL connections of one instance: at most pool size + overflow (2 of them are
    # kept by the shared rate limiter). docs/deployment.md has the connection budget.
    db_pool_size: int = 10
    db_max_overflow: int = 5
    # The database URL points at PgBouncer in transaction mode (older than 1.21): no
    # prepared statement outlives its transaction (docs/deployment.md).
    db_pgbouncer: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    # Worker processes of `relais serve` (uvicorn), each with its own pool: one per core
    # on PostgreSQL (docs/deployment.md). Keep 1 on SQLite: one writer at a time anyway.
    workers: int = 1
    deployment: str = "clermont-ferrand"
    directory_path: Path = DEFAULT_DIRECTORY
    timezone: str = "Europe/Paris"
    # Key of the keyed hash that pseudonymises channel identifiers. Generated into
    # var/secret.key on first start when not set.
    secret_key: SecretStr | None = None
    var_dir: Path = Path("var")
    # Keys that seal free text at rest (storage/sealing.py): Fernet keys separated by
    # commas, the newest first (`relais admin new-data-key` makes one). When not set, one
    # key is derived from the secret key (named `derived` in the list). Rotation:
    # docs/privacy.md.
    data_keys: SecretStr | None = None

    @model_validator(mode="after")
    def _database_in_var_dir(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.var_dir / 'relais.db'}"
        return self

    # Telegram: a token (from BotFather) turns the channel on inside `relais serve`.
    telegram_token: SecretStr | None = None
    telegram_library: Literal["ptb", "aiogram"] = "ptb"
    telegram_mode: Literal["polling", "webhook"] = "polling"
    # Another Bot API server: a local one, or an emulator in tests.
    telegram_api_url: str = "https://api.telegram.org"
    # Public HTTPS URL of POST /telegram/webhook, registered with setWebhook at start-up.
    telegram_webhook_url: str | None = None
    # X-Telegram-Bot-Api-Secret-Token; derived from the secret key when not set.
    telegram_webhook_secret: SecretStr | None = None
    telegram_rate_overall: float = 30.0  # messages per second, all chats together
    telegram_rate_per_chat: float = 1.0  # messages per second to one chat
    # Several instances on PostgreSQL: one polls and sends; if it dies, another takes over
    # after this many seconds.
    telegram_lease_seconds: float = 10.0
    # Background clock (APScheduler): notifications and escalations. Tests turn it off
    # and drive the same coroutines with their own clock.
    scheduler: bool = True
    notify_every_seconds: int = 15
    remind_every_seconds: int = 30
    # Notifications sent per second and per kind (e-mail, webhook), all instances together.
    notify_rate_per_second: float = 10.0
    # SIGTERM: seconds uvicorn lets requests in flight finish before closing them.
    shutdown_grace_seconds: int = 20
    # uvicorn's access log, one line per request (redacted). Off by default: the reverse
    # proxy keeps the access log (docs/deployment.md), and the line cost about a tenth of
    # a worker's CPU over HTTP (docs/benchmarks.md, issue 14).
    access_log: bool = False
    escalate_after_minutes: int = 30
    # A journey left half-way: one nudge after this many hours, expiry after these days.
    idle_nudge_hours: int = 24
    idle_expire_days: int = 7
    # Appointment reminders: hours before the start; no reminder in these local hours.
    reminder_hours: tuple[int, ...] = (24, 2)
    quiet_hours: tuple[int, int] = (21, 8)
    # Retention (storage/retention.py, applied by the clock every 6 hours): a conversation
    # without messages this long is erased like /forget (the consent text says 12 months);
    # a referral closed this long loses its case file; inbox rows this old are deleted.
    retention_conversation_days: int = 365
    retention_closed_referral_days: int = 365
    retention_inbox_days: int = 30
    # Notifications sent or abandoned, and audit entries, are deleted after these days.
    retention_notification_days: int = 90
    retention_audit_days: int = 365
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "relais@localhost"
    # Speech (bot/speech, docs/voice.md): messages read aloud with espeak-ng and opusenc
    # when both are installed; audio of catalog sentences is cached in memory (per process,
    # least recently used first out), up to this many megabytes.
    speech: bool = True
    speech_cache_mb: int = 32
    speech_rate: int = 150  # words per minute
    speech_concurrency: int = 4  # syntheses at once per process
    # HMAC-SHA256 key for the X-Relais-Signature header of outgoing webhooks.
    webhook_secret: SecretStr | None = None

    def directory_file(self) -> Path:
        """The admin-edited copy in var/ when there is one, else the configured file."""
        edited = self.var_dir / "services.yaml"
        return edited if edited.exists() else self.directory_path

    def webhook_key(self) -> bytes:
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value().encode()
        return b"webhook:" + self.pseudonym_key()

    def pseudonym_key(self) -> bytes:
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.var_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32), encoding="utf-8")
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip().encode()

    def keyring(self) -> Keyring:
        """The data keys, newest first; `derived` names the key derived from the secret."""
        value = self.data_keys.get_secret_value() if self.data_keys else DERIVED_KEY
        keys = [k.strip() for k in value.split(",") if k.strip()]
        return Keyring(
            Keyring.derive_key(self.pseudonym_key()) if k == DERIVED_KEY else k.encode("ascii")
            for k in keys
        )

    def telegram_secret(self) -> str:
        """The webhook secret: set, or derived from the secret key (same on every worker)."""
        if self.telegram_webhook_secret is not None:
            return self.telegram_webhook_secret.get_secret_value()
        return hmac.new(self.pseudonym_key(), b"telegram-webhook", hashlib.sha256).hexdigest()
