"""The running bot: store, engine, commands, scheduler, delivery and adapters, wired together.

Platform adapters only ever see this object through :class:`bot.ports.CoreAPI`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any

from bot.chat_settings import ChatSettings
from bot.commands import ALIASES as COMMAND_ALIASES
from bot.commands import Commands, parse_press, press_refusal
from bot.competitions import seed_known_competitions
from bot.delivery import Delivery
from bot.engine import Engine, Ingested
from bot.feed import (
    Event,
    FeedConflict,
    FeedError,
    MatchDecl,
    Parsed,
    Quote,
    Rejected,
)
from bot.feeds import FeedFollower, FirstLines, keep_running
from bot.messages import i18n, templates
from bot.messages.model import Message
from bot.polling import LivePolling
from bot.ports import ChatAdapter, CommandContext, MatchSource, StatsSource
from bot.reporting import Report, ReportError, ReportParser, Undo, new_report_id, validated
from bot.scheduler import Scheduler, TimedJobs
from bot.team_search import (
    TeamSearch,
    adopt,
    catalogue_answers,
    describe,
    offer,
    search_all,
    sure_pick,
)
from bot.teams import find_team, seed_known_teams
from storage.store import NewOutboxRow, Store
from storage.thread import StoreThread

log = logging.getLogger(__name__)

REPORT_ID = re.compile(r"r[0-9a-f]{6}")
SUBSCRIBE_NAMES = frozenset({"subscribe", "follow"})


class MatchBot:
    """The core update engine at run time (implements :class:`bot.ports.CoreAPI`)."""

    def __init__(
        self,
        db_path: str | Path,
        adapters: Iterable[ChatAdapter] = (),
        *,
        recap_delay: float | None = 600.0,
        reminder_lead: float | None = 1800.0,
        sources: Iterable[MatchSource] = (),
        stats: StatsSource | None = None,
        reporters: frozenset[str] = frozenset(),
        lead_reporters: frozenset[str] = frozenset(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = StoreThread(db_path)
        self.adapters = list(adapters)
        self.recap_delay = recap_delay
        self.reminder_lead = reminder_lead
        self.clock = clock
        self.stats = stats
        self.reporters = reporters | lead_reporters
        self.lead_reporters = lead_reporters
        self.scheduler = Scheduler()
        self.sources = list(sources)
        self.polling = LivePolling(self.db, self.scheduler, self.sources, self.ingest, clock)
        self.deliveries: dict[str, Delivery] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._feed_lines: dict[Path, FirstLines] = {}
        self.engine: Engine
        self.commands: Commands
        self.read_commands: Commands | None = None
        self.jobs: TimedJobs

    # --- life cycle --------------------------------------------------------------------------

    async def open(self) -> None:
        """Open the store (applying migrations) without starting anything."""
        store = await self.db.open()
        self.engine = Engine(store, self.clock)
        self.commands = Commands(store, self.clock)
        reader = self.db.reader
        self.read_commands = Commands(reader, self.clock) if reader is not None else None
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
        )
        await self.db.call(seed_known_teams)
        await self.db.call(seed_known_competitions)

    async def start(self) -> None:
        await self.open()
        for adapter in self.adapters:
            delivery = Delivery(self.db, adapter, self.clock)
            self.deliveries[adapter.platform] = delivery
        # The platforms first: when one cannot start, no timed job has begun yet.
        for adapter in self.adapters:
            await adapter.start(self)
        await self.jobs.start()
        for delivery in self.deliveries.values():
            self._spawn(delivery.run(), f"delivery-{delivery.platform}")
        counts = await self.db.call(lambda s: s.outbox_counts())
        if counts.get("pending"):
            log.info("resuming: %d messages still to send", counts["pending"])

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
            result = await self.ingest(parsed.item)
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

    def wake(self) -> None:
        for delivery in self.deliveries.values():
            delivery.wake()

    # --- match data --------------------------------------------------------------------------

    async def ingest(
        self,
        item: MatchDecl | Event | Quote,
        then: Callable[[Store, Ingested], None] | None = None,
    ) -> Ingested:
        """Ingest one feed object; raises :class:`FeedError` when it is rejected. ``then``
        runs in the same transaction (a report's author is stored with the report)."""

        def work(store: Store) -> Ingested:
            with store.atomic():
                result = self.engine.ingest(item)
                if then is not None:
                    then(store, result)
                return result

        result = await self.db.call(work)
        if result.status == "new" and not isinstance(item, MatchDecl):
            log.info(
                "%s: %s %s (%d messages queued)", item.match, item.type, item.id, result.queued
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
        name = name.casefold()
        subscribing = COMMAND_ALIASES.get(name, name) == "subscribe"
        team_text = None
        if subscribing and args.strip() and ctx.can_manage and self._searchers():
            # a competition, a player, or a team the bot knows needs no provider search
            team_text = await self.db.run(self.commands.team_to_search, args)
        if team_text is not None:
            message = await self._subscribe_any(ctx, name, team_text, args.strip())
        elif name == "report":
            message = await self._report(ctx, args)
        elif name == "table" or (name == "scorers" and self.stats is not None and not args):
            language = await self.db.run(self.commands.language, ctx)
            with i18n.use(language):
                message = await self._stats(ctx, name, args)
        else:
            message = await self._answer(ctx, name, args)
        if name == "settings" and args:
            await self.jobs.reschedule_digest(ctx.platform, ctx.chat_id)
        if reply_key is not None:
            await self._queue_reply(ctx, message, reply_key)
        if subscribing:
            await self.polling.discover_new()
        return message

    async def _answer(self, ctx: CommandContext, name: str, args: str) -> Message:
        """A command's answer: one that only reads comes from the read connection, so it
        never waits behind a fan-out being written or the delivery's bookkeeping."""
        reader = self.read_commands
        if reader is not None:
            answer = await self.db.run_read(reader.answer_read_only, ctx, name, args)
            if answer is not None:
                return answer
        return await self.db.run(self.commands.run, ctx, name, args)

    def _searchers(self) -> list[TeamSearch]:
        return [s for s in self.sources if isinstance(s, TeamSearch)]

    async def _subscribe_any(
        self, ctx: CommandContext, name: str, typed: str, args: str
    ) -> Message:
        """``/subscribe`` a team the catalogue may not know: ask the providers, then follow
        the one team spelled as typed, or offer their answers as choices (``args``: all that
        was typed, ``typed`` the team's name in it)."""
        if not await self.db.call(lambda s: catalogue_answers(s, typed)):
            found = await search_all(self._searchers(), typed)
            if found:
                sure = sure_pick(typed, found)

                def choose(store: Store) -> Message:
                    if sure is not None:
                        team = adopt(store, sure, describe(sure), self.clock())
                        return self.commands.run(ctx, name, team.name)
                    return templates.team_choices(typed, offer(store, found), "subscribe")

                return await self.db.call(choose)
        return await self.db.run(self.commands.run, ctx, name, args)

    async def press(
        self,
        ctx: CommandContext,
        action: str,
        reply_key: str | None = None,
        pressed_message_id: str | None = None,
    ) -> Message:
        message = await self.db.run(self.commands.press, ctx, action)
        if action.partition(":")[0] in SUBSCRIBE_NAMES:
            await self.polling.discover_new()
        if action.startswith("settings:"):
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
        def check(store: Store) -> str | None:
            press = parse_press(action)
            if press is not None and not self.commands.still_offered(ctx, press):
                press = None
            with i18n.use(self.commands.language(ctx)):
                return press_refusal(ctx, press)

        return await self.db.call(check)

    async def _report(self, ctx: CommandContext, args: str) -> Message:
        """``/report …``: a reporter's event, validated and ingested like a feed line, stored
        with who reported it. Every answer is in the chat's language; every mistake is
        "Not reported: reason"."""
        language = await self.language(ctx)
        with i18n.use(language):
            return await self._report_in(ctx, args, language)

    async def _report_in(self, ctx: CommandContext, args: str, language: str) -> Message:
        if f"{ctx.platform}:{ctx.user_id}" not in self.reporters:
            return templates.report_refused()
        report_id = new_report_id()
        # A lone surrogate cannot be stored (chat platforms never send one; the console might).
        args = args.encode("utf-16", "surrogatepass").decode("utf-16", "replace")

        # The store's thread has its own context: each job there sets the language again.
        def parse(store: Store) -> Report | Undo:
            zone = ChatSettings.model_validate(store.chat_settings(ctx.platform, ctx.chat_id))
            with i18n.use(language):
                return ReportParser(store, self.clock, zone.zone).parse(args, report_id)

        def own(store: Store, result: Ingested) -> None:
            if result.status == "duplicate":  # an id a feed already used: not this report's
                with i18n.use(language):
                    raise ReportError(templates.report_id_taken())
            kind = "match" if result.match_id == f"report:{report_id}" else "event"
            store.add_report(
                report_id, ctx.platform, ctx.user_id, result.match_id, kind, self.clock()
            )

        try:
            parsed = await self.db.call(parse)
            if isinstance(parsed, Undo):
                return await self._undo(ctx, parsed.report_id, language)
            item = validated(parsed.item)
            await self.ingest(item, then=own)
        except ReportError as exc:
            return templates.report_problem(str(exc))
        except FeedError as exc:  # the match refused it: the feed's reason, for the detail
            return templates.report_problem(templates.report_refused_by_match(str(exc)))
        except Exception:  # a bug must not leave the reporter without an answer
            log.exception("report %r failed", args[:200])
            return templates.report_problem(templates.report_not_understood())

        def describe(store: Store) -> str:
            with i18n.use(language):
                return self.engine.describe(item)

        try:
            described = await self.db.call(describe)
        except Exception:
            log.exception("describing report %s failed", report_id)
            described = item.type
        return templates.reported(
            described, parsed.item.get("id"), templates.report_where(parsed.fixture)
        )

    async def _undo(self, ctx: CommandContext, typed: str, language: str) -> Message:
        """``/report undo ID``: only the reporter's own reports (a lead reporter: anyone's),
        and never a feed event, whatever its id looks like."""
        report_id = typed.strip().casefold()
        lead = f"{ctx.platform}:{ctx.user_id}" in self.lead_reporters

        def undo(store: Store) -> str:
            with store.atomic(), i18n.use(language):
                row = store.report(report_id)
                if row is None:
                    if store.events_with_id(report_id) or store.quotes_with_id(report_id):
                        raise ReportError(templates.report_from_a_feed(report_id))
                    raise ReportError(templates.report_unknown_id(report_id))
                if (row["platform"], row["user_id"]) != (ctx.platform, ctx.user_id) and not lead:
                    raise ReportError(templates.report_someone_elses(report_id))
                if row["kind"] == "match":
                    raise ReportError(templates.report_match_stays(report_id))
                if row["undone_at"] is not None:
                    raise ReportError(templates.report_already_undone(report_id))
                what = self.engine.retract(report_id, row["match_id"])
                store.mark_report_undone(report_id, self.clock())
                return what

        if not REPORT_ID.fullmatch(report_id):
            problem = templates.report_not_an_id(typed)
        else:
            try:
                what = await self.db.call(undo)
            except ReportError as exc:
                problem = str(exc)
            except FeedError as exc:
                problem = templates.report_refused_by_match(str(exc))
            else:
                self.wake()
                return templates.report_undone(what)
        return templates.report_problem(problem)

    async def _stats(self, ctx: CommandContext, name: str, args: str) -> Message:
        """``/table`` and ``/scorers`` without a team, from the stats provider."""
        if self.stats is None:
            return templates.table_unavailable(templates.table_needs_provider())
        competition: str | None = args.strip() or None
        if competition is None:
            competition = await self.db.run(self.commands.chat_competition, ctx)
        if not competition:
            return templates.table_unavailable(templates.which_competition(name))
        code = self.stats.competition_code(competition)
        if code is None:
            if name == "scorers":
                return await self.db.run(self.commands.run, ctx, name, args)
            return templates.table_unavailable(templates.no_table_for(competition))
        try:
            if name == "table":
                rows = await self.stats.table(code)
                return templates.league_table(
                    competition,
                    [
                        (
                            r.position,
                            r.team,
                            r.played,
                            r.won,
                            r.drawn,
                            r.lost,
                            r.goal_difference,
                            r.points,
                        )
                        for r in rows
                    ],
                )
            scorers = await self.stats.top_scorers(code)
            return templates.top_scorers(
                competition,
                [(s.player, s.team, s.goals) for s in scorers],
                source="football-data.org",
            )
        except Exception as exc:  # a provider outage must not leave the fan without an answer
            log.warning("stats for %s failed: %s", competition, exc)
            if name == "scorers":
                return await self.db.run(self.commands.run, ctx, name, args)
            return templates.table_unavailable(templates.table_down())

    async def _queue_reply(
        self, ctx: CommandContext, message: Message, key: str, replaces: str | None = None
    ) -> None:
        """Queue an answer; ``replaces`` is the outbox key of a message it should edit."""
        row = NewOutboxRow(
            key=key,
            platform=ctx.platform,
            chat_id=ctx.chat_id,
            kind="reply",
            payload=message.to_json(),
            edit_key=replaces,
            next_attempt_at=0.0,
        )
        await self.db.call(lambda s: s.enqueue([row]))
        delivery = self.deliveries.get(ctx.platform)
        if delivery is not None:
            delivery.wake()

    async def language(self, ctx: CommandContext) -> str:
        return await self.db.run(self.commands.language, ctx)

    async def chat_gone(self, platform: str, chat_id: str) -> None:
        removed = await self.db.call(lambda s: s.forget_chat(platform, chat_id))
        log.info("%s chat %s is gone: %d subscriptions removed", platform, chat_id, removed)

    async def team_names(self, typed: str, limit: int = 25) -> list[str]:
        def names(store: Store) -> list[str]:
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
