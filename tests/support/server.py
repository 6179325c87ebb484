"""A real `relais serve` subprocess on a free loopback port, for black-box tests."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from support.local_servers import free_port

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def relais_server(
    env: dict[str, str], cwd: Path, port: int | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "relais.cli", "serve", "--port", str(port)],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError("relais serve did not become healthy")
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
