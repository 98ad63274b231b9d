"""What the fake keeps and records: guilds, channels, sent messages, edits, interaction
responses, rate-limit violations, buckets and gateway connections.
"""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

from tests.support.fakes.discord_api.wire import (
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    DISCORD_EPOCH_MS,
    EPHEMERAL_FLAG,
    JSON,
)


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
    #: files uploaded with the message (multipart ``files[n]``): id, filename, size, url…
    attachments: list[JSON] = field(default_factory=list)

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
