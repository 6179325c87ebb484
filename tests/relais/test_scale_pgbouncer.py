"""Relais through PgBouncer in transaction mode (issue 15, docs/deployment.md), with
`RELAIS_DB_PGBOUNCER=true`: migrations, web chat turns, the shared rate limiter and a
lease, with fewer server connections than clients so transactions hop between them.

Runs where Debian's `pgbouncer` is installed (not part of CI: optional in production).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from relais.app import create_app
from relais.settings import Settings
from storage.leases import take
from support.local_servers import free_port
from support.postgres import fresh_postgres_database
from support.webchat import WebChat

pytestmark = pytest.mark.postgres


@contextmanager
def pgbouncer(host: str, port: int) -> Iterator[int]:
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    listen = free_port()
    # PgBouncer refuses to run as root: it then runs as postgres, which must read this.
    folder = Path(tempfile.mkdtemp(prefix="relais-pgbouncer-"))
    folder.chmod(0o755)
    (folder / "users.txt").write_text('"postgres" ""\n', encoding="utf-8")
    (folder / "pgbouncer.ini").write_text(
        f"[databases]\n* = host={host} port={port}\n[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {listen}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder / 'users.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 2\nmax_client_conn = 200\n"
        "ignore_startup_parameters = extra_float_digits\n",
        encoding="utf-8",
    )
    command = [binary, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", listen)) == 0:
                    break
            assert process.poll() is None and time.monotonic() < deadline, "pgbouncer down"
            time.sleep(0.05)
        yield listen
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


async def _journey(client: httpx.AsyncClient) -> None:
    chat = WebChat(client)
    await chat.start(lang="en")
    for step in ("entry.language.en", "agree", "menu.main.housing"):
        await chat.tap(step)


async def test_relais_through_pgbouncer_in_transaction_mode(tmp_path: Path) -> None:
    async with fresh_postgres_database() as url:
        direct = make_url(url)
        with pgbouncer(direct.host or "127.0.0.1", direct.port or 5432) as port:
            settings = Settings(
                database_url=direct.set(port=port).render_as_string(hide_password=False),
                db_pgbouncer=True,
                secret_key=SecretStr("pgbouncer"),
                var_dir=tmp_path / "var",
                scheduler=False,
            )
            app = create_app(settings)
            async with app.router.lifespan_context(app):  # migrations through PgBouncer
                services = app.state.services
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                    await asyncio.gather(*(_journey(client) for _ in range(6)))
                waits = await asyncio.gather(
                    *(services.limiter.take("webchat.person:one") for _ in range(70))
                )
                granted = sum(1 for wait in waits if wait == 0)
                assert 60 <= granted < 70  # the per-person burst (and what refilled meanwhile)
                now = datetime.now(UTC)
                assert await take(services.db, "job:x", "a", timedelta(seconds=5), now)
                assert not await take(services.db, "job:x", "b", timedelta(seconds=5), now)
