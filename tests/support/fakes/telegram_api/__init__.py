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
* ``ForceReply`` markup field by field (``force_reply`` true, ``selective`` a Boolean,
  ``input_field_placeholder`` 1-64 characters), and stricter than Telegram: no unknown field,
  one markup kind at a time, none in a channel, a ``selective`` one only with a reply or a
  mention (else it would open nobody's reply box); ``reply_box(chat, user)`` is the message
  whose reply box that user's app opens. ``reply_parameters`` must name a message of the chat
  (``message to be replied not found`` unless ``allow_sending_without_reply``); the message
  returned carries ``reply_to_message``, the record ``reply_to``. An edit's markup must be an
  inline keyboard (``inline keyboard expected``).
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

from tests.support.fakes.telegram_api.fake import FakeTelegram
from tests.support.fakes.telegram_api.records import InjectedFailure, Violation
from tests.support.fakes.telegram_api.standalone import main
from tests.support.fakes.telegram_api.wire import (
    CHANNEL_BOT,
    GROUP_ANONYMOUS_BOT,
    JSON,
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_CALLBACK_DATA_BYTES,
    MAX_MESSAGE_LENGTH,
    FailureKind,
    HtmlParseError,
    parse_telegram_html,
    parse_telegram_html_attr,
    utf16_len,
)

__all__ = [
    "CHANNEL_BOT",
    "GROUP_ANONYMOUS_BOT",
    "JSON",
    "MAX_CALLBACK_ANSWER_LENGTH",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_MESSAGE_LENGTH",
    "FailureKind",
    "FakeTelegram",
    "HtmlParseError",
    "InjectedFailure",
    "Violation",
    "main",
    "parse_telegram_html",
    "parse_telegram_html_attr",
    "utf16_len",
]
