"""Reporter commands and the stats commands (/table, /scorers) through the running core."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from adapters.assemble import build_bot
from adapters.providers.football_data import FootballData
from adapters.providers.stats import FootballDataStats
from bot.app import MatchBot
from bot.messages.model import Message, message_text
from bot.ports import CommandContext
from tests.support.core import until
from tests.support.fakes.provider_api import FakeProvider, server_error
from tests.support.fakes.recording import RecordingPlatform

REPORTER = CommandContext(platform="test", chat_id="press", user_id="42")
FAN = CommandContext(platform="test", chat_id="fans", user_id="7")


def text(message: Message) -> str:
    return message_text(message)


@pytest.fixture
async def bot(tmp_path: Path) -> MatchBot:
    platform = RecordingPlatform()
    bot = build_bot(
        tmp_path / "db",
        [platform],
        recap_delay=0.0,
        reminder_lead=None,
        reporters=frozenset({"test:42"}),
    )
    await bot.start()
    yield bot  # type: ignore[misc]
    await bot.stop()


def sent(bot: MatchBot, chat: str) -> list[str]:
    platform = bot.adapters[0]
    assert isinstance(platform, RecordingPlatform)
    return platform.texts(chat)


async def report(bot: MatchBot, args: str) -> str:
    return text(await bot.command(REPORTER, "report", args))


async def settle(bot: MatchBot) -> None:
    await bot.deliveries["test"].drain(10)


async def test_only_reporters_may_report(bot: MatchBot) -> None:
    answer = await bot.command(FAN, "report", "goal Inter Lautaro 65")
    assert answer.kind == "error"
    assert text(answer).startswith("Only the bot's reporters can use /report.")


async def test_report_help_lists_every_form(bot: MatchBot) -> None:
    """``/report help``, as the catalogue advertises it: the forms, not "Not reported"."""
    answer = await bot.command(REPORTER, "report", "help")
    assert answer.kind == "help"
    shown = text(answer)
    assert "Not reported" not in shown
    assert "/report goal TEAM PLAYER MINUTE" in shown and "/report undo ID" in shown
    refused = text(
        await bot.command(
            CommandContext(platform="test", chat_id="x", user_id="7"), "report", "help"
        )
    )
    assert "/report goal" not in refused


async def test_a_reporter_covers_a_match_no_feed_carries(bot: MatchBot) -> None:
    await bot.command(FAN, "subscribe", "inter")
    ack = await report(bot, "match Atalanta v Inter in Serie A")
    assert ack.startswith("✅ Reported: Atalanta v Inter, Serie A, kick-off")
    assert "undo" not in ack
    await report(bot, "period Inter kickoff")
    ack = await report(bot, "save Atalanta Marco Carnesecchi 12 from Marcus Thuram")
    assert "🧤 Save — Atalanta — 12' Marco Carnesecchi denies Marcus Thuram" in ack
    ack = await report(bot, "goal Inter Lautaro Martínez 65 assist Francesco Pio Esposito")
    assert ack.splitlines()[0] == (
        "✅ Reported: ⚽ GOAL! Atalanta 0-1 Inter — 65' Lautaro Martínez scores for Inter"
        " (assist: Francesco Pio Esposito)"
    )
    assert ack.splitlines()[2] == "Atalanta v Inter, Serie A"
    assert ack.splitlines()[3].startswith("Wrong? /report undo r")
    await report(bot, "disallowed Atalanta Charles De Ketelaere 50 offside")
    await report(bot, "miss Atalanta Lazar Samardžić 87 assist De Ketelaere: blazes wide")
    # the quote before full time: the recap goes out ``recap_delay`` after it, which is 0
    # here, so a quote reported after full time would race the recap job (in use, the
    # delay of minutes is the window for post-match quotes)
    ack = await report(bot, "quote Inter Cristian Chivu (Inter coach): We faced a great side.")
    assert ack.startswith("✅ Reported: Cristian Chivu: “We faced a great side.”")
    await report(bot, "period Inter ft 90+5")
    await settle(bot)
    fans = sent(bot, "fans")
    assert any(t.startswith("⚽ GOAL! Atalanta 0-1 Inter") for t in fans)
    assert any("Charles De Ketelaere's goal ruled out for offside" in t for t in fans)
    assert any(t.startswith("🏁 Full-time: Atalanta 0-1 Inter") for t in fans)

    def recaps() -> list[str]:
        return [t for t in sent(bot, "fans") if t.startswith("🏁 Atalanta 0-1 Inter\n")]

    await until(lambda: bool(recaps()))  # the recap job fires on the scheduler (delay 0)
    await settle(bot)
    (recap,) = recaps()
    assert "87' 😱 Miss: Lazar Samardžić (Atalanta), set up by De Ketelaere, blazes wide" in recap
    assert "Cristian Chivu (Inter coach): “We faced a great side.”" in recap


async def test_undo_corrects_what_went_out(bot: MatchBot) -> None:
    await bot.command(FAN, "subscribe", "inter")
    await bot.command(FAN, "settings", "level all")
    await report(bot, "match Atalanta v Inter")
    goal_ack = await report(bot, "goal Inter Lautaro Martínez 65")
    save_ack = await report(bot, "save Atalanta Carnesecchi 70")
    await settle(bot)
    goal_id = goal_ack.rsplit(" ", 1)[-1]
    save_id = save_ack.rsplit(" ", 1)[-1]
    assert (await report(bot, f"undo {goal_id}")).startswith("↩️ Taken back: ⚽ GOAL!")
    assert (await report(bot, f"undo {save_id}")).startswith("↩️ Taken back: 🧤 Save")
    await settle(bot)
    platform = bot.adapters[0]
    assert isinstance(platform, RecordingPlatform)
    edited = [body for chat, _ids, body in platform.edited if chat == "fans"]
    assert len(edited) == 2  # both alerts corrected in place
    assert "cancelled" in edited[0] and "Atalanta 0-0 Inter" in edited[0]
    assert edited[1].startswith("↩️ 🧤 Save — Atalanta")
    score = text(await bot.command(FAN, "score", "inter"))
    assert "Atalanta 0-0 Inter" in score
    again = await report(bot, f"undo {goal_id}")
    assert again.startswith("Not reported:") and "already taken back" in again


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ("", "What happened?"),
        ("goal Zzqx Lautaro 65", "Which team?"),
        ("goal Inter Lautaro", "I need the player and the minute"),
        ("goal Inter Lautaro 200", "Not reported: minute 200 is outside the range 0–130"),
        ("goal Inter Lautaro 90+45", "stoppage time 45 is outside the range 0–30"),
        ("goal Inter " + "x" * 250 + " 10", "player's name is too long (at most 200 characters)"),
        ("match Inter v Internazionale", "the same team (Inter v Internazionale)"),
        ("card Inter Barella 30 purple", "Which card?"),
        ("corner Inter 30", "I can't report “corner”"),
        ("undo nonsense", "is not a report id"),
        ("undo r000000", "there is no report 'r000000'"),
    ],
)
async def test_bad_reports_are_explained(bot: MatchBot, args: str, problem: str) -> None:
    await report(bot, "match Atalanta v Inter")
    answer = await bot.command(REPORTER, "report", args)
    assert answer.kind == "error"
    assert problem in text(answer)
    assert "/report goal TEAM PLAYER MINUTE" in text(answer)  # the usage comes with it


@pytest.fixture
async def football_data() -> FakeProvider:
    async with FakeProvider.football_data(key="fd-token") as fake:
        yield fake  # type: ignore[misc]


async def test_table_and_top_scorers_from_football_data(
    tmp_path: Path, football_data: FakeProvider
) -> None:
    football_data.script("/competitions/PL/standings", None, "fd_standings_PL.json")
    football_data.script("/competitions/PL/scorers", {"limit": 10}, "fd_scorers_PL.json")
    async with httpx.AsyncClient() as http:
        stats = FootballDataStats(FootballData("fd-token", football_data.base_url, http))
        bot = build_bot(tmp_path / "db", [RecordingPlatform()], stats=stats)
        await bot.start()
        table = text(await bot.command(FAN, "table", "premier league"))
        scorers = text(await bot.command(FAN, "scorers", "", reply_key=None))
        nothing = text(await bot.command(FAN, "table", "kings league"))
        await bot.stop()
    assert table.splitlines()[0] == "🏆 premier league table"
    assert table.splitlines()[2] == "1. Arsenal FC 39 pts · P17 W12 D3 L2 · GD +20"
    assert scorers.startswith("Which competition?")
    assert nothing == "I have no table for “kings league”."


async def test_table_without_a_provider_or_during_an_outage(
    tmp_path: Path, football_data: FakeProvider
) -> None:
    bot = build_bot(tmp_path / "db", [RecordingPlatform()])
    await bot.start()
    assert "FOOTBALL_DATA_TOKEN" in text(await bot.command(FAN, "table", "serie a"))
    await bot.stop()
    football_data.script("/competitions/SA/standings", None, server_error(500))
    async with httpx.AsyncClient() as http:
        stats = FootballDataStats(FootballData("fd-token", football_data.base_url, http))
        bot = build_bot(tmp_path / "db2", [RecordingPlatform()], stats=stats)
        await bot.start()
        down = text(await bot.command(FAN, "table", "serie a"))
        await bot.stop()
    assert down == "The table is not available right now; try later."
