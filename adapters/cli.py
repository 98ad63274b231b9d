"""The ``matchbot`` command line: the composition root that wires adapters to the core."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Annotated, TextIO

import typer
from pydantic import ValidationError

from adapters.console import ConsoleAdapter
from adapters.console.adapter import CHAT_ID, RULE, silence_closed_output
from adapters.console.render import FORMATS, Format, console_text
from adapters.providers import sources_from_settings, stats_from_settings
from bot.app import MatchBot
from bot.delivery import Delivery
from bot.feed import EventBase, FeedError, MatchDecl, Parsed, Rejected, read_lines
from bot.feeds import FirstLines, read_feed_file
from bot.logs import setup_logging
from bot.match import MatchState
from bot.messages import i18n, templates
from bot.messages.model import Message
from bot.ports import ChatAdapter, StartupError
from bot.safe_text import neutralise
from bot.settings import Settings
from storage import lock as database_lock
from storage.store import Store

log = logging.getLogger("matchbot")

app = typer.Typer(
    help="Live football match alerts and full-time recaps for Telegram, Discord and the console.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)

SEED_FEED = "atalanta-inter.jsonl"


@contextlib.contextmanager
def _quiet_when_output_closes() -> Iterator[None]:
    """``matchbot demo | head -1``: a reader that goes away ends the command quietly, exit 0."""
    try:
        yield
    except BrokenPipeError:
        silence_closed_output(sys.stdout)
        raise typer.Exit(0) from None


SECONDS_PER_MATCH_MINUTE = 0.4
MIN_GAP = 0.6

SpeedOption = Annotated[
    float,
    typer.Option(
        "--speed",
        min=0.0,
        help="Replay pace: 1 plays a match in under a minute, 2 twice as fast, 0 instantly.",
    ),
]
LangOption = Annotated[
    str,
    typer.Option("--lang", help="Language of alerts and recaps: en (English) or it (Italiano)."),
]
FormatOption = Annotated[
    str,
    typer.Option("--format", help="Output format: text, telegram (HTML) or discord (markdown)."),
]


def seed_lines() -> list[str]:
    """The bundled Atalanta 0-1 Inter match, as feed lines."""
    text = resources.files("bot.data").joinpath(SEED_FEED).read_text("utf-8")
    return text.splitlines()


def _check_format(fmt: str) -> Format:
    if fmt not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    return fmt


def _read_feed(path: Path) -> list[bytes]:
    """The file's lines, undecoded: each is decoded on its own, so a bad byte costs one line."""
    try:
        return read_feed_file(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise typer.BadParameter(f"cannot read {path}: {reason}", param_hint="FEED") from None


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
    bot = MatchBot(":memory:", [adapter], recap_delay=None, reminder_lead=None)
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
    def follow(store: Store) -> None:
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
) -> tuple[int, bool]:
    """Ingest a feed and print the recap of each finished match. Returns (rejected, found)."""
    bot = MatchBot(":memory:", recap_delay=None, reminder_lead=None)
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
        state = await bot.db.call(partial(_state, bot, mid))
        if state is None:
            known = ", ".join(matches) or "none"
            _say(f"no match {mid!r} in this feed (matches: {known})", err)
            continue
        found = True
        if not state.finished:
            _say(f"match {mid!r} has not reached full time: no recap yet", err)
            continue
        message = await bot.db.call(partial(_recap, bot, mid, lang))
        assert message is not None
        print(console_text(message, fmt), file=out)
        print(RULE, file=out)
    await bot.db.close()
    return rejected, found


def _state(bot: MatchBot, match_id: str, _store: Store) -> MatchState | None:
    return bot.engine.state(match_id)


def _recap(bot: MatchBot, match_id: str, lang: str, _store: Store) -> Message | None:
    with i18n.use(lang):
        return bot.engine.recap_message(match_id)


