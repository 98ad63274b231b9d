"""Inline keyboards for Telegram: a neutral message's buttons laid out in rows for a phone,
within Telegram's limits (callback data of 1-64 bytes, at most 100 buttons); and what else
goes under a new message: the reply box a question opens for the member it asks."""

from __future__ import annotations

import math
from collections.abc import Sequence

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters

from bot.messages.model import Button, Message

MAX_CALLBACK_DATA = 64  # bytes
#: Telegram's most buttons under one message (the core pages /settings well inside it).
MAX_BUTTONS = 100
#: Inline keyboard layout on a phone: buttons a row, and label characters a row.
ROW_BUTTONS = 3
ROW_CHARS = 36


def button_rows(buttons: Sequence[Button]) -> list[list[Button]]:
    """Buttons laid out for a phone: the choices of one setting (actions that differ only
    after their last ``:``, like ``settings:level:all`` and ``settings:level:key``) share rows,
    at most :data:`ROW_BUTTONS` a row and about :data:`ROW_CHARS` characters of labels, the
    rows of a group as even as possible (five delays: 3 + 2). Each new group starts a row."""
    groups: list[list[Button]] = []
    for button in buttons:
        prefix = button.action.rpartition(":")[0]
        if groups and prefix and groups[-1][0].action.rpartition(":")[0] == prefix:
            groups[-1].append(button)
        else:
            groups.append([button])
    rows: list[list[Button]] = []
    for group in groups:
        width = sum(len(b.label) for b in group) + 2 * (len(group) - 1)
        count = min(
            max(math.ceil(len(group) / ROW_BUTTONS), math.ceil(width / ROW_CHARS)), len(group)
        )
        size, extra = divmod(len(group), count)
        start = 0
        for i in range(count):
            end = start + size + (1 if i < extra else 0)
            rows.append(group[start:end])
            start = end
    return rows


def keyboard(message: Message) -> InlineKeyboardMarkup | None:
    """The message's buttons (see :func:`button_rows`); ``action`` (1-64 bytes) is the
    callback data, and a button whose action does not fit is left out, as are buttons beyond
    Telegram's 100."""
    usable = [b for b in message.buttons if 0 < len(b.action.encode()) <= MAX_CALLBACK_DATA]
    usable = usable[:MAX_BUTTONS]
    rows = [
        [InlineKeyboardButton(b.label, callback_data=b.action) for b in row]
        for row in button_rows(usable)
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def reply_markup(message: Message) -> InlineKeyboardMarkup | ForceReply | None:
    """What goes under a new message: its buttons; else, for a question that wants the asked
    member's reply (``wants_reply``), Telegram's ``ForceReply``, ``selective``: the app of the
    sender of the message it replies to opens a reply to it, nobody else's. (An edit takes
    only :func:`keyboard`: Telegram edits inline keyboards alone.)"""
    markup = keyboard(message)
    if markup is None and message.wants_reply and reply_parameters(message) is not None:
        return ForceReply(selective=True)
    return markup


def reply_parameters(message: Message) -> ReplyParameters | None:
    """The user's message ``message`` answers, as a reply to it; sent all the same should
    that message be deleted by then."""
    if message.reply_to is None or not message.reply_to.isdigit():
        return None
    return ReplyParameters(message_id=int(message.reply_to), allow_sending_without_reply=True)
