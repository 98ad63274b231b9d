"""Neutral messages in Discord markdown, and as Discord embeds inside every Discord limit.

Every dynamic value is escaped and mass mentions are defused (the client also sends
``allowed_mentions`` = none, so nothing can ping). :func:`discord_embeds` gives plain JSON
dicts; :mod:`adapters.discord.embeds` groups them into messages. Nothing here talks to Discord.
"""

from __future__ import annotations

import re
from typing import Any

from adapters.splitting import TextFormat, cut_into_parts, shorten, utf16_len
from bot.messages.model import Line, Message, Span, line, message_text, span_text

#: Characters Discord markdown gives a meaning anywhere in a line. ``<`` opens every construct
#: Discord parses in angle brackets — user, role and channel mentions (``<@id>``, ``<@!id>``,
#: ``<@&id>``, ``<#id>``), command mentions (``</name:id>``), live timestamps (``<t:…>``),
#: custom emoji (``<:name:id>``, ``<a:name:id>``), guide links (``<id:browse>``) and links in
#: angle brackets — so a backslash before every ``<`` shows each of them as plain text.
_DISCORD_SPECIAL = re.compile(r"([\\*_~`|\[\]<])")
_DISCORD_LINE_START = re.compile(r"^(\s*)([>#+-])", re.MULTILINE)
_DISCORD_LIST_NUMBER = re.compile(r"^(\s*\d+)\.", re.MULTILINE)
_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
ZWSP = "\u200b"

_MARKS = {"bold": "**", "italic": "*", "strike": "~~", "quote": "*"}


def escape_discord(text: str) -> str:
    """Escape Discord markdown (a backslash before each special character, and before a
    quote, heading or list marker opening a line), show every ``<…>`` construct as text
    (escaped, and a zero-width space after the ``<``), and defuse @everyone and @here (a
    zero-width space after the ``@``)."""
    text = _DISCORD_SPECIAL.sub(r"\\\1", text)
    text = _DISCORD_LINE_START.sub(r"\1\\\2", text)
    text = _DISCORD_LIST_NUMBER.sub(r"\1\\.", text)
    text = text.replace("<", f"<{ZWSP}")  # and where Discord ignores escapes (embed titles)
    return _MENTION.sub(lambda m: f"@{ZWSP}{m.group(1)}", text)


def _span(span: Span) -> str:
    body = escape_discord(span_text(span))
    mark = _MARKS.get(span.style, "")
    return f"{mark}{body}{mark}" if body.strip() else body


def _title(title: str) -> str:
    return f"**{escape_discord(title)}**"


def discord_markdown(message: Message) -> str:
    """The whole message as one Discord markdown text; sections are separated by a blank line."""
    return message_text(message, _span, _title)


# Discord embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_TOTAL = 6000

_KIND_COLOURS = {
    "goal": 0x2ECC71,
    "goal_disallowed": 0xE67E22,
    "goal_cancelled": 0xE67E22,
    "correction": 0xE67E22,
    "red_card": 0xE74C3C,
    "recap": 0x3498DB,
}


#: Discord markdown, counted as the markdown sent (escapes and marks included; in UTF-16 code
#: units, never fewer than the characters Discord counts).
DISCORD = TextFormat(write=_span, size=lambda span: utf16_len(_span(span)))


def _title_span(span: Span) -> str:
    """An embed title is bold already: a bold span is written without its marks."""
    return escape_discord(span_text(span)) if span.style == "bold" else _span(span)


EMBED_TITLE_FORMAT = TextFormat(write=_title_span, size=lambda span: utf16_len(_title_span(span)))
CONTINUED = " (cont.)"


def _fields(title: str, rows: tuple[Line, ...]) -> list[dict[str, Any]]:
    """A titled section as fields: its lines split into values of at most 1,024 characters
    (by the splitter every format shares), the name repeated with "(cont.)" on the next ones."""
    name = shorten(line(title), DISCORD, EMBED_FIELD_NAME)
    more = shorten(line(title), DISCORD, EMBED_FIELD_NAME - len(CONTINUED)) + CONTINUED
    values = cut_into_parts(rows, DISCORD, EMBED_FIELD_VALUE)
    return [
        {"name": name if i == 0 else more, "value": value, "inline": False}
        for i, value in enumerate(values)
    ]


def discord_embeds(message: Message) -> list[dict[str, Any]]:
    """The message as Discord embeds (JSON dicts), split to stay inside every Discord limit.

    The headline is the title; untitled sections form the description (a blank line between
    two: a recap's fixture line, then its lead paragraph), continued in further embeds when
    longer than 4,096 characters; each titled section becomes fields (split between lines, or
    between words, when longer than a field may be: :mod:`adapters.splitting`). A message too
    big for one embed continues in further embeds, each under the 6000-character total.
    """
    title = shorten(message.headline, EMBED_TITLE_FORMAT, EMBED_TITLE)
    description_rows: list[Line] = []
    fields: list[dict[str, Any]] = []
    for section in message.sections:
        if section.title:
            fields += _fields(section.title, section.lines)
        elif section.lines:
            description_rows += [*([()] if description_rows else []), *section.lines]
    colour = _KIND_COLOURS.get(message.kind, 0x95A5A6)
    descriptions = cut_into_parts(description_rows, DISCORD, EMBED_DESCRIPTION) or [""]
    embeds: list[dict[str, Any]] = [
        {"color": colour, "description": text, "fields": []} for text in descriptions
    ]
    embeds[0]["title"] = title
    current = embeds[-1]
    size = embed_text_size(current)
    for item in fields:
        item_size = len(item["name"]) + len(item["value"])
        if len(current["fields"]) >= EMBED_FIELDS or size + item_size > EMBED_TOTAL:
            current = {"color": colour, "fields": []}
            embeds.append(current)
            size = 0
        current["fields"].append(item)
        size += item_size
    for embed in embeds:
        for key in ("fields", "description"):
            if not embed.get(key):
                embed.pop(key, None)
    return embeds  # the Discord adapter groups them into messages of at most 10


def embed_text_size(embed: dict[str, Any]) -> int:
    return len(embed.get("title") or "") + len(embed.get("description") or "")
