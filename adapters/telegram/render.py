"""Neutral messages in Telegram's HTML, split into the parts Telegram accepts.

Every dynamic value is escaped (only ``<``, ``>`` and ``&`` are special in Telegram HTML), styles
become ``<b>``, ``<i>`` and ``<s>``, and a text longer than one Telegram message (4096 UTF-16 code
units once Telegram parsed the HTML) is split at line boundaries. Nothing here talks to Telegram.
"""

from __future__ import annotations

import html
import re

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


def split_text(text: str, limit: int) -> list[str]:
    """Split a rendered text at line boundaries into parts of at most ``limit`` characters.

    Lines are whole units of markup here (a tag never spans lines), so a split between lines
    never breaks a tag. A single line longer than ``limit`` is cut between elements by
    :func:`split_line` (never inside a tag or an entity, tags closed and reopened).
    """
    parts: list[str] = []
    current = ""
    for row in text.split("\n"):
        if len(row) > limit:
            *whole, row = split_line(row, limit) or [""]
            parts.extend([current] if current else [])
            current = ""
            parts.extend(whole)
        candidate = f"{current}\n{row}" if current else row
        if len(candidate) > limit:
            parts.append(current)
            current = row
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return [p.strip("\n") for p in parts if p.strip()]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def message_parts(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``text`` split at line boundaries into parts Telegram accepts (emoji count twice)."""
    size = limit
    while True:
        parts = split_text(text, size)
        longest = max((utf16_len(p) for p in parts), default=0)
        if longest <= limit or size <= 64:
            return parts
        size = max(64, size * limit // longest - 1)


MAX_CAPTION = 1024  # a photo's caption, UTF-16 code units after Telegram parsed the HTML


def card_parts(message: Message) -> tuple[str, ...]:
    """A message sent with its picture: the caption (its start, at most 1,024 characters as
    Telegram counts them), then the rest as texts."""
    parts = message_parts(telegram_html(message), MAX_CAPTION)
    rest = "\n".join(parts[1:])
    return (parts[0], *(message_parts(rest) if rest else ()))


def telegram_parts(message: Message) -> tuple[str, ...]:
    """The message as the texts of the Telegram messages that carry it (one, unless long)."""
    return tuple(message_parts(telegram_html(message)))


_TOKEN = re.compile(r"<(/?)([a-z]+)[^>]*>|&[#\w]+;|\s+|[^<&\s]+|[<&]")
ELLIPSIS = "…"


def split_line(row: str, limit: int) -> list[str]:
    """One line of Telegram HTML cut into pieces of at most ``limit`` characters, between
    elements: never inside a tag or an entity, each piece closing the tags still open and the
    next one opening them again; a word too long for any piece is cut with an ellipsis."""
    cutter = _LineCutter(limit)
    for m in _TOKEN.finditer(row):
        if m.group(2):
            cutter.tag(m.group(0), m.group(2), closes=bool(m.group(1)))
        else:
            cutter.text(m.group(0))
    return cutter.finish()


class _LineCutter:
    """The state of :func:`split_line`: the pieces cut so far, the tags open, the piece
    being written."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pieces: list[str] = []
        self.open_tags: list[tuple[str, str]] = []  # (name, opening text)
        self.current = ""

    def closing(self) -> str:
        return "".join(f"</{name}>" for name, _ in reversed(self.open_tags))

    def reopen(self) -> str:
        return "".join(text for _, text in self.open_tags)

    def room(self) -> int:
        return self.limit - len(self.current) - len(self.closing())

    def flush(self) -> None:
        piece = (self.current + self.closing()).strip()
        if _visible(piece):
            self.pieces.append(piece)
        self.current = self.reopen()

    def tag(self, token: str, name: str, *, closes: bool) -> None:
        if closes:
            if self.open_tags and self.open_tags[-1][0] == name:
                self.open_tags.pop()
        else:
            need = len(token) + len(name) + 3 + 1  # the tag, its end, a character
            if need > self.room():
                self.flush()
            self.open_tags.append((name, token))
        self.current += token

    def text(self, token: str) -> None:
        if len(token) <= self.room():
            self.current += token
            return
        if token.isspace():
            self.flush()
            return
        if _visible(self.current[len(self.reopen()) :]):
            self.flush()
        room = self.room()
        if len(token) > room:  # one word longer than a whole message: cut it
            token = token[: max(0, room - len(ELLIPSIS))] + ELLIPSIS
        self.current += token

    def finish(self) -> list[str]:
        piece = self.current.strip()
        if _visible(piece):
            self.pieces.append(piece)
        return self.pieces


def _visible(markup: str) -> bool:
    return bool(re.sub(r"<[^>]*>", "", markup).strip())
