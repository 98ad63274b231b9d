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
  embeds; 5 action rows of 5 components, custom_id 100, button label 80) on sends, edits,
  interaction responses and follow-ups, answered like Discord: 400
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

from tests.support.fakes.discord_api.fake import FakeDiscord
from tests.support.fakes.discord_api.records import (
    FakeChannel,
    FakeGuild,
    InteractionResponse,
    MessageEdit,
    RateLimitViolation,
    RecordedRequest,
    SentMessage,
)
from tests.support.fakes.discord_api.wire import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    API_PREFIX,
    CALLBACK_AUTOCOMPLETE,
    CALLBACK_DEFERRED_MESSAGE,
    CALLBACK_DEFERRED_UPDATE,
    CALLBACK_MESSAGE,
    CALLBACK_MODAL,
    CALLBACK_UPDATE_MESSAGE,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    DISCORD_EPOCH_MS,
    EMBED_LINKS,
    EPHEMERAL_FLAG,
    INTERACTION_APPLICATION_COMMAND,
    INTERACTION_AUTOCOMPLETE,
    JSON,
    LOADING_FLAG,
    OP_DISPATCH,
    OP_HEARTBEAT,
    OP_HEARTBEAT_ACK,
    OP_HELLO,
    OP_IDENTIFY,
    OP_INVALID_SESSION,
    OP_PRESENCE,
    OP_RECONNECT,
    OP_REQUEST_MEMBERS,
    OP_RESUME,
    PRIVILEGED_INTENTS,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    FailureKind,
    validate_message_payload,
)

__all__ = [
    "ADMINISTRATOR",
    "ALL_PERMISSIONS",
    "API_PREFIX",
    "CALLBACK_AUTOCOMPLETE",
    "CALLBACK_DEFERRED_MESSAGE",
    "CALLBACK_DEFERRED_UPDATE",
    "CALLBACK_MESSAGE",
    "CALLBACK_MODAL",
    "CALLBACK_UPDATE_MESSAGE",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "DISCORD_EPOCH_MS",
    "EMBED_LINKS",
    "EPHEMERAL_FLAG",
    "INTERACTION_APPLICATION_COMMAND",
    "INTERACTION_AUTOCOMPLETE",
    "JSON",
    "LOADING_FLAG",
    "OP_DISPATCH",
    "OP_HEARTBEAT",
    "OP_HEARTBEAT_ACK",
    "OP_HELLO",
    "OP_IDENTIFY",
    "OP_INVALID_SESSION",
    "OP_PRESENCE",
    "OP_RECONNECT",
    "OP_REQUEST_MEMBERS",
    "OP_RESUME",
    "PRIVILEGED_INTENTS",
    "SEND_MESSAGES",
    "VIEW_CHANNEL",
    "FailureKind",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "InteractionResponse",
    "MessageEdit",
    "RateLimitViolation",
    "RecordedRequest",
    "SentMessage",
    "validate_message_payload",
]