def _check_lang(lang: str) -> str:
    code = i18n.normalize_language(lang)
    if code is None:
        raise typer.BadParameter("choose en or it", param_hint="--lang")
    return code


@app.command()
def demo(speed: SpeedOption = 1.0, lang: LangOption = "en") -> None:
    """Replay the bundled Atalanta 0-1 Inter match on the console, then its recap."""
    lang = _check_lang(lang)
    setup_logging(Settings().log_level or "ERROR")
    with _quiet_when_output_closes():
        with i18n.use(lang):
            print(*templates.console_demo_intro("Atalanta", "Inter", "Serie A"), sep="\n")
        print(RULE)
        asyncio.run(replay_feed(seed_lines(), speed=speed, lang=lang))


@app.command()
def replay(
    feed: Annotated[Path, typer.Argument(help="A feed file (JSON Lines, feed format v1).")],
    speed: SpeedOption = 1.0,
    fmt: FormatOption = "text",
    level: Annotated[str, typer.Option(help="Which alerts to show: goals, key or all.")] = "all",
    lang: LangOption = "en",
) -> None:
    """Replay a feed file: each alert as it happens, then the full-time recap.

    Rejected lines are reported on stderr as 'line N: reason'; the exit status is 1 if any
    line was rejected (every other line is still processed)."""
    fmt_ok = _check_format(fmt)
    lang = _check_lang(lang)
    if level not in ("goals", "key", "all"):
        raise typer.BadParameter("choose goals, key or all", param_hint="--level")
    setup_logging(Settings().log_level or "ERROR")
    with _quiet_when_output_closes():
        rejected = asyncio.run(
            replay_feed(_read_feed(feed), fmt=fmt_ok, speed=speed, level=level, lang=lang)
        )
    raise typer.Exit(1 if rejected else 0)


@app.command()
def recap(
    feed: Annotated[Path, typer.Argument(help="A feed file (JSON Lines, feed format v1).")],
    match: Annotated[str | None, typer.Option(help="Only this match id.")] = None,
    fmt: FormatOption = "text",
    lang: LangOption = "en",
) -> None:
    """Print only the full-time recap of each finished match in a feed file.

    Same rules as replay: rejected lines on stderr, exit status 1 if any."""
    fmt_ok = _check_format(fmt)
    lang = _check_lang(lang)
    setup_logging(Settings().log_level or "ERROR")
    with _quiet_when_output_closes():
        rejected, found = asyncio.run(
            recaps_of_feed(_read_feed(feed), match, fmt_ok, sys.stdout, sys.stderr, lang)
        )
    if match and not found:
        raise typer.Exit(2)
    raise typer.Exit(1 if rejected else 0)


def build_adapters(settings: Settings, console_exit: asyncio.Event) -> list[ChatAdapter]:
    """The chat platforms configured; the console when no token is set."""
    adapters: list[ChatAdapter] = []
    if settings.telegram_bot_token is not None:
        from adapters.telegram import TelegramAdapter

        adapters.append(TelegramAdapter.from_settings(settings))
    if settings.discord_bot_token is not None:
        from adapters.discord import DiscordAdapter

        adapters.append(DiscordAdapter.from_settings(settings))
    if not adapters:
        adapters.append(ConsoleAdapter(interactive=True, on_exit=console_exit.set))
    return adapters


def live_seed_lines(start: datetime) -> list[str]:
    """The seed match as a new fixture kicking off at ``start`` (fresh ids each run)."""
    suffix = start.strftime("%Y%m%d%H%M%S")
    lines = []
    for line in seed_lines():
        data = json.loads(line)
        data["match"] = f"{data['match']}-{suffix}"
        if data["type"] == "match":
            data["kickoff"] = start.isoformat()
        lines.append(json.dumps(data, ensure_ascii=False))
    return lines


