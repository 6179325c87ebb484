"""Schemathesis against the real server's OpenAPI schema, with a valid admin token:
no server error, no undocumented status or content type, no response off its schema."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support.server import ROOT, relais_server


def test_openapi_contract_holds_under_generated_requests(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "RELAIS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'st.sqlite3'}",
        "RELAIS_SECRET_KEY": "schemathesis",
        "RELAIS_SCHEDULER": "false",
        "PYTHONPATH": str(ROOT),
    }
    with relais_server(env, tmp_path) as (_, base):
        token = subprocess.run(
            [sys.executable, "-m", "relais.cli", "admin", "create-token", "--role", "admin"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()[-1]
        run = subprocess.run(
            [
                str(Path(sys.executable).with_name("schemathesis")),
                "run",
                f"{base}/openapi.json",
                "-H",
                f"Authorization: Bearer {token}",
                "--checks",
                "all",
                "--max-examples",
                "20",
                "--seed",
                "1",
                "--no-color",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert run.returncode == 0, run.stdout[-4000:]
