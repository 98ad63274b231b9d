"""Telegram's errors, as python-telegram-bot raises them, translated into :mod:`bot.ports` errors.

PTB strips Telegram's ``Bad Request: `` prefix and capitalises the rest (``Chat not found``),
so descriptions are matched in lower case. ``BadRequest`` and ``TimedOut`` are subclasses of
``NetworkError``: they are checked before it.
"""

from __future__ import annotations

import datetime as dtm
import warnings

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot import ports

#: Bad requests that mean the chat cannot be written to at all (not this message's fault).
UNREACHABLE = (
    "chat not found",
    "user not found",
    "peer_id_invalid",
    "chat_write_forbidden",
    "have no rights to send",
    "not enough rights to send",
    "group chat was deactivated",
    "chat_restricted",
)
#: Bad requests of an edit that mean "send the correction as a new message instead".
CANNOT_EDIT = (
    "message to edit not found",
    "message can't be edited",
    "message_id_invalid",
    "there is no text in the message to edit",
)
NOT_MODIFIED = "message is not modified"


def retry_after_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds; PTB gives an int or a timedelta depending on PTB_TIMEDELTA."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    return float(value)


def is_not_modified(exc: TelegramError) -> bool:
    return isinstance(exc, BadRequest) and NOT_MODIFIED in exc.message.lower()


def translate(exc: TelegramError, *, editing: bool = False) -> ports.DeliveryError:
    """The :mod:`bot.ports` error the delivery loop should see for ``exc``."""
    text = exc.message.lower()
    if isinstance(exc, InvalidToken):  # 401 (or 404): the token was revoked or is wrong
        return ports.TokenRejected(token_rejected(exc), "TELEGRAM_BOT_TOKEN")
    if isinstance(exc, RetryAfter):
        return ports.RetryAfter(retry_after_seconds(exc), "Telegram flood control")
    if isinstance(exc, ChatMigrated):
        return ports.ChatMoved(str(exc.new_chat_id))
    if isinstance(exc, Forbidden):
        return ports.ChatUnreachable(exc.message)
    if isinstance(exc, BadRequest):
        if any(phrase in text for phrase in UNREACHABLE):
            return ports.ChatUnreachable(exc.message)
        if editing and any(phrase in text for phrase in CANNOT_EDIT):
            return ports.CannotEdit(exc.message)
        return ports.PermanentFailure(exc.message)
    if isinstance(exc, TimedOut):
        return ports.TemporaryFailure(f"timed out: {exc.message}")
    if isinstance(exc, NetworkError):
        return ports.TemporaryFailure(short(exc.message))
    # InvalidToken, Conflict, EndPointNotFound …: nothing this message did; try again later.
    return ports.TemporaryFailure(f"{type(exc).__name__}: {exc.message}")


def token_rejected(exc: TelegramError) -> str:
    """The one line ``matchbot run`` ends with when Telegram rejects the token."""
    return (
        f"Telegram rejected TELEGRAM_BOT_TOKEN ({short(exc.message)}): the token was revoked"
        " or is wrong; set the one @BotFather gives you and start the bot again"
    )


def short(message: str) -> str:
    """PTB's message without the body of a non-JSON answer it quotes (a proxy's HTML page)."""
    return message.split(". Parsing the server response", 1)[0]
