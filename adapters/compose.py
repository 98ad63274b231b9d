"""The composition root of ``matchbot run``: the store, engine, scheduler and delivery
(:class:`bot.app.MatchBot`), the chat platforms, the data providers and the feeds, built from
the settings and run until told to stop. The command line itself is :mod:`adapters.cli`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from adapters.console import ConsoleAdapter
from adapters.console.adapter import RULE
from adapters.console.replay import paced, seed_lines
from adapters.leadership import Leadership, LeadershipLost, SoleProcess, leadership_for
from adapters.ops.systemd import Watchdog
from bot import faults, metrics
from bot.admin import AdminChat, admin_target
from bot.app import MatchBot
from bot.clock import Clock
from bot.feed_format import FeedError, Parsed, read_lines
from bot.health import Health
from bot.messages import i18n, templates
from bot.ports import ChatAdapter, Fatal, StartupError
from bot.settings import Settings
from storage import lock as database_lock
from storage import urls
from storage.schema import SchemaTooNew
from storage.thread import StoreThread

if TYPE_CHECKING:
    from adapters.ops.prometheus import PrometheusMetrics
    from adapters.ops.server import OpsServer
    from adapters.providers import FootballData, ProviderSource
    from adapters.providers.stats import FootballDataStats

log = logging.getLogger("matchbot")

#: seconds before a process that lost the database starts again (doubling, up to the max)
RESTART_PAUSE = 1.0
MAX_RESTART_PAUSE = 30.0


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


async def run_bot(
    settings: Settings,
    stop: asyncio.Event | None = None,
    *,
    delivery_clock: Clock | None = None,
    feed_interval: float = 1.0,
) -> None:
    """``matchbot run``: start every configured adapter and run until ``stop`` is set
    (SIGINT / SIGTERM set it; tests pass their own, and may pace delivery by a
    ``delivery_clock`` of their own and look at the feed files more often than every
    ``feed_interval`` seconds). Only one process runs on a SQLite file: a second one refuses
    to start (:class:`StartupError`) while the first holds its lock. On PostgreSQL
    (``MATCHBOT_DATABASE_URL``) several processes share the database. A database that cannot
    be reached, or whose schema is newer than this code's, is a :class:`StartupError` too."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):  # from the start: a stop while starting is clean
        loop.add_signal_handler(sig, stop.set)
    try:
        if urls.is_url(settings.store):
            await _serve_shared(settings, stop, delivery_clock, feed_interval)
            return
        with database_lock.exclusive(settings.db):
            await _serve(settings, stop, delivery_clock, feed_interval, SoleProcess())
    except (database_lock.LockError, urls.DatabaseUnreachable, SchemaTooNew) as exc:
        raise StartupError(str(exc)) from None


async def _serve_shared(
    settings: Settings, stop: asyncio.Event, delivery_clock: Clock | None, feed_interval: float
) -> None:
    """:func:`_serve` on a database shared with other processes: when this process loses
    the leader lock (its session with the database ended), everything stops and starts
    again, standing by; the database unreachable then is waited for (with backoff), not an
    exit."""
    pause = RESTART_PAUSE
    first = True
    while not stop.is_set():
        try:
            await _serve(
                settings, stop, delivery_clock, feed_interval, leadership_for(settings.store)
            )
            return
        except urls.DatabaseUnreachable as exc:
            if first:
                raise
            log.warning("%s; trying again in %.0f s", exc, pause)
        except LeadershipLost as exc:
            log.warning("%s; starting again, standing by", exc)
            pause = RESTART_PAUSE
        first = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), pause)
        pause = min(pause * 2, MAX_RESTART_PAUSE)


def _admin_chat(
    settings: Settings, adapters: list[ChatAdapter], console: bool
) -> tuple[str, str] | None:
    """``MATCHBOT_ADMIN_CHAT`` as (platform, chat id), checked before anything starts."""
    if not settings.admin_chat or console:
        return None
    try:
        return admin_target(settings.admin_chat, [a.platform for a in adapters])
    except ValueError as exc:
        raise StartupError(str(exc)) from None


def _watchdog(server: OpsServer | None, health: Health) -> Watchdog:
    """systemd's ``READY=1`` now, and its watchdog pinged while the bot is healthy (the
    health endpoint's verdict, with the store's backlog when it is served)."""

    async def healthy() -> bool:
        verdict = await server.verdict() if server is not None else health.verdict()
        return verdict.healthy

    watchdog = Watchdog(healthy)
    watchdog.start()
    return watchdog


