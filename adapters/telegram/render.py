"""Neutral messages in Telegram's HTML, split into the parts Telegram accepts.

Every dynamic value is escaped (only ``<``, ``>`` and ``&`` are special in Telegram HTML), styles
become ``<b>``, ``<i>`` and ``<s>``, and a text longer than one Telegram message (4096 UTF-16 code
units once Telegram parsed the HTML) is split by :mod:`adapters.splitting`, between lines where it
can, never inside a tag or an entity. Nothing here talks to Telegram.
"""

from __future__ import annotations

import html

from adapters.splitting import TextFormat, cut_into_parts, message_lines, utf16_len
from bot.messages.model import Message, Span, message_text, span_text

MAX_TEXT = 4096  # UTF-16 code units, after Telegram parsed the HTML

_TAGS = {"bold": "b", "italic": "i", "strike": "s", "quote": "i"}


def escape_telegram(text: str) -> str:
    """Escape for Telegram HTML: only ``<``, ``>`` and ``&`` are special."""
    return html.escape(text, quote=False)


def _span(span: Span) -> str:
    body = escape_telegram(span_text(span))
    tag = _TAGS.get(span.style)
    return f"<{tag}>{body}</{tag}>" if tag else body


def _title(title: str) -> str:
    return f"<b>{escape_telegram(title)}</b>"


def telegram_html(message: Message) -> str:
    """The whole message as one Telegram HTML text; sections are separated by a blank line."""
    return message_text(message, _span, _title)


#: Telegram HTML, counted as Telegram counts a message: the UTF-16 code units of the text it
#: shows once it parsed the HTML (a tag counts nothing, ``&amp;`` one).
TELEGRAM = TextFormat(write=_span, size=lambda span: utf16_len(span_text(span)))


def message_parts(message: Message, limit: int = MAX_TEXT, first: int | None = None) -> list[str]:
    """``message`` as the Telegram HTML texts that carry it, each within ``limit`` (the first
    within ``first``), split by the one splitter every format shares (:mod:`adapters.splitting`)."""
    return cut_into_parts(message_lines(message), TELEGRAM, limit, first)


MAX_CAPTION = 1024  # a photo's caption, UTF-16 code units after Telegram parsed the HTML


def card_parts(message: Message) -> tuple[str, ...]:
    """A message sent with its picture: the caption (its start, at most 1,024 characters as
    Telegram counts them), then the rest as texts."""
    return tuple(message_parts(message, MAX_TEXT, first=MAX_CAPTION))


def telegram_parts(message: Message) -> tuple[str, ...]:
    """The message as the texts of the Telegram messages that carry it (one, unless long)."""
    return tuple(message_parts(message))
