"""End to end: ``matchbot run``'s code path (adapters.compose.run_bot) with DISCORD_BOT_TOKEN set,
the real discord.py client, against the fake Discord on 127.0.0.1.

Slash commands go in through the fake gateway; alerts and recaps come out of the shared outbox
as embeds in the channel; the fake enforces Discord's 50 requests/s and 5 per 5 s per channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import re
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from adapters.compose import run_bot
from adapters.console.replay import seed_lines
from adapters.discord import DiscordAdapter
from adapters.discord.render import escape_discord as esc
from bot.clock import FastClock
from bot.settings import Settings
from tests.support.databases import started_once
from tests.support.fakes.discord_api import (
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    InteractionResponse,
    SentMessage,
)
from tests.support.telegram import FEED_INTERVAL, SPEED

GUILD = 800_000_000_000_000_001
GENERAL = 800_000_000_000_000_010
ALERTS = 800_000_000_000_000_011
OTHER = 800_000_000_000_000_012
GUILD2 = 810_000_000_000_000_001
FAR = 810_000_000_000_000_010
ADMIN = 123_456_789_012_345_678
MEMBER = 223_456_789_012_345_678
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ZWSP = "\u200b"
COMMANDS = {
    "subscribe",
    "unsubscribe",
    "subscriptions",
    "today",
    "score",
    "scorers",
    "lineups",
    "stats",
    "next",
    "last",
    "table",
    "settings",
    "report",
    "help",
}

pytestmark = pytest.mark.timeout(60)


@dataclass
class Running:
    """A running ``matchbot run`` talking to ``dc``."""

    dc: FakeDiscord
    db: Path
    feed: Path
    stop: asyncio.Event
    task: asyncio.Task[None]

    def feed_in(self, lines: list[str] | list[dict[str, Any]]) -> None:
        with self.feed.open("a", encoding="utf-8") as out:
            for item in lines:
                text = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
                out.write(text + "\n")

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(self.db, timeout=10)) as conn:
            return list(conn.execute(sql, params))

    def subscriptions(self, channel: int) -> list[str]:
        rows = self.query(
            "SELECT target FROM subscriptions WHERE platform = 'discord' AND chat_id = ?",
            str(channel),
        )
        return sorted(r[0] for r in rows)

    async def slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        channel: int = ALERTS,
        guild: int | None = GUILD,
        user: int = ADMIN,
        permissions: int | None = MANAGE_CHANNELS,
    ) -> InteractionResponse:
        iid = await self.dc.send_interaction_command(
            guild, channel, user, name, options, permissions=permissions
        )
        return await self.dc.wait_interaction_response(iid, timeout=5)

    async def eventually(self, check: Any, within: float = 10.0) -> None:
        """Poll ``check()`` (the store changes without the fake noticing)."""
        deadline = asyncio.get_running_loop().time() + within
        while not check():
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"timed out waiting for {check}")
            await asyncio.sleep(0.05)


def guilds() -> list[FakeGuild]:
    return [
        FakeGuild(
            id=GUILD,
            name="Calcio",
            channels=[
                FakeChannel(id=GENERAL, name="general", position=0),
                FakeChannel(id=ALERTS, name="match-alerts", position=1),
                FakeChannel(id=OTHER, name="other", position=2),
            ],
        ),
        FakeGuild(id=GUILD2, name="Far away", channels=[FakeChannel(id=FAR, name="far")]),
    ]


@contextlib.asynccontextmanager
async def start_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, speed: float
) -> AsyncIterator[Running]:
    """``matchbot run`` against a fake Discord; delivery paces on a clock ``speed`` times
    faster than the real one, against a fake whose windows are scaled the same way (every limit
    still holds, and is checked below, without spending real seconds on it)."""
    for var in ("TELEGRAM_BOT_TOKEN", "DISCORD_GUILD_ID", "MATCHBOT_FEEDS", "MATCHBOT_DB"):
        monkeypatch.delenv(var, raising=False)
    # discord.py waits this long after the last GUILD_CREATE before on_ready (2 s by default)
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.1)
    feed = tmp_path / "feed.jsonl"
    feed.write_text("", encoding="utf-8")
    async with FakeDiscord(guilds=guilds(), time_scale=1 / speed) as dc:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            DISCORD_BOT_TOKEN=dc.token,
            MATCHBOT_DB=str(started_once(tmp_path / "bot.db")),  # as a first start left it
            MATCHBOT_FEEDS=str(feed),
            # minutes: 1.2 s, so the quotes right after full time make it into the recap
            MATCHBOT_RECAP_DELAY=0.02,
            MATCHBOT_REPORTERS=f"discord:{ADMIN}",
        )
        stop = asyncio.Event()
        clock = FastClock(speed) if speed != 1 else None
        task = asyncio.create_task(
            run_bot(settings, stop, delivery_clock=clock, feed_interval=FEED_INTERVAL)
        )
        await dc.wait_for(lambda: len(dc.synced_commands.get(None, [])) == len(COMMANDS), 10)
        run = Running(dc, settings.db, feed, stop, task)
        try:
            yield run
        finally:
            stop.set()
            await asyncio.wait_for(task, 15)
        assert dc.unhandled == []
        assert dc.global_violations() == []
        assert_no_pings(dc)


@pytest.fixture
async def running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Running]:
    async with start_running(tmp_path, monkeypatch, SPEED) as run:
        yield run


@pytest.fixture
async def running_on_real_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Running]:
    """For a test that reads the outbox's due times against the real clock."""
    async with start_running(tmp_path, monkeypatch, 1.0) as run:
        yield run


