"""A fan-out renders each message once, not once per chat.

One goal to many Telegram chats and Discord channels, in English and Italian and in two time
zones, through the whole path: the engine stores the neutral message once per distinct message
(whatever the platform), the delivery loops hand it to the real adapters, which send it with
python-telegram-bot and discord.py to the fake servers. Each adapter writes each distinct
message once (its ``render`` cache counts what it actually rendered), and every chat still gets
its own language's alert.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.assemble import build_bot
from adapters.discord import DiscordAdapter
from adapters.rendering import RenderCache
from adapters.telegram import TelegramAdapter
from adapters.telegram.render import telegram_parts
from bot.feed_format import parse_object
from bot.messages.model import Message, bold, line
from storage.store import Store
from tests.support.core import until
from tests.support.fakes.discord_api import FakeChannel, FakeDiscord, FakeGuild
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import TOKEN

pytestmark = pytest.mark.timeout(60)

TELEGRAM_CHATS = [str(10_000 + i) for i in range(120)]
CHANNELS = [900_000_000_000_000_100 + i for i in range(24)]
MATCH = "m1"
DECL = {
    "type": "match",
    "match": MATCH,
    "competition": "Serie A",
    "home": "Atalanta",
    "away": "Inter",
    "kickoff": "2026-01-20T20:00:00Z",
}
GOAL = {
    "type": "goal",
    "match": MATCH,
    "id": "g1",
    "minute": 65,
    "team": "Inter",
    "player": "Lautaro Martínez",
}


def settings_for(i: int) -> dict[str, object]:
    """Every third chat reads Italian; every other chat lives in Rome."""
    return {
        "language": "it" if i % 3 == 0 else "en",
        "timezone": "Europe/Rome" if i % 2 else "UTC",
    }


def subscribe(store: Store) -> None:
    with store.atomic():
        for i, chat in enumerate(TELEGRAM_CHATS):
            store.ensure_chat("telegram", chat, None, "private")
            store.set_chat_settings("telegram", chat, settings_for(i))
            store.subscribe("telegram", chat, "inter")
        for i, channel in enumerate(CHANNELS):
            store.ensure_chat("discord", str(channel), "alerts", "group")
            store.set_chat_settings("discord", str(channel), settings_for(i))
            store.subscribe("discord", str(channel), "inter")


async def test_a_fan_out_renders_each_message_once_per_adapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.05)
    guild = FakeGuild(
        id=900_000_000_000_000_001,
        name="calcio",
        channels=[FakeChannel(id=c, name=f"c{c}") for c in CHANNELS],
    )
    async with FakeTelegram(token=TOKEN) as tg, FakeDiscord(guilds=[guild]) as dc:
        telegram = TelegramAdapter(TOKEN, base_url=tg.base_url, paid_broadcast=True)
        discord = DiscordAdapter(dc.token)
        bot = build_bot(tmp_path / "bot.db", [telegram, discord], recap_delay=None)
        await bot.start()
        try:
            await bot.ingest(parse_object(DECL))
            await bot.db.call(subscribe)
            await bot.ingest(parse_object(GOAL))
            await until(
                lambda: (
                    len(tg.messages()) == len(TELEGRAM_CHATS)
                    and len(dc.messages()) == len(CHANNELS)
                ),
                timeout=30,
            )
            await asyncio.sleep(0.2)  # nothing more arrives: no chat got it twice
            stored = await bot.db.call(
                lambda s: s.db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
            )
            rows = await bot.db.call(lambda s: s.outbox_rows())
        finally:
            await bot.stop()

    # Stored once per language and time zone, shared by both platforms (not 2 x 4 copies).
    assert stored == 4
    # Each adapter rendered each distinct message once: the goal reads the same in both zones,
    # so once in English and once in Italian, for 120 chats and 24 channels.
    assert len({r["payload"] for r in rows}) == 2
    assert telegram.render.renders == 2
    assert discord.render.renders == 2

    # ... and every chat got its own language's alert, once.
    assert len(tg.messages()) == len(TELEGRAM_CHATS) and len(dc.messages()) == len(CHANNELS)
    for i, chat in enumerate(TELEGRAM_CHATS):
        (sent,) = tg.messages(int(chat))
        word = "GOL!" if i % 3 == 0 else "GOAL!"
        assert sent["text"].startswith(f"⚽ {word} Atalanta 0-1 Inter"), sent["text"]
        assert sent["entities"][0]["type"] == "bold"  # Telegram HTML, parsed by the fake
    for i, channel in enumerate(CHANNELS):
        (posted,) = dc.messages(channel)
        word = "GOL!" if i % 3 == 0 else "GOAL!"
        assert posted.embeds[0]["title"] == f"⚽ {word} Atalanta 0-1 Inter"
        assert posted.allowed_mentions == {"parse": []}
    assert tg.violations == [] and dc.global_violations() == []


def test_the_cache_knows_a_message_by_its_content_and_keeps_the_latest() -> None:
    """The same message parsed twice (another row of the same fan-out, after the delivery's own
    cache forgot it) is not rendered again; the least recently used are forgotten."""
    render = RenderCache(telegram_parts, size=2)
    goal = Message(kind="goal", headline=line(bold("GOAL")))
    again = Message.from_json(goal.to_json())
    assert again is not goal
    assert render(goal) == render(again) == ("<b>GOAL</b>",)
    assert render.renders == 1
    other = [Message(kind="goal", headline=line(f"{i}")) for i in range(2)]
    render(other[0])
    render(goal)  # used again: kept
    render(other[1])  # the third: other[0] is forgotten
    assert render.renders == 3
    render(goal)
    assert render.renders == 3
    render(other[0])
    assert render.renders == 4
