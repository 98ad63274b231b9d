"""The running bot: starts and stops the store, delivery, platforms and timed jobs, ingests
feed objects, routes commands and button presses, and queues their replies.

The commands themselves are :mod:`bot.commands` (from the store), :mod:`bot.report_command`
and :mod:`bot.stats_commands`, listed in :mod:`bot.command_catalogue`; the timed jobs are
:mod:`bot.scheduler`'s. Platform adapters only ever see this object through
:class:`bot.ports.CoreAPI`; it is built from the settings in :mod:`adapters.compose`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any

from bot import faults, metrics
from bot.admin import AdminChat
from bot.clock import Clock, SystemClock
from bot.command_catalogue import CATALOGUE
from bot.command_service import Answer, AnswersByName, check_handlers
from bot.command_types import Catalogue, ChatCommand, Service
from bot.commands import Commands, parse_press, press_refusal
from bot.competitions import seed_known_competitions
from bot.delivery import IDLE_CHECK, LEASE, SHARED_IDLE_CHECK, Delivery
from bot.engine import Engine, Ingested
from bot.fairness import CommandLimits, RecentPresses, coalesce, slow_down_key
from bot.feed_files import FeedFollower, FirstLines, keep_running
from bot.feed_format import (
    EventBase,
    FeedConflict,
    FeedError,
    Item,
    MatchDecl,
    Parsed,
    Rejected,
)
from bot.health import FirstSends, Health
from bot.match import KeptStates
from bot.messages import i18n
from bot.messages.model import Message
from bot.messages.templates.fairness import pressed_again, slow_down
from bot.ports import ChatAdapter, CommandContext, MatchSource, StatsSource
from bot.questions import Questions, as_asked
from bot.report_command import ReportCommand
from bot.scheduler import LivePolling, Scheduler, TimedJobs
from bot.stats_commands import StatsCommands
from bot.store_contract import CoreStore, DatabaseThread, NewOutboxRow
from bot.subscribe_search import SearchingSubscribe
from bot.teams import find_team, seed_known_teams

log = logging.getLogger(__name__)


class MatchBot:
    """The running bot (implements :class:`bot.ports.CoreAPI`): it starts and stops the
    delivery loops, the timed jobs and the sources, hands each feed object to the update engine
    (:class:`bot.engine.Engine`) and each command to the service that answers it, on the
    database thread, and queues the answers."""

    def __init__(
        self,
        db: DatabaseThread,
        adapters: Iterable[ChatAdapter] = (),
        *,
        recap_delay: float | None = 600.0,
        reminder_lead: float | None = 1800.0,
        sources: Iterable[MatchSource] = (),
        stats: StatsSource | None = None,
        reporters: frozenset[str] = frozenset(),
        lead_reporters: frozenset[str] = frozenset(),
        clock: Callable[[], float] = time.time,
        delivery_clock: Clock | None = None,
        health: Health | None = None,
        outbox_lease: float = LEASE,
        leader_look: float | None = None,
        catalogue: Catalogue = CATALOGUE,
    ) -> None:
        """``db``: the database thread the composition root built (``adapters.assemble.build_bot``
        opens one at a path or URL). ``delivery_clock``: what delivery paces by (tests pass a
        :class:`bot.clock.FastClock`); by default the real clock with ``clock`` as its epoch
        time. ``health``: what the operator's health endpoint asks (see :mod:`bot.health`).
        ``outbox_lease``: seconds a row fetched to be sent stays claimed by this process.
        ``leader_look``: on a shared database, seconds between the leader's looks for the jobs
        other processes made due (None: ``bot.scheduler.jobs.SHARED_LOOK_EVERY``).
        ``catalogue``: the commands (the bot's own but in tests)."""
        if isinstance(db, str | Path):
            raise TypeError(
                "MatchBot takes a database thread: adapters.assemble.build_bot(path, ...) opens one"
            )
        self.db = db
        self.catalogue = catalogue
        self.adapters = list(adapters)
        self.recap_delay = recap_delay
        self.reminder_lead = reminder_lead
        self.clock = clock
        self.delivery_clock = delivery_clock or SystemClock(clock)
        self.stats = stats
        self.reporters = reporters
        self.lead_reporters = lead_reporters
        self.scheduler = Scheduler()
        self.sources = list(sources)
        self.polling = LivePolling(self.db, self.scheduler, self.sources, self.ingest, clock)
        self.deliveries: dict[str, Delivery] = {}
        self.limits = CommandLimits()
        self.presses = RecentPresses(clock)
        self.health = health or Health()
        self.outbox_lease = outbox_lease
        self.leader_look = leader_look
        self.first_sends = FirstSends()
        #: the questions waiting for an answer (:mod:`bot.questions`)
        self.questions = Questions(shared=db.shared)
        #: ``MATCHBOT_ADMIN_CHAT``'s notices (see :meth:`tell_admin_to`)
        self.admin: AdminChat | None = None
        #: why the bot must stop (a rejected token), once one was found; see :meth:`fatal`
        self.fatal_reason: str | None = None
        self.fatal_event = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._feed_lines: dict[Path, FirstLines] = {}
        self.engine: Engine
        self.commands: Commands
        self.read_commands: Commands | None = None
        self.jobs: TimedJobs
        self.report: ReportCommand
        self.stats_commands: StatsCommands

    # --- life cycle --------------------------------------------------------------------------

    async def open(self) -> None:
        """Open the store (applying migrations) without starting anything."""
        store = await self.db.open()
        #: the one cache of match states, read by the engine and both command paths
        states = KeptStates()
        self.engine = Engine(store, self.clock, states)
        self.commands = Commands(store, self.clock, states, self.catalogue)
        reader = self.db.reader
        self.read_commands = (
            Commands(reader, self.clock, states, self.catalogue) if reader is not None else None
        )
        self.report = ReportCommand(
            self.db,
            self.engine,
            self.commands,
            self.ingest,
            self.wake,
            self.clock,
            reporters=self.reporters,
            lead_reporters=self.lead_reporters,
        )
        self.stats_commands = StatsCommands(self.db, self.commands, self.stats, self._answer)
        answering: dict[Service, AnswersByName] = {
            "report": self.report,
            "stats": self.stats_commands,
            "search": SearchingSubscribe(self.db, self.commands, self.sources, self.clock),
        }
        check_handlers(self.catalogue, answering)  # the store's own: Commands checks them
        #: who answers each command of the catalogue (its ``answered_by``)
        self.services: dict[Service, Answer] = {
            "commands": self._store_answers,
            **{service: found.answer for service, found in answering.items()},
        }
        self.jobs = TimedJobs(
            self.scheduler,
            self.db,
            self.engine,
            self.commands,
            self.polling,
            self.clock,
            self.wake,
            recap_delay=self.recap_delay,
            reminder_lead=self.reminder_lead,
            stats=self.stats,
            shared=self.db.shared,
            look_every=self.leader_look,
        )
        await self.db.call(seed_known_teams)
        await self.db.call(seed_known_competitions)
        now = self.clock()
        await self.db.call(lambda s: self.questions.load(s, now))

    async def start(
        self, *, lead: bool = True, adapters: Iterable[ChatAdapter] | None = None
    ) -> None:
        """Open the store and start the platforms (``adapters``: those of :attr:`adapters` to
        start now, all by default). With ``lead`` it also starts what only one process may
        run (:meth:`lead`); a process that shares the database with others starts without it,
        and leads once it holds the database's leader lock."""
        await self.open()
        for adapter in self.adapters:
            delivery = Delivery(
                self.db,
                adapter,
                self.delivery_clock,
                health=self.health,
                first_sends=self.first_sends,
                idle_check=SHARED_IDLE_CHECK if self.db.shared else IDLE_CHECK,
                recall_sends=self.db.shared,
                on_fatal=self.fatal,
                lease=self.outbox_lease,
            )
            self.deliveries[adapter.platform] = delivery
        # The platforms first: when one cannot start, no timed job has begun yet.
        for adapter in self.adapters if adapters is None else adapters:
            await adapter.start(self)
        self.health.sending = False
        if lead:
            await self.lead()
        else:  # standing by: its platforms answer (a webhook, Discord shards), another sends
            self.health.ready = True

    async def lead(self, adapters: Iterable[ChatAdapter] = ()) -> None:
        """Start what runs in one process only: the platforms that must (``adapters``: a
        Telegram bot taking updates by long polling), the timed jobs and the providers'
        polling, and the delivery of the outbox (one sender per token keeps the platforms'
        limits for every process together)."""
        for adapter in adapters:
            await adapter.start(self)
        self.health.sending = True
        await self.jobs.start()
        for delivery in self.deliveries.values():
            self._spawn(delivery.run(), f"delivery-{delivery.platform}")
        counts = await self.db.call(lambda s: s.outbox_counts())
        if counts.get("pending"):
            log.info("resuming: %d messages still to send", counts["pending"])
        self.health.ready = True

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._tasks.append(task)

    def follow_feeds(self, paths: list[Path], interval: float = 1.0) -> FeedFollower:
        """Follow feed files for as long as the bot runs: a bad line is logged as
        ``feed FILE line N: reason`` and skipped; should the follower itself ever fail, that
        is logged and it starts again."""
        follower = FeedFollower(paths, self._on_feed_line, interval)
        self._spawn(keep_running(follower.run, "following feeds"), "feeds")
        return follower

    async def _on_feed_line(self, path: Path, item: Parsed | Rejected) -> None:
        if isinstance(item, Parsed):
            seen = self._feed_lines.setdefault(path, FirstLines())
            outcome = await self.ingest_parsed(item, seen)
            if isinstance(outcome, Ingested):
                return
            item = outcome
        log.warning("feed %s %s", path, item)

    async def ingest_parsed(self, parsed: Parsed, seen: FirstLines) -> Ingested | Rejected:
        """Ingest one parsed feed line; whatever goes wrong rejects that line (with its
        number and the reason), never more. ``seen`` records where each object was first
        read, so a conflicting line can say which line it conflicts with."""
        try:
            result = await self.ingest(seen.in_declared_language(parsed.item))
        except FeedConflict as exc:
            first = seen.first(parsed.item)
            if first is None:  # the first one came from elsewhere, or before a restart
                return Rejected(parsed.line, str(exc))
            return Rejected(parsed.line, f"{exc.what} conflicts with line {first} ({exc.detail})")
        except FeedError as exc:
            return Rejected(parsed.line, str(exc))
        except Exception as exc:  # a bug of ours, met by this line: lose the line, not the feed
            log.debug("line %d could not be processed", parsed.line, exc_info=True)
            return Rejected(parsed.line, f"could not be processed ({type(exc).__name__})")
        seen.note(parsed)
        return result

    async def stop(self) -> None:
        """Stop timers, let sends under way finish, then disconnect the platforms."""
        self.scheduler.stop()
        for delivery in self.deliveries.values():
            await delivery.stop()
        for adapter in self.adapters:
            try:
                await adapter.stop()
            except Exception:
                log.exception("stopping %s", adapter.platform)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.db.close()

    def tell_admin_to(self, platform: str, chat_id: str) -> AdminChat:
        """Send start, stop and the operator's faults to this chat (``MATCHBOT_ADMIN_CHAT``)."""
        self.admin = AdminChat(self.db, platform, chat_id, self.wake, self.clock)
        faults.current().listeners.append(self.admin.on_fault)
        return self.admin

    async def sent(self, key: str, within: float = 5.0) -> bool:
        """Wait up to ``within`` seconds for the outbox row ``key`` to be sent."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            rows = await self.db.call(lambda s: s.outbox_rows_for(key))
            if rows and rows[0]["status"] != "pending":
                return rows[0]["status"] == "sent"
            await asyncio.sleep(0.05)
        return False

    def fatal(self, reason: str) -> None:
        """A fault that stops the bot (:class:`bot.ports.FatalSink`): the first reason is kept
        and :attr:`fatal_event` set; ``matchbot run`` then stops and exits non-zero."""
        if self.fatal_reason is None:
            self.fatal_reason = reason
            self.fatal_event.set()

    def wake(self) -> None:
        for delivery in self.deliveries.values():
            delivery.wake()

    # --- match data --------------------------------------------------------------------------

    async def ingest(
        self,
        item: Item,
        then: Callable[[CoreStore, Ingested], None] | None = None,
    ) -> Ingested:
        """Ingest one feed object; raises :class:`FeedError` when it is rejected. ``then``
        runs in the same transaction (a report's author is stored with the report)."""

        def work(store: CoreStore) -> Ingested:
            with store.atomic():
                result = self.engine.ingest(item)
                if then is not None:
                    then(store, result)
                return result

        result = await self.db.call(work)
        if result.status == "new" and not isinstance(item, MatchDecl):
            if result.queued and isinstance(item, EventBase):
                self.first_sends.queued(f"event:{item.match}:{item.id}", self.deliveries)
            log.info(
                "%s: %s %s (%d messages queued)",
                item.match,
                item.type,
                getattr(item, "id", "-"),
                result.queued,
                extra={"match_id": item.match, "event_id": getattr(item, "id", None)},
            )
        elif result.status != "duplicate" and isinstance(item, MatchDecl):
            log.info("%s: %s v %s, kick-off %s", item.match, item.home, item.away, item.kickoff)
        if result.queued:
            self.wake()
        await self.jobs.follow_up(result)
        return result

    async def ingest_lines(self, items: Iterable[Parsed | Rejected]) -> list[Rejected]:
        """Ingest a feed's lines; returns the rejected ones (exact repeats are not)."""
        rejected = []
        seen = FirstLines()
        for item in items:
            outcome = await self.ingest_parsed(item, seen) if isinstance(item, Parsed) else item
            if isinstance(outcome, Rejected):
                rejected.append(outcome)
        return rejected

    # --- CoreAPI -----------------------------------------------------------------------------

    async def command(
        self, ctx: CommandContext, name: str, args: str, reply_key: str | None = None
    ) -> Message:
        command = self.catalogue.find(name)
        # a reporter covering a match types fast, and needs every acknowledgement (its id)
        reporting = (
            command is not None and command.who == "reporters" and self.report.is_reporter(ctx)
        )
        # only answers sent as messages cost the chat's budget (Discord answers the
        # interaction itself, outside the channel's)
        limited = reply_key is not None and not reporting
        if limited and not self.limits.allow(ctx):
            return await self._over_limit(ctx, reply_key)
        if command is None:  # "I don't know /name", with the near command
            message = await self._answer(ctx, name, args)
        else:
            message = await self.services[command.answered_by](ctx, command, args)
        if command is not None and command.changes == "settings" and args:
            await self.jobs.reschedule_digest(ctx.platform, ctx.chat_id)
        if reply_key is not None:
            await self._queue_reply(ctx, message, reply_key, burst=not reporting)
        if command is not None and command.changes == "follows":
            await self.polling.discover_new()
        return message

    async def answer(
        self, ctx: CommandContext, text: str, reply_key: str, replying_to: str | None = None
    ) -> Message | None:
        """Plain words as the answer to the question the bot asked (:mod:`bot.questions`):
        run as that command with the words as its argument; None when they answer nothing."""
        words = text.strip()
        command = await self.asked(ctx, replying_to)
        if command is None or not words:
            return None
        return await self.command(ctx, command, words, reply_key)

    async def asked(self, ctx: CommandContext, replying_to: str | None = None) -> str | None:
        """The command a question waits to have answered by ``ctx``'s user with plain words
        (replying to ``replying_to``), or None: then :meth:`answer` would answer nothing. When
        this process is the database's only user and the user has no question, the database
        is not asked."""
        now = self.clock()
        if not self.questions.may_be_waiting(ctx, now):
            return None
        return await self.db.call(lambda s: self.questions.asked_command(s, ctx, replying_to, now))

    async def _answer(self, ctx: CommandContext, name: str, args: str) -> Message:
        """A command's answer from the store: one that only reads comes from the read
        connection, so it never waits behind a fan-out being written or the delivery's
        bookkeeping."""
        reader = self.read_commands
        if reader is not None:
            answer = await self.db.run_read(reader.answer_read_only, ctx, name, args)
            if answer is not None:
                return answer
        return await self.db.run(self.commands.run, ctx, name, args)

    async def _store_answers(self, ctx: CommandContext, command: ChatCommand, args: str) -> Message:
        return await self._answer(ctx, command.name, args)

    async def press(
        self,
        ctx: CommandContext,
        action: str,
        reply_key: str | None = None,
        pressed_message_id: str | None = None,
    ) -> Message:
        platform, chat_id = ctx.platform, ctx.chat_id
        if not self.presses.first(platform, chat_id, pressed_message_id, action):
            # the same button again (twenty impatient presses): acted on once already
            log.info("%s chat %s: button %r pressed again", platform, chat_id, action)
            language = await self.db.run(self.commands.language, ctx)
            with i18n.use(language):
                return pressed_again()
        message = await self.db.run(self.commands.press, ctx, action)
        press = parse_press(action, self.catalogue)
        command = self.catalogue.find(press.command) if press is not None else None
        if command is not None and command.changes == "follows":
            await self.polling.discover_new()
        if command is not None and command.changes == "settings":
            await self.jobs.reschedule_digest(ctx.platform, ctx.chat_id)
        if reply_key is not None:
            replaces = None
            # A choice made replaces the message that offered it (no stale buttons); a refusal
            # (a member pressing an admin's button) is a message of its own.
            if pressed_message_id is not None and message.kind != "error":
                replaces = await self.db.call(
                    lambda s: s.sent_key(ctx.platform, ctx.chat_id, pressed_message_id)
                )
            await self._queue_reply(ctx, message, reply_key, replaces)
        return message

    async def press_refusal(self, ctx: CommandContext, action: str) -> str | None:
        def check(store: CoreStore) -> str | None:
            press = parse_press(action, self.catalogue)
            if press is not None and not self.commands.still_offered(ctx, press):
                press = None
            with i18n.use(self.commands.language(ctx)):
                return press_refusal(ctx, press)

        return await self.db.call(check)

    async def _over_limit(self, ctx: CommandContext, reply_key: str | None) -> Message:
        """A member over the group's command limit: the command is not run; the chat gets
        the one "slow down" note (unless it is waiting already)."""
        log.info(
            "%s chat %s: user %s over the command limit", ctx.platform, ctx.chat_id, ctx.user_id
        )

        def note(store: CoreStore) -> Message:
            with i18n.use(self.commands.language(ctx)):
                return slow_down()

        message = await self.db.call(note)
        if reply_key is not None:
            await self._queue_reply(ctx, message, reply_key, over_limit=True)
        return message

    async def _queue_reply(
        self,
        ctx: CommandContext,
        message: Message,
        key: str,
        replaces: str | None = None,
        *,
        over_limit: bool = False,
        burst: bool = True,
    ) -> None:
        """Queue an answer; ``replaces`` is the outbox key of a message it should edit.
        Beyond a chat's small burst of waiting answers it is dropped and the chat gets one
        "slow down" note instead (:mod:`bot.fairness`); so is an answer ``over_limit``.
        ``burst`` False: always queued (a reporter's acknowledgements)."""
        platform, chat_id, now = ctx.platform, ctx.chat_id, self.clock()
        message = as_asked(message, ctx)

        def row(key: str, message: Message, replaces: str | None) -> NewOutboxRow:
            return NewOutboxRow(
                key=key,
                platform=platform,
                chat_id=chat_id,
                kind="reply",
                payload=message.to_json(),
                edit_key=replaces,
                next_attempt_at=0.0,
            )

        def queue(store: CoreStore) -> None:
            with store.atomic():
                waiting = store.pending_reply_keys(platform, chat_id) if burst else []
                decision = coalesce(waiting, over_limit)
                if decision == "queue":
                    store.enqueue([row(key, message, replaces)], now=now)
                elif decision == "note" and self.limits.may_note(platform, chat_id):
                    with i18n.use(self.commands.language(ctx)):
                        note = slow_down()
                    store.enqueue([row(slow_down_key(key), note, None)], now=now)
                queued = message if decision == "queue" else None
                self.questions.remember(store, ctx, queued, key, now)

        await self.db.call(queue)
        delivery = self.deliveries.get(ctx.platform)
        if delivery is not None:
            delivery.wake()

    async def language(self, ctx: CommandContext) -> str:
        return await self.db.run(self.commands.language, ctx)

    async def chat_gone(self, platform: str, chat_id: str) -> None:
        removed = await self.db.call(lambda s: s.forget_chat(platform, chat_id))
        metrics.current().chat_deactivated(platform, "removed")
        log.info("%s chat %s is gone: %d subscriptions removed", platform, chat_id, removed)

    async def chat_moved(self, platform: str, old_id: str, new_id: str) -> None:
        """A group became a supergroup (Telegram's ``migrate_to_chat_id``): its
        subscriptions, settings and pending messages move to the new id at once (twice is
        harmless: the second finds nothing left to move), and its digest follows."""
        if old_id == new_id:
            return
        await self.db.call(lambda s: s.migrate_chat(platform, old_id, new_id))
        log.info("%s chat %s moved to %s", platform, old_id, new_id)
        self.jobs.cancel_digest(platform, old_id)
        await self.jobs.reschedule_digest(platform, new_id)
        delivery = self.deliveries.get(platform)
        if delivery is not None:
            delivery.wake()

    async def team_names(self, typed: str, limit: int = 25) -> list[str]:
        def names(store: CoreStore) -> list[str]:
            if not typed.strip():
                return sorted({r["name"] for r in store.team_names()})[:limit]
            found = find_team(store, typed, limit=limit)
            if found.team is not None:
                return [found.team.name]
            return [t.name for t in found.suggestions]

        return await self.db.call(names)

    async def follow_names(self, typed: str, limit: int = 25) -> list[tuple[str, str]]:
        """Autocomplete across teams, competitions and players: (label, what to type)."""
        return await self.db.run(self.commands.suggest, typed, limit)
