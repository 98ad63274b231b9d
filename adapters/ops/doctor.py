"""``matchbot doctor``: checks the configuration without sending anything to any chat.

Each check is one row of a table: what was checked, ``ok`` / ``warn`` / ``FAIL``, and what was
found. Only harmless requests are made (Telegram ``getMe`` and ``getWebhookInfo``, Discord
``/users/@me``, API-Football ``/status``, one football-data.org request). A token or key is
never printed: only whether it works, and for which bot. ``FAIL`` rows make the exit status
non-zero and are named again at the end.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from adapters.tls import client_context
from bot.admin import admin_target
from bot.logs import REDACTED
from bot.settings import Settings
from storage import lock as database_lock
from storage import ops, urls

Status = Literal["ok", "warn", "FAIL"]
TIMEOUT = 10.0
DISCORD_API = "https://discord.com/api/v10"
#: free disk below this is a warning, below the second a failure (bytes)
DISK_WARN = 500_000_000
DISK_FAIL = 50_000_000


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str


class Doctor:
    def __init__(self, settings: Settings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client
        self.secrets = settings.secrets()

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    async def _get(self, url: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.get(url, headers=headers or {})

    def _unreachable(self, name: str, where: str, exc: Exception) -> Check:
        return Check(name, "FAIL", self._clean(f"cannot reach {where}: {type(exc).__name__}"))

    async def run(self) -> list[Check]:
        checks: list[Check] = []
        steps: list[Callable[[], Awaitable[list[Check]]]] = [
            self.telegram,
            self.discord,
            self.admin_chat,
            self.database,
            self.providers,
            self.feeds,
            self.time_zones,
        ]
        for step in steps:
            checks.extend(await step())
        return checks

    # --- platforms -----------------------------------------------------------------------

    async def telegram(self) -> list[Check]:
        token = self.settings.telegram_bot_token
        if token is None:
            return [Check("Telegram", "ok", "not configured (TELEGRAM_BOT_TOKEN unset)")]
        base = (self.settings.telegram_base_url or "https://api.telegram.org/bot").rstrip("/")
        where = self.settings.telegram_base_url or "https://api.telegram.org"
        url = f"{base}{token.get_secret_value()}"
        try:
            me = await self._get(f"{url}/getMe")
        except httpx.HTTPError as exc:
            return [self._unreachable("Telegram token", f"the Telegram Bot API at {where}", exc)]
        body = _json(me)
        if me.status_code in (401, 403, 404) or (body and body.get("ok") is False):
            return [
                Check(
                    "Telegram token",
                    "FAIL",
                    f"rejected (HTTP {me.status_code}): check TELEGRAM_BOT_TOKEN",
                )
            ]
        if me.status_code != 200 or not body:
            return [Check("Telegram token", "FAIL", f"{where} answered HTTP {me.status_code}")]
        bot = body.get("result") or {}
        checks = [Check("Telegram token", "ok", f"@{bot.get('username')} (id {bot.get('id')})")]
        checks.append(await self._telegram_webhook(url))
        return checks

    async def _telegram_webhook(self, url: str) -> Check:
        try:
            answer = await self._get(f"{url}/getWebhookInfo")
        except httpx.HTTPError as exc:
            return self._unreachable("Telegram webhook", "the Telegram Bot API", exc)
        info = (_json(answer) or {}).get("result") or {}
        current = str(info.get("url") or "")
        wanted = self.settings.telegram_webhook_url
        pending = info.get("pending_update_count", 0)
        error = info.get("last_error_message")
        if wanted is None:
            if current:
                return Check(
                    "Telegram webhook",
                    "warn",
                    f"a webhook is set ({current}); long polling removes it at start",
                )
            return Check(
                "Telegram webhook", "ok", f"none: long polling ({pending} updates waiting)"
            )
        if not wanted.startswith("https://"):
            return Check("Telegram webhook", "FAIL", "TELEGRAM_WEBHOOK_URL must be https://")
        if error:
            return Check("Telegram webhook", "warn", f"Telegram's last error: {error}")
        state = "set" if current == wanted else "set at the next start"
        return Check("Telegram webhook", "ok", f"{wanted} ({state})")

    async def discord(self) -> list[Check]:
        token = self.settings.discord_bot_token
        if token is None:
            return [Check("Discord", "ok", "not configured (DISCORD_BOT_TOKEN unset)")]
        base = (self.settings.discord_base_url or DISCORD_API).rstrip("/")
        try:
            me = await self._get(
                f"{base}/users/@me", {"Authorization": f"Bot {token.get_secret_value()}"}
            )
        except httpx.HTTPError as exc:
            return [self._unreachable("Discord token", f"Discord at {base}", exc)]
        if me.status_code in (401, 403):
            return [
                Check(
                    "Discord token",
                    "FAIL",
                    f"rejected (HTTP {me.status_code}): check DISCORD_BOT_TOKEN",
                )
            ]
        user = _json(me)
        if me.status_code != 200 or not user:
            return [Check("Discord token", "FAIL", f"{base} answered HTTP {me.status_code}")]
        return [Check("Discord token", "ok", f"{user.get('username')} (id {user.get('id')})")]

    async def admin_chat(self) -> list[Check]:
        """``MATCHBOT_ADMIN_CHAT``: a chat the bot can see (Telegram ``getChat``, Discord's
        channel), asked without posting anything."""
        value = self.settings.admin_chat
        if value is None:
            return []
        platforms = [
            name
            for name, token in (
                ("telegram", self.settings.telegram_bot_token),
                ("discord", self.settings.discord_bot_token),
            )
            if token is not None
        ]
        try:
            platform, chat = admin_target(value, platforms or ["telegram"])
        except ValueError as exc:
            return [Check("admin chat", "FAIL", str(exc))]
        try:
            if platform == "telegram" and self.settings.telegram_bot_token is not None:
                base = (self.settings.telegram_base_url or "https://api.telegram.org/bot").rstrip(
                    "/"
                )
                token = self.settings.telegram_bot_token.get_secret_value()
                answer = await self.client.post(f"{base}{token}/getChat", data={"chat_id": chat})
                found = (_json(answer) or {}).get("result") or {}
                name = found.get("title") or found.get("username") or found.get("first_name")
            elif platform == "discord" and self.settings.discord_bot_token is not None:
                base = (self.settings.discord_base_url or DISCORD_API).rstrip("/")
                token = self.settings.discord_bot_token.get_secret_value()
                answer = await self._get(
                    f"{base}/channels/{chat}", {"Authorization": f"Bot {token}"}
                )
                name = (_json(answer) or {}).get("name")
            else:
                return [Check("admin chat", "FAIL", f"{platform} is not configured")]
        except httpx.HTTPError as exc:
            return [self._unreachable("admin chat", platform, exc)]
        if answer.status_code != 200:
            return [
                Check(
                    "admin chat",
                    "FAIL",
                    f"{platform} chat {chat} not found (HTTP {answer.status_code}):"
                    " the bot must be a member of it",
                )
            ]
        return [Check("admin chat", "ok", f"{platform} chat {chat} ({name or 'found'})")]

    # --- the database --------------------------------------------------------------------

    async def database(self) -> list[Check]:
        if urls.is_url(self.settings.store):
            return await self._postgres(str(self.settings.store))
        db = self.settings.db
        checks = []
        try:
            report = await asyncio.to_thread(ops.inspect, db)
        except ops.StoreProblem as exc:
            return [Check("database", "FAIL", f"{db}: cannot be opened: {exc}")]
        if not report.exists:
            checks.append(Check("database", "ok", f"{db}: not there yet, created at the first run"))
        else:
            checks.append(Check("database", "ok", f"{db} opens ({report.journal_mode} journal)"))
            checks.extend(_schema(report))
            status: Status = "ok" if report.check == "ok" else "FAIL"
            checks.append(Check("integrity", status, report.check))
        checks.append(self._disk(db))
        checks.append(self._lock(db))
        return checks

    async def _postgres(self, url: str) -> list[Check]:
        where = urls.redact(url)
        try:
            report = await asyncio.to_thread(ops.inspect_postgres, url)
        except ops.StoreProblem as exc:
            return [Check("database", "FAIL", self._clean(str(exc)))]
        return [Check("database", "ok", f"PostgreSQL at {where} answers"), *_schema(report)]

    @staticmethod
    def _disk(db: Path) -> Check:
        folder = db.expanduser().resolve().parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        free = shutil.disk_usage(folder).free
        text = f"{free / 1e9:.1f} GB free in {folder}"
        if free < DISK_FAIL:
            return Check("free disk", "FAIL", text)
        return Check("free disk", "warn" if free < DISK_WARN else "ok", text)

    @staticmethod
    def _lock(db: Path) -> Check:
        pid = database_lock.holder(db)
        if pid is None:
            return Check("running bot", "ok", "none on this database")
        return Check("running bot", "ok", f"matchbot run holds {db} (pid {pid})")

    # --- data -----------------------------------------------------------------------------

    async def providers(self) -> list[Check]:
        checks = []
        if self.settings.api_football_key is not None:
            checks.append(await self._api_football())
        if self.settings.football_data_token is not None:
            checks.append(await self._football_data())
        if not checks:
            checks.append(Check("data providers", "ok", "none configured (feeds and reporters)"))
        return checks

    async def _api_football(self) -> Check:
        name = "API-Football"
        assert self.settings.api_football_key is not None
        base = self.settings.api_football_base_url.rstrip("/")
        key = self.settings.api_football_key.get_secret_value()
        try:  # /status does not count against the day's requests
            answer = await self._get(f"{base}/status", {"x-apisports-key": key})
        except httpx.HTTPError as exc:
            return self._unreachable(name, base, exc)
        body = _json(answer)
        if answer.status_code >= 400 or body is None:
            return Check(name, "FAIL", f"{base} answered HTTP {answer.status_code}")
        errors = body.get("errors")
        if errors:
            values = errors.values() if isinstance(errors, dict) else errors
            text = " ".join(str(v) for v in values)
            if "token" in str(errors).lower() or "key" in text.lower():
                return Check(name, "FAIL", "API_FOOTBALL_KEY rejected: check the key")
            return Check(name, "FAIL", self._clean(text[:160]))
        left = _api_football_left(body, answer.headers)
        if left == 0:
            return Check(name, "FAIL", "key accepted, but no request left today")
        shown = "?" if left is None else str(left)
        return Check(name, "ok", f"key accepted, {shown} requests left today")

    async def _football_data(self) -> Check:
        name = "football-data.org"
        assert self.settings.football_data_token is not None
        base = self.settings.football_data_base_url.rstrip("/")
        token = self.settings.football_data_token.get_secret_value()
        try:
            answer = await self._get(f"{base}/competitions/SA", {"X-Auth-Token": token})
        except httpx.HTTPError as exc:
            return self._unreachable(name, base, exc)
        if answer.status_code in (400, 401, 403):
            return Check(name, "FAIL", "FOOTBALL_DATA_TOKEN rejected: check the token")
        if answer.status_code == 429:
            return Check(name, "warn", "key accepted, no request left this minute")
        if answer.status_code >= 500:
            return Check(name, "FAIL", f"{base} answered HTTP {answer.status_code}")
        left = answer.headers.get("X-Requests-Available-Minute", "?")
        return Check(name, "ok", f"key accepted, {left} requests left this minute")

    async def feeds(self) -> list[Check]:
        checks = []
        for path in self.settings.feed_paths:
            if path.is_dir():
                files = len(list(path.glob("*.jsonl")))
                checks.append(Check("feed", "ok", f"{path}: folder, {files} *.jsonl files"))
            elif path.is_file():
                try:
                    with path.open("rb"):
                        pass
                    checks.append(Check("feed", "ok", f"{path}: readable"))
                except OSError as exc:
                    checks.append(Check("feed", "FAIL", f"{path}: {exc.strerror or exc}"))
            else:
                checks.append(Check("feed", "warn", f"{path}: not there (yet)"))
        return checks

    async def time_zones(self) -> list[Check]:
        try:
            ZoneInfo("Europe/Rome")
        except ZoneInfoNotFoundError:
            return [Check("time zones", "FAIL", "no time-zone database (install tzdata)")]
        if urls.is_url(self.settings.store):
            return [Check("time zones", "ok", "zone database present")]
        try:
            report = await asyncio.to_thread(ops.inspect, self.settings.db)
        except ops.StoreProblem:
            return [Check("time zones", "ok", "zone database present")]
        bad = []
        for zone in report.chat_zones:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                bad.append(zone)
        if bad:
            return [Check("time zones", "FAIL", f"chats use unknown zones: {', '.join(bad)}")]
        used = len(report.chat_zones)
        return [Check("time zones", "ok", f"zone database present; chats use {used} zones")]


def _schema(report: ops.DatabaseReport) -> list[Check]:
    if report.unknown:
        newer = ", ".join(report.unknown)
        return [Check("schema", "FAIL", f"written by a newer matchbot ({newer}): upgrade")]
    if report.applied < report.known:
        return [
            Check(
                "schema",
                "ok",
                f"version {report.applied} of {report.known}: migrated at the next start",
            )
        ]
    return [Check("schema", "ok", f"version {report.applied} (current)")]


def _json(answer: httpx.Response) -> dict[str, Any] | None:
    try:
        body = answer.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _api_football_left(body: dict[str, Any], headers: httpx.Headers) -> int | None:
    response = body.get("response")
    if isinstance(response, dict):
        requests = response.get("requests") or {}
        current, limit = requests.get("current"), requests.get("limit_day")
        if isinstance(current, int) and isinstance(limit, int):
            return max(0, limit - current)
    raw = headers.get("x-ratelimit-requests-remaining")
    return int(raw) if raw is not None and raw.strip().isdigit() else None


def table(checks: list[Check]) -> str:
    """The checks as a plain table (any terminal, any log)."""
    name_width = max(len("check"), *(len(c.name) for c in checks))
    lines = [f"{'check':<{name_width}}  status  detail", f"{'-' * name_width}  ------  ------"]
    lines += [f"{c.name:<{name_width}}  {c.status:<6}  {c.detail}" for c in checks]
    return "\n".join(lines)


async def diagnose(settings: Settings) -> list[Check]:
    async with httpx.AsyncClient(timeout=TIMEOUT, verify=client_context()) as client:
        return await Doctor(settings, client).run()
