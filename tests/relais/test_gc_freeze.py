"""The app's start-up freezes its long-lived objects out of the garbage collector's way."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

_STARTED = textwrap.dedent(
    """
    import asyncio, gc, json, sys
    from pydantic import SecretStr
    from relais.app import create_app
    from relais.settings import Settings

    async def main():
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{sys.argv[1]}/relais.db",
            secret_key=SecretStr("test-key"), var_dir=sys.argv[1], scheduler=False,
        )
        app = create_app(settings)
        before = gc.get_freeze_count()
        async with app.router.lifespan_context(app):
            frozen = gc.get_freeze_count()
            walked = len(gc.get_objects())  # what a full collection still walks
            again = create_app(settings)
            async with again.router.lifespan_context(again):
                second = gc.get_freeze_count()
        print(json.dumps({"before": before, "frozen": frozen, "walked": walked,
                          "second": second}))

    asyncio.run(main())
    """
)


def test_start_up_freezes_the_loaded_models_once(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _STARTED, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=300,
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["before"] == 0
    assert found["frozen"] > 100_000  # the models, flows and catalogs
    assert found["walked"] * 5 < found["frozen"]
    # once per process: a second start freezes nothing more (some frozen objects may
    # have been freed since, by reference counting)
    assert found["second"] <= found["frozen"]
