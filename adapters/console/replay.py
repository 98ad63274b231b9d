"""Feeds replayed through the real core onto the console: ``matchbot demo``, ``replay`` and
``recap`` (engine, outbox and delivery as in a running bot, one console chat following every
team of the feed)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import TextIO

from adapters.assemble import build_bot
from adapters.console import ConsoleAdapter
from adapters.console.adapter import CHAT_ID, RULE
from adapters.console.render import Format, console_text
from bot.app import MatchBot
from bot.delivery import Delivery
from bot.depth import DepthFanOut
from bot.feed_files import FirstLines
from bot.feed_format import EventBase, MatchDecl, Parsed, Rejected, read_lines
from bot.messages import i18n
from bot.messages.model import MatchCard, Message
from bot.safe_text import neutralise
from bot.store_contract import CoreStore

SEED_FEED = "atalanta-inter.jsonl"
SECONDS_PER_MATCH_MINUTE = 0.4
MIN_GAP = 0.6


def seed_lines() -> list[str]:
    """The bundled Atalanta 0-1 Inter match, as feed lines."""
    text = resources.files("bot.data").joinpath(SEED_FEED).read_text("utf-8")
    return text.splitlines()


def _say(text: str, stream: TextIO) -> None:
    """One line about the feed on ``stream``, on one line whatever the feed held."""
    print(neutralise(text), file=stream, flush=True)


def _repeat_note(item: Parsed, seen: FirstLines) -> str:
    first = seen.first(item.item)
    what = f"repeats line {first}" if first is not None else "repeats an earlier line"
    return f"line {item.line}: {what} (ignored)"


async def paced(
    items: Iterable[Parsed | Rejected], speed: float
) -> AsyncIterator[Parsed | Rejected]:
    """Yield feed lines at a watchable pace, following the match clock."""
    last_minute: float | None = None
    for item in items:
        if speed > 0 and isinstance(item, Parsed):
            if isinstance(item.item, EventBase):
                minute = item.item.minute + (item.item.stoppage or 0) / 10
                gap = (
                    MIN_GAP
                    if last_minute is None
                    else max(MIN_GAP, (minute - last_minute) * SECONDS_PER_MATCH_MINUTE)
                )
                last_minute = minute
            else:
                gap = MIN_GAP * 2
            await asyncio.sleep(gap / speed)
        yield item


async def replay_feed(
    lines: Sequence[str | bytes],
    *,
    fmt: Format = "text",
    speed: float = 0.0,
    level: str = "all",
    out: TextIO | None = None,
    err: TextIO | None = None,
    lang: str = "en",
) -> int:
    """Replay a feed through the real engine, outbox and delivery into one console chat that
    follows every team in it. Returns how many lines were rejected."""
    out = out or sys.stdout
    err = err or sys.stderr
    adapter = ConsoleAdapter(out, fmt=fmt)
    bot = build_bot(":memory:", [adapter], recap_delay=None, reminder_lead=None)
    await bot.open()
    delivery = Delivery(bot.db, adapter)
    rejected = 0
    finished: list[str] = []
    seen = FirstLines()
    async for item in paced(read_lines(lines), speed):
        outcome = await bot.ingest_parsed(item, seen) if isinstance(item, Parsed) else item
        if isinstance(outcome, Rejected):
            _say(str(outcome), err)
            rejected += 1
            continue
        assert isinstance(item, Parsed)
        if outcome.status == "duplicate":
            _say(_repeat_note(item, seen), err)
            continue
        if isinstance(item.item, MatchDecl) and outcome.status == "new":
            await _follow_match(bot, adapter.platform, item.item.match, level, lang)
        if outcome.finished:
            finished.append(outcome.match_id)
        await delivery.drain()
    for match_id in finished:
        await bot.jobs.queue_recap(match_id)
    await delivery.drain()
    await bot.db.close()
    return rejected


async def _follow_match(
    bot: MatchBot, platform: str, match_id: str, level: str, lang: str = "en"
) -> None:
    def follow(store: CoreStore) -> None:
        match = store.match(match_id)
        assert match is not None
        store.ensure_chat(platform, CHAT_ID, "console", "private")
        store.set_chat_settings(platform, CHAT_ID, {"level": level, "language": lang})
        store.subscribe(platform, CHAT_ID, match["home_team"])
        store.subscribe(platform, CHAT_ID, match["away_team"])

    await bot.db.call(follow)


async def recaps_of_feed(
    lines: Sequence[str | bytes],
    match_id: str | None,
    fmt: Format,
    out: TextIO,
    err: TextIO,
    lang: str = "en",
    card: Path | None = None,
) -> tuple[int, bool]:
    """Ingest a feed and print the recap of each finished match; ``card``: write the first
    one's match card picture (PNG) there. Returns (rejected, found)."""
    bot = build_bot(":memory:", recap_delay=None, reminder_lead=None)
    await bot.open()
    rejected = 0
    matches: list[str] = []
    seen = FirstLines()
    for item in read_lines(lines):
        outcome = await bot.ingest_parsed(item, seen) if isinstance(item, Parsed) else item
        if isinstance(outcome, Rejected):
            _say(str(outcome), err)
            rejected += 1
        elif outcome.status == "duplicate":
            assert isinstance(item, Parsed)
            _say(_repeat_note(item, seen), err)
        elif outcome.status == "new" and isinstance(item, Parsed):
            matches += [item.item.match] if isinstance(item.item, MatchDecl) else []
    wanted = [match_id] if match_id else matches
    found = False
    for mid in wanted:
        state = await bot.db.run(bot.engine.state, mid)
        if state is None:
            known = ", ".join(matches) or "none"
            _say(f"no match {mid!r} in this feed (matches: {known})", err)
            continue
        found = True
        if not state.finished:
            _say(f"match {mid!r} has not reached full time: no recap yet", err)
            continue
        message = await bot.db.run(_recap, bot, mid, lang)
        assert message is not None
        print(console_text(message, fmt), file=out)
        print(RULE, file=out)
        if card is not None:
            from adapters.card.render import render_card  # Pillow, only when a card is asked for

            picture = await bot.db.run(_card, bot, mid, lang)
            await asyncio.to_thread(card.write_bytes, render_card(picture))
            _say(f"match card of {mid} written to {card}", err)
            card = None
    await bot.db.close()
    return rejected, found


def _card(bot: MatchBot, match_id: str, lang: str) -> MatchCard:
    state = bot.engine.state(match_id)
    assert state is not None
    with i18n.use(lang):
        return DepthFanOut(bot.engine, state.fixture).card(
            state, bot.engine.stored_data(match_id), None
        )


def _recap(bot: MatchBot, match_id: str, lang: str) -> Message | None:
    with i18n.use(lang):
        return bot.engine.recap_message(match_id)