async def _until_stopped(
    bot: MatchBot, stop: asyncio.Event, lost: asyncio.Task[None], admin: AdminChat | None
) -> None:
    """Run until told to stop (SIGTERM), a fault stops the bot (:class:`Fatal`, told to the
    admin chat too) or the leadership is lost; the admin chat hears of a stop."""
    stopping = asyncio.create_task(stop.wait(), name="stop")
    fatal = asyncio.create_task(bot.fatal_event.wait(), name="fatal")
    try:
        await asyncio.wait({lost, stopping, fatal}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        fatal.cancel()
    if bot.fatal_reason is not None:
        if admin is not None:  # reaches the admin on the other platform, or after a restart
            key = await admin.tell("fault", bot.fatal_reason, f"fatal:{time.time():.0f}")
            if key is not None:
                await bot.sent(key, 3.0)
        raise Fatal(bot.fatal_reason)
    if lost.done() and not stop.is_set():
        raise LeadershipLost("this process no longer holds the database's leader lock")
    log.info("stopping")
    if admin is not None:
        await admin.stopping(bot.sent)


def _providers(
    settings: Settings,
) -> tuple[list[ProviderSource], FootballDataStats | None, FootballData | None]:
    """The data providers configured (:func:`adapters.providers.sources_from_settings`), the
    football-data.org tables and the client to close; their HTTP clients are imported only
    where a provider key is set."""
    if settings.api_football_key is None and settings.football_data_token is None:
        return [], None, None
    sources = sources_from_settings(settings)
    stats, stats_client = stats_from_settings(settings, sources)
    return sources, stats, stats_client


def sources_from_settings(settings: Settings) -> list[ProviderSource]:
    """:func:`adapters.providers.sources_from_settings`, imported when first called."""
    from adapters import providers

    return providers.sources_from_settings(settings)


def stats_from_settings(
    settings: Settings, sources: list[ProviderSource]
) -> tuple[FootballDataStats | None, FootballData | None]:
    """:func:`adapters.providers.stats_from_settings`, imported when first called."""
    from adapters import providers

    return providers.stats_from_settings(settings, sources)


def needs_leader(adapter: ChatAdapter) -> bool:
    """Whether the platform may run in one process only: Telegram taking its updates by long
    polling (a second poller on the token gets 409 Conflict), and the console. (Telegram's
    adapter, and python-telegram-bot with it, is imported only where a Telegram token is set.)"""
    if isinstance(adapter, ConsoleAdapter):
        return True
    if adapter.platform != "telegram":
        return False
    from adapters.telegram import TelegramAdapter

    return isinstance(adapter, TelegramAdapter) and not adapter.webhook_url


async def _serve(
    settings: Settings,
    stop: asyncio.Event,
    delivery_clock: Clock | None,
    feed_interval: float,
    leadership: Leadership,
) -> None:
    health = Health(settings.health_stall_seconds)
    prometheus = None
    if settings.metrics_port is not None:
        from adapters.ops.prometheus import PrometheusMetrics

        prometheus = PrometheusMetrics(health.started_at)
    metrics.install(prometheus)
    faults.install()
    try:
        await _serve_with(
            settings, stop, delivery_clock, feed_interval, health, prometheus, leadership
        )
    finally:
        metrics.install(None)


async def _start_ops_server(
    settings: Settings,
    bot: MatchBot,
    prometheus: PrometheusMetrics | None,
    database: StoreThread,
) -> OpsServer | None:
    """The metrics and health endpoint, when a port is set (a port taken stops the start)."""
    if prometheus is None or settings.metrics_port is None:
        return None
    from adapters.ops.server import OpsServer

    server = OpsServer(
        bot, prometheus, settings.metrics_host, settings.metrics_port, database=database
    )
    try:
        await server.start()
    except OSError as exc:
        raise StartupError(str(exc)) from None
    return server


async def _replay_seed(bot: MatchBot, adapters: list[ChatAdapter]) -> asyncio.Task[None]:
    """``matchbot run`` on the console with no feed: the seed match, live, 20 s from now."""
    lead = 20.0
    kickoff = datetime.now(UTC) + timedelta(seconds=lead)
    chat = next(a for a in adapters if isinstance(a, ConsoleAdapter)).context()
    with i18n.use(await bot.language(chat)):
        intro = templates.console_run_intro("Atalanta", "Inter", round(lead))
    print(*intro, RULE, sep="\n")
    return asyncio.create_task(_replay_live(bot, live_seed_lines(kickoff), lead))


async def _serve_with(
    settings: Settings,
    stop: asyncio.Event,
    delivery_clock: Clock | None,
    feed_interval: float,
    health: Health,
    prometheus: PrometheusMetrics | None,
    leadership: Leadership,
) -> None:
    adapters = build_adapters(settings, stop)
    console = all(isinstance(a, ConsoleAdapter) for a in adapters)
    seed_mode = console and not settings.feed_paths
    recap_delay = min(settings.recap_delay, 5.0) if seed_mode else settings.recap_delay
    sources, stats, stats_client = _providers(settings)
    database = StoreThread(settings.store)
    bot = MatchBot(
        database,
        adapters,
        recap_delay=recap_delay,
        reminder_lead=settings.reminder_lead,
        sources=sources,
        stats=stats,
        reporters=settings.reporter_ids,
        lead_reporters=settings.lead_reporter_ids,
        delivery_clock=delivery_clock,
        health=health,
        outbox_lease=settings.outbox_lease_seconds,
        leader_look=settings.leader_look_seconds,
    )
    tasks: list[asyncio.Task[None]] = []
    server = None
    admin_chat = _admin_chat(settings, adapters, console)
    admin = None
    watchdog = None
    try:
        server = await _start_ops_server(settings, bot, prometheus, database)
        await bot.start(lead=False, adapters=[a for a in adapters if not needs_leader(a)])
        if not await leadership.acquire(stop):
            return
        await bot.lead([a for a in adapters if needs_leader(a)])
        log.info(
            "matchbot running on %s (store: %s)",
            ", ".join(a.platform for a in adapters),
            urls.redact(str(settings.store)),
        )
        if admin_chat is not None:
            admin = bot.tell_admin_to(*admin_chat)
            await admin.started(", ".join(a.platform for a in adapters))
        if settings.feed_paths:
            bot.follow_feeds(settings.feed_paths, feed_interval)
            log.info("following feeds: %s", ", ".join(map(str, settings.feed_paths)))
        if seed_mode:
            tasks.append(await _replay_seed(bot, adapters))
        lost = asyncio.create_task(leadership.watch(), name="leadership")
        tasks.append(lost)
        watchdog = _watchdog(server, health)
        await _until_stopped(bot, stop, lost, admin)
    finally:
        if server is not None:
            server.stopping = True
        for task in tasks:
            task.cancel()
        leadership.close()
        if watchdog is not None:
            await watchdog.stop()
        await bot.stop()
        if server is not None:
            await server.stop()
        for source in sources:
            await source.aclose()
        if stats_client is not None:
            await stats_client.aclose()
