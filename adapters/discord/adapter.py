"""The Discord adapter: a discord.py client that posts the outbox as embeds and answers slash
commands.

Everything the bot posts on its own (alerts, corrections, recaps, quotes) comes from the shared
outbox through :class:`bot.delivery.Delivery`; only the answers to slash commands are sent
directly, because Discord wants an interaction answered within 3 seconds.

Discord counts every REST request against a global limit of 50 per second and only tells a bot
after it went over (a global 429; repeated invalid requests get the bot banned), so every REST
request of the discord.py client is paced by the delivery loop's pacer
(:class:`bot.pacer.Pacer`, bound through :meth:`DiscordAdapter.bind_pacer`): it holds one of
50 slots from the moment it is sent until a second after its answer, so Discord never sees more
than 50 in any second whatever the round trip, and the bot still sends at about 0.97 of the
limit. discord.py keeps the per-route buckets Discord announces in its headers.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar
from urllib.parse import urlsplit

import aiohttp
import discord
import yarl
from discord import app_commands

from adapters.card.cache import CardCache
from adapters.discord.commands import CatalogueTranslator, build_tree
from adapters.discord.embeds import NO_MENTIONS, message_batches
from adapters.discord.window import pacer_trace
from adapters.rendering import RenderCache
from bot import metrics
from bot.command_catalogue import CATALOGUE
from bot.command_types import Catalogue
from bot.logs import REDACTED
from bot.messages.model import MatchCard, Message
from bot.ports import (
    CannotEdit,
    ChatUnreachable,
    CoreAPI,
    FatalSink,
    Pacing,
    PermanentFailure,
    RequestPacer,
    RetryAfter,
    StartupError,
    TemporaryFailure,
    TokenRejected,
)
from bot.settings import Settings

log = logging.getLogger(__name__)
CARD_FILE = "match-card.png"

T = TypeVar("T")

#: What a failure to reach Discord raises: no connection, a timeout, an HTTP error status.
NETWORK_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError, discord.HTTPException)

PLATFORM = "discord"
#: Discord's global limit: requests in any second, all of the bot's REST requests counted.
REQUESTS_PER_SECOND = 50
#: Seconds between two messages to one channel (Discord's channel bucket is 5 per 5 s).
PER_CHANNEL_INTERVAL = 1.0
#: Requests that may start at once after a pause (then spaced 1/50 s apart): a late turn is
#: caught up instead of lost.
BURST = 4
#: Sends awaiting Discord's answer at once.
MAX_IN_FLIGHT = 50
#: Discord error code of a deleted message (``NotFound`` of a message, not of its channel).
UNKNOWN_MESSAGE = 10008
#: discord.py raises RateLimited instead of sleeping when Discord asks for a longer wait;
#: the delivery loop then holds the channel and sends to others meanwhile (30 is the minimum).
MAX_RATELIMIT_SLEEP = 30.0


def _retry_after(exc: discord.HTTPException, default: float = 5.0) -> float:
    """The wait a 429 that discord.py gave up on asked for (header, else ``default``)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    try:
        return max(1.0, float(headers.get("Retry-After", default)))
    except (TypeError, ValueError):
        return default


def translate_error(exc: BaseException) -> BaseException:
    """The :mod:`bot.ports` error for a discord.py / network failure (``exc`` itself if none)."""
    if isinstance(exc, discord.NotFound):
        if exc.code == UNKNOWN_MESSAGE:
            return CannotEdit(f"message deleted ({exc.text or exc.status})")
        return ChatUnreachable(f"channel not found ({exc.code}: {exc.text or exc.status})")
    if isinstance(exc, discord.Forbidden):
        return ChatUnreachable(f"forbidden ({exc.code}: {exc.text or exc.status})")
    if isinstance(exc, discord.RateLimited):
        return RetryAfter(exc.retry_after)
    if isinstance(exc, discord.DiscordServerError):
        return TemporaryFailure(f"Discord server error {exc.status}")
    if isinstance(exc, discord.HTTPException):
        if exc.status == 401:  # the bot's own token, revoked or reset
            return TokenRejected(
                "Discord rejected DISCORD_BOT_TOKEN (401 Unauthorized): the token was reset or is"
                " wrong; set the one the Developer Portal gives you and start the bot again",
                "DISCORD_BOT_TOKEN",
            )
        if exc.status == 429:
            return RetryAfter(_retry_after(exc))
        if exc.status >= 500:
            return TemporaryFailure(f"Discord server error {exc.status}")
        return PermanentFailure(f"Discord refused the message: {exc.status} {exc.code} {exc.text}")
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return TemporaryFailure(f"network: {exc!r}")
    return exc


