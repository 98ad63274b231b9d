"""A recap of more than 9,000 characters, its markup thick around every place it may be cut,
sent by a real ``matchbot run`` process to the fake Telegram (which parses each part's HTML as
Telegram does and refuses what Telegram would refuse) and to the fake Discord (which enforces
every embed limit) at once. Every part must be accepted, and every word must arrive, once."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from pathlib import Path

import pytest

from bot.teams import seed_known_teams
from storage.store import Store
from tests.support.fakes.discord_api import FakeChannel, FakeDiscord, FakeGuild
from tests.support.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.timeout(120)

TOKEN = "777:LONG-recap-token"
TELEGRAM_CHAT = -1001234
GUILD = 800_000_000_000_000_001
CHANNEL = 800_000_000_000_000_010
MATCHBOT = [sys.executable, "-m", "adapters.cli", "run"]
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
    tmp_path: Path,
) -> None:
    prepare(tmp_path / "bot.db")
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(feed_lines()) + "\n", encoding="utf-8")
    guild = FakeGuild(id=GUILD, name="G", channels=[FakeChannel(id=CHANNEL, name="alerts")])
    async with FakeTelegram(token=TOKEN) as tg, FakeDiscord(guilds=[guild]) as dc:
        env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=tg.base_url,
            DISCORD_BOT_TOKEN=dc.token,
            DISCORD_BASE_URL=dc.api_base,
            MATCHBOT_DB=str(tmp_path / "bot.db"),
            MATCHBOT_FEEDS=str(feed),
            MATCHBOT_RECAP_DELAY="0",
            MATCHBOT_LOG_LEVEL="WARNING",
        )
        with (tmp_path / "bot.log").open("ab") as log:
            bot = await asyncio.create_subprocess_exec(
                *MATCHBOT, env=env, cwd=tmp_path, stdout=log, stderr=log
            )
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

        try:
            async with asyncio.timeout(60):
                while len(telegram_words()) < len(expected) or len(discord_words()) < len(expected):
                    assert bot.returncode is None, (tmp_path / "bot.log").read_text()
                    await asyncio.sleep(0.05)
        finally:
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(bot.wait(), 30) == 0
        log_text = (tmp_path / "bot.log").read_text()
        recap = [m for m in tg.messages(TELEGRAM_CHAT) if words_of_quotes(m["text"])]
        total = sum(len(m["text"]) for m in recap)

        refused = [e for e in tg.errors if e[0] != "getUpdates"]  # (a 409 as the bot stops)
        assert refused == []  # no part refused: every one parsed, within 4,096
        assert total > 9000 and len(recap) >= 3
        assert telegram_words() == expected  # every word once, in order: nothing cut away
        assert discord_words() == expected
        assert len(dc.messages(CHANNEL)) >= 1
        assert [r for r in dc.requests if r.status >= 400] == []
        assert "Traceback" not in log_text
