"""A fake Telegram Bot API server for end-to-end tests.

``FakeTelegram`` is a small :mod:`aiohttp.web` server bound to ``127.0.0.1`` on a random
free port.  It speaks the real Bot API wire protocol, so the *unmodified*
python-telegram-bot library (``telegram.Bot(token, base_url=tg.base_url)`` or
``ApplicationBuilder().base_url(tg.base_url)``) can talk to it::

    async with FakeTelegram(token="123:ABC") as tg:
        tg.user_sends(42, "/start")
        ...
        await tg.wait_for_messages(1, chat_id=42)
        assert "Welcome" in tg.messages(42)[0]["text"]

What it emulates
----------------
* URL layout ``/bot<token>/<method>`` (POST or GET; method names case-insensitive like
  Telegram), parameters as ``application/x-www-form-urlencoded``, ``multipart/form-data``
  (what PTB sends: strings verbatim, everything else JSON-encoded inside the form), a JSON
  body, or a query string.  Answers are ``{"ok": true, "result": ...}`` or
  ``{"ok": false, "error_code": N, "description": "...", "parameters": {...}}`` with the same
  HTTP status.  Wrong token -> 401 ``Unauthorized``; unknown method -> 404 ``Not Found``.
* Methods: getMe, logOut/close (no-op), getWebhookInfo, setWebhook, deleteWebhook,
  getUpdates (real long polling: ``offset`` confirms and drops older updates, ``timeout``
  holds the request until an update is queued or the timeout expires; a newer getUpdates
  terminates an older pending one with 409 Conflict, as Telegram does), setMyCommands /
  getMyCommands / deleteMyCommands (stored per scope + language), sendMessage,
  editMessageText, deleteMessage, answerCallbackQuery, getChatMember, getChat,
  sendChatAction.
* ``parse_mode=HTML`` is validated like Telegram (tdlib): only the supported tags, correct
  nesting, ``<span class="tg-spoiler">``, ``<a href>``, ``<pre><code class="language-x">``,
  ``<blockquote expandable>``, ``<tg-emoji emoji-id>``; entities ``&lt; &gt; &amp; &quot;`` and
  numeric ones.  The returned Message carries the plain text plus ``entities`` with UTF-16
  offsets, like Telegram.  Errors are 400 ``Bad Request: can't parse entities: ...``.
  NOTE: real Telegram treats an unknown ``&name;`` or a bare ``&`` as literal text; this fake is
  stricter by default (``strict_html_entities=True``) so unescaped user/team names are caught.
* Text is trimmed like Telegram; empty -> ``Bad Request: message text is empty``; more than
  4096 UTF-16 code units after entity parsing -> ``Bad Request: message is too long``.
  Inline-keyboard ``callback_data`` over 64 bytes -> ``Bad Request: BUTTON_DATA_INVALID``.
* editMessageText: ``Bad Request: message to edit not found`` for unknown messages and
  ``Bad Request: message is not modified: ...`` when text, entities and markup are unchanged.
* Flood control (all configurable; ``None`` disables a limit):

  - ``per_chat_interval`` (1.0 s): a second message to the same chat arriving sooner than
    ``per_chat_interval - per_chat_tolerance`` after the previous one is refused.
  - ``group_per_minute`` (20): at most N messages per 60 s into one group/supergroup/channel
    (negative chat id).
  - ``global_per_second`` (30): at most N messages per second across all chats;
    ``allow_paid_broadcast=true`` raises this to ``paid_global_per_second`` (1000).
  - ``window_mode``: ``"sliding"`` (default, strict: at most N arrivals in any window) or
    ``"bucket"`` (leaky bucket of capacity N draining at N/window, which is what
    ``telegram.ext.AIORateLimiter``/aiolimiter implement; a strict sliding window will flag a
    leaky-bucket client under sustained load).
  - ``time_scale`` multiplies every window/interval and hold (0.01 = everything 100x faster,
    for benchmarks and for tests whose bot paces by a :class:`bot.clock.FastClock`);
    ``retry_after`` answered to clients is always an integer >= 1 (Telegram's).
  - ``hold_after_429=True``: after a ``429 retry after N`` (flood control or injected) to a
    chat, every message or edit to that chat within those N seconds is refused again with the
    time left and recorded as a ``"retry_after"`` violation: a client must hold the whole chat
    (replies included), as Telegram expects.

  Edits (editMessageText) count towards the per-chat and the group limits but not the
  global 30/s limit (Telegram throttles edits per chat; the global broadcast limit is about
  new messages).  Pass ``count_edits=False`` to exempt edits entirely.  A refused request is
  answered ``429 Too Many Requests: retry after N`` with ``parameters.retry_after=N``, is
  appended to :attr:`FakeTelegram.violations` and is *not* delivered/recorded as a message.
* Updates a test queues: a user's ``message`` (:meth:`FakeTelegram.user_sends`, also sent on
  behalf of a chat: an anonymous group admin, or a member posting as their channel), a
  ``channel_post`` (:meth:`FakeTelegram.channel_posts`: no ``from``, signed by the channel) and
  a ``callback_query`` from any user under any message the bot sent, with any data
  (:meth:`FakeTelegram.user_presses`). answerCallbackQuery texts over 200 characters are
  refused like Telegram refuses them.
* Error injection: :meth:`FakeTelegram.fail_next` (one-shot), :meth:`FakeTelegram.block`,
  :meth:`FakeTelegram.migrate` (permanent).
* ``latency`` (seconds): every request is answered that long after it was processed, like a
  real round trip to Telegram (``python -m tests.support.fakes.telegram_api --latency-ms 50``
  runs the server on its own).

What it does not emulate
------------------------
Webhook delivery, files/media uploads and downloads (``base_file_url`` answers 404),
inline mode, payments, MarkdownV2/Markdown validation (the text is accepted verbatim),
business connections, forum topic validation, message_id sequences shared with other users'
messages beyond the ones created through :meth:`FakeTelegram.user_sends`, real member lists
(``getChatMember`` answers whatever status was configured, default ``member``), and
Telegram's undocumented burst tolerance for private chats.  getUpdates ignores
``allowed_updates`` (every queued update type is returned).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal

from aiohttp import web

__all__ = [
    "FailureKind",
    "FakeTelegram",
    "HtmlParseError",
    "InjectedFailure",
    "Violation",
    "parse_telegram_html",
    "utf16_len",
]

JSON = dict[str, Any]

FailureKind = Literal[
    "retry_after", "blocked", "kicked", "chat_not_found", "migrated", "server_error", "timeout"
]

MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_ANSWER_LENGTH = 200
#: The ``from`` of messages an anonymous group administrator sends (``sender_chat``: the group).
GROUP_ANONYMOUS_BOT = 1087968824
#: The ``from`` of messages a member sends on behalf of one of their channels.
CHANNEL_BOT = 136817688
MAX_CALLBACK_DATA_BYTES = 64

#: Parameters that are always plain strings on the wire and must never be JSON-decoded
#: (``text="123"`` has to stay the string ``"123"``).
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "url",
        "callback_query_id",
        "inline_message_id",
        "language_code",
        "description",
        "short_description",
        "name",
        "title",
        "secret_token",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "emoji",
        "custom_title",
        "action",
        "query_id",
    }
)

#: Parameters holding nested JSON that some clients double-encode even in a JSON body.
_NESTED_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "link_preview_options",
        "commands",
        "scope",
        "entities",
        "allowed_updates",
        "reply_parameters",
        "caption_entities",
    }
)

# ----------------------------------------------------------------------------------------------
# HTML parse mode
# ----------------------------------------------------------------------------------------------

_TAG_ENTITY_TYPE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlParseError(ValueError):
    """Telegram would answer ``Bad Request: can't parse entities: <message>``."""