class QuietReconnects(logging.Filter):
    """discord.py logs each gateway reconnect (and each shard's failed connection attempt)
    with a full traceback at ERROR; a reconnect is routine (the gateway drops connections now
    and then): one WARNING line with the cause."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg).startswith(
            ("Attempting a reconnect", "Failed to connect for shard_id")
        ):
            cause = record.exc_info[1]
            metrics.current().polling_error("discord")
            record.msg = f"{record.getMessage()} ({type(cause).__name__}: {cause})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_quiet_reconnects = QuietReconnects()


def counts_globally(url: str) -> bool:
    """Whether Discord counts a request to ``url`` against the global limit: every REST call
    except the interaction endpoints (answers to slash commands), and not the gateway."""
    path = urlsplit(url).path
    if "/api/" not in path:
        return False
    path = "/" + path.split("/api/", 1)[1].partition("/")[2]  # without "/api/v10"
    return not (
        path.startswith("/interactions/")
        or (path.startswith("/webhooks/") and path.count("/") >= 3)
    )


class MatchbotClient(discord.AutoShardedClient):
    """The discord.py client: no privileged intents, no mentions, and the gateway events that
    tell the core a channel is gone.

    Sharded, as Discord requires past 2,500 servers: ``shard_count`` None asks Discord how
    many shards it recommends (``GET /gateway/bot``) at each start; ``shard_ids`` (with a
    count) runs only those shards here, so several processes share a large bot's servers.
    """

    def __init__(
        self,
        core: CoreAPI,
        *,
        guild_ready_timeout: float,
        pacer: Callable[[], RequestPacer | None],
        shard_count: int | None = None,
        shard_ids: Sequence[int] | None = None,
        identify_interval: float = 5.0,
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True  # GUILD_CREATE / GUILD_DELETE / CHANNEL_DELETE; not privileged
        # The bot never joins voice: no warnings at start-up about voice libraries.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        for name in ("discord.client", "discord.shard"):
            client_log = logging.getLogger(name)
            if _quiet_reconnects not in client_log.filters:
                client_log.addFilter(_quiet_reconnects)
        super().__init__(
            intents=intents,
            allowed_mentions=NO_MENTIONS,
            guild_ready_timeout=guild_ready_timeout,
            max_ratelimit_timeout=MAX_RATELIMIT_SLEEP,
            http_trace=pacer_trace(pacer, counts_globally),
            shard_count=shard_count,
            # discord.py types shard_ids as a list; None (its default) runs every shard
            shard_ids=list(shard_ids) if shard_ids is not None else None,  # type: ignore[arg-type]
        )
        self.core = core
        self.ready = asyncio.Event()
        self.identify_interval = identify_interval

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Discord takes one IDENTIFY per 5 seconds: each shard after the first waits."""
        if not initial:
            await asyncio.sleep(self.identify_interval)

    async def on_ready(self) -> None:
        log.info(
            "discord: connected as %s to %d servers (shards %s of %s)",
            self.user,
            len(self.guilds),
            ",".join(map(str, self.shard_ids)) if self.shard_ids is not None else "all",
            self.shard_count,
        )
        self.ready.set()

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """The bot was removed from a server (an outage is ``on_guild_unavailable`` instead)."""
        ids = [c.id for c in guild.channels] + [t.id for t in guild.threads]
        log.info("discord: removed from server %s: forgetting %d channels", guild.id, len(ids))
        for channel_id in ids:
            await self.core.chat_gone(PLATFORM, str(channel_id))

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self.core.chat_gone(PLATFORM, str(channel.id))

    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        await self.core.chat_gone(PLATFORM, str(payload.thread_id))


