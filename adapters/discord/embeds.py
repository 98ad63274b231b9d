"""Neutral messages as the embeds of Discord messages, inside every Discord limit.

:func:`adapters.discord.render.discord_embeds` builds embeds that are each valid; Discord also
limits a *message* to 10 embeds and 6000 characters across all of them, so the embeds are
grouped here into as many messages as needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from adapters.discord.render import EMBED_TOTAL, discord_embeds
from bot.messages.model import Message

JSON = dict[str, Any]

#: Discord's most embeds in one message.
EMBEDS_PER_MESSAGE = 10
#: Sent with every message: nothing the bot posts may ping anyone.
NO_MENTIONS = discord.AllowedMentions.none()


def embed_size(embed: JSON) -> int:
    """The characters Discord counts against its 6000 limit for one embed."""
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    for item in embed.get("fields") or []:
        size += len(item.get("name") or "") + len(item.get("value") or "")
    return size


def embed_batches(embeds: Sequence[JSON]) -> list[list[JSON]]:
    """Group embeds into messages: at most 10 per message and 6000 characters in all of them."""
    batches: list[list[JSON]] = []
    current: list[JSON] = []
    size = 0
    for embed in embeds:
        this = embed_size(embed)
        if current and (len(current) >= EMBEDS_PER_MESSAGE or size + this > EMBED_TOTAL):
            batches.append(current)
            current, size = [], 0
        current.append(embed)
        size += this
    if current:
        batches.append(current)
    return batches


def message_batches(message: Message) -> list[list[discord.Embed]]:
    """``message`` as the embeds of one or more Discord messages."""
    return [
        [discord.Embed.from_dict(e) for e in batch]
        for batch in embed_batches(discord_embeds(message))
    ]
