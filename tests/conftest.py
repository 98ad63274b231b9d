"""Shared fixtures. Every test runs offline: a connection to anything but loopback fails."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from adapters.discord.render import discord_markdown
from adapters.telegram.render import telegram_html
from bot.competitions import seed_known_competitions
from bot.engine import Engine
from bot.feed import read_lines
from bot.messages.model import Message, message_text
from bot.ports import CommandContext
from bot.teams import seed_known_teams
from storage.store import Store

DATA = Path(__file__).parent / "data"
SEED = Path(__file__).parent.parent / "bot" / "data" / "atalanta-inter.jsonl"
SEED_MATCH = "serie-a-2025-26-atalanta-inter"

# Property tests check behaviour, never speed: on a shared 2-core machine one slow example must
# not fail a run (Hypothesis' default 200 ms deadline per example).
hypothesis_settings.register_profile("matchbot", deadline=None)
hypothesis_settings.load_profile("matchbot")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail loudly if anything tries to reach a non-loopback address."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def check(address: Any) -> None:
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"test tried to reach the network: {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield


@pytest.fixture
def store() -> Iterator[Store]:
    """A fresh in-memory store with the bundled teams."""
    s = Store.open(":memory:")
    seed_known_teams(s)
    seed_known_competitions(s)
    yield s
    s.close()


@pytest.fixture
def engine(store: Store) -> Engine:
    return Engine(store)


def ingest_file(engine: Engine, path: Path) -> list[str]:
    """Ingest a feed file; returns the rejection lines."""
    from bot.feed import FeedError, Parsed

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


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for ``condition`` (polled), failing the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
