"""The fake's HTTP server: lifecycle, request routing and the checks every method shares."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from aiohttp import web

from tests.support.fakes.telegram_api.records import (
    InjectedFailure,
    Upload,
    Violation,
    _ApiError,
    _Chat,
    _RateWindow,
)
from tests.support.fakes.telegram_api.wire import (
    _NESTED_JSON_FIELDS,
    JSON,
    MAX_CALLBACK_DATA_BYTES,
    MAX_KEYBOARD_BUTTONS,
    MAX_MESSAGE_LENGTH,
    MAX_ROW_BUTTONS,
    HtmlParseError,
    _maybe_json,
    _trim,
    parse_telegram_html,
    utf16_len,
)

if TYPE_CHECKING:
    from tests.support.fakes.telegram_api.fake import FakeTelegram


class Server:
    """The HTTP side: starting and stopping, routing a request to its method, the checks every
    method shares (chat state, flood limits, formatting, keyboards)."""

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
        #: requests being answered now (read, not yet answered), getUpdates' long polls aside
        self.requests_open = 0
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
        #: photos uploaded with sendPhoto, by the file_id the fake gave them
        self.photos: dict[str, bytes] = {}
        self._by_key: dict[tuple[int, int], JSON] = {}
        #: who wrote each member's message (chat, message id) -> user id, for ForceReply
        self._senders: dict[tuple[int, int], int] = {}
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

    async def _handle(self, request: web.Request) -> web.Response:
        if request.path.lower().endswith("/getupdates"):  # a long poll stays open: not counted
            return await self._answer(request)
        self.requests_open += 1
        try:
            return await self._answer(request)
        finally:
            self.requests_open -= 1

    async def _answer(self, request: web.Request) -> web.Response:
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
                    raw[key] = Upload(value.filename, value.file.read())
                else:
                    raw[key] = bytes(value).decode("utf-8", "replace")
        return {
            key: _maybe_json(key, value) if isinstance(value, str) else value
            for key, value in raw.items()
        }

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
            if sum(len(row) for row in rows) > MAX_KEYBOARD_BUTTONS:
                raise _ApiError(400, "Bad Request: reply markup is too long")
            if any(len(row) > MAX_ROW_BUTTONS for row in rows):
                raise _ApiError(400, "Bad Request: too many buttons in a row")
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not button.get("text"):
                        raise _ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
                    data = button.get("callback_data")
                    if data is not None and (
                        not data or len(str(data).encode()) > MAX_CALLBACK_DATA_BYTES
                    ):
                        raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if "force_reply" in markup:
            _check_force_reply(markup)
        return markup

    def _check_reply(self, params: JSON, chat_id: int, next_message_id: int) -> int | None:
        """``reply_parameters``: the id of a message of the chat the new one replies to (one
        sent and not deleted), or None; ``allow_sending_without_reply`` sends it as no reply
        when that message is gone, as Telegram does."""
        reply = params.get("reply_parameters")
        if reply is None:
            return None
        if not isinstance(reply, dict) or not isinstance(reply.get("message_id"), int):
            raise _ApiError(400, "Bad Request: can't parse reply parameters JSON object")
        if reply.get("chat_id") not in (None, chat_id):
            raise _ApiError(400, "Bad Request: fake: replies to another chat are not emulated")
        message_id = reply["message_id"]
        record = self._by_key.get((chat_id, message_id))
        if 0 < message_id < next_message_id and not (record is not None and record["deleted"]):
            return message_id
        if reply.get("allow_sending_without_reply") is True:
            return None
        raise _ApiError(400, "Bad Request: message to be replied not found")


#: ForceReply's fields (https://core.telegram.org/bots/api#forcereply)
FORCE_REPLY_FIELDS = frozenset({"force_reply", "selective", "input_field_placeholder"})
#: the longest placeholder a reply box shows, in characters
MAX_PLACEHOLDER = 64


def _check_force_reply(markup: JSON) -> None:
    """A ``ForceReply``, field by field as the Bot API documents it: ``force_reply`` True,
    ``selective`` a Boolean, ``input_field_placeholder`` a String of 1-64 characters. Stricter
    than Telegram, which would ignore them: a markup of two kinds, an unknown field, or
    ``force_reply`` false (no reply box would open)."""
    kinds = {"inline_keyboard", "keyboard", "remove_keyboard", "force_reply"} & set(markup)
    if len(kinds) > 1:
        raise _ApiError(400, f"Bad Request: fake: one reply markup at a time, not {sorted(kinds)}")
    unknown = set(markup) - FORCE_REPLY_FIELDS
    if unknown:
        raise _ApiError(400, f"Bad Request: fake: unknown ForceReply fields {sorted(unknown)}")
    if markup["force_reply"] is not True:
        raise _ApiError(400, 'Bad Request: field "force_reply" must be True')
    if "selective" in markup and not isinstance(markup["selective"], bool):
        raise _ApiError(400, 'Bad Request: field "selective" must be of type Boolean')
    placeholder = markup.get("input_field_placeholder")
    if placeholder is not None and (
        not isinstance(placeholder, str) or not 1 <= len(placeholder) <= MAX_PLACEHOLDER
    ):
        raise _ApiError(400, 'Bad Request: field "input_field_placeholder" must be 1-64 characters')
