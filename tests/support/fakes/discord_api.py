"""In-process fake of the Discord API (REST v10 + JSON gateway) for end-to-end tests.

``FakeDiscord`` runs an ``aiohttp.web`` server on 127.0.0.1 (free port) that the *real*
discord.py 2.7 client can log in to, connect to and talk to::

    async with FakeDiscord() as dc:                 # also points discord.py at the fake
        client = discord.Client(intents=discord.Intents.default())
        await client.login(dc.token)
        task = asyncio.create_task(client.connect())
        ...
        iid = await dc.send_interaction_command(gid, cid, 42, "ping", {"team": "x"})
        resp = await dc.wait_interaction_response(iid)

What is emulated
----------------
* REST under ``/api/v10``: ``GET /users/@me``, ``GET /oauth2/applications/@me``,
  ``GET /gateway`` and ``/gateway/bot``, ``GET``/``PUT`` global and guild application commands,
  ``GET /channels/{id}``, ``POST /channels/{id}/messages``, ``GET``/``PATCH``/``DELETE
  /channels/{id}/messages/{mid}``, ``POST /interactions/{id}/{token}/callback``,
  ``POST /webhooks/{app}/{token}`` (follow-ups) and ``GET``/``PATCH``/``DELETE
  /webhooks/{app}/{token}/messages/{@original|mid}``. Every other path answers Discord's
  ``404: Not Found`` JSON and is listed in ``unhandled``.
* JSON bodies are served with ``Content-Type`` exactly ``application/json`` (discord.py only
  decodes that exact value). Bot routes require ``Authorization: Bot <token>`` (401 otherwise).
* Discord's message limits (content 2000, 10 embeds, title 256, description 4096, 25 fields,
  field name 256 / value 1024 (both required), footer 2048, author 256, 6000 characters in all
  embeds) on sends, edits, interaction responses and follow-ups, answered like Discord: 400
  ``{"code": 50035, "message": "Invalid Form Body", "errors": {...}}``; empty messages get 400
  code 50006.
* Rate limits: a global sliding 1 s window (default 50 requests/s, interaction endpoints exempt
  as on Discord) and per-channel fixed-window buckets on the message routes (default 5 per 5 s),
  with the ``X-RateLimit-*`` headers discord.py's bucket logic reads. Each 429 carries
  ``Via: 1.1 google`` (without it discord.py assumes a Cloudflare ban and raises instead of
  retrying) and is recorded in ``violations``. ``time_scale`` multiplies both windows (0.01:
  everything 100 times faster, for tests whose bot paces delivery on a
  :class:`bot.clock.FastClock`); discord.py waits what the headers say, so it follows.
* Permissions: channels the bot cannot view answer 403/50001, without Send Messages 403/50013,
  embeds are silently dropped without Embed Links (as Discord does). Unknown or deleted channels
  answer 404/10003; channels of a guild the bot left answer 403/50001.
* Interactions: tokens, single acknowledgement (400/40060 on a second response), the 3 s
  response deadline (404/10062 afterwards, configurable), ``with_response`` callback bodies,
  deferred responses, follow-ups and ``@original`` edits.
* Error injection: ``fail_next(channel_id, kind, count)`` and permanent ``forbid(channel_id)``.
* Gateway at ``/gateway`` (``v=10&encoding=json``, optional ``compress=zlib-stream`` done with
  one shared zlib stream and ``Z_SYNC_FLUSH``): HELLO, IDENTIFY (token and privileged intents
  checked: close 4004 / 4014), READY, GUILD_CREATE per guild, HEARTBEAT/ACK, RESUME (RESUMED
  for known sessions, INVALID_SESSION otherwise), REQUEST_GUILD_MEMBERS (one chunk), and
  test-driven INTERACTION_CREATE, GUILD_CREATE, GUILD_DELETE, CHANNEL_DELETE, RECONNECT.
* Sharding: ``/gateway/bot`` recommends ``shards`` (default 1); IDENTIFY may carry
  ``shard: [id, count]`` (close 4010 when invalid); a connection serving more than
  ``max_guilds_per_shard`` guilds (Discord: 2,500) is closed with 4011 (sharding required).
  Each shard gets the guilds with ``(guild_id >> 22) % count == id`` in READY/GUILD_CREATE, and
  the events of those guilds; events outside a guild (DMs) go to shard 0.

What is NOT emulated
--------------------
ETF encoding, zstd-stream (falls back to uncompressed text frames), voice, file
uploads / multipart bodies, threads, DMs, reactions, message history, MESSAGE_CREATE echoes of
the bot's own messages, component/modal interactions, per-route limits other than the message
routes, the invalid-request Cloudflare ban (only counted in ``invalid_requests``), gateway
identify/send rate limits and heartbeat enforcement.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import math
import secrets
import socket
import time
import zlib
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import discord.gateway
import discord.http
import yarl
from aiohttp import WSMsgType, web

JSON = dict[str, Any]
FailureKind = Literal["rate_limited", "forbidden", "not_found", "server_error"]

DISCORD_EPOCH_MS = 1_420_070_400_000
API_PREFIX = "/api/v10"

# Permission bits used by the fake (see discord.Permissions).
ADMINISTRATOR = 1 << 3
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ALL_PERMISSIONS = (1 << 53) - 1
#: @everyone defaults of a freshly created Discord server.
DEFAULT_EVERYONE_PERMISSIONS = 1_071_698_660_929
#: What a typical invite link grants a bot: view, send, embed, read history, use app commands…
DEFAULT_BOT_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | (1 << 16) | (1 << 15) | (1 << 6) | (1 << 31)
)
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message_content

EPHEMERAL_FLAG = 64
LOADING_FLAG = 128

# Gateway opcodes
OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE = 3
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

# Interaction types / callback types
INTERACTION_APPLICATION_COMMAND = 2
INTERACTION_AUTOCOMPLETE = 4
CALLBACK_MESSAGE = 4
CALLBACK_DEFERRED_MESSAGE = 5
CALLBACK_DEFERRED_UPDATE = 6
CALLBACK_UPDATE_MESSAGE = 7
CALLBACK_AUTOCOMPLETE = 8
CALLBACK_MODAL = 9

_VIA = "1.1 google"
_RATE_LIMIT_MESSAGE = "You are being rate limited."


def _now_iso(ts: float | None = None) -> str:
    return datetime.fromtimestamp(time.time() if ts is None else ts, UTC).isoformat()


def _field_error(code: str, message: str) -> JSON:
    return {"_errors": [{"code": code, "message": message}]}


def _max_len(limit: int) -> JSON:
    return _field_error("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _len(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def validate_message_payload(payload: Mapping[str, Any]) -> JSON | None:  # noqa: C901 (one check per field Discord validates)
    """Return Discord's ``errors`` object for a message body that breaks a limit, else None."""
    errors: JSON = {}
    content = payload.get("content")
    if content is not None and len(str(content)) > 2000:
        errors["content"] = _max_len(2000)

    embeds = payload.get("embeds")
    if embeds is None and isinstance(payload.get("embed"), dict):
        embeds = [payload["embed"]]
    if isinstance(embeds, list) and embeds:
        if len(embeds) > 10:
            errors["embeds"] = _max_len(10)
        else:
            embed_errors: JSON = {}
            total = 0
            for index, embed in enumerate(embeds):
                if not isinstance(embed, dict):
                    continue
                one: JSON = {}
                for key, limit in (("title", 256), ("description", 4096)):
                    total += _len(embed.get(key))
                    if _len(embed.get(key)) > limit:
                        one[key] = _max_len(limit)
                footer = embed.get("footer") or {}
                total += _len(footer.get("text"))
                if _len(footer.get("text")) > 2048:
                    one["footer"] = {"text": _max_len(2048)}
                author = embed.get("author") or {}
                total += _len(author.get("name"))
                if _len(author.get("name")) > 256:
                    one["author"] = {"name": _max_len(256)}
                fields = embed.get("fields") or []
                field_errors: JSON = {}
                if len(fields) > 25:
                    field_errors.update(_max_len(25))
                for f_index, fld in enumerate(fields):
                    f_err: JSON = {}
                    for key, limit in (("name", 256), ("value", 1024)):
                        value = fld.get(key)
                        total += _len(value)
                        if value is None or str(value) == "":
                            f_err[key] = _field_error(
                                "BASE_TYPE_REQUIRED", "This field is required"
                            )
                        elif _len(value) > limit:
                            f_err[key] = _max_len(limit)
                    if f_err:
                        field_errors[str(f_index)] = f_err
                if field_errors:
                    one["fields"] = field_errors
                if one:
                    embed_errors[str(index)] = one
            if total > 6000:
                embed_errors["_errors"] = [
                    {
                        "code": "MAX_EMBED_SIZE_EXCEEDED",
                        "message": "Embed size exceeds maximum size of 6000",
                    }
                ]
            if embed_errors:
                errors["embeds"] = embed_errors
    return errors or None


