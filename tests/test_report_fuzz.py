"""Every ``/report`` text gets an answer: a report, or "Not reported: reason" — never an
exception, never a silent drop. Examples of each kind of mistake, then hypothesis throws
arbitrary and almost-right texts at the running core (real store, real engine)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.assemble import build_bot
from bot.app import MatchBot
from bot.messages.model import message_text
from bot.ports import CommandContext
from bot.report_command import HELP_WORDS
from tests.support.fakes.recording import RecordingPlatform

REPORTER = CommandContext(platform="test", chat_id="press", user_id="42")
FALLBACK = "I could not understand that report"


def new_bot(db: Path) -> MatchBot:
    return build_bot(
        db,
        [RecordingPlatform()],
        recap_delay=None,
        reminder_lead=None,
        reporters=frozenset({"test:42"}),
    )


async def live_match(bot: MatchBot) -> None:
    for args in ("match Atalanta v Inter in Serie A", "period Inter kickoff"):
        answer = message_text(await bot.command(REPORTER, "report", args))
        assert answer.startswith("✅ Reported:"), answer


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[MatchBot]:
    """One running bot with a live match for all the mistakes below: a mistake changes
    nothing (each test checks it was refused), so each finds the bot as the last left it."""
    bot = new_bot(tmp_path_factory.mktemp("mistakes") / "db")
    await bot.start()
    await live_match(bot)
    yield bot
    await bot.stop()


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ("match A v B at 2026-13-45 10:00", "“2026-13-45” is not a date"),
        ("match A v B at 2026-02-30 10:00", "“2026-02-30” is not a date"),
        ("match A v B at 2026-02-01 25:61", "“25:61” is not a time of day"),
        ("match A v B at 2026-02-01 24:00", "“24:00” is not a time of day"),
        ("match A v B at 0000-01-01 10:00", "year must be between"),
        ("match A v B at 9999-12-31 23:59", "year must be between"),
        ("match A v B at 2026-02-01", "write the kick-off like"),
        ("match A v B at tomorrow in Serie A", "write the kick-off like"),
        ("match A v B at 99999999999999999999-01-01 10:00", "write the kick-off like"),
        ("match Inter v Inter", "home and away are the same team"),
        ("match Inter", "For example: /report match"),
        ("match", "For example: /report match"),
        ("goal Inter Lautaro 65 assist", "not “assist”"),
        ("goal Inter Lautaro 999", "minute 999 is outside the range 0–130"),
        ("goal Inter Lautaro 65+999", "I need the player and the minute"),
        ("goal Inter Lautaro " + "9" * 5000, "I need the player and the minute"),
        ("goal Inter 65", "I need the player and the minute"),
        ("goal Inter", "I need the player and the minute"),
        ("goal", "Which team?"),
        ("goal Zzqx Lautaro 65", "Which team?"),
        ("goal Roma Dybala 65", "has no match in my data"),
        ("period Inter ft 9x", "not “9x”"),
        ("period Inter ft 90 now", "at the end"),
        ("period Inter lunch", "Which period?"),
        ("card Inter Barella 30 purple", "Which card?"),
        ("card Inter Barella 30 extra red", "at the end"),
        ("card Inter red", "I need the player and the minute"),
        ("sub Inter Esposito 64 instead Thuram", "not “instead”"),
        ("save Atalanta Carnesecchi 12 against Thuram", "not “against”"),
        ("miss Atalanta Samardžić 87 wide", "not “wide”"),
        ("pen Inter Çalhanoğlu 30", "How did it end?"),
        ("pen Inter Çalhanoğlu 30 x saved", "at the end"),
        ("disallowed Atalanta 50", "Why was it disallowed?"),
        ("disallowed Atalanta 50 now offside", "at the end"),
        ("cancel Inter 67 handball", "has no goal to cancel"),
        ("cancel Inter 67", "has no goal to cancel"),
        ("cancel Inter 67 handball twice", "at the end"),
        ("cancel Inter 67 because", "The reason is one of"),
        ("note Atalanta", "For example: /report note"),
        ("note Atalanta Djimsiti", "For example: /report note"),
        ("quote Inter Chivu", "For example: /report quote"),
        ("quote Inter : words", "For example: /report quote"),
        ("corner Inter 30", "I can't report “corner”"),
        ("undo", "Which report?"),
        ("undo r1 r2", "Which report?"),
        ("undo " + "r" * 10_000, "is not a report id"),
        ("", "What happened?"),
        ("   ", "What happened?"),
    ],
)
@pytest.mark.asyncio(loop_scope="module")
async def test_each_mistake_is_answered_with_its_reason(
    bot: MatchBot, args: str, problem: str
) -> None:
    answer = await bot.command(REPORTER, "report", args)
    text = message_text(answer)
    assert answer.kind == "error"
    assert text.startswith("Not reported: "), text
    assert problem in text.splitlines()[0], text


def test_a_report_with_a_local_kick_off_is_stored_in_utc(tmp_path: Path) -> None:
    async def run() -> str:
        bot = new_bot(tmp_path / "db")
        await bot.start()
        try:
            await bot.command(REPORTER, "settings", "timezone Europe/Rome")
            answer = await bot.command(REPORTER, "report", "match A v B at 2026-7-4 20:45")
            return message_text(answer)
        finally:
            await bot.stop()

    answer = asyncio.run(run())
    assert answer.startswith("✅ Reported: A v B, Friendly, kick-off "), answer
    assert "4 Jul" in answer and "20:45" in answer, answer


KINDS = ["match", "period", "goal", "disallowed", "cancel", "card", "sub", "save", "miss", "pen"]
KINDS += ["note", "quote", "undo", "MATCH", "Goal"]
WORDS = [
    "Inter",
    "Atalanta",
    "inter milan",
    "Roma",
    "v",
    "vs",
    "-",
    "at",
    "in",
    "Serie",
    "A",
    "2026-02-01",
    "2026-13-45",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "20:45",
    "25:61",
    "24:00",
    "99:99",
    "65",
    "45+2",
    "90+5",
    "0",
    "130",
    "131",
    "999",
    "65+99",
    "-1",
    "1e9",
    "9" * 40,
    "pen",
    "og",
    "own",
    "assist",
    "for",
    "from",
    "yellow",
    "second",
    "red",
    "saved",
    "missed",
    "woodwork",
    "offside",
    "var",
    "kickoff",
    "ht",
    "2h",
    "et",
    "pens",
    "ft",
    ":",
    "(coach):",
    "(",
    ")",
    "“",
    "”",
    "@everyone",
    "<b>",
    "&amp;",
    "r1a2b3",
    "r000000",
    "\u202e",
    "٦٥",
    "６５",
    "\x00",
    "\ud800",
    "🙂",
    "T",
]
REPORT_TEXT = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda kind, words: " ".join([kind, *words]),
        st.sampled_from(KINDS),
        st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=12),
    ),
)


def test_no_report_text_goes_unanswered(tmp_path: Path) -> None:
    loop = asyncio.new_event_loop()
    bot = new_bot(tmp_path / "db")
    loop.run_until_complete(bot.start())
    loop.run_until_complete(live_match(bot))

    @settings(
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )
    @given(REPORT_TEXT)
    def answers(args: str) -> None:
        answer = loop.run_until_complete(bot.command(REPORTER, "report", args))
        text = message_text(answer)
        if args.strip().casefold() in HELP_WORDS:  # /report help (or ?) lists the forms
            assert text.startswith("Reporter commands"), text
            return
        assert text.startswith(("✅ Reported: ", "↩️ Taken back: ", "Not reported: ")), text
        assert FALLBACK not in text, args  # every mistake has its own reason

    try:
        answers()
    finally:
        loop.run_until_complete(bot.stop())
        loop.close()