def assert_no_pings(dc: FakeDiscord) -> None:
    """Every request that could post or change a message says: mention nobody."""
    bodies = []
    for r in dc.requests:
        if r.method in ("POST", "PATCH") and "/messages" in r.path and r.path.startswith("/ch"):
            bodies.append(r.json)
        elif r.path.startswith("/interactions/") and r.json.get("type") == 4:
            bodies.append(r.json["data"])
        elif r.path.startswith("/webhooks/") and r.method in ("POST", "PATCH"):
            bodies.append(r.json)
    assert bodies
    for body in bodies:
        assert body["allowed_mentions"] == {"parse": []}, body
        text = json.dumps(body, ensure_ascii=False)
        assert "@everyone" not in text and "@here" not in text
        assert not re.search(r"<(@[!&]?|#)\d+>", text), text  # no live user/role mention


def embed(msg: SentMessage | InteractionResponse, index: int = 0) -> dict[str, Any]:
    return msg.embeds[index]


def fields(msg: SentMessage) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed(msg).get("fields", [])}


def match_lines(match: str, *events: dict[str, Any]) -> list[dict[str, Any]]:
    decl = {
        "type": "match",
        "match": match,
        "competition": "Coppa Italia",
        "home": "Atalanta",
        "away": "Inter",
        "kickoff": "2026-01-20T20:00:00Z",
    }
    return [decl, *({"match": match, **e} for e in events)]


# --- the tests ---------------------------------------------------------------------------------


