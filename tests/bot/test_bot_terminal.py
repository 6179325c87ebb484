"""`relais chat --json` in a real subprocess, on the configured database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RELAIS = [sys.executable, "-m", "relais.cli"]


def _chat(
    lines: list[dict[str, str] | str], env: dict[str, str], cwd: Path
) -> list[dict[str, object]]:
    stdin = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    done = subprocess.run(
        [*RELAIS, "chat", "--json"],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "RELAIS_DATABASE_URL": database_url,
        "RELAIS_SECRET_KEY": "terminal-test",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }


@pytest.mark.parametrize(
    ("lang", "commune_reply"), [("fr", "Combien d'argent"), ("en", "How much money")]
)
def test_housing_journey_in_the_terminal_writes_the_case(
    env: dict[str, str], tmp_path: Path, lang: str, commune_reply: str
) -> None:
    script: list[dict[str, str] | str] = [
        {"payload": f"entry.language.{lang}"},
        {"payload": "entry.consent.agree"},
        {"payload": "menu.main.housing"},
        {"payload": "housing.where_sleep.hosted_unstable"},
        {"text": "22"},
        {"text": "Gerzat"},
        {"payload": "housing.resources.mid"},
        {"payload": "housing.work.job_seeker"},
        # The short profile and the yearly report's questions (skipped ones are ignored).
        *(
            {"payload": f"housing.{step}.not_said"}
            for step in ("ase", "justice", "followed", "gender", "neighbourhood", "known_to_ml")
        ),
        {"payload": "housing.summary.contact"},
        "this line is not JSON",
    ]
    replies = _chat(script, env, tmp_path)
    texts = [str(r.get("text", "")) for r in replies]
    assert any(commune_reply in t for t in texts)
    assert any("ALT" in t for t in texts)
    assert replies[-1] == {"error": 'expected {"text": ...} or {"payload": ...}'}
    tokens = subprocess.run(
        [*RELAIS, "admin", "create-token", "--role", "admin"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    token = tokens.stdout.strip().splitlines()[-1]
    assert len(token) >= 40
    check = subprocess.run(
        [sys.executable, "-c", _READ_CASES],
        capture_output=True,
        text=True,
        env={**env, "TOKEN": token},
        cwd=tmp_path,
        check=True,
    )
    referrals, intakes = json.loads(check.stdout)
    assert [(r["theme"], r["role"], r["lang"]) for r in referrals] == [
        ("housing", "ml-cmv-housing-referent", lang)
    ]
    assert intakes[0]["answers"]["housing_situation"] == "hosted_unstable"
    assert intakes[0]["channel"] == "terminal"


_READ_CASES = """
import asyncio, json, os
import httpx
from relais.app import create_app
async def main():
    app = create_app()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://x") as c:
            h = {"Authorization": "Bearer " + os.environ["TOKEN"]}
            r = (await c.get("/api/v1/referrals", headers=h)).json()
            i = (await c.get("/api/v1/intakes", headers=h)).json()
    print(json.dumps([r, i]))
asyncio.run(main())
"""