async def _replay_live(bot: MatchBot, lines: list[str], delay: float) -> None:
    """The fixture at once (so /score and /next know it), its match ``delay`` seconds later."""
    fixture, match = lines[:1], lines[1:]
    for item in read_lines(fixture):
        if isinstance(item, Parsed):
            await bot.ingest(item.item)
    await asyncio.sleep(delay)
    async for item in paced(read_lines(match, first_line=2), speed=1.0):
        if isinstance(item, Parsed):
            try:
                await bot.ingest(item.item)
            except FeedError as exc:
                log.warning("seed line %d: %s", item.line, exc)


async def run_bot(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """``matchbot run``: start every configured adapter and run until ``stop`` is set
    (SIGINT / SIGTERM set it; tests pass their own). Only one process runs on a database: a
    second one refuses to start (:class:`StartupError`) while the first holds its lock."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):  # from the start: a stop while starting is clean
        loop.add_signal_handler(sig, stop.set)
    try:
        with database_lock.exclusive(settings.db):
            await _serve(settings, stop)
    except database_lock.LockError as exc:
        raise StartupError(str(exc)) from None


async def _serve(settings: Settings, stop: asyncio.Event) -> None:
    adapters = build_adapters(settings, stop)
    console = all(isinstance(a, ConsoleAdapter) for a in adapters)
    seed_mode = console and not settings.feed_paths
    recap_delay = min(settings.recap_delay, 5.0) if seed_mode else settings.recap_delay
    sources = sources_from_settings(settings)
    stats, stats_client = stats_from_settings(settings, sources)
    bot = MatchBot(
        settings.db,
        adapters,
        recap_delay=recap_delay,
        reminder_lead=settings.reminder_lead,
        sources=sources,
        stats=stats,
        reporters=settings.reporter_ids,
        lead_reporters=settings.lead_reporter_ids,
    )
    tasks: list[asyncio.Task[None]] = []
    try:
        await bot.start()
        log.info(
            "matchbot running on %s (store: %s)",
            ", ".join(a.platform for a in adapters),
            settings.db,
        )
        if settings.feed_paths:
            bot.follow_feeds(settings.feed_paths)
            log.info("following feeds: %s", ", ".join(map(str, settings.feed_paths)))
        if seed_mode:
            lead = 20.0
            kickoff = datetime.now(UTC) + timedelta(seconds=lead)
            chat = next(a for a in adapters if isinstance(a, ConsoleAdapter)).context()
            with i18n.use(await bot.language(chat)):
                intro = templates.console_run_intro("Atalanta", "Inter", round(lead))
            print(*intro, RULE, sep="\n")
            seed_task = asyncio.create_task(_replay_live(bot, live_seed_lines(kickoff), lead))
            tasks.append(seed_task)
        await stop.wait()
        log.info("stopping")
    finally:
        for task in tasks:
            task.cancel()
        await bot.stop()
        for source in sources:
            await source.aclose()
        if stats_client is not None:
            await stats_client.aclose()


@app.command()
def run() -> None:
    """Run the bot until Ctrl+C or SIGTERM.

    Configuration comes from the environment and `./.env` (every variable is in `.env.example`).
    With `TELEGRAM_BOT_TOKEN` and/or `DISCORD_BOT_TOKEN` set it serves those platforms; with
    neither, this terminal becomes a chat fed by the bundled match (or by `MATCHBOT_FEEDS`).
    """
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        print(f"matchbot: the configuration is not valid: {problems}", file=sys.stderr)
        raise typer.Exit(2) from None
    console = settings.telegram_bot_token is None and settings.discord_bot_token is None
    setup_logging(settings.log_level or ("WARNING" if console else "INFO"), settings.secrets())
    try:
        asyncio.run(run_bot(settings))
    except StartupError as exc:
        log.error("cannot start: %s", exc)
        raise typer.Exit(2) from None
    except Exception:
        # Logged, not printed by Python: the log scrubs every configured secret.
        log.critical("matchbot stopped on an unexpected error", exc_info=True)
        raise typer.Exit(1) from None


def main() -> None:  # pragma: no cover - console script
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
