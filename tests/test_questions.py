"""The bot's question ("Which team…?" after a bare ``/subscribe``) and its answer in plain
words, on the console and through the core (``bot.questions``): the next line is the answer,
a question expires, a Discord command's question is answered in Discord's own command box."""

from __future__ import annotations

import io
import time
from pathlib import Path

from adapters.assemble import build_bot
from adapters.console.adapter import ConsoleAdapter
from bot.app import MatchBot
from bot.ports import CommandContext
from bot.questions import QUESTION_TTL

NOT_A_COMMAND = "Commands start with /, for example /subscribe inter."


class Clock:
    """The real time, moved on by the test."""

    def __init__(self) -> None:
        self.ahead = 0.0

    def __call__(self) -> float:
        return time.time() + self.ahead


async def follows(bot: MatchBot, ctx: CommandContext) -> list[str]:
    return [r["name"] for r in await bot.db.call(lambda s: s.follows(ctx.platform, ctx.chat_id))]


async def test_the_console_takes_the_line_after_the_question_as_its_answer(
    tmp_path: Path,
) -> None:
    out = io.StringIO()
    console = ConsoleAdapter(out)
    clock = Clock()
    bot = build_bot(
        tmp_path / "bot.db", [console], recap_delay=None, reminder_lead=None, clock=clock
    )
    await bot.start()
    try:
        await console.handle_input("/subscribe", "reply:1")
        assert await bot.sent("reply:1")
        assert "Which team, competition or player?" in out.getvalue()
        await console.handle_input("intr", "reply:2")  # the answer: choices, as /subscribe intr
        assert await bot.sent("reply:2")
        assert "Did you mean: Inter?" in out.getvalue() and "[1] Inter" in out.getvalue()
        await console.handle_input("inter", "reply:3")  # answered already: not a command
        assert out.getvalue().count(NOT_A_COMMAND) == 1
        assert await follows(bot, console.context()) == []

        # a question waits QUESTION_TTL, then plain words are plain words again
        await console.handle_input("/subscribe", "reply:4")
        clock.ahead += QUESTION_TTL + 1
        await console.handle_input("inter", "reply:5")
        assert out.getvalue().count(NOT_A_COMMAND) == 2
        await console.handle_input("/subscribe", "reply:6")
        clock.ahead += QUESTION_TTL - 60
        await console.handle_input("inter", "reply:7")
        assert await bot.sent("reply:7")
        assert await follows(bot, console.context()) == ["Inter"]

        # in Italian: /segui alone, then the name
        await bot.command(console.context(), "settings", "language it")
        await console.handle_input("/segui", "reply:8")
        await console.handle_input("milan", "reply:9")
        assert await bot.sent("reply:9")
        assert "✅ Questa chat ora segue il Milan." in out.getvalue()
    finally:
        await bot.stop()


async def test_a_discord_commands_question_waits_for_no_words(tmp_path: Path) -> None:
    """On Discord the bot answers the interaction itself (no outbox reply): its "Which
    team…?" keeps no question, and channel messages are never read as an answer (Discord
    asks for the option in the command box: ``/subscribe``'s name is required there)."""
    bot = build_bot(tmp_path / "bot.db", recap_delay=None, reminder_lead=None)
    await bot.start()
    try:
        ctx = CommandContext(platform="discord", chat_id="55", user_id="7", place="channel")
        asked = await bot.command(ctx, "subscribe", "")
        assert asked.asks == "subscribe"
        assert await bot.answer(ctx, "inter", "reply:discord:1") is None
    finally:
        await bot.stop()


async def test_a_question_is_the_asked_users_and_a_reply_must_be_to_it(tmp_path: Path) -> None:
    bot = build_bot(tmp_path / "bot.db", recap_delay=None, reminder_lead=None)
    await bot.start()
    try:
        asker = CommandContext(platform="test", chat_id="-5", user_id="1", chat_kind="group")
        other = CommandContext(platform="test", chat_id="-5", user_id="2", chat_kind="group")
        await bot.command(asker, "subscribe", "", "reply:test:1:-5")
        (row,) = await bot.db.call(lambda s: s.outbox_rows_for("reply:test:1:-5"))
        await bot.db.call(lambda s: s.mark_sent(row["id"], row["key"], "test", "-5", ["100"]))
        assert await bot.answer(asker, "inter", "reply:test:2:-5") is None  # not a reply
        assert await bot.answer(other, "inter", "reply:test:3:-5", "100") is None
        assert await bot.answer(asker, "inter", "reply:test:4:-5", "99") is None
        answer = await bot.answer(asker, "inter", "reply:test:5:-5", "100")
        assert answer is not None and answer.headline[0].text.startswith("✅")
        assert await bot.answer(asker, "milan", "reply:test:6:-5", "100") is None
    finally:
        await bot.stop()