def _is_empty_message(payload: Mapping[str, Any]) -> bool:
    content = payload.get("content")
    has_content = content is not None and str(content).strip() != ""
    return not (
        has_content
        or payload.get("embeds")
        or payload.get("embed")
        or payload.get("components")
        or payload.get("sticker_ids")
        or payload.get("attachments")
        or payload.get("poll")
    )


# ---------------------------------------------------------------------------------------------
# Configuration and records
# ---------------------------------------------------------------------------------------------


@dataclass
class FakeChannel:
    """A guild text channel (type 0) as configured for the fake."""

    id: int
    name: str
    type: int = 0
    position: int = 0
    topic: str | None = None
    #: Discord overwrite objects: {"id": str, "type": 0 role / 1 member, "allow": str, "deny": str}
    permission_overwrites: list[JSON] = field(default_factory=list)
    nsfw: bool = False
    parent_id: int | None = None

    def to_payload(self, guild_id: int) -> JSON:
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": list(self.permission_overwrites),
            "topic": self.topic,
            "nsfw": self.nsfw,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None if self.parent_id is None else str(self.parent_id),
            "flags": 0,
        }


@dataclass
class FakeGuild:
    """A guild the bot is in. ``bot_role_id``/``owner_id`` of 0 are filled in automatically."""

    id: int
    name: str
    channels: list[FakeChannel] = field(default_factory=list)
    owner_id: int = 0
    everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS
    bot_permissions: int = DEFAULT_BOT_PERMISSIONS
    bot_role_id: int = 0
    member_count: int = 2
    locale: str = "en-US"

    def channel(self, channel_id: int) -> FakeChannel | None:
        return next((c for c in self.channels if c.id == channel_id), None)


@dataclass
class RecordedRequest:
    """One REST call as the fake saw it (path is relative to /api/v10)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int = 0
    at: float = 0.0


@dataclass
class SentMessage:
    """A message the bot created; fields reflect the current state after edits."""

    id: int
    channel_id: int
    content: str
    embeds: list[JSON]
    components: list[JSON]
    allowed_mentions: JSON | None
    flags: int
    #: "channel" (POST /channels/{id}/messages), "interaction" (callback type 4/5) or "followup"
    source: str
    interaction_id: int | None = None
    created_at: float = 0.0
    edited_at: float | None = None
    edit_count: int = 0
    deleted: bool = False
    nonce: Any = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL_FLAG)


@dataclass
class MessageEdit:
    """One accepted edit (PATCH) of a message."""

    message_id: int
    channel_id: int
    json: JSON
    via: str  # "channel" or "webhook"
    at: float


@dataclass
class InteractionResponse:
    """A POST /interactions/{id}/{token}/callback that Discord accepted."""

    interaction_id: int
    interaction_type: int
    command_name: str
    type: int
    data: JSON | None
    at: float

    @property
    def flags(self) -> int:
        return int((self.data or {}).get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL_FLAG)

    @property
    def content(self) -> str | None:
        return (self.data or {}).get("content")

    @property
    def embeds(self) -> list[JSON]:
        return list((self.data or {}).get("embeds") or [])

    @property
    def choices(self) -> list[JSON]:
        return list((self.data or {}).get("choices") or [])


@dataclass
class RateLimitViolation:
    """A request the fake answered with 429 because a limit (not an injection) was exceeded."""

    scope: Literal["global", "channel"]
    method: str
    path: str
    channel_id: int | None
    at: float


@dataclass
class _Interaction:
    id: int
    token: str
    type: int
    name: str
    guild_id: int | None
    channel_id: int
    created: float
    responded: bool = False
    original_message_id: int | None = None


@dataclass
class _Bucket:
    count: int = 0
    reset_at: float = 0.0


@dataclass
class _GatewayConnection:
    ws: web.WebSocketResponse
    compress: str | None
    zlib: Any = None
    session_id: str | None = None
    seq: int = 0
    identified: bool = False
    #: (shard id, shard count) from IDENTIFY; None: unsharded (every guild)
    shard: tuple[int, int] | None = None

    def serves(self, guild_id: int | str | None) -> bool:
        """Whether this connection gets a guild's events (outside a guild: shard 0)."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        if guild_id is None:
            return shard_id == 0
        return (int(guild_id) >> 22) % count == shard_id

    async def send(self, payload: JSON) -> None:
        text = json.dumps(payload, separators=(",", ":"))
        if self.zlib is not None:
            data = self.zlib.compress(text.encode()) + self.zlib.flush(zlib.Z_SYNC_FLUSH)
            await self.ws.send_bytes(data)
        else:
            await self.ws.send_str(text)


class _Snowflakes:
    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        value = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(value, self._last + 1)
        return self._last


def _json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    # web.json_response would say "application/json; charset=utf-8", which discord.py's
    # json_or_text() does not decode (it compares the header with "application/json").
    all_headers = {"Content-Type": "application/json"}
    all_headers.update(headers or {})
    return web.Response(status=status, body=json.dumps(data).encode(), headers=all_headers)


def _error(status: int, message: str, code: int = 0, **extra: Any) -> web.Response:
    return _json_response({"message": message, "code": code, **extra}, status=status)


def _invalid_form(errors: JSON) -> web.Response:
    return _error(400, "Invalid Form Body", 50035, errors=errors)


def _option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3


# ---------------------------------------------------------------------------------------------
# The fake
# ---------------------------------------------------------------------------------------------