async def test_commands_then_the_seed_match_as_embeds(running: Running) -> None:
    dc = running.dc
    assert {c["name"] for c in dc.synced_commands[None]} == COMMANDS
    team_option = {c["name"]: c for c in dc.synced_commands[None]}["subscribe"]["options"][0]
    assert team_option["name"] == "name" and team_option["autocomplete"] is True
    # members whose Discord is in Italian read the descriptions and choices in Italian
    synced = {c["name"]: c for c in dc.synced_commands[None]}
    assert synced["subscribe"]["description_localizations"] == {
        "it": "Segui una squadra, una competizione o un giocatore in questo canale"
    }
    assert "name_localizations" not in team_option or not team_option["name_localizations"]
    level = next(o for o in synced["settings"]["options"] if o["name"] == "level")
    assert level["choices"][0]["name_localizations"] == {"it": "Solo gol"}

    # a member without Manage Server / Manage Channels is refused, privately
    refused = await running.slash("subscribe", {"name": "Inter"}, user=MEMBER, permissions=None)
    assert refused.ephemeral
    assert embed(refused)["title"] == (
        "Only members who can manage this server or channel can change what it follows."
    )
    assert running.subscriptions(ALERTS) == []

    # autocomplete offers the store's teams, competitions and players
    iid = await dc.send_autocomplete(GUILD, ALERTS, ADMIN, "subscribe", {"name": "int"}, "name")
    choices = (await dc.wait_interaction_response(iid)).choices
    assert {"name": "Inter", "value": "team Inter"} in choices
    assert len(choices) <= 25

    done = await running.slash("subscribe", {"name": "Inter"})
    assert not done.ephemeral
    assert embed(done)["title"] == "✅ This channel now follows Inter. Alerts: key events."
    assert running.subscriptions(ALERTS) == ["inter"]
    by_guild = await running.slash("subscribe", {"name": "inter"}, permissions=MANAGE_GUILD)
    assert embed(by_guild)["title"] == "This channel already follows Inter."

    unknown = await running.slash("subscribe", {"name": "Interr Milano FC"})
    assert unknown.ephemeral  # a refusal with suggestions, only for the one who typed it

    subs = await running.slash("subscriptions", permissions=None)
    assert embed(subs)["title"] == "This channel follows: Inter"
    helped = await running.slash("help", permissions=None)
    assert "/subscribe" in embed(helped)["description"]
    before = await running.slash("score", {"team": "Inter"}, permissions=None)
    assert embed(before)["title"] == "Inter: no match in my data yet."

    # the seed match: 7 alerts at the default level (key events), then the recap
    running.feed_in(seed_lines())
    await dc.wait_for(8, timeout=30, channel_id=ALERTS)
    sent = dc.messages(ALERTS)
    assert [embed(m)["title"] for m in sent] == [
        esc(title)
        for title in (
            "🟢 Kick-off: Atalanta v Inter",
            "❌ Goal disallowed — Inter",
            "⏸ Half-time: Atalanta 0-0 Inter",
            "▶️ Second half under way: Atalanta 0-0 Inter",
            "❌ Goal disallowed — Atalanta",
            "⚽ GOAL! Atalanta 0-1 Inter",
            "🏁 Full-time: Atalanta 0-1 Inter",
            "🏁 Atalanta 0-1 Inter",
        )
    ]
    goal = sent[5]
    assert embed(goal)["description"] == (
        "65' **Lautaro Martínez**"
        + esc(" scores for Inter (assist: Francesco Pio Esposito)")
        + "\nInter lead 1-0"
    )
    assert embed(goal)["color"] == 0x2ECC71
    recap = sent[7]
    assert embed(recap)["description"].startswith("Serie A")
    recap_fields = fields(recap)
    assert recap_fields["⚽ Goals"] == (
        "65' **Lautaro Martínez**" + esc(" — Inter (assist: Francesco Pio Esposito)")
    )
    assert "Djimsiti's costly error" in recap_fields["📋 Key moments"]
    said = recap_fields["💬 What they said"]
    assert f"**{esc('Cristian Chivu (Inter coach)')}**: *“We faced a great Atalanta side" in said
    assert said.count("Chivu") == 2 and "Raffaele Palladino" in said
    assert all(not m.content for m in sent)  # embeds only
    assert dc.channel_violations() == []
    assert dc.messages(GENERAL) == []

    after = await running.slash("score", {"team": "Inter"}, permissions=None)
    assert embed(after)["title"].startswith(esc("FT  Atalanta 0-1 Inter, Serie A"))  # no **
    scorers = await running.slash("scorers", {"team": "inter"}, permissions=None)
    assert "Lautaro Martínez 65'" in embed(scorers)["title"]


