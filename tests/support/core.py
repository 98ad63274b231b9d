"""Helpers for tests of the core: the bundled seed match, ingesting a feed file, following
teams, a fan's chat on the in-memory test platform, waiting for a condition."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from adapters.discord.render import discord_markdown
from adapters.telegram.render import telegram_html
from bot.engine import Engine
from bot.feed_format import FeedError, Parsed, read_lines
from bot.messages.model import Message, message_text
from bot.ports import CommandContext
from storage.store import Store

TESTS = Path(__file__).resolve().parent.parent
DATA = TESTS / "data"
SEED = TESTS.parent / "bot" / "data" / "atalanta-inter.jsonl"
SEED_MATCH = "serie-a-2025-26-atalanta-inter"


def ingest_file(engine: Engine, path: Path) -> list[str]:
    """Ingest a feed file; returns the rejection lines."""
    rejected = []
    for item in read_lines(path.read_text("utf-8").splitlines()):
        if isinstance(item, Parsed):
            try:
                engine.ingest(item.item)
            except FeedError as exc:
                rejected.append(f"line {item.line}: {exc}")
        else:
            rejected.append(str(item))
    return rejected


def follow(store: Store, platform: str, chat_id: str, *teams: str, level: str = "key") -> None:
    store.ensure_chat(platform, chat_id)
    store.set_chat_settings(platform, chat_id, {"level": level})
    for team in teams:
        store.subscribe(platform, chat_id, team)


def outbox_text(row: dict[str, Any]) -> str:
    """What a queued row says, as its platform's adapter will write it when it sends it
    (the outbox keeps only the neutral message): Telegram HTML, Discord markdown, else plain."""
    message = Message.from_json(row["payload"])
    if row["platform"] == "telegram":
        return telegram_html(message)
    if row["platform"] == "discord":
        return discord_markdown(message)
    return message_text(message)


def chat(chat_id: str) -> CommandContext:
    """A fan's chat on the in-memory test platform."""
    return CommandContext(platform="test", chat_id=chat_id, user_id="fan")


async def until(
    condition: Callable[[], bool] | Callable[[], Awaitable[bool]], timeout: float = 10.0
) -> None:
    """Wait for ``condition`` (polled; it may be a coroutine function, e.g. one reading the
    store on the database thread), failing the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        met = condition()
        if not isinstance(met, bool):
            met = await met
        if met:
            return
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
