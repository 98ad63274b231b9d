"""The live scoreboard end to end: ``matchbot run`` against the fake Telegram (which refuses an
unchanged edit and counts flood) and the fake Discord. A chat that turned it on gets one
message per match, edited in place as the match goes on, the final edit saying full time; a
chat with it instead of the alerts gets no live alert; no edit is ever refused as unchanged and
no limit is broken."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.console.replay import seed_lines
from tests.support.core import until
from tests.support.fakes.discord_api.records import SentMessage
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import Bot, no_violations
from tests.test_discord_e2e import ALERTS, OTHER, SPEED, Running, start_running

SAMPLE = Path(__file__).parent.parent / "bot" / "data" / "sample-depth.jsonl"
ALICE, BOB, CAROL = 61, 62, 63
FINAL = "Riverside FC 3-1 Harbor United · Full time"


def boards(fake: FakeTelegram, chat: int) -> list[dict[str, object]]:
    return [m for m in fake.messages(chat) if "Live scoreboard ·" in str(m["text"])]


async def test_one_board_per_chat_edited_in_place(bot: Bot, fake: FakeTelegram) -> None:
    lines = SAMPLE.read_text("utf-8").splitlines()
    async with bot.running():
        bot.append(lines[0])

        async def known() -> bool:
            reply = await bot.ask(ALICE, "/subscribe Riverside FC")
            return "now follows" in reply["text"]

        await until(known, timeout=20)
        await bot.subscribe(BOB, "Riverside FC")
        await bot.subscribe(CAROL, "Riverside FC")
        reply = await bot.ask(ALICE, "/settings scoreboard instead")
        assert "Live scoreboard: instead of the live alerts" in reply["text"]
        view = await bot.ask(BOB, "/settings")  # Bob turns it on with the button
        assert "Live scoreboard: off" in view["text"]
        fake.user_presses(BOB, view["message_id"], "settings:scoreboard:with")
        saved = await bot.wait_edited(BOB, view["message_id"])
        assert "Live scoreboard: with the alerts" in saved["text"]
        bot.append(*lines[1:])
        for chat in (ALICE, BOB):
            await until(lambda chat=chat: any(FINAL in str(m["text"]) for m in boards(fake, chat)))
        await until(lambda: any(t.startswith("🏁 Riverside") for t in bot.texts(CAROL)), 30)
        await until(lambda: any(t.startswith("🏁 Riverside") for t in bot.texts(ALICE)), 30)
    for chat in (ALICE, BOB):
        (board,) = boards(fake, chat)  # one message, edited
        assert str(board["text"]).startswith(FINAL)
        assert "🟥 Harbor United: Jan Kovač 71'" in str(board["text"])
        edits = [e for e in fake.edits if e["chat_id"] == chat and "Live scoreboard ·" in e["text"]]
        # at most one edit per change (the sample's board changes 12 times), fewer when
        # coalesced: a board still waiting to go is replaced by the next change
        assert len(edits) <= 12
        assert all(e["text"] != e["old_text"] for e in edits)
        assert all(e["message_id"] == board["message_id"] for e in edits)
    assert [e for e in fake.edits if e["chat_id"] == ALICE]  # edited in place, not sent again
    # instead of the alerts: no goal alert, but the line-ups and the recap
    alice = bot.texts(ALICE)
    assert not any(t.startswith(("⚽", "🟥", "⏸", "🔁")) for t in alice), alice
    assert any(t.startswith("🏁 Riverside") for t in alice)
    bob = bot.texts(BOB)
    assert sum(t.startswith("⚽") for t in bob) == 4, bob
    assert boards(fake, CAROL) == []  # off by default
    assert not [e for e in fake.errors if "not modified" in e[3]]
    no_violations(fake)


@pytest.fixture
async def running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Running]:
    async with start_running(tmp_path, monkeypatch, SPEED) as run:
        yield run


async def test_discord_board_is_one_message_edited(running: Running) -> None:
    """On Discord: ``/settings scoreboard:`` picks it; the channel's board is one message whose
    embed is edited as the seed match goes on, to full time."""
    dc = running.dc
    for channel in (ALERTS, OTHER):
        await running.slash("subscribe", {"name": "Inter"}, channel=channel)
    done = await running.slash("settings", {"scoreboard": "instead"})
    assert "Live scoreboard: **instead of the live alerts**" in json.dumps(
        done.embeds, ensure_ascii=False
    )
    lines = seed_lines()

    def board() -> list[SentMessage]:
        return [
            m
            for m in dc.messages()
            if "Live scoreboard ·" in json.dumps(m.embeds, ensure_ascii=False)
        ]

    # the match up to kick-off, then the rest once the board is out: fed at once, a loaded
    # machine may coalesce every step into the board's first send (by design: a board still
    # waiting is replaced by the latest), leaving nothing to edit
    running.feed_in(lines[:2])
    await running.eventually(lambda: bool(board()), within=60)
    running.feed_in(lines[2:])
    await running.eventually(
        lambda: any("Full time" in json.dumps(m.embeds) for m in board()), within=60
    )
    (message,) = board()
    assert message.channel_id == ALERTS and message.edit_count >= 1
    title = str(message.embeds[0].get("title", ""))
    assert title.startswith("Atalanta 0-1 Inter · Full time"), title
    # no live alert in that channel; the other channel has them and no board
    alerts = [m for m in dc.messages(ALERTS) if str(m.embeds[0].get("title", "")).startswith("⚽")]
    assert alerts == []
    await running.eventually(
        lambda: any(str(m.embeds[0].get("title", "")).startswith("⚽") for m in dc.messages(OTHER)),
        within=20,
    )
    assert not any("Live scoreboard ·" in json.dumps(m.embeds) for m in dc.messages(OTHER))
