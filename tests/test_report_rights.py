"""Who may take a report back: ``/report undo`` through the running core and its real store.

A reporter undoes only their own reports, a lead reporter (``MATCHBOT_LEAD_REPORTERS``) anyone's,
and no one undoes a feed event from chat, whatever its id looks like.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.assemble import build_bot
from bot.app import MatchBot
from bot.feed_format import parse_object
from bot.messages.model import Message, message_text
from bot.ports import CommandContext
from tests.support.fakes.recording import RecordingPlatform

ANN = CommandContext(platform="test", chat_id="ann-dm", user_id="1")
BEN = CommandContext(platform="test", chat_id="ben-dm", user_id="2")
LEAD = CommandContext(platform="test", chat_id="lead-dm", user_id="3")
FAN = CommandContext(platform="test", chat_id="fans", user_id="4")
#: Ann's user id on another platform: a different person as far as the bot knows.
ANN_ELSEWHERE = CommandContext(platform="other", chat_id="x", user_id="1")
#: Someone in Ann's chat (a group where she reported) is still not Ann.
ANNS_GROUP_MATE = CommandContext(platform="test", chat_id="ann-dm", user_id="5")


def text(message: Message) -> str:
    return message_text(message)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[MatchBot]:
    bot = build_bot(
        tmp_path / "db",
        [RecordingPlatform()],
        recap_delay=None,
        reminder_lead=None,
        reporters=frozenset({"test:1", "test:2", "other:1", "test:5"}),
        lead_reporters=frozenset({"test:3"}),
    )
    await bot.start()
    yield bot
    await bot.stop()


async def say(bot: MatchBot, who: CommandContext, args: str) -> str:
    return text(await bot.command(who, "report", args))


async def reported_id(bot: MatchBot, who: CommandContext, args: str) -> str:
    ack = await say(bot, who, args)
    assert ack.startswith("✅ Reported:"), ack
    return ack.rsplit(" ", 1)[-1]


async def test_reporters_undo_only_their_own_reports(bot: MatchBot) -> None:
    await say(bot, ANN, "match Atalanta v Inter")
    goal = await reported_id(bot, ANN, "goal Inter Lautaro Martínez 65")
    note = await reported_id(bot, ANN, "note Atalanta 70 Djimsiti loses the ball")
    quote = await reported_id(bot, ANN, "quote Inter Chivu (coach): Well played.")
    for other in (BEN, ANN_ELSEWHERE, ANNS_GROUP_MATE):
        for report_id in (goal, note, quote):
            answer = await say(bot, other, f"undo {report_id}")
            assert answer.startswith(
                f"Not reported: {report_id} is another reporter's report; you can undo only"
                " your own."
            ), answer
    assert "Atalanta 0-1 Inter" in text(await bot.command(FAN, "score", "inter"))

    # fans are not reporters at all
    refused = await bot.command(FAN, "report", f"undo {goal}")
    assert refused.kind == "error"
    assert text(refused).startswith("Only the bot's reporters can use /report.")

    # Ann may, with the id in capitals too; twice is "already taken back"
    assert (await say(bot, ANN, f"undo {goal.upper()}")).startswith("↩️ Taken back: ⚽ GOAL!")
    assert "Atalanta 0-0 Inter" in text(await bot.command(FAN, "score", "inter"))
    again = await say(bot, ANN, f"undo {goal}")
    assert again.startswith(f"Not reported: {goal} is already taken back.")
    assert (await say(bot, ANN, f"undo {quote}")).startswith("↩️ Taken back:")


async def test_a_lead_reporter_undoes_anyones_report(bot: MatchBot) -> None:
    await say(bot, ANN, "match Atalanta v Inter")
    goal = await reported_id(bot, ANN, "goal Inter Lautaro Martínez 65")
    save = await reported_id(bot, BEN, "save Atalanta Carnesecchi 70")
    assert (await say(bot, LEAD, f"undo {goal}")).startswith("↩️ Taken back: ⚽ GOAL!")
    assert (await say(bot, LEAD, f"undo {save}")).startswith("↩️ Taken back: 🧤 Save")
    # a lead reporter reports too, and Ann cannot undo the lead's report
    card = await reported_id(bot, LEAD, "card Atalanta Djimsiti 80 yellow")
    assert "another reporter's report" in await say(bot, ANN, f"undo {card}")


async def test_feed_events_are_never_undone_from_chat(bot: MatchBot) -> None:
    feed = [
        {
            "type": "match",
            "match": "m1",
            "competition": "Serie A",
            "home": "Atalanta",
            "away": "Inter",
            "kickoff": "2026-02-01T19:45:00Z",
        },
        {"type": "period", "match": "m1", "id": "p1", "minute": 0, "period": "first_half"},
        # ids that look exactly like report ids
        {
            "type": "goal",
            "match": "m1",
            "id": "r1a2b3c",
            "minute": 10,
            "team": "Inter",
            "player": "Thuram",
        },
        {
            "type": "quote",
            "match": "m1",
            "id": "rabcdef",
            "speaker": "Chivu",
            "team": "Inter",
            "text": "Good.",
        },
    ]
    for line in feed:
        await bot.ingest(parse_object(line))
    for who in (ANN, LEAD):
        for event_id in ("r1a2b3c", "rabcdef"):
            answer = await say(bot, who, f"undo {event_id}")
            assert answer.startswith(
                f"Not reported: {event_id} came from a match feed, not from a reporter;"
            ), answer
    assert "Atalanta 0-1 Inter" in text(await bot.command(FAN, "score", "inter"))
    assert "there is no report 'r000000'" in await say(bot, LEAD, "undo r000000")
    for typed in ("p1", "r1a2b3cd", "goal", "r1a2b", "'; DROP TABLE reports; --"):
        answer = await say(bot, LEAD, f"undo {typed}")
        assert answer.startswith("Not reported:"), answer
        assert "report id (like r1a2b3)" in answer or "Which report?" in answer, answer


async def test_undo_touches_only_the_reports_own_match(bot: MatchBot) -> None:
    """A feed event in another match with the same id as a report stays."""
    await say(bot, ANN, "match Atalanta v Inter")
    goal = await reported_id(bot, ANN, "goal Inter Lautaro Martínez 65")
    for line in (
        {
            "type": "match",
            "match": "m2",
            "competition": "Serie A",
            "home": "Milan",
            "away": "Roma",
            "kickoff": "2026-02-01T19:45:00Z",
        },
        {"type": "period", "match": "m2", "id": "p1", "minute": 0, "period": "first_half"},
        {"type": "goal", "match": "m2", "id": goal, "minute": 5, "team": "Roma", "player": "X"},
    ):
        await bot.ingest(parse_object(line))
    assert (await say(bot, ANN, f"undo {goal}")).startswith("↩️ Taken back: ⚽ GOAL!")
    assert "Milan 0-1 Roma" in text(await bot.command(FAN, "score", "roma"))
    assert "Atalanta 0-0 Inter" in text(await bot.command(FAN, "score", "inter"))
