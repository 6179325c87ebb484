"""nginx from Debian as a real load balancer in front of `relais serve` instances, on
loopback ports only (issue 15). Used by tests/relais/test_scale_balancer.py and by
bench/balancer.py.

`nginx_config` writes the same proxy settings docs/deployment.md recommends (round
robin, no stickiness, keep-alive to the instances, retry on the next instance when one
refuses the connection), without TLS. Several fronts can share one nginx: each listens
on its own port and balances over its own list of instances.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.local_servers import free_port

NGINX = Path(os.environ.get("RELAIS_NGINX", "/usr/sbin/nginx"))


def nginx_binary() -> Path:
    """/usr/sbin/nginx; skipped without it, except in CI (.ci/run installs it)."""
    if NGINX.exists():
        return NGINX
    found = shutil.which("nginx")
    if found:
        return Path(found)
    message = "nginx is not installed (apt-get install nginx; .ci/run does it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def nginx_config(
    folder: Path, fronts: Mapping[int, Sequence[int]], client_forwarded_for: bool = False
) -> str:
    """`fronts`: listen port -> the instances' ports. `client_forwarded_for`: keep the
    client's X-Forwarded-For (a benchmark simulating many addresses); by default the
    address nginx saw replaces it, as in production."""
    forwarded = "$proxy_add_x_forwarded_for" if client_forwarded_for else "$remote_addr"
    temp = folder / "tmp"
    lines = [
        "worker_processes 1;",
        f"pid {folder / 'nginx.pid'};",
        "daemon off;",
        "events { worker_connections 4096; }",
        "http {",
        "    access_log off;",
        *(f"    {kind}_temp_path {temp / kind};" for kind in ("client_body", "proxy")),
        *(f"    {kind}_temp_path {temp / kind};" for kind in ("fastcgi", "uwsgi", "scgi")),
    ]
    for listen, instances in fronts.items():
        lines += [f"    upstream relais_{listen} {{"]
        lines += [f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in instances]
        # Close idle connections before uvicorn does (after 5 s): a request sent on a
        # connection the instance is closing would be lost (502 for a POST).
        lines += ["        keepalive 32;", "        keepalive_timeout 4s;", "    }"]
        lines += [
            "    server {",
            f"        listen 127.0.0.1:{listen};",
            "        location / {",
            f"            proxy_pass http://relais_{listen};",
            "            proxy_http_version 1.1;",
            '            proxy_set_header Connection "";',
            "            proxy_set_header Host $host;",
            f"            proxy_set_header X-Forwarded-For {forwarded};",
            "            proxy_set_header X-Forwarded-Proto $scheme;",
            "            proxy_next_upstream error timeout;",
            "            proxy_connect_timeout 2s;",
            "            proxy_read_timeout 60s;",
            "        }",
            "    }",
        ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def nginx(
    folder: Path, fronts: Sequence[Sequence[int]], client_forwarded_for: bool = False
) -> Iterator[list[str]]:
    """Start nginx with one front per list of instance ports; yield the fronts' URLs."""
    binary = nginx_binary()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tmp").mkdir(exist_ok=True)
    listens = {free_port(): list(ports) for ports in fronts}
    conf = folder / "nginx.conf"
    conf.write_text(nginx_config(folder, listens, client_forwarded_for), encoding="utf-8")
    error_log = folder / "error.log"
    command = [str(binary), "-p", str(folder), "-c", str(conf), "-e", str(error_log)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while not all(_listening(port) for port in listens):
            if process.poll() is not None:
                errors = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(f"nginx exited with {process.returncode}: {errors}")
            if time.monotonic() > deadline:
                raise AssertionError("nginx did not start listening")
            time.sleep(0.05)
        yield [f"http://127.0.0.1:{port}" for port in listens]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