async def test_cancelled_goal_edits_its_alert_and_quotes_ping_nobody(running: Running) -> None:
    dc = running.dc
    await running.slash("subscribe", {"name": "Atalanta"})
    match = "cup-atalanta-inter"
    running.feed_in(
        match_lines(
            match,
            {"type": "period", "id": "p1", "minute": 0, "period": "first_half"},
            {"type": "goal", "id": "g1", "minute": 9, "team": "Atalanta", "player": "@everyone"},
        )
    )
    await dc.wait_for(2, timeout=15, channel_id=ALERTS)
    alert = dc.messages(ALERTS)[1]
    assert embed(alert)["title"] == esc("⚽ GOAL! Atalanta 1-0 Inter")
    assert embed(alert)["description"] == (
        f"9' **@{ZWSP}everyone** scores for Atalanta\nAtalanta lead 1-0"
    )

    running.feed_in(
        [
            {
                "type": "goal_cancelled",
                "match": match,
                "id": "c1",
                "minute": 11,
                "team": "Atalanta",
                "ref": "g1",
                "reason": "offside",
            },
            {"type": "period", "match": match, "id": "p4", "minute": 90, "period": "full_time"},
            {
                "type": "quote",
                "match": match,
                "id": "q1",
                "speaker": "<@123>",
                "role": "fan",
                "text": "Hey @everyone and @here, ask <@123> or <@&456> in <#789>!",
            },
        ]
    )
    await dc.wait_for(lambda: len(dc.edits) == 1, timeout=15)
    edit = dc.edits[0]
    assert edit.message_id == alert.id and edit.via == "channel"
    assert edit.json["allowed_mentions"] == {"parse": []}
    corrected = dc.get_message(alert.id)
    assert corrected is not None
    assert embed(corrected)["title"] == (
        "⚽ ~~GOAL~~" + esc(" cancelled by VAR (offside) — Atalanta 0-0 Inter")
    )
    assert embed(corrected)["description"].endswith(
        f"goal for Atalanta does not stand.\nScore: **{esc('Atalanta 0-0 Inter')}**"
    )
    assert f"@{ZWSP}everyone" in embed(corrected)["description"]

    await dc.wait_for(4, timeout=15, channel_id=ALERTS)  # kick-off, goal, full-time, recap
    recap = dc.messages(ALERTS)[3]
    said = fields(recap)["💬 What they said"]
    text = "Hey @everyone and @here, ask <@123> or <@&456> in <#789>!"
    assert said == f"**{esc('<@123> (fan)')}**: *{esc(f'“{text}”')}*"
    assert f"@{ZWSP}everyone and @{ZWSP}here, ask \\<{ZWSP}@123> or \\<{ZWSP}@&456>" in said
    assert f"\\<{ZWSP}#789>" in said
    assert "⚽ Goals" in fields(recap)
    assert len(dc.messages(ALERTS)) == 4  # the correction was an edit, not a new message


async def test_forbidden_channel_is_deactivated(running: Running) -> None:
    dc = running.dc
    await running.slash("subscribe", {"name": "Inter"}, channel=ALERTS)
    await running.slash("subscribe", {"name": "Inter"}, channel=OTHER)
    dc.forbid(OTHER)
    match = "cup-forbidden"
    running.feed_in(
        match_lines(match, {"type": "period", "id": "p1", "minute": 0, "period": "first_half"})
    )
    await dc.wait_for(1, timeout=15, channel_id=ALERTS)

    def deactivated() -> bool:
        rows = running.query(
            "SELECT active FROM chats WHERE platform = 'discord' AND chat_id = ?", str(OTHER)
        )
        return rows == [(0,)]

    await running.eventually(deactivated)
    to_other = [r for r in dc.requests if r.path == f"/channels/{OTHER}/messages"]
    assert [r.status for r in to_other] == [403]

    running.feed_in(
        [
            {
                "type": "goal",
                "match": match,
                "id": "g1",
                "minute": 3,
                "team": "Inter",
                "player": "Lautaro Martínez",
            }
        ]
    )
    await dc.wait_for(2, timeout=15, channel_id=ALERTS)
    await asyncio.sleep(0.3)
    assert [r for r in dc.requests if r.path == f"/channels/{OTHER}/messages"] == to_other
    statuses = dict(
        running.query(
            "SELECT status, COUNT(*) FROM outbox WHERE chat_id = ? GROUP BY status", str(OTHER)
        )
    )
    assert statuses == {"dropped": 1}  # the kick-off; the goal was never queued for it
    assert dc.invalid_requests == 1


async def test_deleted_channel_and_left_guild_lose_their_subscriptions(running: Running) -> None:
    dc = running.dc
    await running.slash("subscribe", {"name": "Inter"}, channel=ALERTS)
    await running.slash("subscribe", {"name": "Milan"}, channel=GENERAL)
    await running.slash("subscribe", {"name": "Inter"}, channel=FAR, guild=GUILD2)
    assert running.subscriptions(FAR) == ["inter"]

    await dc.channel_delete(ALERTS)
    await running.eventually(lambda: running.subscriptions(ALERTS) == [])
    assert running.subscriptions(GENERAL) == ["milan"]

    await dc.guild_delete(GUILD2)
    await running.eventually(lambda: running.subscriptions(FAR) == [])
    assert running.subscriptions(GENERAL) == ["milan"]

    # an outage (unavailable guild) is not a removal
    await dc.guild_delete(GUILD, unavailable=True)
    await asyncio.sleep(0.3)
    assert running.subscriptions(GENERAL) == ["milan"]

    # a DM is its own chat, and anyone may manage it
    dm = await running.slash(
        "subscribe", {"name": "Inter"}, channel=555, guild=None, permissions=None
    )
    assert not dm.ephemeral
    assert running.subscriptions(555) == ["inter"]
    kinds = running.query("SELECT chat_id, kind, title FROM chats ORDER BY chat_id")
    assert (str(GENERAL), "group", "general") in kinds


