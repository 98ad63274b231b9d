"""The Telegram chat adapter: sends neutral messages as Telegram HTML (see :mod:`.render`,
rendered once per message however many chats get it), edits corrections in place.

The core's pacer (:class:`bot.pacer.Pacer`) paces every request (Telegram's 30 messages in
any second, 1,000 with paid broadcast; one a second per chat; 20 a minute per group) from
:attr:`TelegramAdapter.pacing`; this module holds the pacer's
:meth:`~bot.ports.RequestPacer.request` around each message it posts (a long text is
several), talks to the Bot API through python-telegram-bot and translates its errors (see
:mod:`.errors`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import hashlib
import json
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder
from telegram.request import HTTPXRequest

from adapters.card.cache import CardCache
from adapters.rendering import RenderCache
from adapters.telegram.errors import is_not_modified, short, token_rejected, translate
from adapters.telegram.handlers import ALLOWED_UPDATES, UpdateHandlers
from adapters.telegram.keyboard import keyboard, reply_markup, reply_parameters
from adapters.telegram.render import card_parts, telegram_parts
from adapters.tls import client_context
from bot import metrics
from bot.command_catalogue import CATALOGUE
from bot.command_types import Catalogue
from bot.logs import REDACTED
from bot.messages import i18n, templates
from bot.messages.model import Message
from bot.ports import (
    CannotEdit,
    CoreAPI,
    FatalSink,
    Pacing,
    RequestPacer,
    StartupError,
    TemporaryFailure,
)
from bot.repeats import RepeatedFailures
from bot.settings import Settings

if TYPE_CHECKING:
    from adapters.telegram.bulk import BulkSender

log = logging.getLogger(__name__)

#: Telegram's limit: about 30 messages in any second overall, counted at Telegram's end (the
#: pacer keeps it whatever the round trip, so no margin is needed).
FREE_LIMIT = 30
#: Free sends that may start at once after a pause: a late turn is caught up instead of lost,
#: and the sends stay spread over each second (a new alert never waits long for a turn).
FREE_BURST = 4
#: With ``allow_paid_broadcast`` Telegram allows up to 1000 a second (paid in Stars).
PAID_LIMIT = 1000
#: Paid sends that may start at once after a pause (a late wake-up catches up).
PAID_BURST = 16
#: Paid sends awaiting Telegram's answer at once (and connections in the bulk path's pool):
#: 1,000 a second at a 50 ms round trip keep ~50 busy; the rest absorbs slower answers.
PAID_IN_FLIGHT = 128
PER_CHAT_INTERVAL = 1.0
GROUP_PER_MINUTE = 20
#: Seconds a Bot API request may take before it counts as timed out (and is retried).
REQUEST_TIMEOUT = 10.0
POLL_TIMEOUT = dtm.timedelta(seconds=30)
#: How long :meth:`TelegramAdapter.stop` waits for sends already on the wire.
STOP_GRACE = 15.0
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class LibraryLog(logging.Filter):
    """python-telegram-bot's log lines that must not reach the operator as they are:

    * a rejected token while polling (logged with a traceback, and polling ends): told to the
      core instead, which stops the bot with one line naming ``TELEGRAM_BOT_TOKEN``;
    * "Can not load invalid JSON data" with a traceback, for every answer that is not JSON (a
      proxy's HTML error page during an outage): the failure itself is counted and summarised
      where the request failed (delivery, polling);
    * "Something went wrong processing the data received from Telegram", logged as critical
      with a traceback and the whole body posted, for a webhook post with the right secret
      that is not an update (``{}``, a list, an unknown shape): one warning line instead,
      without the body (it may be megabytes). Posts without the secret never get that far.
    """

    LOGGERS = ("telegram.ext", "telegram.ext.Updater", "telegram.request.BaseRequest")
    UNREADABLE_UPDATE = "Something went wrong processing the data received from Telegram"

    def __init__(self, on_token_rejected: Callable[[TelegramError], None]) -> None:
        super().__init__()
        self.on_token_rejected = on_token_rejected

    def install(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).addFilter(self)

    def remove(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, InvalidToken):
            self.on_token_rejected(error)
            return False
        if str(record.msg).startswith(self.UNREADABLE_UPDATE):
            record.msg, record.args = "telegram: a webhook post was not an update (ignored)", ()
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
            return True
        return not str(record.msg).startswith("Can not load invalid JSON data")


def telegram_pacing(paid_broadcast: bool = False) -> Pacing:
    """Telegram's limits: ~30 messages/s overall (1000/s paid), 1/s per chat, 20/min a group."""
    return Pacing(
        per_second=PAID_LIMIT if paid_broadcast else FREE_LIMIT,
        per_chat_interval=PER_CHAT_INTERVAL,
        group_per_minute=GROUP_PER_MINUTE,
        max_in_flight=PAID_IN_FLIGHT if paid_broadcast else 32,
        burst=PAID_BURST if paid_broadcast else FREE_BURST,
    )


def wire_chat_id(chat_id: str) -> int | str:
    """Telegram chat ids are integers; ``@channelname`` stays a string."""
    try:
        return int(chat_id)
    except ValueError:
        return chat_id


def webhook_secret(token: str) -> str:
    """A stable secret for ``X-Telegram-Bot-Api-Secret-Token``, derived from (not equal to)
    the bot token."""
    return hashlib.sha256(f"matchbot-webhook:{token}".encode()).hexdigest()


def webhook_path(url: str) -> str:
    """The path the webhook server answers on: ``TELEGRAM_WEBHOOK_URL``'s own path (the proxy
    in front forwards it unchanged), as the regular expression python-telegram-bot builds its
    route from (``/`` + this + ``/?``), so a ``.`` or ``+`` in the path is matched literally."""
    return re.escape(urlsplit(url).path.lstrip("/"))


def listen_address(listen: str) -> tuple[str, int]:
    """``TELEGRAM_WEBHOOK_LISTEN``: ``host:port``, ``[::1]:8443`` or just a port."""
    host, _, port = listen.strip().rpartition(":")
    host = host.strip("[]") or "0.0.0.0"
    try:
        number = int(port)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise ValueError(f"TELEGRAM_WEBHOOK_LISTEN={listen!r} is not host:port")
    return host, number


def bot_commands(
    language: str = "en", catalogue: Catalogue = CATALOGUE, reporters: bool = False
) -> list[BotCommand]:
    """The command menu: the core's catalogue of commands for Telegram, in ``language``
    (``reporters``: the menu of a reporter's private chat, ``/report`` included)."""
    with i18n.use(language):
        return [
            BotCommand(name, about)
            for name, about in templates.command_menu("telegram", catalogue, reporters)
        ]


def reporter_chats(reporters: Iterable[str]) -> tuple[int, ...]:
    """The private chats of the Telegram reporters among ``platform:user id`` entries (a
    user's private chat with the bot has the user's id)."""
    found = (r.partition(":") for r in reporters)
    return tuple(sorted({int(i) for p, _, i in found if p == "telegram" and i.isdigit()}))


#: Messages whose text the adapter remembers (to never send an unchanged edit).
SHOWN_KEPT = 4096


class ShownMessages:
    """What the bot's latest messages show (their HTML and keyboard, as sent or edited), so
    an edit that would change nothing is not sent: Telegram would refuse it ("message is not
    modified"), and it would cost the chat a turn. Only the latest :data:`SHOWN_KEPT` are
    kept; an edit of an older one is sent, and "not modified" is then harmless."""

    def __init__(self) -> None:
        self._shown: OrderedDict[tuple[str, str], tuple[str, str]] = OrderedDict()

    @staticmethod
    def _value(html: str, markup: InlineKeyboardMarkup | None) -> tuple[str, str]:
        return html, json.dumps(markup.to_dict() if markup else None, sort_keys=True)

    def note(
        self, chat_id: str, message_id: str, html: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        key = (chat_id, message_id)
        self._shown[key] = self._value(html, markup)
        self._shown.move_to_end(key)
        while len(self._shown) > SHOWN_KEPT:
            self._shown.popitem(last=False)

    def shows(
        self, chat_id: str, message_id: str, html: str, markup: InlineKeyboardMarkup | None
    ) -> bool:
        return self._shown.get((chat_id, message_id)) == self._value(html, markup)


class TelegramAdapter:
    """Telegram through a python-telegram-bot ``Application`` (long polling or a webhook)."""

    platform = "telegram"

    def __init__(
        self,
        token: str,
        *,
        base_url: str | None = None,
        webhook_url: str | None = None,
        webhook_listen: str = "0.0.0.0:8443",
        group_admin_only: bool = True,
        paid_broadcast: bool = False,
        catalogue: Catalogue = CATALOGUE,
        reporters: Iterable[int] = (),
    ) -> None:
        self._token = token
        #: the reporters' private chats: their menu lists /report
        self.reporters = tuple(reporters)
        #: the commands its menu lists and its handlers know (the bot's own but in tests)
        self.catalogue = catalogue
        self.base_url = base_url
        self.webhook_url = webhook_url
        self.webhook_listen = webhook_listen
        self.group_admin_only = group_admin_only
        self.paid_broadcast = paid_broadcast
        self.pacing = telegram_pacing(paid_broadcast)
        #: each message's HTML parts, rendered on its first send only (a fan-out's chats share it)
        self.render = RenderCache(telegram_parts)
        #: a message with a picture: its caption, then the rest (rendered once too)
        self.render_card_parts = RenderCache(card_parts)
        #: each match card drawn once, uploaded once, then sent by the file_id Telegram gave
        self.cards = CardCache()
        self._file_ids: dict[str, str] = {}
        self._uploading: dict[str, asyncio.Lock] = {}
        self.application: Application | None = None  # type: ignore[type-arg]
        self._pacer: RequestPacer | None = None
        #: paid broadcast: sendMessage on the lean path (see :mod:`.bulk`)
        self._bulk: BulkSender | None = None
        self._sending = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False
        self._shown = ShownMessages()
        self._core: CoreAPI | None = None
        #: python-telegram-bot's own log lines that must not reach the operator as tracebacks
        self._watch = LibraryLog(self._token_rejected)
        #: failed getUpdates: one warning line, repeats counted and summarised
        self._polling_failures = RepeatedFailures("telegram polling", log)

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramAdapter:
        assert settings.telegram_bot_token is not None
        return cls(
            settings.telegram_bot_token.get_secret_value(),
            base_url=settings.telegram_base_url,
            webhook_url=settings.telegram_webhook_url,
            webhook_listen=settings.telegram_webhook_listen,
            group_admin_only=settings.telegram_group_admin_only,
            paid_broadcast=settings.telegram_paid_broadcast,
            reporters=reporter_chats(settings.reporter_ids | settings.lead_reporter_ids),
        )

    def __repr__(self) -> str:  # never show the token
        return f"TelegramAdapter(base_url={self.base_url!r}, webhook={bool(self.webhook_url)})"

    def is_group(self, chat_id: str) -> bool:
        """Groups, supergroups and channels have negative ids."""
        return chat_id.startswith("-")

    def bind_pacer(self, pacer: RequestPacer) -> None:
        """The delivery loop's pacer (:class:`bot.ports.PacedAdapter`): held around every
        message posted and every edit, so each part of a long text is paced in its chat."""
        self._pacer = pacer

    def _paced(self, chat_id: str) -> AbstractAsyncContextManager[None]:
        if self._pacer is None:  # not delivering (a test of the adapter alone)
            return contextlib.nullcontext()
        return self._pacer.request(chat_id)

    # --- life cycle --------------------------------------------------------------------------

    def build_application(self) -> Application:  # type: ignore[type-arg]
        """The PTB application: no job queue (the bot has one scheduler, its own) and no PTB
        rate limiter (the core's delivery loop paces every send). Its two connections to the
        Bot API (requests, and the long poll) take the process's one TLS context
        (:func:`adapters.tls.client_context`): each would load the CA bundle again (some 25 ms
        of CPU at every start)."""
        tls = client_context()
        builder = (
            ApplicationBuilder()
            .token(self._token)
            .job_queue(None)
            .request(
                HTTPXRequest(
                    read_timeout=REQUEST_TIMEOUT,
                    write_timeout=REQUEST_TIMEOUT,
                    connect_timeout=REQUEST_TIMEOUT,
                    pool_timeout=REQUEST_TIMEOUT,
                    httpx_kwargs={"verify": tls},
                )
            )
            .get_updates_request(
                HTTPXRequest(
                    connection_pool_size=1,
                    read_timeout=POLL_TIMEOUT.total_seconds() + REQUEST_TIMEOUT,
                    httpx_kwargs={"verify": tls},
                )
            )
        )
        if self.base_url:
            builder = builder.base_url(self.base_url)
        return builder.build()

    async def start(self, core: CoreAPI) -> None:
        self._closing = False
        self._core = core
        self._watch.install()
        app = self.build_application()
        UpdateHandlers(core, admin_only=self.group_admin_only, catalogue=self.catalogue).install(
            app
        )
        try:
            await app.initialize()  # getMe: fails here on a wrong token or endpoint
        except InvalidToken:
            # PTB's own message quotes the token: never let it reach a log.
            raise StartupError(
                "Telegram rejected TELEGRAM_BOT_TOKEN: check the token @BotFather gave you"
                + (f" and TELEGRAM_BASE_URL ({self.base_url})" if self.base_url else "")
            ) from None
        except NetworkError as exc:
            where = self.base_url or "https://api.telegram.org"
            reason = str(exc).replace(self._token, REDACTED)
            raise StartupError(f"cannot reach the Telegram Bot API at {where}: {reason}") from None
        if self.paid_broadcast:
            from adapters.telegram.bulk import BulkSender  # aiohttp, only for paid broadcast

            self._bulk = BulkSender(app.bot.base_url, self.pacing.max_in_flight, REQUEST_TIMEOUT)
            await self._bulk.start()
        self.application = app
        await self._set_menu(app.bot, self.catalogue)
        await self._set_reporter_menus(app.bot)
        if self.webhook_url:
            await self._start_webhook(app)
        else:
            assert app.updater is not None
            await app.updater.start_polling(
                timeout=POLL_TIMEOUT,
                allowed_updates=ALLOWED_UPDATES,
                error_callback=self._polling_error,
            )
        await app.start()
        log.info(
            "telegram: @%s is up (%s)",
            app.bot.username,
            "webhook" if self.webhook_url else "long polling",
        )

    @staticmethod
    async def _set_menu(bot: Bot, catalogue: Catalogue) -> None:
        """The command menu, in each language the bot speaks (the user's app language where
        we speak it). A passing failure (a 5xx at start-up) costs the menu until the next
        start, not the start: one warning line."""
        try:
            await bot.set_my_commands(bot_commands(catalogue=catalogue))
            for language in i18n.LANGUAGES:
                if language != i18n.DEFAULT_LANGUAGE:
                    menu = bot_commands(language, catalogue)
                    await bot.set_my_commands(menu, language_code=language)
        except InvalidToken:
            raise
        except TelegramError as exc:
            log.warning("telegram: the command menu was not set (%s)", short(exc.message))

    async def _set_reporter_menus(self, bot: Bot) -> None:
        """Each reporter's private chat gets the menu with ``/report`` (in each language);
        a reporter who never wrote to the bot has no chat yet: one warning line."""
        for chat_id in self.reporters:
            scope = BotCommandScopeChat(chat_id)
            try:
                await bot.set_my_commands(
                    bot_commands(catalogue=self.catalogue, reporters=True), scope
                )
                for language in i18n.LANGUAGES:
                    if language != i18n.DEFAULT_LANGUAGE:
                        menu = bot_commands(language, self.catalogue, reporters=True)
                        await bot.set_my_commands(menu, scope, language_code=language)
            except InvalidToken:
                raise
            except TelegramError as exc:
                log.warning(
                    "telegram: no /report menu for reporter %s (%s)", chat_id, short(exc.message)
                )

    async def _start_webhook(self, app: Application) -> None:  # type: ignore[type-arg]
        assert app.updater is not None and self.webhook_url is not None
        host, port = listen_address(self.webhook_listen)
        await app.updater.start_webhook(
            listen=host,
            port=port,
            url_path=webhook_path(self.webhook_url),
            webhook_url=self.webhook_url,
            allowed_updates=ALLOWED_UPDATES,
            secret_token=webhook_secret(self._token),
        )

    def _polling_error(self, exc: TelegramError) -> None:
        """A failed getUpdates: counted, and one warning line for a run of them."""
        metrics.current().polling_error(self.platform)
        self._polling_failures.failed(f"{type(exc).__name__}: {short(exc.message)}")

    def _token_rejected(self, exc: TelegramError) -> None:
        """Telegram rejected the token while polling: the bot stops (one line, no retries)."""
        if isinstance(self._core, FatalSink):
            self._core.fatal(token_rejected(exc))

    async def stop(self) -> None:
        """Stop taking updates, let sends already on the wire finish, then close."""
        app, self.application = self.application, None
        self._closing = True
        if app is None:
            self._watch.remove()
            return
        if app.updater is not None and app.updater.running:
            try:
                await app.updater.stop()
            except TelegramError as exc:  # its polling ended on this error (a rejected token)
                log.debug("telegram polling had ended: %s", short(exc.message))
        if app.running:
            await app.stop()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), STOP_GRACE)
        bulk, self._bulk = self._bulk, None
        if bulk is not None:
            await bulk.stop()
        try:
            await app.shutdown()
        finally:
            self._watch.remove()

    # --- sending -----------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _bot(self) -> AsyncIterator[Bot]:
        app = self.application
        if app is None or self._closing:
            raise TemporaryFailure("the Telegram adapter is not running")
        self._sending += 1
        self._idle.clear()
        try:
            yield app.bot
        finally:
            self._sending -= 1
            if self._sending == 0:
                self._idle.set()

    async def _send_photo(self, bot: Bot, chat_id: str, message: Message, caption: str) -> str:
        """The message's card as a photo with ``caption``: uploaded by the first send of the
        card (the others wait for it), then sent by the file_id Telegram gave it."""
        card = message.card
        assert card is not None
        file_id = self._file_ids.get(card.key)
        if file_id is None:
            async with self._uploading.setdefault(card.key, asyncio.Lock()):
                file_id = self._file_ids.get(card.key)
                if file_id is None:
                    photo = InputFile(self.cards(card), filename="match-card.png")
                    async with self._paced(chat_id):
                        sent = await bot.send_photo(
                            chat_id=wire_chat_id(chat_id),
                            photo=photo,
                            caption=caption,
                            parse_mode=ParseMode.HTML,
                            disable_notification=True if message.quiet else None,
                        )
                    self._file_ids[card.key] = sent.photo[-1].file_id
                    self._uploading.pop(card.key, None)
                    return str(sent.message_id)
        async with self._paced(chat_id):
            sent = await bot.send_photo(
                chat_id=wire_chat_id(chat_id),
                photo=file_id,
                caption=caption,
                parse_mode=ParseMode.HTML,
                disable_notification=True if message.quiet else None,
            )
        return str(sent.message_id)

    async def send(self, chat_id: str, message: Message) -> list[str]:
        """Post ``message`` as Telegram HTML, split into parts of at most 4096 characters; the
        buttons go under the last part. A message with a match card goes as a photo whose
        caption is the message's start, the rest as texts. Returns the message ids."""
        ids: list[str] = []
        parts = self.render(message)
        if message.card is not None:
            caption, *rest = self.render_card_parts(message)
            async with self._bot() as bot:
                try:
                    ids.append(await self._send_photo(bot, chat_id, message, caption))
                except TelegramError as exc:
                    raise translate(exc) from exc
            parts = tuple(rest)
        markup, replying = reply_markup(message), reply_parameters(message)
        async with self._bot() as bot:
            for i, part in enumerate(parts):
                # the buttons (or the reply box) under the last part, the reply on the first
                under, reply = markup if i == len(parts) - 1 else None, None if i else replying
                # one push per message: a quiet one never buzzes, a long one only once
                quiet = message.quiet or bool(ids)
                try:
                    async with self._paced(chat_id):  # each part paced in its chat
                        if self._bulk is not None:
                            message_id = await self._bulk.send_message(
                                wire_chat_id(chat_id), part, under, reply, quiet
                            )
                        else:
                            sent = await bot.send_message(
                                chat_id=wire_chat_id(chat_id),
                                text=part,
                                parse_mode=ParseMode.HTML,
                                link_preview_options=NO_PREVIEW,
                                reply_markup=under,
                                reply_parameters=reply,
                                allow_paid_broadcast=True if self.paid_broadcast else None,
                                disable_notification=True if quiet else None,
                            )
                            message_id = sent.message_id
                except TelegramError as exc:
                    raise translate(exc) from exc
                ids.append(str(message_id))
                shown = under if isinstance(under, InlineKeyboardMarkup) else None
                self._shown.note(chat_id, str(message_id), part, shown)
        return ids

    async def edit(self, chat_id: str, message_ids: list[str], message: Message) -> None:
        """Replace the text of a message already sent with ``message``; "not modified" means
        it already says that. Raises :class:`CannotEdit` when Telegram will not edit it."""
        parts = self.render(message)
        if not message_ids or len(parts) != 1:
            raise CannotEdit("the correction does not fit in the original message")
        markup = keyboard(message)
        if self._shown.shows(chat_id, message_ids[0], parts[0], markup):
            return  # it says that already: an unchanged edit is never sent
        async with self._bot() as bot:
            try:
                async with self._paced(chat_id):
                    await bot.edit_message_text(
                        text=parts[0],
                        chat_id=wire_chat_id(chat_id),
                        message_id=int(message_ids[0]),
                        parse_mode=ParseMode.HTML,
                        link_preview_options=NO_PREVIEW,
                        reply_markup=markup,
                    )
            except TelegramError as exc:
                if is_not_modified(exc):
                    self._shown.note(chat_id, message_ids[0], parts[0], markup)
                    return
                raise translate(exc, editing=True) from exc
        self._shown.note(chat_id, message_ids[0], parts[0], markup)