def utf16_len(text: str) -> int:
    """Length of *text* in UTF-16 code units, the unit Telegram counts offsets/limits in."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _decode_entity(source: str, pos: int) -> tuple[str | None, int]:
    """Decode the HTML entity starting at ``source[pos] == "&"``.

    Returns ``(decoded, consumed)``; ``decoded`` is ``None`` if no supported entity starts here.
    """
    end = source.find(";", pos + 1, pos + 12)
    if end == -1:
        return None, 1
    body = source[pos + 1 : end]
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], end - pos + 1
    if body.startswith("#"):
        digits = body[1:]
        try:
            if digits[:1] in ("x", "X"):
                code = int(digits[1:], 16)
            elif digits.isdigit():
                code = int(digits)
            else:
                return None, 1
        except ValueError:
            return None, 1
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), end - pos + 1
    return None, 1


@dataclass
class _OpenTag:
    name: str
    offset: int  # UTF-16 offset in the plain text
    attrs: dict[str, str]
    byte_offset: int
    language: str | None = None


def parse_telegram_html(source: str, *, strict_entities: bool = True) -> tuple[str, list[JSON]]:  # noqa: C901 (an HTML tokenizer: one branch per tag Telegram defines)
    """Parse Telegram-flavoured HTML into ``(plain_text, entities)`` or raise HtmlParseError.

    Offsets/lengths of the entities are in UTF-16 code units.  The text is not trimmed here.
    """
    out: list[str] = []
    position = 0  # UTF-16 length of ``out``
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    n = len(source)
    i = 0

    def byte_offset(pos: int) -> int:
        return len(source[:pos].encode("utf-8", "surrogatepass"))

    def emit(chunk: str) -> None:
        nonlocal position
        out.append(chunk)
        position += utf16_len(chunk)

    def skip_ws(j: int) -> int:
        while j < n and source[j] in " \t\r\n":
            j += 1
        return j

    while i < n:
        ch = source[i]
        if ch == "&":
            decoded, consumed = _decode_entity(source, i)
            if decoded is None:
                if strict_entities:
                    raise HtmlParseError(
                        f"Unsupported HTML entity at byte offset {byte_offset(i)} "
                        '(only &lt; &gt; &amp; &quot; and numeric entities; escape "&" as &amp;)'
                    )
                decoded, consumed = "&", 1
            emit(decoded)
            i += consumed
            continue
        if ch != "<":
            j = i
            while j < n and source[j] not in "<&":
                j += 1
            emit(source[i:j])
            i = j
            continue

        begin = i
        if i + 1 < n and source[i + 1] == "/":  # end tag
            j = source.find(">", i + 2)
            if j == -1:
                raise HtmlParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            name = source[i + 2 : j].strip().lower()
            if not stack:
                raise HtmlParseError(
                    f'Unexpected end tag "{name}" at byte offset {byte_offset(begin)}'
                )
            top = stack.pop()
            if name != top.name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                    f'expected "</{top.name}>", found "</{name}>"'
                )
            length = position - top.offset
            if top.name == "code" and stack and stack[-1].name == "pre" and top.language:
                stack[-1].language = top.language  # merged into the <pre> entity, like Telegram
            elif length > 0:
                entity: JSON = {
                    "type": _TAG_ENTITY_TYPE[top.name],
                    "offset": top.offset,
                    "length": length,
                }
                keep = True
                if top.name == "a":
                    href = top.attrs.get("href", "")
                    if href.startswith("tg://user?id="):
                        entity["type"] = "text_mention"
                        user_id = href.removeprefix("tg://user?id=")
                        entity["user"] = {"id": int(user_id), "is_bot": False, "first_name": "?"}
                    elif href:
                        entity["url"] = href
                    else:
                        keep = False  # Telegram silently drops <a> without href
                elif top.name == "pre" and top.language:
                    entity["language"] = top.language
                elif top.name == "blockquote" and "expandable" in top.attrs:
                    entity["type"] = "expandable_blockquote"
                elif top.name == "tg-emoji":
                    entity["custom_emoji_id"] = top.attrs.get("emoji-id", "")
                if keep:
                    entities.append(entity)
            i = j + 1
            continue

        # start tag
        j = i + 1
        while j < n and source[j].isascii() and (source[j].isalnum() or source[j] == "-"):
            j += 1
        name = source[i + 1 : j].lower()
        if name not in _TAG_ENTITY_TYPE:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {byte_offset(begin)}'
            )
        attrs: dict[str, str] = {}
        while True:
            j = skip_ws(j)
            if j >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if source[j] == ">":
                j += 1
                break
            k = j
            while k < n and source[k].isascii() and (source[k].isalnum() or source[k] in "-_"):
                k += 1
            if k == j:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {byte_offset(begin)}'
                )
            attr_name = source[j:k].lower()
            k = skip_ws(k)
            value = ""
            if k < n and source[k] == "=":
                k = skip_ws(k + 1)
                if k >= n:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                if source[k] in "\"'":
                    quote = source[k]
                    close = source.find(quote, k + 1)
                    if close == -1:
                        raise HtmlParseError(
                            f"Unclosed end of attribute value at byte offset {byte_offset(k)}"
                        )
                    raw = source[k + 1 : close]
                    k = close + 1
                else:
                    m = k
                    while m < n and source[m] not in " \t\r\n>":
                        m += 1
                    raw = source[k:m]
                    k = m
                value, _ = parse_telegram_html_attr(raw)
            attrs[attr_name] = value
            j = k
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
            )
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise HtmlParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {byte_offset(begin)}'
            )
        tag = _OpenTag(name=name, offset=position, attrs=attrs, byte_offset=byte_offset(begin))
        if name == "code" and attrs.get("class", "").startswith("language-"):
            tag.language = attrs["class"].removeprefix("language-")
        stack.append(tag)
        i = j

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def parse_telegram_html_attr(raw: str) -> tuple[str, bool]:
    """Decode entities inside an attribute value (leniently). Returns (value, had_errors)."""
    parts: list[str] = []
    i = 0
    errors = False
    while i < len(raw):
        if raw[i] == "&":
            decoded, consumed = _decode_entity(raw, i)
            if decoded is None:
                errors = True
                decoded = "&"
            parts.append(decoded)
            i += consumed
        else:
            parts.append(raw[i])
            i += 1
    return "".join(parts), errors


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading/trailing whitespace like Telegram and fix the entity offsets."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    fixed: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return stripped, fixed


# ----------------------------------------------------------------------------------------------
# Records
# ----------------------------------------------------------------------------------------------


@dataclass
class Violation:
    """A request refused by the emulated flood control."""

    kind: Literal["per_chat", "group", "global", "retry_after"]
    method: str
    chat_id: int
    retry_after: int
    at: float  # time.monotonic() of arrival


@dataclass
class InjectedFailure:
    """A pending one-shot failure registered through :meth:`FakeTelegram.fail_next`."""

    kind: FailureKind
    remaining: int
    methods: frozenset[str]
    retry_after: int = 1
    new_chat_id: int | None = None
    status: int = 500
    delay: float = 6.0
    deliver: bool = False


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


class _RateWindow:
    """At most ``limit`` events per ``window`` seconds (sliding window or leaky bucket)."""

    def __init__(self, limit: int, window: float, mode: Literal["sliding", "bucket"]) -> None:
        self.limit = limit
        self.window = window
        self.mode = mode
        self._times: deque[float] = deque()
        self._level = 0.0
        self._last = 0.0

    def wait_needed(self, now: float, limit: int | None = None) -> float:
        """Seconds until one more event would be allowed (0.0 = allowed now)."""
        cap = self.limit if limit is None else limit
        if self.mode == "bucket":
            level = max(0.0, self._level - (now - self._last) * self.limit / self.window)
            if level + 1 <= cap + 1e-9:
                return 0.0
            return (level + 1 - cap) * self.window / self.limit
        while self._times and self._times[0] <= now - self.window:
            self._times.popleft()
        if len(self._times) < cap:
            return 0.0
        return self._times[len(self._times) - cap] + self.window - now

    def add(self, now: float) -> None:
        if self.mode == "bucket":
            self._level = max(0.0, self._level - (now - self._last) * self.limit / self.window)
            self._level += 1
            self._last = now
        else:
            self._times.append(now)


@dataclass
class _Chat:
    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    next_message_id: int = 1
    blocked: bool = False
    migrated_to: int | None = None
    extra: JSON = field(default_factory=dict)

    def to_json(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        if self.type == "private":
            data["first_name"] = self.first_name or f"User {self.id}"
        else:
            data["title"] = self.title or f"Chat {self.id}"
        if self.username:
            data["username"] = self.username
        return data


# ----------------------------------------------------------------------------------------------
# The server
# ----------------------------------------------------------------------------------------------


class FakeTelegram:
    """Fake Bot API server; see the module docstring."""

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        bot_username: str = "MatchBot",
        bot_first_name: str = "Match Bot",
        bot_id: int | None = None,
        per_chat_interval: float | None = 1.0,
        per_chat_tolerance: float = 0.05,
        group_per_minute: int | None = 20,
        global_per_second: int | None = 30,
        paid_global_per_second: int | None = 1000,
        window_mode: Literal["sliding", "bucket"] = "sliding",
        time_scale: float = 1.0,
        count_edits: bool = True,
        strict_html_entities: bool = True,
        latency: float = 0.0,
        hold_after_429: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        head = token.split(":", 1)[0]
        self.bot_id = bot_id if bot_id is not None else (int(head) if head.isdigit() else 1)
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.per_chat_interval = per_chat_interval
        self.per_chat_tolerance = per_chat_tolerance
        self.group_per_minute = group_per_minute
        self.global_per_second = global_per_second
        self.paid_global_per_second = paid_global_per_second
        self.window_mode: Literal["sliding", "bucket"] = window_mode
        self.time_scale = time_scale
        self.count_edits = count_edits
        self.strict_html_entities = strict_html_entities
        self.latency = latency
        self.hold_after_429 = hold_after_429
        self._host = host
        self._port = port

        # public records
        self.calls: list[tuple[str, JSON]] = []
        self.edits: list[JSON] = []
        self.violations: list[Violation] = []
        self.errors: list[tuple[str, JSON, int, str]] = []
        self.callback_answers: list[JSON] = []
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.webhook_url: str = ""
        self.webhook_params: JSON = {}

        # state
        self._runner: web.AppRunner | None = None
        self._bound_port: int | None = None
        self._stopping = asyncio.Event()
        self._changed = asyncio.Condition()
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, JSON] = {}
        self._sent: list[JSON] = []
        self._by_key: dict[tuple[int, int], JSON] = {}
        self._updates: list[JSON] = []
        self._next_update_id = 1
        self._update_event = asyncio.Event()
        self._poll_generation = 0
        self._callback_queries: dict[str, JSON] = {}
        self._next_callback_id = 1
        self._member_status: dict[tuple[int, int], str] = {}
        self._anonymous_admins: set[tuple[int, int]] = set()
        self._failures: dict[int, list[InjectedFailure]] = {}
        self._chat_last: dict[int, float] = {}
        #: chat id -> time.monotonic() until which a 429 asked the client to leave it alone
        self._held_until: dict[int, float] = {}
        self._group_windows: dict[int, _RateWindow] = {}
        self._global_window: _RateWindow | None = (
            _RateWindow(global_per_second, time_scale, window_mode)
            if global_per_second is not None
            else None
        )
        self._paid_window: _RateWindow | None = (
            _RateWindow(paid_global_per_second, time_scale, window_mode)
            if paid_global_per_second is not None
            else None
        )

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Bind to ``host`` on a free port and start serving."""
        if self._runner is not None:
            return
        self._stopping.clear()
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self._bound_port = int(address[1])

    async def stop(self) -> None:
        """Wake every pending long poll / held request and shut the server down."""
        if self._runner is None:
            return
        self._stopping.set()
        self._update_event.set()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._bound_port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._bound_port

    @property
    def base_url(self) -> str:
        """PTB ``base_url`` (PTB appends the token): ``http://127.0.0.1:PORT/bot``."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB ``base_file_url``: ``http://127.0.0.1:PORT/file/bot``."""
        return f"http://{self._host}:{self.port}/file/bot"

    @property
    def bot_user(self) -> JSON:
        """The bot as a Telegram ``User`` object (``from`` of every bot message)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # ------------------------------------------------------------------ test helpers: chats

    def set_chat(
        self,
        chat_id: int,
        chat_type: Literal["private", "group", "supergroup", "channel"] | None = None,
        *,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
    ) -> None:
        """Declare/override a chat's type and names (otherwise derived from the id's sign)."""
        chat = self._chat(chat_id)
        if chat_type is not None:
            chat.type = chat_type
        if title is not None:
            chat.title = title
        if username is not None:
            chat.username = username
        if first_name is not None:
            chat.first_name = first_name

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                chat_type = "private"
            elif chat_id <= -1_000_000_000_000:
                chat_type = "supergroup"
            else:
                chat_type = "group"
            chat = _Chat(id=chat_id, type=chat_type)
            self._chats[chat_id] = chat
        return chat

    def _user(
        self, user_id: int, username: str | None = None, first_name: str | None = None
    ) -> JSON:
        user = self._users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": first_name or f"User{user_id}"}
            if user_id == GROUP_ANONYMOUS_BOT:
                user.update(is_bot=True, first_name="Group", username="GroupAnonymousBot")
            elif user_id == CHANNEL_BOT:
                user.update(is_bot=True, first_name="Channel", username="Channel_Bot")
            self._users[user_id] = user
        if username is not None:
            user["username"] = username
        if first_name is not None:
            user["first_name"] = first_name
        return dict(user)

    def set_user_language(self, user_id: int, language_code: str) -> None:
        """The IETF tag of the user's Telegram app language (``from.language_code``)."""
        self._user(user_id)
        self._users[user_id]["language_code"] = language_code

    def set_member_status(
        self, chat_id: int, user_id: int, status: str, *, is_anonymous: bool = False
    ) -> None:
        """Configure what getChatMember answers: creator/administrator/member/restricted/left/
        kicked (``is_anonymous``: an owner or administrator who stays anonymous in the group)."""
        valid = {"creator", "administrator", "member", "restricted", "left", "kicked"}
        if status not in valid:
            raise ValueError(f"status must be one of {sorted(valid)}")
        self._member_status[(chat_id, user_id)] = status
        if is_anonymous:
            self._anonymous_admins.add((chat_id, user_id))
        else:
            self._anonymous_admins.discard((chat_id, user_id))

    def block(self, chat_id: int) -> None:
        """Every later send/edit to *chat_id* is answered 403 (blocked by user / kicked)."""
        self._chat(chat_id).blocked = True

    def unblock(self, chat_id: int) -> None:
        self._chat(chat_id).blocked = False

    def migrate(self, chat_id: int, new_chat_id: int | None = None) -> int:
        """Upgrade group *chat_id* to a supergroup; sends to the old id get the migrate answer.

        Returns the new chat id (default ``-100<abs(old id)>``).
        """
        new_id = new_chat_id if new_chat_id is not None else int(f"-100{abs(chat_id)}")
        old = self._chat(chat_id)
        old.migrated_to = new_id
        new = self._chat(new_id)
        new.type = "supergroup"
        new.title = new.title or old.title
        return new_id

    def fail_next(
        self,
        chat_id: int,
        kind: FailureKind,
        count: int = 1,
        *,
        retry_after: int = 1,
        new_chat_id: int | None = None,
        status: int = 500,
        delay: float = 6.0,
        deliver: bool = False,
        methods: Iterable[str] = ("sendMessage", "editMessageText"),
    ) -> None:
        """Make the next *count* requests (of *methods*) to *chat_id* fail with *kind*.

        * ``retry_after``: 429 with ``parameters.retry_after=retry_after``.
        * ``blocked``/``kicked``: 403 Forbidden; ``chat_not_found``: 400.
        * ``migrated``: 400 with ``parameters.migrate_to_chat_id`` (*new_chat_id*, default
          ``-100<abs(chat_id)>``) -- one-shot, unlike :meth:`migrate`.
        * ``server_error``: HTTP *status* (500 or 502).
        * ``timeout``: hold the request *delay* seconds (longer than the client's read timeout),
          then process it normally if *deliver* (message recorded although the client gave up)
          or answer 502.
        """
        if kind == "migrated" and new_chat_id is None:
            new_chat_id = int(f"-100{abs(chat_id)}")
        self._failures.setdefault(chat_id, []).append(
            InjectedFailure(
                kind=kind,
                remaining=count,
                methods=frozenset(m.lower() for m in methods),
                retry_after=retry_after,
                new_chat_id=new_chat_id,
                status=status,
                delay=delay,
                deliver=deliver,
            )
        )

    # ------------------------------------------------------------------ test helpers: updates

    def _queue_update(self, payload: JSON) -> JSON:
        update: JSON = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._update_event.set()
        return update

    def user_sends(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: Literal["private", "group", "supergroup"] | None = None,
        username: str | None = None,
        first_name: str | None = None,
        chat_title: str | None = None,
        message_thread_id: int | None = None,
        sender_chat_id: int | None = None,
        automatic_forward: bool = False,
    ) -> JSON:
        """Queue a ``message`` update as if a user wrote *text*; returns the update dict.

        ``user_id`` defaults to *chat_id* for private chats and 1000 otherwise.  A leading
        ``/command`` or ``/command@BotName`` gets a ``bot_command`` entity.

        ``sender_chat_id`` sends on behalf of a chat, as Telegram shows it: the group's own id
        is an anonymous administrator (``from`` is then @GroupAnonymousBot, 1087968824),
        another id is a member posting as one of their channels (``from`` is @Channel_Bot,
        136817688). ``automatic_forward``: a post of the linked channel, copied by Telegram
        into its discussion group (``sender_chat`` is that channel).
        """
        if sender_chat_id is not None and user_id is None:
            user_id = GROUP_ANONYMOUS_BOT if sender_chat_id == chat_id else CHANNEL_BOT
        chat = self._chat(chat_id)
        if chat_type is not None:
            chat.type = chat_type
        if chat_title is not None:
            chat.title = chat_title
        if user_id is None:
            user_id = chat_id if chat.type == "private" else 1000
        user = self._user(user_id, username, first_name)
        if chat.type == "private":
            chat.first_name = chat.first_name or user["first_name"]
            chat.username = chat.username or user.get("username")
        message: JSON = {
            "message_id": chat.next_message_id,
            "from": user,
            "chat": chat.to_json(),
            "date": int(time.time()),
            "text": text,
        }
        chat.next_message_id += 1
        if message_thread_id is not None:
            message["message_thread_id"] = message_thread_id
        if sender_chat_id is not None:
            message["sender_chat"] = self._chat(sender_chat_id).to_json()
        if automatic_forward:
            message["is_automatic_forward"] = True
        if text.startswith("/"):
            token = text.split(None, 1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(token)}]
        return self._queue_update({"message": message})

    def channel_posts(
        self,
        chat_id: int,
        text: str,
        *,
        author_signature: str | None = None,
        title: str | None = None,
    ) -> JSON:
        """Queue a ``channel_post`` update: an administrator posted *text* in channel
        *chat_id*. Like Telegram, the post has no ``from``: it is signed by the channel itself
        (``sender_chat``), optionally with the author's name (``author_signature``)."""
        chat = self._chat(chat_id)
        chat.type = "channel"
        if title is not None:
            chat.title = title
        chat.title = chat.title or f"Channel{abs(chat_id)}"
        message: JSON = {
            "message_id": chat.next_message_id,
            "sender_chat": chat.to_json(),
            "chat": chat.to_json(),
            "date": int(time.time()),
            "text": text,
        }
        chat.next_message_id += 1
        if author_signature is not None:
            message["author_signature"] = author_signature
        if text.startswith("/"):
            token = text.split(None, 1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(token)}]
        return self._queue_update({"channel_post": message})

    def user_presses(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
        username: str | None = None,
    ) -> JSON:
        """Queue a ``callback_query`` update for a button under a message the bot sent."""
        record = self._by_key.get((chat_id, message_id))
        if record is None:
            raise KeyError(f"the bot sent no message {message_id} to chat {chat_id}")
        chat = self._chat(chat_id)
        if user_id is None:
            user_id = chat_id if chat.type == "private" else 1000
        query_id = f"{self.bot_id}{self._next_callback_id:08d}"
        self._next_callback_id += 1
        query: JSON = {
            "id": query_id,
            "from": self._user(user_id, username),
            "message": record["message"],
            "chat_instance": str(abs(chat_id) * 7919 % 10**12),
            "data": data,
        }
        self._callback_queries[query_id] = query
        return self._queue_update({"callback_query": query})

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates queued and not yet confirmed by a getUpdates ``offset``."""
        return list(self._updates)

    # ------------------------------------------------------------------ test helpers: inspection

    def messages(self, chat_id: int | None = None) -> list[JSON]:
        """Delivered messages in order (``text`` is the current text after edits)."""
        return [m for m in self._sent if chat_id is None or m["chat_id"] == chat_id]

    def calls_to(self, method: str) -> list[JSON]:
        """Params of every request to *method* (case-insensitive), failed ones included."""
        return [p for m, p in self.calls if m.lower() == method.lower()]

    def violation_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for violation in self.violations:
            counts[violation.kind] = counts.get(violation.kind, 0) + 1
        return counts

    async def wait_for_messages(
        self,
        n: int,
        chat_id: int | None = None,
        timeout: float = 10,
    ) -> list[JSON]:
        """Wait until at least *n* messages (to *chat_id*) were delivered; return them."""
        try:
            async with asyncio.timeout(timeout):
                async with self._changed:
                    await self._changed.wait_for(lambda: len(self.messages(chat_id)) >= n)
        except TimeoutError:
            got = [m["text"] for m in self.messages(chat_id)]
            raise AssertionError(
                f"expected >= {n} messages to {chat_id if chat_id is not None else 'any chat'} "
                f"within {timeout}s, got {len(got)}: {got!r}"
            ) from None
        return self.messages(chat_id)

    async def wait_for_call(
        self,
        method: str,
        n: int = 1,
        timeout: float = 10,
    ) -> list[JSON]:
        """Wait until *method* was called at least *n* times; return the params."""
        try:
            async with asyncio.timeout(timeout):
                async with self._changed:
                    await self._changed.wait_for(lambda: len(self.calls_to(method)) >= n)
        except TimeoutError:
            raise AssertionError(
                f"expected >= {n} calls to {method} within {timeout}s, "
                f"got {len(self.calls_to(method))}"
            ) from None
        return self.calls_to(method)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle(self, request: web.Request) -> web.Response:
        parts = request.path.split("/")
        # ["", "bot<token>", "<method>"]
        if len(parts) != 3 or not parts[1].startswith("bot"):
            return self._error_response(404, "Not Found")
        if parts[1][3:] != self.token:
            return self._error_response(401, "Unauthorized")
        method = parts[2]
        try:
            params = await self._read_params(request)
        except ValueError as exc:
            return self._error_response(400, f"Bad Request: {exc}")
        self.calls.append((method, params))
        handler = getattr(self, f"_m_{method.lower()}", None)
        try:
            if handler is None:
                raise _ApiError(404, "Not Found")
            result = await handler(params)
        except _ApiError as exc:
            self.errors.append((method, params, exc.code, exc.description))
            chat_id = params.get("chat_id")
            if (
                self.hold_after_429
                and exc.code == 429
                and exc.parameters
                and isinstance(chat_id, int)
            ):
                wait = float(exc.parameters.get("retry_after", 0)) * self.time_scale
                hold = time.monotonic() + wait
                self._held_until[chat_id] = max(self._held_until.get(chat_id, 0.0), hold)
            await self._notify()
            if self.latency > 0:
                await asyncio.sleep(self.latency)
            return self._error_response(exc.code, exc.description, exc.parameters)
        await self._notify()
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error_response(
        code: int, description: str, parameters: JSON | None = None
    ) -> web.Response:
        body: JSON = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code)

    @staticmethod
    async def _read_params(request: web.Request) -> JSON:
        raw: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    raise ValueError("JSON body must be an object")
                for key, value in body.items():
                    if isinstance(value, str) and key in _NESTED_JSON_FIELDS:
                        value = _maybe_json(key, value)
                    raw[key] = value
                return raw
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, str):
                    raw[key] = value
                elif isinstance(value, web.FileField):
                    raw[key] = f"<file {value.filename}>"  # uploads are not emulated
                else:
                    raw[key] = bytes(value).decode("utf-8", "replace")
        return {
            key: _maybe_json(key, value) if isinstance(value, str) else value
            for key, value in raw.items()
        }

    # ------------------------------------------------------------------ helpers for methods

    @staticmethod
    def _require(params: JSON, name: str) -> Any:
        if name not in params or params[name] in ("", None):
            raise _ApiError(400, f'Bad Request: parameter "{name}" is required')
        return params[name]

    def _chat_id(self, params: JSON) -> int:
        raw = self._require(params, "chat_id")
        if isinstance(raw, bool) or not isinstance(raw, int):
            if isinstance(raw, str):
                for chat in self._chats.values():
                    if chat.username and f"@{chat.username}".lower() == raw.lower():
                        return chat.id
            raise _ApiError(400, "Bad Request: chat not found")
        return raw

    async def _apply_failures(self, method: str, chat_id: int) -> bool:
        """Raise the pending injected failure for (method, chat), if any.

        Returns True when a held ("timeout") request should proceed normally afterwards.
        """
        held = (
            self._held_until.get(chat_id) if method in ("sendMessage", "editMessageText") else None
        )
        if held is not None:
            left = held - time.monotonic()
            if left > 0:
                retry_after = max(1, math.ceil(left / self.time_scale))
                self.violations.append(
                    Violation(
                        kind="retry_after",
                        method=method,
                        chat_id=chat_id,
                        retry_after=retry_after,
                        at=time.monotonic(),
                    )
                )
                raise _ApiError(
                    429,
                    f"Too Many Requests: retry after {retry_after}",
                    {"retry_after": retry_after},
                )
            del self._held_until[chat_id]
        queue = self._failures.get(chat_id)
        if not queue:
            return False
        for failure in queue:
            if method.lower() in failure.methods:
                break
        else:
            return False
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.remove(failure)
        chat = self._chat(chat_id)
        kind = failure.kind
        if kind == "retry_after":
            raise _ApiError(
                429,
                f"Too Many Requests: retry after {failure.retry_after}",
                {"retry_after": failure.retry_after},
            )
        if kind == "blocked":
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        if kind == "kicked":
            where = "supergroup" if chat.type == "supergroup" else "group"
            raise _ApiError(403, f"Forbidden: bot was kicked from the {where} chat")
        if kind == "chat_not_found":
            raise _ApiError(400, "Bad Request: chat not found")
        if kind == "migrated":
            raise _ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": failure.new_chat_id},
            )
        if kind == "server_error":
            description = "Bad Gateway" if failure.status == 502 else "Internal Server Error"
            raise _ApiError(failure.status, description)
        # timeout
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(failure.delay):
                await self._stopping.wait()
        if failure.deliver and not self._stopping.is_set():
            return True
        raise _ApiError(502, "Bad Gateway")

    def _check_chat_state(self, chat_id: int) -> _Chat:
        chat = self._chat(chat_id)
        if chat.migrated_to is not None:
            raise _ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.blocked:
            if chat.type == "private":
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            if chat.type == "channel":
                raise _ApiError(403, "Forbidden: bot is not a member of the channel chat")
            raise _ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        return chat

    def _flood_check(self, method: str, chat_id: int, *, is_edit: bool, paid: bool) -> None:
        """Raise 429 if delivering now would break a flood limit; otherwise account for it."""
        if is_edit and not self.count_edits:
            return
        now = time.monotonic()
        scale = self.time_scale
        waits: list[tuple[float, Literal["per_chat", "group", "global"]]] = []
        if self.per_chat_interval is not None and chat_id in self._chat_last:
            elapsed = now - self._chat_last[chat_id]
            interval = self.per_chat_interval * scale
            if elapsed < interval - self.per_chat_tolerance * scale:
                waits.append((interval - elapsed, "per_chat"))
        group: _RateWindow | None = None
        if self.group_per_minute is not None and chat_id < 0:
            group = self._group_windows.get(chat_id)
            if group is None:
                group = _RateWindow(self.group_per_minute, 60.0 * scale, self.window_mode)
                self._group_windows[chat_id] = group
            wait = group.wait_needed(now)
            if wait > 0:
                waits.append((wait, "group"))
        if not is_edit:
            glob = self._paid_window if paid else self._global_window
            if glob is not None:
                wait = glob.wait_needed(now)
                if wait > 0:
                    waits.append((wait, "global"))
        if waits:
            wait, kind = max(waits)
            retry_after = max(1, math.ceil(wait))
            self.violations.append(
                Violation(
                    kind=kind, method=method, chat_id=chat_id, retry_after=retry_after, at=now
                )
            )
            raise _ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        self._chat_last[chat_id] = now
        if group is not None:
            group.add(now)
        if not is_edit:
            # every delivered message counts against the normal and the paid budget
            for window in (self._global_window, self._paid_window):
                if window is not None:
                    window.add(now)

    def _format_text(self, params: JSON) -> tuple[str, list[JSON]]:
        text = params.get("text")
        if text is None or text == "":
            raise _ApiError(400, "Bad Request: message text is empty")
        text = str(text)
        parse_mode = params.get("parse_mode")
        if parse_mode is None or parse_mode == "":
            entities = params.get("entities") or []
            if not isinstance(entities, list):
                raise _ApiError(400, "Bad Request: can't parse entities JSON object")
            plain: str = text
        elif str(parse_mode).lower() == "html":
            try:
                plain, entities = parse_telegram_html(
                    text, strict_entities=self.strict_html_entities
                )
            except HtmlParseError as exc:
                raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        elif str(parse_mode).lower() in ("markdown", "markdownv2"):
            plain, entities = text, []  # not validated, see module docstring
        else:
            raise _ApiError(400, "Bad Request: unsupported parse_mode")
        plain, entities = _trim(plain, entities)
        if not plain:
            raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_MESSAGE_LENGTH:
            raise _ApiError(400, "Bad Request: message is too long")
        return plain, entities

    @staticmethod
    def _check_markup(markup: Any) -> JSON | None:
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is not None:
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _ApiError(400, 'Bad Request: field "inline_keyboard" must be an Array')
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not button.get("text"):
                        raise _ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
                    data = button.get("callback_data")
                    if data is not None and (
                        not data or len(str(data).encode()) > MAX_CALLBACK_DATA_BYTES
                    ):
                        raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    # ------------------------------------------------------------------ Bot API methods

    async def _m_getme(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_logout(self, params: JSON) -> bool:
        return True

    async def _m_close(self, params: JSON) -> bool:
        return True

    async def _m_setwebhook(self, params: JSON) -> bool:
        self.webhook_url = str(params.get("url", ""))
        self.webhook_params = dict(params)
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _m_deletewebhook(self, params: JSON) -> bool:
        self.webhook_url = ""
        self.webhook_params = {}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _m_getwebhookinfo(self, params: JSON) -> JSON:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _m_getupdates(self, params: JSON) -> list[JSON]:
        if self.webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        # a newer getUpdates terminates an older pending one (Telegram answers it 409)
        self._poll_generation += 1
        generation = self._poll_generation
        self._update_event.set()
        await asyncio.sleep(0)
        self._update_event.clear()
        deadline = time.monotonic() + timeout
        while not self._updates and not self._stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._update_event.wait()
            if generation != self._poll_generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if not self._updates:
                self._update_event.clear()
        return self._updates[:limit]

    @staticmethod
    def _scope_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _m_setmycommands(self, params: JSON) -> bool:
        commands = self._require(params, "commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            name = str(command.get("command", "")) if isinstance(command, dict) else ""
            if not (1 <= len(name) <= 32) or not all(
                c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in name
            ):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            description = str(command.get("description", ""))
            if not (1 <= len(description) <= 256):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._scope_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _m_getmycommands(self, params: JSON) -> list[JSON]:
        return list(self.commands.get(self._scope_key(params), []))

    async def _m_deletemycommands(self, params: JSON) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def get_commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON] | None:
        """The command list set for *scope* (default scope if None) and language."""
        return self.commands.get(self._scope_key({"scope": scope, "language_code": language_code}))

    async def _m_sendmessage(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params)
        deliver_after_hold = await self._apply_failures("sendMessage", chat_id)
        chat = self._check_chat_state(chat_id)
        plain, entities = self._format_text(params)
        markup = self._check_markup(params.get("reply_markup"))
        paid = params.get("allow_paid_broadcast") is True
        if not deliver_after_hold:
            self._flood_check("sendMessage", chat_id, is_edit=False, paid=paid)
        message: JSON = {
            "message_id": chat.next_message_id,
            "from": self.bot_user,
            "chat": chat.to_json(),
            "date": int(time.time()),
            "text": plain,
        }
        chat.next_message_id += 1
        if entities:
            message["entities"] = entities
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        thread_id = params.get("message_thread_id")
        if thread_id is not None:
            message["message_thread_id"] = thread_id
        lpo = params.get("link_preview_options")
        if isinstance(lpo, dict):
            message["link_preview_options"] = lpo
        record: JSON = {
            "chat_id": chat_id,
            "message_id": message["message_id"],
            "text": plain,
            "html": params["text"] if str(params.get("parse_mode", "")).lower() == "html" else None,
            "raw_text": params["text"],
            "entities": entities,
            "parse_mode": params.get("parse_mode"),
            "link_preview_options": lpo,
            "disable_web_page_preview": params.get("disable_web_page_preview"),
            "reply_markup": markup,
            "allow_paid_broadcast": paid,
            "message_thread_id": thread_id,
            "disable_notification": params.get("disable_notification"),
            "protect_content": params.get("protect_content"),
            "date": message["date"],
            "received_at": time.monotonic(),
            "edits": 0,
            "deleted": False,
            "original_text": plain,
            "params": params,
            "message": message,
        }
        self._sent.append(record)
        self._by_key[(chat_id, message["message_id"])] = record
        return message

    async def _m_editmessagetext(self, params: JSON) -> JSON | bool:
        if params.get("inline_message_id"):
            raise _ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat_id = self._chat_id(params)
        message_id = self._require(params, "message_id")
        deliver_after_hold = await self._apply_failures("editMessageText", chat_id)
        self._check_chat_state(chat_id)
        plain, entities = self._format_text(params)
        markup = self._check_markup(params.get("reply_markup"))
        record = self._by_key.get((chat_id, message_id)) if isinstance(message_id, int) else None
        if record is None or record["deleted"]:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if (
            plain == record["text"]
            and entities == record["entities"]
            and markup == record["reply_markup"]
        ):
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        if not deliver_after_hold:
            self._flood_check("editMessageText", chat_id, is_edit=True, paid=False)
        old_text = record["text"]
        message = dict(record["message"])
        message["text"] = plain
        message["edit_date"] = int(time.time())
        message.pop("entities", None)
        message.pop("reply_markup", None)
        if entities:
            message["entities"] = entities
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        record.update(
            text=plain,
            entities=entities,
            reply_markup=markup,
            parse_mode=params.get("parse_mode"),
            raw_text=params["text"],
            html=params["text"] if str(params.get("parse_mode", "")).lower() == "html" else None,
            edits=record["edits"] + 1,
            message=message,
        )
        self.edits.append(
            {
                "chat_id": chat_id,
                "message_id": message_id,
                "text": plain,
                "old_text": old_text,
                "raw_text": params["text"],
                "entities": entities,
                "parse_mode": params.get("parse_mode"),
                "reply_markup": markup,
                "link_preview_options": params.get("link_preview_options"),
                "params": params,
            }
        )
        return message

    async def _m_deletemessage(self, params: JSON) -> bool:
        chat_id = self._chat_id(params)
        message_id = self._require(params, "message_id")
        record = self._by_key.get((chat_id, message_id)) if isinstance(message_id, int) else None
        if record is None or record["deleted"]:
            raise _ApiError(400, "Bad Request: message to delete not found")
        record["deleted"] = True
        return True

    async def _m_answercallbackquery(self, params: JSON) -> bool:
        query_id = str(self._require(params, "callback_query_id"))
        if query_id not in self._callback_queries:
            raise _ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        text = params.get("text")
        if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": params.get("text"),
                "show_alert": bool(params.get("show_alert", False)),
                "url": params.get("url"),
                "cache_time": params.get("cache_time"),
                "query": self._callback_queries[query_id],
            }
        )
        return True

    async def _m_sendchataction(self, params: JSON) -> bool:
        chat_id = self._chat_id(params)
        self._check_chat_state(chat_id)
        return True

    async def _m_getchatmember(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params)
        await self._apply_failures("getChatMember", chat_id)
        user_id = self._require(params, "user_id")
        if not isinstance(user_id, int):
            raise _ApiError(400, "Bad Request: invalid user_id specified")
        self._check_chat_state(chat_id)
        user = self.bot_user if user_id == self.bot_id else self._user(user_id)
        status = self._member_status.get((chat_id, user_id), "member")
        member: JSON = {"status": status, "user": user}
        anonymous = (chat_id, user_id) in self._anonymous_admins
        if status == "creator":
            member["is_anonymous"] = anonymous
        elif status == "administrator":
            member.update(
                can_be_edited=False,
                is_anonymous=anonymous,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
                can_pin_messages=True,
                can_manage_topics=False,
            )
        elif status == "restricted":
            member.update(
                is_member=True,
                can_send_messages=True,
                can_send_audios=True,
                can_send_documents=True,
                can_send_photos=True,
                can_send_videos=True,
                can_send_video_notes=True,
                can_send_voice_notes=True,
                can_send_polls=True,
                can_send_other_messages=True,
                can_add_web_page_previews=True,
                can_change_info=False,
                can_invite_users=False,
                can_pin_messages=False,
                can_manage_topics=False,
                can_edit_tag=False,
                can_react_to_messages=True,
                until_date=0,
            )
        elif status == "kicked":
            member["until_date"] = 0
        return member

    async def _m_getchat(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params)
        await self._apply_failures("getChat", chat_id)
        chat = self._check_chat_state(chat_id)
        return {
            **chat.to_json(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }


def _maybe_json(key: str, value: str) -> Any:
    """Decode a form value the way Telegram types it (see PTB ``RequestParameter.json_value``)."""
    if key in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def _serve_forever(args: Any) -> None:
    server = FakeTelegram(
        args.token,
        global_per_second=args.global_per_second,
        paid_global_per_second=args.paid_per_second,
        latency=args.latency_ms / 1000.0,
        port=args.port,
    )
    async with server:
        print(f"fake Telegram Bot API at {server.base_url} (token {args.token})", flush=True)
        await asyncio.Event().wait()


def main() -> None:
    """Run the fake on its own: ``python -m tests.support.fakes.telegram_api --latency-ms 50``."""
    import argparse

    parser = argparse.ArgumentParser(description="A fake Telegram Bot API server on 127.0.0.1")
    parser.add_argument("--token", default="123:ABC")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="answer each request after this delay"
    )
    parser.add_argument("--global-per-second", type=int, default=30)
    parser.add_argument("--paid-per-second", type=int, default=1000)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(parser.parse_args()))


if __name__ == "__main__":
    main()