async def test_settings_options_and_reporter_commands(running: Running) -> None:
    await running.slash("subscribe", {"name": "Inter"})
    saved = await running.slash("settings", {"level": "all", "spoiler_delay": 0})
    assert embed(saved)["title"] == "✅ Settings saved"
    assert "Alerts: **everything**" in embed(saved)["description"]
    italian = await running.slash("settings", {"language": "it"})
    assert embed(italian)["title"] == "✅ Impostazioni salvate"
    assert "Lingua: **Italiano**" in embed(italian)["description"]
    await running.slash("settings", {"language": "en"})
    bad = await running.slash("settings", {"timezone": "Mars/Olympus"})
    assert bad.ephemeral and embed(bad)["title"] == "I don't know the time zone “Mars/Olympus”."

    refused = await running.slash("report", {"what": "goal Inter Lautaro 65"}, user=999)
    assert refused.ephemeral
    assert embed(refused)["title"] == "Only the bot's reporters can use /report."

    await running.slash("report", {"what": "match Atalanta v Inter in Serie A"})
    ack = await running.slash("report", {"what": "goal Inter Lautaro Martínez 65 assist Esposito"})
    assert not ack.ephemeral
    assert embed(ack)["title"].startswith("✅ Reported: ⚽ GOAL! Atalanta 0-1 Inter")
    await running.dc.wait_for(
        lambda: [
            m
            for m in running.dc.messages(ALERTS)
            if m.embeds and m.embeds[0]["title"].startswith("⚽ GOAL! Atalanta 0-1 Inter")
        ],
        10,
    )
    report_id = embed(ack)["description"].rsplit(" ", 1)[-1].strip("*")
    undone = await running.slash("report", {"what": f"undo {report_id}"})
    assert embed(undone)["title"].startswith("↩️ Taken back: ⚽ GOAL!")
    await running.dc.wait_for(
        lambda: any("cancelled" in e.json["embeds"][0]["title"] for e in running.dc.edits), 10
    )


async def test_a_long_429_holds_that_channel_while_others_go_on(
    running_on_real_time: Running,
) -> None:
    """Discord's 429 with a wait longer than discord.py sleeps (30 s): that channel's
    messages wait for it, without counting as failed attempts; other channels go on. (The
    fake refuses, and records, anything sent to the channel before the wait is over.)"""
    dc = running_on_real_time.dc
    await running_on_real_time.slash("subscribe", {"name": "Inter"}, channel=ALERTS)
    await running_on_real_time.slash("subscribe", {"name": "Inter"}, channel=OTHER)
    dc.fail_next(OTHER, "rate_limited", retry_after=40)
    match = "cup-held"
    running_on_real_time.feed_in(
        match_lines(match, {"type": "period", "id": "p1", "minute": 0, "period": "first_half"})
    )
    await dc.wait_for(1, timeout=15, channel_id=ALERTS)

    def held() -> bool:
        rows = running_on_real_time.query(
            "SELECT status, attempts, next_attempt_at FROM outbox WHERE chat_id = ?", str(OTHER)
        )
        return len(rows) == 1 and rows[0][0] == "pending" and rows[0][2] > time.time() + 5

    await running_on_real_time.eventually(
        held
    )  # a quick backoff instead of Discord's wait never gets here
    ((_, attempts, next_attempt_at),) = running_on_real_time.query(
        "SELECT status, attempts, next_attempt_at FROM outbox WHERE chat_id = ?", str(OTHER)
    )
    assert attempts == 0  # waiting as asked is not a failed attempt
    assert next_attempt_at >= time.time() + 30  # Discord's 40 s, not a quick backoff

    running_on_real_time.feed_in(
        [
            {
                "type": "goal",
                "match": match,
                "id": "g1",
                "minute": 3,
                "team": "Inter",
                "player": "Lautaro Martínez",
            }
        ]
    )
    await dc.wait_for(2, timeout=15, channel_id=ALERTS)
    to_other = [r.status for r in dc.requests if r.path == f"/channels/{OTHER}/messages"]
    assert to_other == [429]
    assert dc.channel_violations(OTHER) == []
    pending = running_on_real_time.query(
        "SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND status = 'pending'", str(OTHER)
    )
    assert pending == [(2,)]  # the kick-off and the goal, in order, after the wait


