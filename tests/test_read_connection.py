"""Commands that only read are answered on their own connection: never behind a write."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

from adapters.assemble import build_bot
from bot.feed_format import parse_object
from bot.messages.model import message_text
from bot.ports import CommandContext
from storage.store import Store
from tests.support.core import SEED, SEED_MATCH

FAN = CommandContext(platform="telegram", chat_id="1", user_id="u1")


async def test_score_is_answered_while_the_database_thread_is_busy_writing(
    tmp_path: Path,
) -> None:
    bot = build_bot(tmp_path / "bot.db", recap_delay=None, reminder_lead=None)
    await bot.open()
    try:
        lines = SEED.read_text(encoding="utf-8").splitlines()
        for text in lines[:2]:  # the match and its kick-off
            await bot.ingest(parse_object(json.loads(text)))  # type: ignore[arg-type]
        await bot.command(FAN, "subscribe", "inter")
        before = message_text(await bot.command(FAN, "score", ""))

        release = threading.Event()
        writing = threading.Event()

        def long_write(store: Store) -> None:
            # a fan-out being written: a transaction open (and uncommitted) on the writer
            with store.atomic():
                store.update_match_state(
                    SEED_MATCH,
                    period="second_half",
                    finished_at=None,
                )
                writing.set()
                release.wait(30)

        writer = asyncio.ensure_future(bot.db.call(long_write))
        await asyncio.get_running_loop().run_in_executor(None, writing.wait, 10)
        try:
            answer = await asyncio.wait_for(bot.command(FAN, "score", ""), 20)
            scorers = await asyncio.wait_for(bot.command(FAN, "scorers", ""), 20)
            assert not writer.done()  # answered while the write was still under way
        finally:
            release.set()
            await writer
        # the answer is the last committed state, not the write under way
        assert message_text(answer) == before
        assert message_text(scorers) == message_text(
            await bot.db.call(lambda s: bot.commands.run(FAN, "scorers", ""))
        )
        # a command that writes still goes through the writer
        assert "follows" in message_text(await bot.command(FAN, "subscribe", "atalanta"))
    finally:
        await bot.db.close()


async def test_a_new_chat_is_recorded_by_its_first_command(tmp_path: Path) -> None:
    """The read path hands over to the writer when the chat must be written down."""
    bot = build_bot(tmp_path / "bot.db", recap_delay=None, reminder_lead=None)
    await bot.open()
    try:
        newcomer = CommandContext(platform="telegram", chat_id="77", user_id="u", chat_title="X")
        await bot.command(newcomer, "score", "")
        chat = await bot.db.call(lambda s: s.chat("telegram", "77"))
        assert chat is not None and chat["title"] == "X"
        renamed = CommandContext(platform="telegram", chat_id="77", user_id="u", chat_title="Y")
        await bot.command(renamed, "help", "")
        chat = await bot.db.call(lambda s: s.chat("telegram", "77"))
        assert chat is not None and chat["title"] == "Y"
    finally:
        await bot.db.close()
