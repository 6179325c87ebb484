"""The `relais` command: serve, chat, admin, understand."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from relais.settings import Settings


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from relais.app import create_app

    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    # SIGTERM: stop accepting, let the requests in flight finish (up to the grace
    # period), then run the lifespan's shutdown (leases handed over, pool closed).
    # uvicorn[standard] brings uvloop and httptools; "auto" picks them when they import.
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "loop": "auto",
        "http": "auto",
        "timeout_graceful_shutdown": settings.shutdown_grace_seconds,
        "access_log": settings.access_log,
    }
    if workers >= (os.cpu_count() or 1):
        # Every core has its process: a long message's embedding keeps to one thread
        # (two per process would make the processes' OpenMP threads wait for each other).
        os.environ.setdefault("RELAIS_E5_LONG_THREADS", "1")
    if workers > 1:
        # One process per core (issue 14), each with its own app, pool and event loop,
        # sharing the socket; like several instances on one database (leases, shared
        # limits). The secret key file is made here, once, not raced by the workers.
        settings.pseudonym_key()
        uvicorn.run("relais.app:create_app", factory=True, workers=workers, **options)
    else:
        uvicorn.run(create_app(settings), **options)
    return 0


async def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.terminal import run_chat
    from relais.wiring import start_services

    services = await start_services(settings)
    try:
        return await run_chat(services.runtime, args.json, args.lang, args.session, args.source)
    finally:
        await services.db.dispose()


async def _create_token(args: argparse.Namespace, settings: Settings) -> int:
    from storage import Database, TokenRepository

    if args.role == "conseiller" and not args.structure:
        print("a conseiller token needs --structure ID")
        return 2
    db = Database(settings.database_url, keyring=settings.keyring())
    try:
        await db.upgrade()
        expires = datetime.now(UTC) + timedelta(days=args.days) if args.days else None
        async with db.transaction() as session:
            token = await TokenRepository(session).create(
                args.role, name=args.name, structure=args.structure, expires_at=expires
            )
    finally:
        await db.dispose()
    print(f"{args.role} token created" + (f" (expires {expires:%Y-%m-%d})" if expires else ""))
    print(token)
    return 0


async def _rotate_keys(settings: Settings) -> int:
    from storage import Database
    from storage.rotation import rotate_keys

    db = Database(settings.database_url, keyring=settings.keyring())
    try:
        await db.upgrade()
        report = await rotate_keys(db)
    finally:
        await db.dispose()
    for column, count in report.rewritten.items():
        print(f"{column}: {count}")
    print(f"{report.total} values sealed under the newest key")
    return 0


def _understand(args: argparse.Namespace) -> int:
    """One message per stdin line -> one JSON line; --eval prints the evaluation table."""
    import json
    import sys

    from conversations.understanding import understand
    from conversations.understanding.evaluation import EVAL_FILE, evaluate, load_samples, table

    if args.eval is not None:
        print(
            table(evaluate(load_samples(Path(args.eval) if args.eval else EVAL_FILE), understand))
        )
        return 0
    for line in sys.stdin:
        print(json.dumps(understand(line.rstrip("\n")).as_json(), ensure_ascii=False), flush=True)
    return 0


def _qr(args: argparse.Namespace, settings: Settings) -> int:
    """Write a printable QR poster (SVG and PNG) for one source: a bus stop, a partner."""
    from conversations.i18n import Catalogs
    from relais.qr_poster import build_poster
    from relais.qr_poster_render import write_poster

    base_url = args.base_url
    if not base_url and not args.telegram_bot:
        base_url = f"http://{settings.host}:{settings.port}"
        print(f"no --base-url: the code opens {base_url} (give the public address to print)")
    try:
        poster = build_poster(args.source, Catalogs(), base_url, args.telegram_bot)
    except ValueError as error:
        print(f"relais qr: {error}")
        return 2
    for path in write_poster(poster, Path(args.out)):
        print(path)
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="relais", description="Relais outreach assistant")
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the web chat, admin API and chat page")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--workers", type=int, help="worker processes (default RELAIS_WORKERS, 1); one per core"
    )
    chat = commands.add_parser("chat", help="chat in the terminal")
    chat.add_argument("--json", action="store_true", help="JSON lines in and out")
    chat.add_argument("--lang", help="language hint, e.g. fr or en")
    chat.add_argument("--session", help="resume the conversation with this name")
    chat.add_argument("--source", help="where the person comes from, e.g. bus-jaude")
    understand = commands.add_parser("understand", help="intent and language of stdin lines")
    understand.add_argument(
        "--eval",
        nargs="?",
        const="",
        metavar="FILE",
        help="print accuracy per language (test, blind to blind11, train or a path)",
    )
    qr = commands.add_parser("qr", help="printable QR poster (SVG, PNG) for a source")
    qr.add_argument("source", metavar="SOURCE", help="recorded on the intake, e.g. bus-jaude")
    qr.add_argument("--base-url", help="public address of the web chat, e.g. https://relais.org")
    qr.add_argument("--telegram-bot", metavar="NAME", help="Telegram bot username (t.me link)")
    qr.add_argument("--out", default=".", metavar="DIR", help="output folder (default: .)")
    admin = commands.add_parser("admin", help="administration")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)
    token = admin_commands.add_parser("create-token", help="create an admin API token")
    token.add_argument("--role", choices=["admin", "conseiller"], required=True)
    token.add_argument("--structure", help="structure (organisation) id for a conseiller")
    token.add_argument("--name")
    token.add_argument("--days", type=int, default=365, help="validity in days (0: none)")
    admin_commands.add_parser("new-data-key", help="print a new key for RELAIS_DATA_KEYS")
    admin_commands.add_parser(
        "rotate-keys", help="re-seal all free text under the first key of RELAIS_DATA_KEYS"
    )
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = Settings()
    if args.command == "serve":
        return _serve(args, settings)
    if args.command == "chat":
        return asyncio.run(_chat(args, settings))
    if args.command == "understand":
        return _understand(args)
    if args.command == "qr":
        return _qr(args, settings)
    if args.admin_command == "new-data-key":
        from storage.sealing import Keyring

        print(Keyring.generate_key())
        return 0
    if args.admin_command == "rotate-keys":
        return asyncio.run(_rotate_keys(settings))
    return asyncio.run(_create_token(args, settings))


if __name__ == "__main__":
    raise SystemExit(main())
