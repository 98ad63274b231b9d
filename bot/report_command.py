"""``/report``: a reporter posts an event no feed carries (or takes one back with
``/report undo ID``); it is validated and ingested like a feed line, stored with who reported it.

The words of a report (``goal Inter Lautaro 65``) are read by :mod:`bot.reporting`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from bot.chat_settings import ChatSettings
from bot.command_service import AnswersByName
from bot.commands import Commands
from bot.engine import Engine, Ingested
from bot.feed_format import Event, FeedError, MatchDecl, Quote
from bot.messages import i18n, templates
from bot.messages.model import Message
from bot.ports import CommandContext
from bot.reporting import Report, ReportError, ReportParser, Undo, new_report_id, validated
from bot.store_contract import CoreStore, DatabaseThread

log = logging.getLogger(__name__)

#: ``/report help`` (``/report aiuto``): the forms of ``/report``, as ``/help`` advertises.
HELP_WORDS = frozenset({"help", "aiuto", "?"})

REPORT_ID = re.compile(r"r[0-9a-f]{6}")

#: How a report reaches the match: :meth:`bot.app.MatchBot.ingest`, with what to do in the
#: same transaction (store who reported it).
Ingest = Callable[
    [MatchDecl | Event | Quote, Callable[[CoreStore, Ingested], None]], Awaitable[Ingested]
]


class ReportCommand(AnswersByName):
    """``/report`` for the reporters named in the settings (``platform:user id``); a lead
    reporter may also undo anyone's report."""

    def __init__(
        self,
        db: DatabaseThread,
        engine: Engine,
        commands: Commands,
        ingest: Ingest,
        wake: Callable[[], None],
        clock: Callable[[], float],
        *,
        reporters: frozenset[str],
        lead_reporters: frozenset[str],
    ) -> None:
        self.db = db
        self.engine = engine
        self.commands = commands
        self.ingest = ingest
        self.wake = wake
        self.clock = clock
        self.reporters = reporters | lead_reporters
        self.lead_reporters = lead_reporters

    def is_reporter(self, ctx: CommandContext) -> bool:
        return f"{ctx.platform}:{ctx.user_id}" in self.reporters

    async def report(self, ctx: CommandContext, args: str) -> Message:
        """``/report …``: a reporter's event, validated and ingested like a feed line, stored
        with who reported it. Every answer is in the chat's language; every mistake is
        "Not reported: reason"."""
        language = await self.db.run(self.commands.language, ctx)
        with i18n.use(language):
            return await self._report_in(ctx, args, language)

    async def _report_in(self, ctx: CommandContext, args: str, language: str) -> Message:
        if not self.is_reporter(ctx):
            return templates.report_refused()
        if args.strip().casefold() in HELP_WORDS:
            return templates.report_help()
        report_id = new_report_id()
        # A lone surrogate cannot be stored (chat platforms never send one; the console might).
        args = args.encode("utf-16", "surrogatepass").decode("utf-16", "replace")

        # The store's thread has its own context: each job there sets the language again.
        def parse(store: CoreStore) -> Report | Undo:
            zone = ChatSettings.model_validate(store.chat_settings(ctx.platform, ctx.chat_id))
            with i18n.use(language):
                return ReportParser(store, self.clock, zone.zone, self.engine.states).parse(
                    args, report_id
                )

        def own(store: CoreStore, result: Ingested) -> None:
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
            await self.ingest(item, own)
        except ReportError as exc:
            return templates.report_problem(str(exc))
        except FeedError as exc:  # the match refused it: the feed's reason, for the detail
            return templates.report_problem(templates.report_refused_by_match(str(exc)))
        except Exception:  # a bug must not leave the reporter without an answer
            log.exception("report %r failed", args[:200])
            return templates.report_problem(templates.report_not_understood())

        def describe(store: CoreStore) -> str:
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

        def undo(store: CoreStore) -> str:
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
