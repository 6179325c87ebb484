"""Settings: RELAIS_VAR_DIR holds every file of a zero-configuration install."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from relais.settings import Settings


def test_the_default_database_lives_in_the_var_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A second install pointed at its own folder must not share the first one's database
    # (sealed under the first one's key: its lists would fail to open the rows).
    monkeypatch.delenv("RELAIS_DATABASE_URL", raising=False)
    monkeypatch.setenv("RELAIS_VAR_DIR", str(tmp_path / "var"))
    url = make_url(Settings().database_url)
    assert url.drivername == "sqlite+aiosqlite"
    assert Path(str(url.database)) == tmp_path / "var" / "relais.db"


def test_a_database_url_that_is_set_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_VAR_DIR", "/elsewhere")
    monkeypatch.setenv("RELAIS_DATABASE_URL", "postgresql+asyncpg://relais@db/relais")
    assert Settings().database_url == "postgresql+asyncpg://relais@db/relais"