async def test_every_command_that_asks_takes_the_words_after_it(tmp_path: Path) -> None:
    """Not only /subscribe: /unsubscribe alone, /lineups alone in a chat that follows no team;
    the words after each run as that command with them."""
    bot = build_bot(tmp_path / "bot.db", recap_delay=None, reminder_lead=None)
    await bot.start()
    try:
        typed = CommandContext(platform="test", chat_id="0", user_id="0")
        for n, (command, words) in enumerate(
            [("unsubscribe", "inter"), ("lineups", "inter"), ("subscribe", "serie a")]
        ):
            # a chat each: nothing is delivered here, and a chat's waiting answers are few
            asked = CommandContext(platform="test", chat_id=str(n + 1), user_id="1")
            question = await bot.command(asked, command, "", f"reply:test:{n}:q")
            assert question.asks == command
            answer = await bot.answer(asked, words, f"reply:test:{n}:a")
            assert answer == await bot.command(typed, command, words)
    finally:
        await bot.stop()


async def test_an_answer_to_a_user_with_no_question_costs_no_statement(tmp_path: Path) -> None:
    """Nearly every answer goes to someone the bot asked nothing: it neither looks for nor
    drops a question then. Someone asked is still answered, and a newer answer to them still
    ends the question, also after a restart; a question that expired before the start is
    not read."""
    clock = Clock()
    bot = build_bot(tmp_path / "bot.db", recap_delay=None, reminder_lead=None, clock=clock)
    fan = CommandContext(platform="test", chat_id="1", user_id="1")
    other = CommandContext(platform="test", chat_id="2", user_id="2")
    late = CommandContext(platform="test", chat_id="3", user_id="3")
    await bot.start()
    try:
        await bot.command(late, "subscribe", "", "reply:late")
        clock.ahead += QUESTION_TTL + 1  # late's question expires before the restart
        seen: list[str] = []
        await bot.db.call(lambda s: s.db.conn.set_trace_callback(seen.append))
        await bot.command(fan, "help", "", "reply:1")
        assert await bot.answer(fan, "inter", "reply:2") is None
        # (the daily housekeeping's ``DELETE ... WHERE asked_at < ?`` may run meanwhile: it
        # is not the answer's)
        assert not [sql for sql in seen if "questions" in sql and "asked_at <" not in sql]
        # asked: the question is kept, and the words after it answer it
        await bot.command(fan, "subscribe", "", "reply:3")
        assert await bot.answer(fan, "inter", "reply:4") is not None
        assert await bot.answer(fan, "milan", "reply:5") is None
        # asked, then answered something else: the question is gone
        await bot.command(fan, "unsubscribe", "", "reply:6")
        await bot.command(other, "unsubscribe", "", "reply:7")
        await bot.command(fan, "help", "", "reply:8")
        assert await bot.answer(fan, "inter", "reply:9") is None
    finally:
        await bot.stop()
    bot = build_bot(tmp_path / "bot.db", recap_delay=None, reminder_lead=None, clock=clock)
    await bot.start()
    try:
        # other's question outlived the restart: a newer answer to them still ends it
        await bot.command(other, "help", "", "reply:10")
        assert await bot.answer(other, "inter", "reply:11") is None
        assert await bot.db.call(lambda s: s.question("test", "2", "2")) is None
        assert await bot.answer(late, "inter", "reply:12") is None
    finally:
        await bot.stop()


async def test_on_a_shared_database_a_question_asked_by_another_process_is_ended(
    postgres_url: str,
) -> None:
    """Several processes on one PostgreSQL database: a question one asked is answered through
    another, and ended by another's answer to that user (each asks the database)."""
    first = build_bot(postgres_url, recap_delay=None, reminder_lead=None)
    second = build_bot(postgres_url, recap_delay=None, reminder_lead=None)
    await first.start(lead=False)
    await second.start(lead=False)
    try:
        fan = CommandContext(platform="test", chat_id="pg-1", user_id="pg-1")
        await first.command(fan, "unsubscribe", "", "reply:pg:1")
        await second.command(fan, "help", "", "reply:pg:2")
        assert await first.answer(fan, "inter", "reply:pg:3") is None
        await first.command(fan, "subscribe", "", "reply:pg:4")
        answer = await second.answer(fan, "inter", "reply:pg:5")
        assert answer is not None and answer.headline[0].text.startswith("✅")
    finally:
        await second.stop()
        await first.stop()