class DiscordAdapter:
    """The Discord :class:`bot.ports.ChatAdapter`: a channel is a chat (``chat_id`` is the
    channel id); subscriptions belong to the channel the command was typed in."""

    platform = PLATFORM
    #: discord.py waits this long after the last GUILD_CREATE before it is ready.
    guild_ready_timeout: float = 2.0
    #: How long :meth:`start` waits for the gateway before giving up.
    ready_timeout: float = 60.0
    #: Seconds between two shards' IDENTIFY (Discord's identify limit).
    identify_interval: float = 5.0

    def __init__(
        self,
        token: str,
        guild_id: int | None = None,
        *,
        requests_per_second: int = REQUESTS_PER_SECOND,
        base_url: str | None = None,
        shard_count: int | None = None,
        shard_ids: Sequence[int] | None = None,
        catalogue: Catalogue = CATALOGUE,
    ) -> None:
        if not token:
            raise ValueError("a Discord bot token is required")
        self.token = token
        #: the commands its slash commands are made from (the bot's own but in tests)
        self.catalogue = catalogue
        self.guild_id = guild_id
        self.base_url = base_url.rstrip("/") if base_url else None
        # Every REST request of the client is paced (an aiohttp trace), so the bot, whatever it
        # sends, stays within ``requests_per_second`` in any second.
        #: gateway shards (None: as many as Discord recommends, asked at start-up)
        self.shard_count = shard_count
        #: the shards this process runs (None: all); another process runs the others
        self.shard_ids = tuple(shard_ids) if shard_ids is not None else None
        if self.shard_ids is not None and shard_count is None:
            raise ValueError("shard ids need a shard count (0-3/8: shards 0 to 3 of 8)")
        self.pacing = Pacing(
            per_second=requests_per_second,
            per_chat_interval=PER_CHANNEL_INTERVAL,
            group_per_minute=None,
            max_in_flight=MAX_IN_FLIGHT,
            burst=BURST,
        )
        self._pacer: RequestPacer | None = None
        #: each message's embeds, built on its first send only (a fan-out's channels share them)
        #: each match card drawn once, whatever the number of channels
        self.cards = CardCache()
        self.render = RenderCache(
            lambda message: tuple(tuple(batch) for batch in message_batches(message))
        )
        self.client: MatchbotClient | None = None
        self.tree: app_commands.CommandTree[discord.Client] | None = None
        self._connection: asyncio.Task[None] | None = None
        self._core: CoreAPI | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> DiscordAdapter:
        """From ``DISCORD_BOT_TOKEN`` and the optional ``DISCORD_GUILD_ID``,
        ``DISCORD_BASE_URL`` and ``MATCHBOT_DISCORD_SHARDS``."""
        if settings.discord_bot_token is None:
            raise ValueError("DISCORD_BOT_TOKEN is not set")
        shards = settings.discord_shards
        return cls(
            settings.discord_bot_token.get_secret_value(),
            settings.discord_guild_id,
            base_url=settings.discord_base_url,
            shard_count=shards.count if shards is not None else None,
            shard_ids=shards.ids if shards is not None else None,
        )

    def is_group(self, chat_id: str) -> bool:
        """Discord's limits are per channel, with no extra limit for server channels."""
        return False

    def bind_pacer(self, pacer: RequestPacer) -> None:
        """The delivery loop's pacer (:class:`bot.ports.PacedAdapter`): held around every
        REST request Discord counts globally."""
        self._pacer = pacer

    # --- life cycle --------------------------------------------------------------------------

    async def start(self, core: CoreAPI) -> None:
        """Log in, connect the gateway, wait until ready, then sync the slash commands.

        Every start-up failure — a rejected token, Discord unreachable, a gateway that never
        gets ready — is a :class:`StartupError` whose message names the problem and never
        the token (``matchbot run`` prints it on one line and exits 2)."""
        if self.base_url:
            # discord.py has one REST base for the process; the gateway URL comes from it.
            discord.http.Route.BASE = self.base_url
        where = discord.http.Route.BASE
        client = MatchbotClient(
            core,
            guild_ready_timeout=self.guild_ready_timeout,
            pacer=lambda: self._pacer,
            shard_count=self.shard_count,
            shard_ids=self.shard_ids,
            identify_interval=self.identify_interval,
        )
        self.client = client
        self.tree = build_tree(client, core, self.catalogue)
        await self.tree.set_translator(CatalogueTranslator(self.catalogue))
        try:
            try:
                await client.login(self.token)
                if self.base_url and self.shard_count is not None:
                    # discord.py asks the REST base for the gateway only when it also asks for
                    # the shard count: with a count (or a range) set, ask it here
                    _, gateway, _ = await client.http.get_bot_gateway()
                    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
            except discord.LoginFailure:
                raise StartupError(
                    "Discord rejected DISCORD_BOT_TOKEN: copy the bot token again from the"
                    " Developer Portal (Bot → Reset Token)"
                ) from None
            except NETWORK_ERRORS as exc:
                raise StartupError(
                    f"cannot reach Discord at {where}: {self._reason(exc)}"
                ) from None
            self._core = core
            self._connection = asyncio.create_task(client.connect(), name="discord-gateway")
            ready = asyncio.create_task(client.ready.wait())
            done, _ = await asyncio.wait(
                {ready, self._connection},
                timeout=self.ready_timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
            ready.cancel()
            if self._connection in done:
                try:
                    self._connection.result()
                except discord.PrivilegedIntentsRequired:
                    raise StartupError(
                        "Discord refused the gateway intents this bot asks for"
                    ) from None
                except Exception as exc:
                    # discord.py gives up on a gateway it never reached with an AttributeError
                    # (no websocket to resume): that, too, is "cannot connect".
                    reason = self._reason(exc) if client.ws is not None else "no connection"
                    raise StartupError(f"cannot connect to Discord's gateway: {reason}") from None
                raise StartupError("the Discord gateway connection ended before it was ready")
            if not done:
                raise StartupError(
                    f"Discord's gateway was not ready after {self.ready_timeout:g}s"
                    f" (is Discord reachable from here? REST: {where})"
                )
            try:
                await self.sync_commands()
            except NETWORK_ERRORS as exc:
                raise StartupError(
                    f"cannot register the slash commands with Discord: {self._reason(exc)}"
                ) from None
            self._connection.add_done_callback(self._gateway_ended)
        except BaseException:
            await self.stop()
            raise

    def _gateway_ended(self, task: asyncio.Task[None]) -> None:
        """discord.py's gateway connection reconnects by itself; it ends only on a fault no
        reconnect mends (Discord closing with 4004, the token reset): the bot stops, with one
        line naming the variable."""
        if task.cancelled() or self.client is None or self.client.is_closed():
            return  # stopping
        exc = task.exception()
        if isinstance(exc, discord.LoginFailure) or (
            isinstance(exc, discord.ConnectionClosed) and exc.code == 4004
        ):
            reason = (
                "Discord rejected DISCORD_BOT_TOKEN (gateway 4004): the token was reset or is"
                " wrong; set the one the Developer Portal gives you and start the bot again"
            )
        else:
            cause = self._reason(exc) if exc is not None else "closed"
            reason = f"Discord's gateway connection ended: {cause}"
        if isinstance(self._core, FatalSink):
            self._core.fatal(reason)

    def _reason(self, exc: BaseException) -> str:
        """What went wrong, for the operator: never the token."""
        if isinstance(exc, discord.HTTPException):
            text = f"HTTP {exc.status} {exc.text or ''}".strip()
        else:
            text = str(exc) or type(exc).__name__
        return text.replace(self.token, REDACTED)

    async def sync_commands(self) -> list[app_commands.AppCommand]:
        """Register the slash commands: globally (Discord may take up to an hour to show
        changes), or only in ``DISCORD_GUILD_ID`` (at once, for testing)."""
        assert self.tree is not None
        if self.guild_id is None:
            synced = await self.tree.sync()
            log.info("discord: %d slash commands synced globally", len(synced))
            return synced
        guild = discord.Object(id=self.guild_id)
        self.tree.copy_global_to(guild=guild)
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.Forbidden:
            raise StartupError(
                f"cannot register commands in DISCORD_GUILD_ID={self.guild_id}: is the bot in"
                " that server, invited with the applications.commands scope?"
            ) from None
        log.info("discord: %d slash commands synced to server %s", len(synced), self.guild_id)
        return synced

    async def stop(self) -> None:
        """Close the gateway and the HTTP session."""
        if self.client is not None and not self.client.is_closed():
            await self.client.close()
        if (
            self._connection is not None
            and self.client is not None
            and not self.client.ready.is_set()
        ):
            # never ready: a shard may still be retrying its first connection (every 5 s)
            self._connection.cancel()
        if self._connection is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self._connection, 10)
            self._connection = None

    # --- delivery ----------------------------------------------------------------------------

    def _channel(self, chat_id: str) -> discord.PartialMessageable:
        if self.client is None:
            raise TemporaryFailure("the Discord client is not started")
        return self.client.get_partial_messageable(int(chat_id))

    async def _request(self, call: Callable[[], Awaitable[T]]) -> T:
        """One REST request, paced, its failure translated to a :mod:`bot.ports` error."""
        try:
            return await call()  # paced by the delivery loop's pacer, see MatchbotClient
        except Exception as exc:
            translated = translate_error(exc)
            if translated is exc:
                raise
            raise translated from exc

    async def send(self, chat_id: str, message: Message) -> list[str]:
        """Post ``message`` as embeds; more than one message when it is too big for one. A
        match card goes as the first embed's image, attached to that message (drawn once)."""
        channel = self._channel(chat_id)
        ids = []
        for i, embeds in enumerate(self.render(message)):
            card = message.card if i == 0 else None
            ids.append(str((await self._post(channel, embeds, card, message.quiet)).id))
        return ids

    async def _post(
        self,
        channel: discord.PartialMessageable,
        embeds: Sequence[discord.Embed],
        card: MatchCard | None = None,
        quiet: bool = False,
    ) -> discord.Message:
        """One message; ``quiet``: without a push or a sound (Discord's silent message,
        the ``SUPPRESS_NOTIFICATIONS`` flag), as a minor event right after a goal goes."""
        if card is None:

            async def post() -> discord.Message:
                return await channel.send(embeds=embeds, allowed_mentions=NO_MENTIONS, silent=quiet)

            return await self._request(post)
        png = self.cards(card)
        # the rendered embeds are shared by every channel: the picture goes on a copy
        first = discord.Embed.from_dict(embeds[0].to_dict())
        first.set_image(url=f"attachment://{CARD_FILE}")

        async def post_card() -> discord.Message:
            return await channel.send(
                embeds=[first, *embeds[1:]],
                file=discord.File(io.BytesIO(png), filename=CARD_FILE),
                allowed_mentions=NO_MENTIONS,
                silent=quiet,
            )

        return await self._request(post_card)

    async def edit(self, chat_id: str, message_ids: list[str], message: Message) -> None:
        """Rewrite the messages of an earlier send (a goal cancelled by VAR), in place."""
        channel = self._channel(chat_id)
        batches = self.render(message)
        for message_id, embeds in zip(message_ids, batches, strict=False):
            partial = channel.get_partial_message(int(message_id))

            async def patch(
                partial: discord.PartialMessage = partial,
                embeds: Sequence[discord.Embed] = embeds,
            ) -> discord.Message:
                return await partial.edit(embeds=list(embeds), allowed_mentions=NO_MENTIONS)

            await self._request(patch)
        for embeds in batches[len(message_ids) :]:  # the new text is longer: add the rest
            await self._post(channel, embeds)
        for message_id in message_ids[len(batches) :]:  # shorter: drop the stale parts
            with contextlib.suppress(CannotEdit):
                await self._request(channel.get_partial_message(int(message_id)).delete)
