"""What the console prints for a message: its plain words, or a preview of another platform's
format (``matchbot replay --format telegram`` shows the Telegram HTML, ``discord`` the Discord
markdown), each written by that platform's own renderer.

Whatever the format, names from a feed reach a terminal: no escape sequence or control
character may (line breaks inside names are already spaces; the message's own are kept).
"""

from __future__ import annotations

from typing import Literal

from bot.messages.model import Message, message_text
from bot.safe_text import neutralise

Format = Literal["text", "telegram", "discord"]
FORMATS: tuple[Format, ...] = ("text", "telegram", "discord")


def console_text(message: Message, fmt: Format = "text") -> str:
    """``message`` as the console prints it in ``fmt``."""
    if fmt == "telegram":
        from adapters.telegram.render import telegram_html  # the Telegram package loads PTB

        text = telegram_html(message)
    elif fmt == "discord":
        from adapters.discord.render import discord_markdown  # and discord.py

        text = discord_markdown(message)
    else:
        text = message_text(message)
    return neutralise(text, keep_newlines=True)
