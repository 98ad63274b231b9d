"""One push per goal, end to end: ``matchbot run`` with its real Telegram and Discord adapters
against the fakes, a feed file appended to as a match goes on.

A goal is one ``sendMessage`` (one Discord message) that buzzes; it carries its context (``Inter
lead 2-1 — Lautaro Martínez's second``). Its VAR check and the check's outcome — confirmed, or
overturned — are ``editMessageText`` calls on that same message (PATCH on Discord), never a
second message. The minor alerts that come with the goal go silently (Telegram's
``disable_notification``, Discord's ``SUPPRESS_NOTIFICATIONS`` flag 4096), by the chat level's
rule (``bot/quiet_alerts.py``): a red card still buzzes, so does the rest of the match.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from adapters.discord import DiscordAdapter
from bot.clock import FastClock
from bot.quiet_alerts import MINOR_AFTER_A_GOAL, minor_after_a_goal
from tests.support.core import until
from tests.support.fakes.discord_api import FakeChannel, FakeDiscord, FakeGuild
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import SPEED, TOKEN, Bot, clean_telegram_env, derby_feed, event

pytestmark = pytest.mark.timeout(60)

ALICE = 42  # every alert
BOB = 43  # key events
GUILD = 800_000_000_000_000_001
CHANNEL = 800_000_000_000_000_011
ADMIN = 123_456_789_012_345_678
MANAGE_CHANNELS = 1 << 4
SILENT = 1 << 12  # Discord's MessageFlags.suppress_notifications
MATCH = "inter-milan"


def e(**fields: Any) -> str:
    return event(match=MATCH, **fields)


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def sends(tg: FakeTelegram, chat: int) -> list[dict[str, Any]]:
    return [c for c in tg.calls_to("sendMessage") if str(c.get("chat_id")) == str(chat)]


def buzzed(call: dict[str, Any]) -> bool:
    return call.get("disable_notification") not in (True, "true")


async def test_a_goal_its_var_check_and_the_outcome_are_one_push(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_telegram_env(monkeypatch)
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.1)
    guild = FakeGuild(id=GUILD, name="Calcio", channels=[FakeChannel(id=CHANNEL, name="alerts")])
    async with (
        FakeTelegram(token=TOKEN, time_scale=1 / SPEED) as tg,
        FakeDiscord(guilds=[guild], time_scale=1 / SPEED) as dc,
    ):
        bot = Bot(tg, tmp_path, delivery_clock=FastClock(SPEED), discord_bot_token=dc.token)
        async with bot.running():
            await dc.wait_for(lambda: len(dc.synced_commands.get(None, [])) > 5, 10)
            await bot.subscribe(ALICE)
            await bot.ask(ALICE, "/settings level all")
            await bot.subscribe(BOB)
            for options in ({"name": "Inter"}, {"level": "all"}):
                name = "subscribe" if "name" in options else "settings"
                iid = await dc.send_interaction_command(
                    GUILD, CHANNEL, ADMIN, name, options, permissions=MANAGE_CHANNELS
                )
                await dc.wait_interaction_response(iid, timeout=5)

            bot.append(
                *derby_feed(MATCH),
                e(type="goal", id="g1", minute=20, team="Inter", player="Lautaro Martínez"),
                e(type="goal", id="g2", minute=30, team="Milan", player="Rafael Leão"),
                e(type="goal", id="g3", minute=45, stoppage=2, team="Inter",
                  player="Lautaro Martínez", assist="Nicolò Barella"),
                e(type="note", id="n1", minute=45, stoppage=2, team="Inter",
                  text="a header from six yards"),
                e(type="card", id="c1", minute=45, stoppage=3, team="Milan",
                  player="Fikayo Tomori", card="yellow"),
                e(type="card", id="c2", minute=45, stoppage=3, team="Milan",
                  player="Theo Hernández", card="red"),
                e(type="period", id="p2", minute=45, stoppage=3, period="half_time"),
            )  # fmt: skip
            await until(lambda: any("Half-time" in c["text"] for c in sends(tg, BOB)), 20)
            goal = next(m for m in tg.messages(ALICE) if "Barella" in m["text"])
            assert goal["text"] == (
                "⚽ GOAL! Inter 2-1 Milan\n\n45+2' Lautaro Martínez scores for Inter"
                " (assist: Nicolò Barella)\nInter lead 2-1 — Lautaro Martínez's second"
            )
            dc_goal = next(m for m in dc.messages(CHANNEL) if "Barella" in str(m.embeds))

            # the VAR looks at it, then confirms it: the same message, edited twice
            bot.append(e(type="var_check", id="v1", minute=45, stoppage=5, team="Inter",
                         ref="g3", reason="offside"))  # fmt: skip
            await until(lambda: goal["edits"] == 1 and dc_goal.edit_count == 1, 20)
            assert goal["text"].endswith("\n🖥 VAR check under way: possible offside…")
            assert "VAR check under way" in str(dc.get_message(dc_goal.id).embeds)
            bot.append(e(type="var_check", id="v2", minute=45, stoppage=6, team="Inter",
                         ref="g3", outcome="confirmed"))  # fmt: skip
            await until(lambda: goal["edits"] == 2 and dc_goal.edit_count == 2, 20)
            assert goal["text"].endswith(
                "Inter lead 2-1 — Lautaro Martínez's second\n✅ Goal confirmed after a VAR check"
            )

            # a goal checked and overturned: one message, edited to say so
            bot.append(
                e(type="period", id="p3", minute=46, period="second_half"),
                e(type="goal", id="g4", minute=70, team="Milan", player="Christian Pulisic"),
            )
            await until(lambda: any("Pulisic" in m["text"] for m in tg.messages(ALICE)), 20)
            await until(lambda: any("Pulisic" in str(m.embeds) for m in dc.messages(CHANNEL)), 20)
            pulisic = next(m for m in tg.messages(ALICE) if "Pulisic" in m["text"])
            dc_pulisic = next(m for m in dc.messages(CHANNEL) if "Pulisic" in str(m.embeds))
            assert pulisic["text"].endswith("\nMilan draw level at 2-2")
            bot.append(
                e(type="var_check", id="v3", minute=71, team="Milan", ref="g4", reason="handball"),
                e(type="goal_cancelled", id="v4", minute=72, team="Milan", ref="g4",
                  reason="handball"),
            )  # fmt: skip
            await until(lambda: "does not stand" in pulisic["text"], 20)
            await until(lambda: "does not stand" in str(dc.get_message(dc_pulisic.id).embeds), 20)
            cancelled = "⚽ GOAL cancelled by VAR (handball) — Inter 2-1 Milan"
            assert pulisic["text"].startswith(cancelled)
            await asyncio.sleep(0.3)  # and nothing more is sent for it

        alice = sends(tg, ALICE)
        goals = [c for c in alice if plain(c["text"]).startswith("⚽")]
        assert len(goals) == 4  # one sendMessage per goal, the overturned one included
        assert all(buzzed(c) for c in goals)
        edits = [c for c in tg.calls_to("editMessageText") if str(c.get("chat_id")) == str(ALICE)]
        assert [c["message_id"] for c in edits] == [goal["message_id"]] * 2 + [
            pulisic["message_id"]
        ] * (len(edits) - 2)
        assert len(edits) in (3, 4)  # the check and the cancellation (merged if still unsent)

        def quiet_at(chat: int, words: str) -> bool:
            return not buzzed(next(c for c in sends(tg, chat) if words in plain(c["text"])))

        # ALICE (everything): the note and the yellow card with the goal go silently; the red
        # card and the goals buzz; the half-time whistle right after goes silently too
        assert quiet_at(ALICE, "a header from six yards")
        assert quiet_at(ALICE, "Fikayo Tomori")
        assert not quiet_at(ALICE, "Theo Hernández")
        assert quiet_at(ALICE, "Half-time")
        assert not quiet_at(ALICE, "Second half under way")
        # BOB (key events) gets no note and no yellow card; his half-time is quiet as well
        assert not any("Fikayo Tomori" in plain(c["text"]) for c in sends(tg, BOB))
        assert quiet_at(BOB, "Half-time")
        assert not quiet_at(BOB, "Theo Hernández")

        # Discord: the same, with the silent flag on the message
        channel = {str(m.embeds): m for m in dc.messages(CHANNEL) if m.embeds}

        def silent(words: str) -> bool:
            return bool(next(m for k, m in channel.items() if words in k).flags & SILENT)

        assert silent("a header from six yards") and silent("Fikayo Tomori")
        assert not silent("Theo Hernández") and not silent("Barella")
        posts = [
            r.json
            for r in dc.requests
            if r.method == "POST" and r.path == f"/channels/{CHANNEL}/messages"
        ]
        assert sum(1 for p in posts if int(p.get("flags") or 0) & SILENT) >= 3
        assert sum(1 for p in posts if "GOAL" in str(p.get("embeds"))) == 4
        assert tg.violations == []
        assert dc.unhandled == []


def test_the_rule_by_level() -> None:
    """A category is silent after a goal only if it is minor at every level that gets it."""
    assert MINOR_AFTER_A_GOAL["goals"] == frozenset()
    assert minor_after_a_goal("card") and minor_after_a_goal("note")
    assert minor_after_a_goal("half_time") and minor_after_a_goal("full_time")
    for loud in ("goal", "cancelled", "red_card", "penalty", "disallowed"):
        assert not minor_after_a_goal(loud), loud