class FakeDiscord:
    """Fake Discord REST API + gateway on 127.0.0.1. See the module docstring."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        bot_id: int = 900_000_000_000_000_001,
        bot_name: str = "matchbot",
        application_id: int | None = None,
        guilds: Sequence[FakeGuild] | None = None,
        global_rate_limit: int | None = 50,
        channel_rate_limit: int | None = 5,
        channel_rate_window: float = 5.0,
        time_scale: float = 1.0,
        heartbeat_interval_ms: int = 41_250,
        interaction_response_timeout: float | None = 3.0,
        privileged_intents: int = 0,
        patch_discord: bool = True,
        shards: int = 1,
        max_guilds_per_shard: int = 2500,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.application_id = application_id if application_id is not None else bot_id
        self.global_rate_limit = global_rate_limit
        self.channel_rate_limit = channel_rate_limit
        #: the global window (1 s) and the channel window are both multiplied by this
        self.time_scale = time_scale
        self.channel_rate_window = channel_rate_window * time_scale
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.interaction_response_timeout = interaction_response_timeout
        #: privileged intents enabled in the "developer portal"; others close IDENTIFY with 4014
        self.privileged_intents = privileged_intents
        self.patch_discord = patch_discord
        #: the shard count ``/gateway/bot`` recommends
        self.shards = shards
        #: more guilds than this on one connection: IDENTIFY is closed with 4011
        self.max_guilds_per_shard = max_guilds_per_shard

        self._ids = _Snowflakes()
        if guilds is None:
            guilds = [
                FakeGuild(
                    id=800_000_000_000_000_001,
                    name="Test Guild",
                    channels=[
                        FakeChannel(id=800_000_000_000_000_010, name="general", position=0),
                        FakeChannel(id=800_000_000_000_000_011, name="match-alerts", position=1),
                    ],
                )
            ]
        self.guilds: dict[int, FakeGuild] = {}
        for guild in guilds:
            self._prepare_guild(guild)
            self.guilds[guild.id] = guild
        self._left_guild_channels: set[int] = set()
        self._deleted_channels: set[int] = set()

        # records
        self.requests: list[RecordedRequest] = []
        self.unhandled: list[RecordedRequest] = []
        self.edits: list[MessageEdit] = []
        self.interaction_responses: list[InteractionResponse] = []
        self.violations: list[RateLimitViolation] = []
        #: synced application commands per scope: None = global, else the guild id
        self.synced_commands: dict[int | None, list[JSON]] = {}
        self.command_syncs: int = 0
        self.identify_payloads: list[JSON] = []
        #: query of every gateway websocket connection (v, encoding, compress)
        self.gateway_queries: list[dict[str, str]] = []
        self.resumes: int = 0
        self.heartbeats: int = 0
        self.invalid_requests: int = 0
        self._messages: dict[int, SentMessage] = {}
        self._interactions: dict[int, _Interaction] = {}
        self._command_ids: dict[tuple[int | None, str], int] = {}

        # error injection and rate limiting
        self._failures: dict[int | None, deque[tuple[FailureKind, int, float]]] = {}
        #: channel id -> time.monotonic() until which a 429 asked the bot to leave it alone
        self._channel_held: dict[int, float] = {}
        self._forbidden: set[int] = set()
        self._global_window: deque[float] = deque()
        self._buckets: dict[tuple[str, int], _Bucket] = {}

        # gateway
        self._connections: list[_GatewayConnection] = []
        self._sessions: dict[str, int] = {}  # session id -> last seq
        self._session_shards: dict[str, tuple[int, int] | None] = {}
        self._identified = asyncio.Event()
        self._changed = asyncio.Event()

        self._runner: web.AppRunner | None = None
        self._patch: contextlib.ExitStack | None = None
        self.port: int = 0

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/gateway", self._gateway)
        p = API_PREFIX
        r = app.router
        r.add_get(p + "/users/@me", self._get_me)
        r.add_get(p + "/oauth2/applications/@me", self._get_application)
        r.add_get(p + "/applications/@me", self._get_application)
        r.add_get(p + "/gateway", self._get_gateway)
        r.add_get(p + "/gateway/bot", self._get_gateway_bot)
        r.add_get(p + "/applications/{app_id}/commands", self._get_commands)
        r.add_put(p + "/applications/{app_id}/commands", self._put_commands)
        r.add_get(p + "/applications/{app_id}/guilds/{guild_id}/commands", self._get_commands)
        r.add_put(p + "/applications/{app_id}/guilds/{guild_id}/commands", self._put_commands)
        r.add_get(p + "/channels/{channel_id}", self._get_channel)
        r.add_post(p + "/channels/{channel_id}/messages", self._post_message)
        r.add_get(p + "/channels/{channel_id}/messages/{message_id}", self._get_message)
        r.add_patch(p + "/channels/{channel_id}/messages/{message_id}", self._patch_message)
        r.add_delete(p + "/channels/{channel_id}/messages/{message_id}", self._delete_message)
        r.add_post(p + "/interactions/{interaction_id}/{token}/callback", self._callback)
        r.add_post(p + "/webhooks/{app_id}/{token}", self._post_followup)
        r.add_get(p + "/webhooks/{app_id}/{token}/messages/{message_id}", self._get_webhook_msg)
        r.add_patch(p + "/webhooks/{app_id}/{token}/messages/{message_id}", self._patch_webhook_msg)
        r.add_delete(p + "/webhooks/{app_id}/{token}/messages/{message_id}", self._del_webhook_msg)
        r.add_route("*", p + "/{tail:.*}", self._not_found)

        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        if self.patch_discord:
            self._patch = contextlib.ExitStack()
            self._patch.enter_context(self.patched())

    async def stop(self) -> None:
        if self._patch is not None:
            self._patch.close()
            self._patch = None
        for conn in list(self._connections):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.ws.close(code=1001), 2)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @contextlib.contextmanager
    def patched(self) -> Iterator[None]:
        """Point discord.py (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY) at this fake."""
        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    # -- convenience accessors -------------------------------------------------------------------

    @property
    def guild_id(self) -> int:
        """Id of the first configured guild."""
        return next(iter(self.guilds))

    @property
    def channel_id(self) -> int:
        """Id of the first channel of the first guild."""
        return self.guilds[self.guild_id].channels[0].id

    @property
    def intents(self) -> int | None:
        """Intents of the last IDENTIFY, if any."""
        return self.identify_payloads[-1].get("intents") if self.identify_payloads else None

    @property
    def connected(self) -> bool:
        return any(c.identified for c in self._connections)

    def messages(
        self, channel_id: int | None = None, *, include_interactions: bool = False
    ) -> list[SentMessage]:
        """Messages the bot sent with POST /channels/{id}/messages, in order, after edits.

        Deleted messages are left out. ``include_interactions`` adds interaction responses and
        follow-ups that created messages.
        """
        return [
            m
            for m in self._messages.values()
            if not m.deleted
            and (channel_id is None or m.channel_id == channel_id)
            and (include_interactions or m.source == "channel")
        ]

    @property
    def followups(self) -> list[SentMessage]:
        return [m for m in self._messages.values() if m.source == "followup"]

    def get_message(self, message_id: int) -> SentMessage | None:
        return self._messages.get(message_id)

    def channel_violations(self, channel_id: int | None = None) -> list[RateLimitViolation]:
        return [
            v
            for v in self.violations
            if v.scope == "channel" and (channel_id is None or v.channel_id == channel_id)
        ]

    def global_violations(self) -> list[RateLimitViolation]:
        return [v for v in self.violations if v.scope == "global"]

    async def wait_for(
        self,
        condition: Callable[[], bool] | int,
        timeout: float = 10.0,
        *,
        channel_id: int | None = None,
    ) -> None:
        """Wait until ``condition()`` is true, or (int) until that many channel messages exist.

        Raises ``TimeoutError`` after ``timeout`` seconds.
        """
        if isinstance(condition, int):
            wanted = condition

            def predicate() -> bool:
                return len(self.messages(channel_id)) >= wanted

            what = f"{wanted} message(s)"
        else:
            predicate = condition
            what = getattr(condition, "__name__", "condition")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"FakeDiscord: timed out after {timeout}s waiting for {what}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def wait_interaction_response(
        self,
        interaction_id: int,
        timeout: float = 10.0,
    ) -> InteractionResponse:
        """Wait for and return the callback the bot sent for ``interaction_id``."""

        def responded() -> bool:
            return any(r.interaction_id == interaction_id for r in self.interaction_responses)

        await self.wait_for(responded, timeout)
        return next(r for r in self.interaction_responses if r.interaction_id == interaction_id)

    async def wait_identified(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self._identified.wait(), timeout)

    def _notify(self) -> None:
        self._changed.set()

    # -- error injection -------------------------------------------------------------------------

    def fail_next(
        self,
        channel_id: int | None,
        kind: FailureKind,
        count: int = 1,
        *,
        status: int | None = None,
        retry_after: float = 0.5,
    ) -> None:
        """Make the next ``count`` REST calls on ``channel_id`` (None: any call) fail.

        kinds: "rate_limited" (429 with ``retry_after``, Via header: discord.py sleeps and
        retries up to its ``max_ratelimit_timeout``, else raises ``RateLimited``; any later
        call on that channel within ``retry_after`` is refused again and recorded as a
        channel violation),
        "forbidden" (403/50001), "not_found" (404/10003), "server_error" (``status`` 500 by
        default, or 502/503/504 — 502 with Cloudflare's HTML body; discord.py retries
        500/502/504 after 1, 3, 5, 7 s and raises DiscordServerError after 5 tries, but
        raises 503 at once).
        """
        if kind not in ("rate_limited", "forbidden", "not_found", "server_error"):
            raise ValueError(f"unknown failure kind {kind!r}")
        default = {"rate_limited": 429, "forbidden": 403, "not_found": 404, "server_error": 500}
        entry = (kind, status or default[kind], retry_after)
        self._failures.setdefault(channel_id, deque()).extend([entry] * count)

    def forbid(self, channel_id: int) -> None:
        """From now on every call on ``channel_id`` answers 403 Missing Access (50001)."""
        self._forbidden.add(channel_id)

    def unforbid(self, channel_id: int) -> None:
        self._forbidden.discard(channel_id)

    # -- gateway events driven by tests ------------------------------------------------------------

    async def dispatch(
        self,
        event: str,
        data: JSON,
        timeout: float = 10.0,
    ) -> None:
        """Send a DISPATCH (op 0) event to every identified gateway connection."""
        await self.wait_identified(timeout)
        guild_id = data.get("guild_id")
        if guild_id is None and event.startswith("GUILD_"):
            guild_id = data.get("id")
        conns = [c for c in self._connections if c.identified and c.serves(guild_id)]
        if not conns:
            raise RuntimeError("FakeDiscord: no identified gateway connection")
        for conn in conns:
            await self._dispatch_to(conn, event, data)

    async def send_interaction_command(
        self,
        guild_id: int | None,
        channel_id: int,
        user_id: int,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON] | None = None,
        *,
        permissions: int | str | None = None,
        roles: Sequence[int] = (),
        locale: str = "en-US",
        username: str | None = None,
    ) -> int:
        """Dispatch an INTERACTION_CREATE (type 2, slash command); returns the interaction id.

        ``options`` is ``{name: value}`` (types taken from the synced command, else inferred) or a
        list of raw option objects. The command must have been synced (globally or to the guild).
        """
        return await self._send_interaction(
            INTERACTION_APPLICATION_COMMAND,
            guild_id,
            channel_id,
            user_id,
            name,
            options,
            focused=None,
            permissions=permissions,
            roles=roles,
            locale=locale,
            username=username,
        )

    async def send_autocomplete(
        self,
        guild_id: int | None,
        channel_id: int,
        user_id: int,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON] | None,
        focused: str,
        *,
        permissions: int | str | None = None,
        roles: Sequence[int] = (),
        locale: str = "en-US",
        username: str | None = None,
    ) -> int:
        """Dispatch an autocomplete INTERACTION_CREATE (type 4) with ``focused`` marked."""
        return await self._send_interaction(
            INTERACTION_AUTOCOMPLETE,
            guild_id,
            channel_id,
            user_id,
            name,
            options,
            focused=focused,
            permissions=permissions,
            roles=roles,
            locale=locale,
            username=username,
        )

    async def guild_delete(self, guild_id: int, *, unavailable: bool = False) -> None:
        """GUILD_DELETE: the bot was removed (or, with ``unavailable``, an outage)."""
        guild = self.guilds.get(guild_id)
        data: JSON = {"id": str(guild_id)}
        if unavailable:
            data["unavailable"] = True
        elif guild is not None:
            self._left_guild_channels.update(c.id for c in guild.channels)
            del self.guilds[guild_id]
        await self.dispatch("GUILD_DELETE", data)

    async def guild_create(self, guild: FakeGuild) -> None:
        """GUILD_CREATE for a guild the bot just joined."""
        self._prepare_guild(guild)
        self.guilds[guild.id] = guild
        self._left_guild_channels.difference_update(c.id for c in guild.channels)
        await self.dispatch("GUILD_CREATE", self._guild_payload(guild, unavailable=None))

    async def channel_delete(self, channel_id: int) -> None:
        """CHANNEL_DELETE; later REST calls on the channel answer 404 Unknown Channel."""
        for guild in self.guilds.values():
            channel = guild.channel(channel_id)
            if channel is not None:
                guild.channels.remove(channel)
                self._deleted_channels.add(channel_id)
                await self.dispatch("CHANNEL_DELETE", channel.to_payload(guild.id))
                return
        raise KeyError(f"unknown channel {channel_id}")

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT; discord.py reconnects and RESUMEs."""
        for conn in list(self._connections):
            await conn.send({"op": OP_RECONNECT, "d": None, "s": None, "t": None})

    async def close_gateway(self, code: int = 4000) -> None:
        """Close the gateway connection(s) from the server side with ``code``."""
        for conn in list(self._connections):
            await conn.ws.close(code=code)

    # -- payload builders --------------------------------------------------------------------------

    def _prepare_guild(self, guild: FakeGuild) -> None:
        if not guild.bot_role_id:
            guild.bot_role_id = self._ids.next()
        if not guild.owner_id:
            guild.owner_id = self._ids.next()

    def bot_user_payload(self) -> JSON:
        return {
            "id": str(self.bot_id),
            "username": self.bot_name,
            "global_name": None,
            "discriminator": "0",
            "avatar": None,
            "bot": True,
            "verified": True,
            "mfa_enabled": False,
            "flags": 0,
            "public_flags": 0,
            "locale": "en-US",
            "email": None,
        }

    def _user_payload(self, user_id: int, username: str | None = None) -> JSON:
        return {
            "id": str(user_id),
            "username": username or f"user{user_id % 10_000}",
            "global_name": None,
            "discriminator": "0",
            "avatar": None,
            "public_flags": 0,
            "avatar_decoration_data": None,
        }

    def _member_payload(self, user: JSON, roles: Sequence[int]) -> JSON:
        return {
            "user": user,
            "roles": [str(r) for r in roles],
            "nick": None,
            "avatar": None,
            "banner": None,
            "joined_at": _now_iso(time.time() - 86_400),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }

    def _role_payload(self, role_id: int, name: str, permissions: int, position: int) -> JSON:
        return {
            "id": str(role_id),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": name != "@everyone",
            "mentionable": False,
            "flags": 0,
            "tags": {"bot_id": str(self.bot_id)} if name != "@everyone" else {},
        }

    def _guild_payload(self, guild: FakeGuild, *, unavailable: bool | None) -> JSON:
        data: JSON = {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": guild.locale,
            "features": [],
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500_000,
            "max_video_channel_users": 25,
            "premium_progress_bar_enabled": False,
            "application_id": None,
            "joined_at": _now_iso(time.time() - 86_400),
            "large": guild.member_count >= 250,
            "member_count": guild.member_count,
            "roles": [
                self._role_payload(guild.id, "@everyone", guild.everyone_permissions, 0),
                self._role_payload(guild.bot_role_id, self.bot_name, guild.bot_permissions, 1),
            ],
            "emojis": [],
            "stickers": [],
            "channels": [c.to_payload(guild.id) for c in guild.channels],
            "threads": [],
            "members": [self._member_payload(self.bot_user_payload(), [guild.bot_role_id])],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
        if unavailable is not None:
            data["unavailable"] = unavailable
        return data

    def _application_payload(self) -> JSON:
        return {
            "id": str(self.application_id),
            "name": self.bot_name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "hook": True,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": self._user_payload(self.bot_id + 1, "owner"),
            "team": None,
            "bot": self.bot_user_payload(),
            "rpc_origins": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "tags": [],
            "approximate_guild_count": len(self.guilds),
            "integration_types_config": {"0": {}},
        }

    def _channel_permissions(self, guild: FakeGuild, channel: FakeChannel) -> int:
        """The bot's effective permissions in ``channel`` (Discord's algorithm)."""
        base = guild.everyone_permissions | guild.bot_permissions
        if base & ADMINISTRATOR:
            return ALL_PERMISSIONS
        by_target = {
            (int(o["id"]), int(o.get("type", 0))): o for o in channel.permission_overwrites
        }
        # @everyone overwrite, then the bot's role, then the bot member itself
        for key in ((guild.id, 0), (guild.bot_role_id, 0), (self.bot_id, 1)):
            ow = by_target.get(key)
            if ow:
                base = (base & ~int(ow.get("deny", 0))) | int(ow.get("allow", 0))
        return base

    def _find_channel(self, channel_id: int) -> tuple[FakeGuild, FakeChannel] | None:
        for guild in self.guilds.values():
            channel = guild.channel(channel_id)
            if channel is not None:
                return guild, channel
        return None

    def _message_payload(self, msg: SentMessage) -> JSON:
        data: JSON = {
            "id": str(msg.id),
            "channel_id": str(msg.channel_id),
            "author": self.bot_user_payload(),
            "content": msg.content,
            "timestamp": _now_iso(msg.created_at),
            "edited_timestamp": None if msg.edited_at is None else _now_iso(msg.edited_at),
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": msg.embeds,
            "pinned": False,
            "type": 0 if msg.source == "channel" else 20,
            "flags": msg.flags,
            "components": msg.components,
        }
        if msg.nonce is not None:
            data["nonce"] = msg.nonce
        if msg.source != "channel":
            data["webhook_id"] = str(self.application_id)
            data["application_id"] = str(self.application_id)
        return data

    # -- REST plumbing -----------------------------------------------------------------------------

    def _rate_limit_headers(self, bucket: _Bucket, name: str, now: float) -> dict[str, str]:
        limit = self.channel_rate_limit or 0
        reset_after = max(0.0, bucket.reset_at - now)
        reset_after = math.ceil(reset_after * 1000) / 1000
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, limit - bucket.count)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": hashlib.md5(name.encode()).hexdigest(),
        }

    @staticmethod
    def _too_many(retry_after: float, *, is_global: bool, headers: dict[str, str]) -> web.Response:
        retry_after = math.ceil(retry_after * 1000) / 1000
        all_headers = {
            "Retry-After": str(max(1, math.ceil(retry_after))),
            "Via": _VIA,
            "X-RateLimit-Scope": "global" if is_global else "user",
            **headers,
        }
        if is_global:
            all_headers["X-RateLimit-Global"] = "true"
        body = {"message": _RATE_LIMIT_MESSAGE, "retry_after": retry_after, "global": is_global}
        return _json_response(body, status=429, headers=all_headers)

    def _injected(self, kind: FailureKind, status: int, retry_after: float = 0.5) -> web.Response:
        if kind == "rate_limited":
            headers = {
                "X-RateLimit-Limit": str(self.channel_rate_limit or 5),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Bucket": "injected",
            }
            return self._too_many(retry_after, is_global=False, headers=headers)
        if kind == "forbidden":
            return _error(403, "Missing Access", 50001)
        if kind == "not_found":
            return _error(404, "Unknown Channel", 10003)
        if status == 502:
            return web.Response(
                status=502,
                body=b"<html><head><title>502 Bad Gateway</title></head></html>",
                headers={"Content-Type": "text/html"},
            )
        return _error(status, f"{status}: Internal Server Error", 0)

    @staticmethod
    def _is_interaction_path(path: str) -> bool:
        # Interaction endpoints are exempt from auth and from the global rate limit on Discord.
        return path.startswith("/interactions/") or (
            path.startswith("/webhooks/") and path.count("/") >= 3
        )

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        path = request.path[len(API_PREFIX) :]
        body: Any = None
        raw = await request.read()
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
        record = RecordedRequest(request.method, path, dict(request.query), body, at=time.time())
        self.requests.append(record)
        response = await self._handle(request, handler, path)
        record.status = response.status
        if response.status in (401, 403, 429):
            self.invalid_requests += 1
        self._notify()
        return response

    async def _handle(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
        path: str,
    ) -> web.StreamResponse:
        interaction_path = self._is_interaction_path(path)
        if not interaction_path and request.headers.get("Authorization") != f"Bot {self.token}":
            return _error(401, "401: Unauthorized", 0)

        loop_now = time.monotonic()
        if self.global_rate_limit is not None and not interaction_path:
            window = self._global_window
            span = self.time_scale  # Discord's 1 s, scaled
            while window and window[0] <= loop_now - span:
                window.popleft()
            if len(window) >= self.global_rate_limit:
                self.violations.append(
                    RateLimitViolation("global", request.method, path, None, time.time())
                )
                return self._too_many(window[0] + span - loop_now, is_global=True, headers={})
            window.append(loop_now)

        channel_id: int | None = None
        if "channel_id" in request.match_info:
            with contextlib.suppress(ValueError):
                channel_id = int(request.match_info["channel_id"])
        if channel_id is not None and channel_id in self._channel_held:
            left = self._channel_held[channel_id] - loop_now
            if left > 0:
                self.violations.append(
                    RateLimitViolation("channel", request.method, path, channel_id, time.time())
                )
                return self._too_many(left, is_global=False, headers={})
            del self._channel_held[channel_id]
        for key in (channel_id, None) if channel_id is not None else (None,):
            queue = self._failures.get(key)
            if queue:
                kind, status, retry_after = queue.popleft()
                if kind == "rate_limited" and channel_id is not None:
                    self._channel_held[channel_id] = loop_now + retry_after
                return self._injected(kind, status, retry_after)

        bucket_name: str | None = None
        if channel_id is not None and "/messages" in path and self.channel_rate_limit:
            bucket_name = f"{request.method} /channels/{{channel_id}}/messages"
            bucket = self._buckets.setdefault((bucket_name, channel_id), _Bucket())
            if loop_now >= bucket.reset_at:
                bucket.count = 0
                bucket.reset_at = loop_now + self.channel_rate_window
            if bucket.count >= self.channel_rate_limit:
                self.violations.append(
                    RateLimitViolation("channel", request.method, path, channel_id, time.time())
                )
                headers = self._rate_limit_headers(bucket, bucket_name, loop_now)
                return self._too_many(bucket.reset_at - loop_now, is_global=False, headers=headers)
            bucket.count += 1
            response = await handler(request)
            response.headers.update(self._rate_limit_headers(bucket, bucket_name, loop_now))
            return response
        return await handler(request)

    def _channel_access(
        self, channel_id: int, needed: int = VIEW_CHANNEL
    ) -> tuple[FakeGuild, FakeChannel] | web.Response:
        if channel_id in self._forbidden or channel_id in self._left_guild_channels:
            return _error(403, "Missing Access", 50001)
        found = self._find_channel(channel_id)
        if found is None:
            return _error(404, "Unknown Channel", 10003)
        guild, channel = found
        perms = self._channel_permissions(guild, channel)
        if not perms & VIEW_CHANNEL:
            return _error(403, "Missing Access", 50001)
        if perms & needed != needed:
            return _error(403, "Missing Permissions", 50013)
        return found

    @staticmethod
    async def _json_body(request: web.Request) -> JSON:
        raw = await request.read()
        if not raw:
            return {}
        data = json.loads(raw)
        return data if isinstance(data, dict) else {}

    # -- REST handlers ---------------------------------------------------------------------------

    async def _not_found(self, request: web.Request) -> web.Response:
        self.unhandled.append(self.requests[-1])
        return _error(404, "404: Not Found", 0)

    async def _get_me(self, request: web.Request) -> web.Response:
        return _json_response(self.bot_user_payload())

    async def _get_application(self, request: web.Request) -> web.Response:
        return _json_response(self._application_payload())

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return _json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        return _json_response(
            {
                "url": self.gateway_url,
                "shards": self.shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 86_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    def _scope(self, request: web.Request) -> int | web.Response | None:
        if request.match_info["app_id"] != str(self.application_id):
            return _error(403, "Missing Access", 50001)
        guild = request.match_info.get("guild_id")
        if guild is None:
            return None
        if int(guild) not in self.guilds:
            return _error(403, "Missing Access", 50001)
        return int(guild)

    async def _get_commands(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        if isinstance(scope, web.Response):
            return scope
        return _json_response(self.synced_commands.get(scope, []))

    async def _put_commands(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        if isinstance(scope, web.Response):
            return scope
        raw = await request.read()
        payload = json.loads(raw) if raw else []
        if not isinstance(payload, list):
            return _invalid_form({"_errors": [{"code": "LIST_TYPE_CONVERT", "message": "list"}]})
        errors: JSON = {}
        for index, cmd in enumerate(payload):
            cmd_errors: JSON = {}
            name = str(cmd.get("name", ""))
            if not 1 <= len(name) <= 32:
                cmd_errors["name"] = _field_error(
                    "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32"
                )
            if int(cmd.get("type", 1)) == 1:
                if name != name.lower():
                    cmd_errors["name"] = _field_error(
                        "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
                    )
                if not 1 <= len(str(cmd.get("description", ""))) <= 100:
                    cmd_errors["description"] = _field_error(
                        "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
                    )
            if len(cmd.get("options") or []) > 25:
                cmd_errors["options"] = _max_len(25)
            if cmd_errors:
                errors[str(index)] = cmd_errors
        if len(payload) > 100:
            errors["_errors"] = _max_len(100)["_errors"]
        if errors:
            return _invalid_form(errors)
        stored: list[JSON] = []
        for cmd in payload:
            key = (scope, str(cmd["name"]))
            cmd_id = self._command_ids.setdefault(key, self._ids.next())
            entry: JSON = {
                "type": 1,
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                "contexts": None,
                "integration_types": [0],
                **cmd,
                "id": str(cmd_id),
                "application_id": str(self.application_id),
                "version": str(self._ids.next()),
            }
            if scope is not None:
                entry["guild_id"] = str(scope)
            stored.append(entry)
        self.synced_commands[scope] = stored
        self.command_syncs += 1
        return _json_response(stored)

    async def _get_channel(self, request: web.Request) -> web.Response:
        access = self._channel_access(int(request.match_info["channel_id"]))
        if isinstance(access, web.Response):
            return access
        guild, channel = access
        return _json_response(channel.to_payload(guild.id))

    def _create_message(
        self, channel_id: int, body: JSON, *, source: str, interaction_id: int | None = None
    ) -> SentMessage:
        embeds = list(body.get("embeds") or ([body["embed"]] if body.get("embed") else []))
        for embed in embeds:
            embed.setdefault("type", "rich")
        msg = SentMessage(
            id=self._ids.next(),
            channel_id=channel_id,
            content=str(body.get("content") or ""),
            embeds=embeds,
            components=list(body.get("components") or []),
            allowed_mentions=body.get("allowed_mentions"),
            flags=int(body.get("flags") or 0),
            source=source,
            interaction_id=interaction_id,
            created_at=time.time(),
            nonce=body.get("nonce"),
        )
        self._messages[msg.id] = msg
        return msg

    def _apply_edit(self, msg: SentMessage, body: JSON, via: str) -> None:
        if "content" in body:
            msg.content = str(body["content"] or "")
        if "embeds" in body:
            msg.embeds = list(body["embeds"] or [])
            for embed in msg.embeds:
                embed.setdefault("type", "rich")
        if "components" in body:
            msg.components = list(body["components"] or [])
        if "allowed_mentions" in body:
            msg.allowed_mentions = body["allowed_mentions"]
        if body.get("flags") is not None:  # only SUPPRESS_EMBEDS may change; ephemeral sticks
            msg.flags = (msg.flags & EPHEMERAL_FLAG) | int(body["flags"])
        msg.flags &= ~LOADING_FLAG
        msg.edited_at = time.time()
        msg.edit_count += 1
        self.edits.append(MessageEdit(msg.id, msg.channel_id, dict(body), via, msg.edited_at))

    async def _post_message(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        access = self._channel_access(channel_id, VIEW_CHANNEL | SEND_MESSAGES)
        if isinstance(access, web.Response):
            return access
        guild, channel = access
        body = await self._json_body(request)
        errors = validate_message_payload(body)
        if errors:
            return _invalid_form(errors)
        if not self._channel_permissions(guild, channel) & EMBED_LINKS:
            body.pop("embeds", None)
            body.pop("embed", None)
        if _is_empty_message(body):
            return _error(400, "Cannot send an empty message", 50006)
        msg = self._create_message(channel_id, body, source="channel")
        return _json_response(self._message_payload(msg))

    def _channel_message(self, request: web.Request) -> SentMessage | web.Response:
        channel_id = int(request.match_info["channel_id"])
        access = self._channel_access(channel_id)
        if isinstance(access, web.Response):
            return access
        msg = self._messages.get(int(request.match_info["message_id"]))
        if msg is None or msg.deleted or msg.channel_id != channel_id:
            return _error(404, "Unknown Message", 10008)
        return msg

    async def _get_message(self, request: web.Request) -> web.Response:
        msg = self._channel_message(request)
        if isinstance(msg, web.Response):
            return msg
        return _json_response(self._message_payload(msg))

    async def _patch_message(self, request: web.Request) -> web.Response:
        msg = self._channel_message(request)
        if isinstance(msg, web.Response):
            return msg
        if msg.source != "channel" and msg.ephemeral:
            return _error(404, "Unknown Message", 10008)
        body = await self._json_body(request)
        errors = validate_message_payload(body)
        if errors:
            return _invalid_form(errors)
        self._apply_edit(msg, body, "channel")
        return _json_response(self._message_payload(msg))

    async def _delete_message(self, request: web.Request) -> web.Response:
        msg = self._channel_message(request)
        if isinstance(msg, web.Response):
            return msg
        msg.deleted = True
        return web.Response(status=204)

    def _lookup_interaction(self, token: str) -> _Interaction | None:
        return next((i for i in self._interactions.values() if i.token == token), None)

    async def _callback(self, request: web.Request) -> web.Response:  # noqa: C901 (one branch per interaction response type)
        try:
            interaction = self._interactions.get(int(request.match_info["interaction_id"]))
        except ValueError:
            interaction = None
        if interaction is None or interaction.token != request.match_info["token"]:
            return _error(404, "Unknown interaction", 10062)
        late = (
            self.interaction_response_timeout is not None
            and time.monotonic() - interaction.created > self.interaction_response_timeout
        )
        if interaction.responded:
            return _error(400, "Interaction has already been acknowledged.", 40060)
        if late:
            return _error(404, "Unknown interaction", 10062)
        body = await self._json_body(request)
        cb_type = int(body.get("type", 0))
        data = body.get("data")
        allowed = (
            {CALLBACK_AUTOCOMPLETE}
            if interaction.type == INTERACTION_AUTOCOMPLETE
            else {CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE, CALLBACK_MODAL}
        )
        if cb_type not in allowed:
            return _invalid_form(
                {"type": _field_error("INTERACTION_RESPONSE_TYPE_INVALID", "Invalid type")}
            )
        message: SentMessage | None = None
        if cb_type == CALLBACK_AUTOCOMPLETE:
            choices = (data or {}).get("choices") or []
            errors: JSON | None = None
            if len(choices) > 25:
                errors = {"choices": _max_len(25)}
            else:
                bad = {
                    str(i): {"name": _field_error("BASE_TYPE_BAD_LENGTH", "1-100")}
                    for i, c in enumerate(choices)
                    if not 1 <= len(str(c.get("name", ""))) <= 100
                }
                errors = {"choices": bad} if bad else None
            if errors:
                return _invalid_form({"data": errors})
        elif cb_type == CALLBACK_MESSAGE:
            msg_body = dict(data or {})
            errors = validate_message_payload(msg_body)
            if errors:
                return _invalid_form({"data": errors})
            if _is_empty_message(msg_body):
                return _error(400, "Cannot send an empty message", 50006)
            message = self._create_message(
                interaction.channel_id,
                msg_body,
                source="interaction",
                interaction_id=interaction.id,
            )
        elif cb_type == CALLBACK_DEFERRED_MESSAGE:
            flags = int((data or {}).get("flags") or 0) | LOADING_FLAG
            message = self._create_message(
                interaction.channel_id,
                {"content": "", "flags": flags},
                source="interaction",
                interaction_id=interaction.id,
            )
        interaction.responded = True
        if message is not None:
            interaction.original_message_id = message.id
        self.interaction_responses.append(
            InteractionResponse(
                interaction.id, interaction.type, interaction.name, cb_type, data, time.time()
            )
        )
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        info: JSON = {
            "id": str(interaction.id),
            "type": interaction.type,
            "response_message_loading": cb_type == CALLBACK_DEFERRED_MESSAGE,
            "response_message_ephemeral": bool(message and message.ephemeral),
        }
        result: JSON = {"interaction": info}
        if message is not None:
            info["response_message_id"] = str(message.id)
            result["resource"] = {"type": cb_type, "message": self._message_payload(message)}
        elif cb_type != CALLBACK_AUTOCOMPLETE:
            result["resource"] = {"type": cb_type}
        return _json_response(result)

    def _webhook_interaction(self, request: web.Request) -> _Interaction | web.Response:
        interaction = self._lookup_interaction(request.match_info["token"])
        if request.match_info["app_id"] != str(self.application_id) or interaction is None:
            return _error(404, "Unknown Webhook", 10015)
        return interaction

    async def _post_followup(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        if isinstance(interaction, web.Response):
            return interaction
        if not interaction.responded:
            return _error(404, "Unknown Webhook", 10015)
        body = await self._json_body(request)
        errors = validate_message_payload(body)
        if errors:
            return _invalid_form(errors)
        if _is_empty_message(body):
            return _error(400, "Cannot send an empty message", 50006)
        msg = self._create_message(
            interaction.channel_id, body, source="followup", interaction_id=interaction.id
        )
        if request.query.get("wait") in ("1", "true", "True"):
            return _json_response(self._message_payload(msg))
        return web.Response(status=204)

    def _webhook_message(self, request: web.Request) -> SentMessage | web.Response:
        interaction = self._webhook_interaction(request)
        if isinstance(interaction, web.Response):
            return interaction
        raw_id = request.match_info["message_id"]
        if raw_id == "@original":
            msg_id = interaction.original_message_id
        else:
            try:
                msg_id = int(raw_id)
            except ValueError:
                msg_id = None
        msg = None if msg_id is None else self._messages.get(msg_id)
        if msg is None or msg.deleted or msg.interaction_id != interaction.id:
            return _error(404, "Unknown Message", 10008)
        return msg

    async def _get_webhook_msg(self, request: web.Request) -> web.Response:
        msg = self._webhook_message(request)
        if isinstance(msg, web.Response):
            return msg
        return _json_response(self._message_payload(msg))

    async def _patch_webhook_msg(self, request: web.Request) -> web.Response:
        msg = self._webhook_message(request)
        if isinstance(msg, web.Response):
            return msg
        body = await self._json_body(request)
        errors = validate_message_payload(body)
        if errors:
            return _invalid_form(errors)
        self._apply_edit(msg, body, "webhook")
        return _json_response(self._message_payload(msg))

    async def _del_webhook_msg(self, request: web.Request) -> web.Response:
        msg = self._webhook_message(request)
        if isinstance(msg, web.Response):
            return msg
        msg.deleted = True
        return web.Response(status=204)

    # -- gateway ---------------------------------------------------------------------------------

    async def _dispatch_to(self, conn: _GatewayConnection, event: str, data: JSON) -> None:
        conn.seq += 1
        if conn.session_id is not None:
            self._sessions[conn.session_id] = conn.seq
        await conn.send({"op": OP_DISPATCH, "s": conn.seq, "t": event, "d": data})

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, timeout=2.0)
        await ws.prepare(request)
        compress = request.query.get("compress")
        self.gateway_queries.append(dict(request.query))
        conn = _GatewayConnection(ws=ws, compress=compress)
        if compress == "zlib-stream":
            conn.zlib = zlib.compressobj()
        self._connections.append(conn)
        try:
            await conn.send(
                {
                    "op": OP_HELLO,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_gateway_message(conn, json.loads(msg.data))
                elif msg.type is WSMsgType.BINARY:
                    await self._on_gateway_message(conn, json.loads(msg.data.decode()))
                if ws.closed:
                    break
        finally:
            self._connections.remove(conn)
            if not any(c.identified for c in self._connections):
                self._identified.clear()
            self._notify()
        return ws

    async def _on_gateway_message(self, conn: _GatewayConnection, payload: JSON) -> None:
        op = payload.get("op")
        data = payload.get("d")
        if op == OP_HEARTBEAT:
            self.heartbeats += 1
            await conn.send({"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_IDENTIFY:
            await self._identify(conn, data or {})
        elif op == OP_RESUME:
            await self._resume(conn, data or {})
        elif op == OP_REQUEST_MEMBERS:
            await self._members_chunk(conn, data or {})
        elif op == OP_PRESENCE:
            pass
        self._notify()

    async def _identify(self, conn: _GatewayConnection, data: JSON) -> None:
        self.identify_payloads.append(data)
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = data.get("intents")
        if intents is None:
            await conn.ws.close(code=4013, message=b"Invalid intent(s).")
            return
        if int(intents) & PRIVILEGED_INTENTS & ~self.privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = data.get("shard")
        if shard is not None:
            if not (
                isinstance(shard, list)
                and len(shard) == 2
                and all(isinstance(n, int) for n in shard)
                and 0 <= shard[0] < shard[1]
            ):
                await conn.ws.close(code=4010, message=b"Invalid shard.")
                return
            conn.shard = (shard[0], shard[1])
        count = conn.shard[1] if conn.shard else 1
        if len(self.guilds) > self.max_guilds_per_shard * count:
            await conn.ws.close(code=4011, message=b"Sharding required.")
            return
        served = [g for g in self.guilds.values() if conn.serves(g.id)]
        conn.session_id = secrets.token_hex(16)
        self._session_shards[conn.session_id] = conn.shard
        conn.identified = True
        ready = {
            "v": 10,
            "user": self.bot_user_payload(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in served],
            "session_id": conn.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "shard": data.get("shard", [0, 1]),
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": ["rotterdam"],
            "_trace": ['["fake-gateway",{"micros":0}]'],
        }
        await self._dispatch_to(conn, "READY", ready)
        for guild in served:
            await self._dispatch_to(
                conn, "GUILD_CREATE", self._guild_payload(guild, unavailable=False)
            )
        self._identified.set()

    async def _resume(self, conn: _GatewayConnection, data: JSON) -> None:
        session_id = data.get("session_id")
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if not isinstance(session_id, str) or session_id not in self._sessions:
            await conn.send({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        conn.session_id = session_id
        conn.seq = self._sessions[session_id]
        conn.shard = self._session_shards.get(session_id)
        conn.identified = True
        self.resumes += 1
        await self._dispatch_to(conn, "RESUMED", {"_trace": ['["fake-gateway",{"micros":0}]']})
        self._identified.set()

    async def _members_chunk(self, conn: _GatewayConnection, data: JSON) -> None:
        raw_ids = data.get("guild_id")
        guild_ids: list[Any] = raw_ids if isinstance(raw_ids, list) else [raw_ids]
        for gid in guild_ids:
            guild = None if gid is None else self.guilds.get(int(gid))
            if guild is None:
                continue
            chunk: JSON = {
                "guild_id": str(guild.id),
                "members": [self._member_payload(self.bot_user_payload(), [guild.bot_role_id])],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
            }
            if data.get("nonce") is not None:
                chunk["nonce"] = data["nonce"]
            await self._dispatch_to(conn, "GUILD_MEMBERS_CHUNK", chunk)

    def _synced_command(self, guild_id: int | None, name: str) -> JSON | None:
        if guild_id is not None:
            for cmd in self.synced_commands.get(guild_id, []):
                if cmd["name"] == name:
                    return cmd
        for cmd in self.synced_commands.get(None, []):
            if cmd["name"] == name:
                return cmd
        return None

    async def _send_interaction(
        self,
        itype: int,
        guild_id: int | None,
        channel_id: int,
        user_id: int,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON] | None,
        *,
        focused: str | None,
        permissions: int | str | None,
        roles: Sequence[int],
        locale: str,
        username: str | None,
    ) -> int:
        command = self._synced_command(guild_id, name)
        if command is None:
            raise LookupError(
                f"FakeDiscord: command {name!r} was never synced (globally or to {guild_id}); "
                "Discord would not deliver it"
            )
        declared = {o["name"]: o for o in command.get("options") or []}
        if options is None:
            opts: list[JSON] = []
        elif isinstance(options, Mapping):
            opts = []
            for key, value in options.items():
                otype = declared.get(key, {}).get("type") or _option_type(value)
                opts.append({"name": key, "type": otype, "value": value})
        else:
            opts = [dict(o) for o in options]
        if focused is not None:
            for o in opts:
                if o["name"] == focused:
                    o["focused"] = True
                    break
            else:
                opts.append({"name": focused, "type": 3, "value": "", "focused": True})

        interaction_id = self._ids.next()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(60)
        user = self._user_payload(user_id, username)
        cmd_data: JSON = {"id": command["id"], "name": name, "type": command.get("type", 1)}
        if opts:
            cmd_data["options"] = opts
        if command.get("guild_id") is not None:
            cmd_data["guild_id"] = command["guild_id"]
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": itype,
            "data": cmd_data,
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10_485_760,
            "app_permissions": str(ALL_PERMISSIONS),
            "channel_id": str(channel_id),
        }
        found = self._find_channel(channel_id)
        if guild_id is not None:
            guild = self.guilds.get(guild_id)
            if found is not None:
                payload["channel"] = found[1].to_payload(found[0].id)
                payload["app_permissions"] = str(self._channel_permissions(*found))
            else:
                payload["channel"] = {"id": str(channel_id), "type": 0, "guild_id": str(guild_id)}
            everyone = guild.everyone_permissions if guild else DEFAULT_EVERYONE_PERMISSIONS
            perms = everyone if permissions is None else int(permissions)
            member = self._member_payload(user, roles)
            member["permissions"] = str(perms)
            payload.update(
                guild_id=str(guild_id),
                guild={
                    "id": str(guild_id),
                    "locale": guild.locale if guild else "en-US",
                    "features": [],
                },
                guild_locale=guild.locale if guild else "en-US",
                member=member,
                authorizing_integration_owners={"0": str(guild_id)},
                context=0,
            )
        else:
            payload.update(
                channel={"id": str(channel_id), "type": 1, "recipients": [user]},
                user=user,
                authorizing_integration_owners={"0": str(user_id)},
                context=1,
            )
        self._interactions[interaction_id] = _Interaction(
            interaction_id,
            token,
            itype,
            name,
            guild_id,
            channel_id,
            created=time.monotonic(),
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction_id
