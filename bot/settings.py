"""Settings from RELAIS_* environment variables or a .env file, built once at start-up."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from conversations.directory import DEFAULT_DIRECTORY


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RELAIS_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./var/relais.db"
    host: str = "127.0.0.1"
    port: int = 8000
    deployment: str = "clermont-ferrand"
    directory_path: Path = DEFAULT_DIRECTORY
    timezone: str = "Europe/Paris"
    # Key of the keyed hash that pseudonymises channel identifiers. Generated into
    # var/secret.key on first start when not set.
    secret_key: SecretStr | None = None
    var_dir: Path = Path("var")

    def pseudonym_key(self) -> bytes:
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.var_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32), encoding="utf-8")
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip().encode()