async def test_following_a_competition_and_a_player_with_today(running: Running) -> None:
    dc = running.dc
    # a match makes Lautaro Martínez known
    running.feed_in(
        match_lines(
            "old-cup",
            {"type": "goal", "id": "g", "minute": 3, "team": "Inter", "player": "Lautaro Martínez"},
        )
    )
    await running.eventually(lambda: running.query("SELECT 1 FROM players") != [])
    # autocomplete offers competitions and players next to teams
    iid = await dc.send_autocomplete(GUILD, ALERTS, ADMIN, "subscribe", {"name": "laut"}, "name")
    choices = (await dc.wait_interaction_response(iid)).choices
    assert choices[0]["name"] == "Lautaro Martínez (Inter) — player"
    iid = await dc.send_autocomplete(GUILD, ALERTS, ADMIN, "subscribe", {"name": "ser"}, "name")
    choices = (await dc.wait_interaction_response(iid)).choices
    assert {"name": "Serie A (competition)", "value": "competition Serie A"} in choices

    refused = await running.slash(
        "subscribe", {"name": "competition Serie A"}, user=MEMBER, permissions=None
    )
    assert refused.ephemeral
    league = await running.slash("subscribe", {"name": "competition Serie A", "level": "goals"})
    assert embed(league)["title"] == "✅ This channel now follows Serie A. Alerts: goals only."
    player = await running.slash("subscribe", {"name": choices_value(running, "Lautaro")})
    assert embed(player)["title"] == (
        "✅ This channel now follows Lautaro Martínez (Inter). Alerts: key events."
    )
    running.feed_in(
        [
            {
                "type": "match",
                "match": "nr",
                "competition": "Serie A",
                "home": "Napoli",
                "away": "Roma",
                "kickoff": "2026-02-01T17:00:00Z",
            },
            {"type": "period", "match": "nr", "id": "k", "minute": 0, "period": "first_half"},
            {
                "type": "goal",
                "match": "nr",
                "id": "g",
                "minute": 9,
                "team": "Roma",
                "player": "Dybala",
            },
            *match_lines(
                "cup",
                {
                    "type": "card",
                    "id": "c",
                    "minute": 30,
                    "team": "Inter",
                    "player": "Lautaro Martínez",
                    "card": "yellow",
                },
            ),
        ]
    )
    await dc.wait_for(2, timeout=15, channel_id=ALERTS)
    sent = dc.messages(ALERTS)
    assert [embed(m)["title"] for m in sent] == [
        esc("⚽ GOAL! Napoli 0-1 Roma"),  # goals only for Serie A: no kick-off
        esc("🟨 Yellow card — Inter"),  # a Coppa Italia match, through the player
    ]
    assert esc("Atalanta 0-0 Inter") in embed(sent[1])["description"]

    subs = await running.slash("subscriptions", permissions=None)
    assert "Serie A" in json.dumps(embed(subs), ensure_ascii=False)
    today = await running.slash("today", permissions=None)
    assert embed(today)["title"].startswith("📅 Today")
    changed = await running.slash(
        "settings", {"subscription": "competition Serie A", "subscription_level": "all"}
    )
    assert "Serie A: **everything**" in json.dumps(embed(changed), ensure_ascii=False)
    gone = await running.slash("unsubscribe", {"name": "Lautaro"})
    assert embed(gone)["title"] == "🔕 This channel no longer follows Lautaro Martínez (Inter)."


def choices_value(running: Running, prefix: str) -> str:
    (player_id,) = running.query("SELECT id FROM players WHERE name LIKE ?", f"{prefix}%")[0]
    return f"player #{player_id}"


