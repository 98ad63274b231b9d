"""The test driver: what a test inspects, injects and dispatches."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tests.support.fakes.discord_api.records import (
    FakeGuild,
    InteractionResponse,
    RateLimitViolation,
    SentMessage,
)
from tests.support.fakes.discord_api.wire import (
    INTERACTION_APPLICATION_COMMAND,
    INTERACTION_AUTOCOMPLETE,
    JSON,
    OP_RECONNECT,
    FailureKind,
)


class Driver:
    """What a test does: inspect what the bot sent and wait for it, inject failures, dispatch
    gateway events and interactions."""

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
