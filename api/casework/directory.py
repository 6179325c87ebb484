"""The services directory: read it, and (admins) replace it without a restart.

A new document is parsed and checked like at start-up (depth, unknown roles and places,
webhook URLs: conversations/directory_checks.py); each webhook's host must also resolve to
public addresses now (it is checked again at every send). A sound document is saved to
var/services.yaml, which wins over the shipped file from then on, and the running engine
switches to it. Every refusal is a `Conflict` with one line saying why.

Webhook URLs are the structures' endpoints and often carry a secret path: a conseiller
reads the directory with every `notify.webhook` hidden.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Final, Protocol

import yaml

from api.casework.caller import Caller, audit
from api.casework.errors import Conflict
from api.notify.webhooks import (
    WebhookPolicy,
    WebhookRefused,
    WebhookUnresolved,
    checked_target,
)
from conversations.directory import Deployment, DirectoryError, parse_directory
from conversations.directory_checks import one_line
from storage import Database

HIDDEN: Final = "(hidden)"
_WEBHOOK_VALUE: Final = re.compile(r"""(\bwebhook\s*:[ \t]*)("[^"\n]*"|'[^'\n]*'|[^\s,}\]#]+)""")


class Parts(Protocol):
    """What the service needs of the running app (relais.wiring.Services)."""

    settings: Any
    engine: Any

    def switch_directory(self, deployment: Deployment) -> None: ...


def _webhooks(deployment: Deployment) -> dict[str, str]:
    return {
        org.id: org.notify_webhook
        for org in deployment.organisations.values()
        if org.notify_webhook
    }


def _notify_blocks(data: Any) -> list[dict[str, Any]]:
    """The `notify` mappings of every organisation of a parsed directory."""
    found = []
    deployments = data.get("deployments") if isinstance(data, dict) else None
    for raw in deployments if isinstance(deployments, list) else []:
        organisations = raw.get("organisations") if isinstance(raw, dict) else None
        for org in organisations if isinstance(organisations, list) else []:
            if isinstance(org, dict) and isinstance(org.get("notify"), dict):
                found.append(org["notify"])
    return found


def without_webhooks(text: str, deployment: Deployment) -> str:
    """The directory text with every webhook URL replaced by "(hidden)": comments and
    layout kept when the result provably holds no URL and reads as the same directory
    with hidden webhooks, else a plain dump of it."""
    secrets = set(_webhooks(deployment).values())
    if not secrets:
        return text
    hidden = _WEBHOOK_VALUE.sub(lambda found: f'{found.group(1)}"{HIDDEN}"', text)
    data = yaml.safe_load(text)
    for notify in _notify_blocks(data):
        if "webhook" in notify:
            notify["webhook"] = HIDDEN
    try:
        same = yaml.safe_load(hidden) == data
    except yaml.YAMLError:
        same = False
    if same and not any(secret in hidden for secret in secrets):
        return hidden
    return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


class DirectoryService:
    def __init__(
        self, db: Database, who: Caller, parts: Parts, policy: WebhookPolicy | None = None
    ) -> None:
        self._db, self._who, self._parts = db, who, parts
        self._policy = policy or WebhookPolicy()

    async def read(self) -> str:
        """The directory's text (webhook URLs hidden from conseillers)."""
        settings = self._parts.settings
        text = await asyncio.to_thread(settings.directory_file().read_text, encoding="utf-8")
        if self._who.role == "admin":
            return text
        deployment = self._parts.engine.deployment
        return await asyncio.to_thread(without_webhooks, text, deployment)

    async def replace(self, text: str) -> None:
        self._who.require_admin()
        settings = self._parts.settings
        try:
            deployment = await asyncio.to_thread(parse_directory, text, settings.deployment)
        except DirectoryError as error:
            raise Conflict(one_line(f"directory refused: {error}")) from None
        for organisation, url in _webhooks(deployment).items():
            try:
                await checked_target(url, self._policy)
            except WebhookUnresolved:
                continue  # checked again at each send
            except WebhookRefused as error:
                raise Conflict(
                    one_line(f"directory refused: organisation {organisation}: webhook {error}")
                ) from None
        target = settings.var_dir / "services.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(target.write_text, text, encoding="utf-8")
        self._parts.switch_directory(deployment)
        async with self._db.transaction() as session:
            await audit(session, self._who, "replace", "directory", None)