async def test_members_without_manage_rights_change_nothing(running: Running) -> None:
    await running.slash("subscribe", {"name": "Inter"})
    view = await running.slash("settings", user=MEMBER, permissions=None)  # looking is fine
    assert not view.ephemeral and embed(view)["title"] == "⚙️ Settings for this channel"
    for options in ({"level": "all"}, {"spoiler_delay": 60}, {"timezone": "Europe/Rome"}):
        refused = await running.slash("settings", options, user=MEMBER, permissions=None)
        assert refused.ephemeral, options
        assert embed(refused)["title"] == (
            "Only members who can manage this server or channel can change what it follows."
        )
    rows = running.query(
        "SELECT settings FROM chats WHERE platform = 'discord' AND chat_id = ?", str(ALERTS)
    )
    assert rows == [("{}",)]

    # and a member who is not a reporter cannot take a reporter's goal back
    await running.slash("report", {"what": "match Atalanta v Inter in Serie A"})
    ack = await running.slash("report", {"what": "goal Inter Lautaro Martínez 65"})
    report_id = embed(ack)["description"].rsplit(" ", 1)[-1].strip("*")
    refused = await running.slash(
        "report", {"what": f"undo {report_id}"}, user=MEMBER, permissions=MANAGE_GUILD
    )
    assert refused.ephemeral
    assert embed(refused)["title"] == "Only the bot's reporters can use /report."
    score = await running.slash("score", {"team": "Inter"}, user=MEMBER, permissions=None)
    assert "Atalanta 0-1 Inter" in embed(score)["title"] + embed(score).get("description", "")


async def test_the_match_card_is_the_recaps_embed_image(running: Running) -> None:
    """A channel that turned pictures on gets the recap with the match card attached as its
    first embed's image (multipart upload, the PNG decodes); others get the recap alone."""
    dc = running.dc
    for channel in (ALERTS, OTHER):
        done = await running.slash("subscribe", {"name": "Inter"}, channel=channel)
        assert not done.ephemeral
    with contextlib.closing(sqlite3.connect(running.db, timeout=10)) as conn:
        conn.execute(
            "UPDATE chats SET settings = json_set(settings, '$.pictures', 'on')"
            " WHERE platform = 'discord' AND chat_id = ?",
            (str(ALERTS),),
        )
        conn.commit()
    running.feed_in(seed_lines())

    def recaps() -> list[SentMessage]:
        return [
            m
            for m in dc.messages()
            if m.embeds and str(m.embeds[0].get("title", "")).startswith("🏁 Atalanta 0-1 Inter")
        ]

    await running.eventually(lambda: len(recaps()) == 2, within=20)
    with_card = [m for m in recaps() if m.attachments]
    assert [m.channel_id for m in with_card] == [ALERTS]
    (attachment,) = with_card[0].attachments
    assert attachment["filename"] == "match-card.png"
    assert with_card[0].embeds[0]["image"]["url"] == "attachment://match-card.png"
    with Image.open(io.BytesIO(dc.uploads[int(attachment["id"])])) as card:
        assert card.format == "PNG" and card.size == (1200, 675)


async def test_settings_of_a_channel_with_fifty_subscriptions_fit_and_page(
    running: Running,
) -> None:
    """A channel following as many teams as it may: /settings stays inside every Discord
    limit (the fake refuses more), ten subscriptions a page, and `page:` turns to the others."""
    from bot.commands.following import MAX_FOLLOWS
    from storage.store import Store

    await running.slash("subscribe", {"name": "Inter"})
    store = Store.open(running.db)
    try:
        teams = [r["id"] for r in store.db.query("SELECT id FROM teams ORDER BY id")]
        for team in teams[: MAX_FOLLOWS - 1]:
            store.subscribe("discord", str(ALERTS), team)
        follows = len(store.follows("discord", str(ALERTS)))
    finally:
        store.close()
    assert follows == MAX_FOLLOWS
    view = await running.slash("settings", user=MEMBER, permissions=None)
    text = json.dumps(view.embeds, ensure_ascii=False)
    assert f"(1–10 of {MAX_FOLLOWS})" in text and "/settings page 2" in text
    third = await running.slash("settings", {"page": 3}, user=MEMBER, permissions=None)
    assert not third.ephemeral
    assert f"(21–30 of {MAX_FOLLOWS})" in json.dumps(third.embeds, ensure_ascii=False)
