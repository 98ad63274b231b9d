"""The fake's HTTP server: lifecycle, payloads, rate limits, request routing."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import math
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import discord.gateway
import discord.http
import yarl
from aiohttp import web

from tests.support.fakes.discord_api.records import (
    FakeChannel,
    FakeGuild,
    InteractionResponse,
    MessageEdit,
    RateLimitViolation,
    RecordedRequest,
    SentMessage,
    _Bucket,
    _GatewayConnection,
    _Interaction,
    _Snowflakes,
)
from tests.support.fakes.discord_api.wire import (
    _RATE_LIMIT_MESSAGE,
    _VIA,
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    API_PREFIX,
    JSON,
    VIEW_CHANNEL,
    FailureKind,
    _error,
    _json_response,
    _now_iso,
)

if TYPE_CHECKING:
    from tests.support.fakes.discord_api.fake import FakeDiscord


class Server:
    """The HTTP side: starting and stopping, the payloads Discord sends, rate-limit buckets and
    headers, injected failures, routing a request to its handler."""

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
        #: files uploaded with messages, by attachment id
        self.uploads: dict[int, bytes] = {}
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
            "attachments": msg.attachments,
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
        if request.content_type.startswith("multipart/"):
            request["form"] = await request.post()  # payload_json and files[n]
            with contextlib.suppress(ValueError):
                body = json.loads(str(request["form"].get("payload_json") or "null"))
            raw = b""
        else:
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

    async def _json_body(self, request: web.Request) -> JSON:
        """The JSON body, or a multipart body's ``payload_json`` with its ``files[n]`` kept in
        :attr:`uploads` and listed as ``attachments`` (as Discord does)."""
        if request.content_type.startswith("multipart/"):
            form = request.get("form") or await request.post()
            data = json.loads(str(form.get("payload_json") or "{}"))
            files = []
            for key, value in form.items():
                if key.startswith("files[") and isinstance(value, web.FileField):
                    content = value.file.read()
                    attachment_id = self._ids.next()
                    self.uploads[attachment_id] = content
                    files.append(
                        {
                            "id": str(attachment_id),
                            "filename": value.filename,
                            "size": len(content),
                            "content_type": value.content_type,
                            "url": f"https://cdn.discordapp.invalid/{attachment_id}/{value.filename}",
                            "proxy_url": f"https://media.discordapp.invalid/{attachment_id}/{value.filename}",
                        }
                    )
            if isinstance(data, dict):
                data["_files"] = files
            return data if isinstance(data, dict) else {}
        raw = await request.read()
        if not raw:
            return {}
        data = json.loads(raw)
        return data if isinstance(data, dict) else {}
