"""A recap of more than 9,000 characters, its markup thick around every place it may be cut,
sent by ``matchbot run``'s own code path (:func:`adapters.compose.run_bot`, the real Telegram
and Discord adapters) to the fake Telegram (which parses each part's HTML as Telegram does and
refuses what Telegram would refuse) and to the fake Discord (which enforces every embed limit)
at once. Every part must be accepted, and every word must arrive, once. Delivery paces on a
:class:`bot.clock.FastClock` against fakes whose limits are scaled the same way: every limit
still holds (a group's 20 a minute, a chat's one a second) without spending real seconds."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from adapters.discord import DiscordAdapter
from bot.clock import FastClock
from bot.teams import seed_known_teams
from storage.store import Store
from tests.support.core import until
from tests.support.fakes.discord_api import FakeChannel, FakeDiscord, FakeGuild
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import SPEED, TOKEN, Bot, clean_telegram_env

pytestmark = pytest.mark.timeout(120)

TELEGRAM_CHAT = -1001234
GUILD = 800_000_000_000_000_001
CHANNEL = 800_000_000_000_000_010
QUOTES = 8


def quote_text(n: int) -> str:
    """About 1,300 characters: markup a user could type (escaped by the bot: entities in
    Telegram's HTML, backslashes in Discord's markdown) next to every word."""
    words = [f"q{n}w{i} <b>&amp; *x* _y_ {'ü' if i % 2 else '⚽'}" for i in range(48)]
    return " ".join(words)


def feed_lines() -> list[str]:
    match = {"match": "long-m1"}
    lines: list[dict[str, object]] = [
        {
            **match,
            "type": "match",
            "competition": "Serie A",
            "home": "Atalanta",
            "away": "Inter",
            "kickoff": "2026-01-20T20:00:00Z",
        },
        {**match, "type": "period", "id": "ko", "minute": 0, "period": "first_half"},
        {**match, "type": "goal", "id": "g1", "minute": 12, "team": "Inter", "player": "Lautaro"},
    ]
    for n in range(QUOTES):
        lines.append(
            {
                **match,
                "type": "quote",
                "id": f"q{n}",
                "speaker": f"Speaker & <{n}>",
                "text": quote_text(n),
            }
        )
    lines.append({**match, "type": "period", "id": "ft", "minute": 90, "period": "full_time"})
    return [json.dumps(item, ensure_ascii=False) for item in lines]


def prepare(db: Path) -> None:
    store = Store.open(db)
    try:
        seed_known_teams(store)
        store.ensure_chat("telegram", str(TELEGRAM_CHAT), "fans", "group")
        store.subscribe("telegram", str(TELEGRAM_CHAT), "inter")
        store.ensure_chat("discord", str(CHANNEL), "alerts", "group")
        store.subscribe("discord", str(CHANNEL), "inter")
    finally:
        store.close()


def words_of_quotes(text: str) -> list[str]:
    return re.findall(r"q\dw\d+", text)


async def test_a_9000_character_recap_passes_both_platforms_in_every_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    clean_telegram_env(monkeypatch)
    # discord.py waits this long after the last GUILD_CREATE before on_ready (2 s by default)
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.1)
    caplog.set_level(logging.WARNING)
    guild = FakeGuild(id=GUILD, name="G", channels=[FakeChannel(id=CHANNEL, name="alerts")])
    async with (
        FakeTelegram(token=TOKEN, time_scale=1 / SPEED) as tg,
        FakeDiscord(guilds=[guild], time_scale=1 / SPEED) as dc,
    ):
        bot = Bot(tg, tmp_path, delivery_clock=FastClock(SPEED), discord_bot_token=dc.token)
        prepare(bot.db)
        expected = [w for n in range(QUOTES) for w in words_of_quotes(quote_text(n))]

        def telegram_words() -> list[str]:
            return [w for m in tg.messages(TELEGRAM_CHAT) for w in words_of_quotes(m["text"])]

        def discord_words() -> list[str]:
            return [
                w
                for m in dc.messages(CHANNEL)
                for e in m.embeds
                for w in words_of_quotes(json.dumps(e, ensure_ascii=False))
            ]

        async with bot.running():
            bot.append(*feed_lines())
            await until(
                lambda: (
                    len(telegram_words()) >= len(expected) and len(discord_words()) >= len(expected)
                ),
                timeout=60,
            )
        recap = [m for m in tg.messages(TELEGRAM_CHAT) if words_of_quotes(m["text"])]
        total = sum(len(m["text"]) for m in recap)

        refused = [e for e in tg.errors if e[0] != "getUpdates"]  # (a 409 as the bot stops)
        assert refused == []  # no part refused: every one parsed, within 4,096
        assert total > 9000 and len(recap) >= 3
        assert telegram_words() == expected  # every word once, in order: nothing cut away
        assert discord_words() == expected
        assert len(dc.messages(CHANNEL)) >= 1
        assert [r for r in dc.requests if r.status >= 400] == []
        assert tg.violations == [] and dc.global_violations() == []
    assert [
        r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR
    ] == []
