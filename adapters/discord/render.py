"""Neutral messages in Discord markdown, and as Discord embeds inside every Discord limit.

Every dynamic value is escaped and mass mentions are defused (the client also sends
``allowed_mentions`` = none, so nothing can ping). :func:`discord_embeds` gives plain JSON
dicts; :mod:`adapters.discord.embeds` groups them into messages. Nothing here talks to Discord.
"""

from __future__ import annotations

import re
from typing import Any

from bot.messages.model import Message, Span, line_text, message_text, span_text

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


def _trim(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _chunks(rows: list[str], limit: int) -> list[str]:
    """Join rows with newlines into chunks of at most ``limit`` characters, never mid-row."""
    chunks: list[str] = []
    current = ""
    for row in rows:
        row = _trim(row, limit)
        candidate = f"{current}\n{row}" if current else row
        if len(candidate) > limit:
            chunks.append(current)
            current = row
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def discord_embeds(message: Message) -> list[dict[str, Any]]:
    """The message as Discord embeds (JSON dicts), split to stay inside every Discord limit.

    The headline is the title; untitled sections form the description (a blank line between
    two: a recap's fixture line, then its lead paragraph); each titled section
    becomes fields (split at line boundaries when longer than a field may be). A message too
    big for one embed continues in further embeds, each under the 6000-character total.
    """
    title = _trim(line_text(message.headline, _span).replace("**", ""), EMBED_TITLE)
    description_blocks: list[str] = []
    fields: list[dict[str, Any]] = []
    for section in message.sections:
        rows = [line_text(parts, _span) for parts in section.lines]
        if not section.title:
            description_blocks.append("\n".join(rows))
            continue
        name = _trim(escape_discord(section.title), EMBED_FIELD_NAME)
        more = f"{_trim(name, EMBED_FIELD_NAME - len(' (cont.)'))} (cont.)"  # still ≤ 256
        for i, chunk in enumerate(_chunks(rows, EMBED_FIELD_VALUE)):
            fields.append({"name": name if i == 0 else more, "value": chunk, "inline": False})
    description = "\n\n".join(block for block in description_blocks if block)
    colour = _KIND_COLOURS.get(message.kind, 0x95A5A6)
    embeds: list[dict[str, Any]] = []
    current: dict[str, Any] = {"title": title, "color": colour}
    if description:
        current["description"] = _trim(description, EMBED_DESCRIPTION)
    size = len(title) + len(current.get("description", ""))
    current["fields"] = []
    for item in fields:
        item_size = len(item["name"]) + len(item["value"])
        if len(current["fields"]) >= EMBED_FIELDS or size + item_size > EMBED_TOTAL:
            embeds.append(current)
            current = {"color": colour, "fields": []}
            size = 0
        current["fields"].append(item)
        size += item_size
    embeds.append(current)
    for embed in embeds:
        if not embed["fields"]:
            del embed["fields"]
    return embeds  # the Discord adapter groups them into messages of at most 10
