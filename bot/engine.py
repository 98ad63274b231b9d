"""The update engine: feed objects in, outbox rows out, in one transaction per object.

Runs on the database thread (see :class:`bot.store_contract.DatabaseThread`): every method here
is synchronous and talks to the store (:class:`bot.store_contract.CoreStore`) directly.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Literal
from zoneinfo import ZoneInfo

from bot.chat_settings import ChatSettings, level_needed, player_level_needed
from bot.competitions import ensure_competition
from bot.depth import DepthFanOut
from bot.feed_format import (
    Event,
    FeedConflict,
    FeedError,
    GoalCancelledEvent,
    GoalEvent,
    GoalUpdateEvent,
    Item,
    MatchDecl,
    PeriodEvent,
    Quote,
    VarCheckEvent,
    show,
)
from bot.match import Fixture, KeptStates, MatchState, Score, StoredEvent, side_for_event
from bot.match_data import (
    Lineup,
    MatchData,
    MatchStats,
    Ratings,
    Standings,
    StoredData,
    data_key,
)
from bot.messages import i18n, templates
from bot.messages.lead import is_known_scorer
from bot.messages.model import Message
from bot.messages.templates.depth import enrich_alert, enrich_recap
from bot.players import involved_ids, remember
from bot.ports import TableRow
from bot.quiet_alerts import after_a_goal
from bot.store_contract import Audience, CoreStore, FanOut, NewMatch, NewOutboxRow
from bot.storylines import Storyline, Storylines
from bot.teams import ensure_team
from bot.ties import tie_result

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ingested:
    """What ingesting one feed object did."""

    status: Literal["new", "duplicate", "updated"]
    match_id: str
    queued: int = 0
    finished: bool = False  # this object ended the match (full-time reached)
    kickoff_changed: bool = False


class Built:
    """Builds a message once per time zone and language, so a fan-out to thousands of chats
    does the work a handful of times. Only the neutral message is stored: each platform's
    adapter renders it when it sends it (once per message, not per chat)."""

    def __init__(self, build: Callable[[ZoneInfo], Message]) -> None:
        self._build = build
        self._messages: dict[tuple[str, str], str] = {}

    def __call__(self, zone: str, language: str = "en") -> str:
        """The neutral message (JSON) for chats in ``zone`` reading ``language``."""
        key = (zone, language)
        if key not in self._messages:
            with i18n.use(language):
                self._messages[key] = self._build(ZoneInfo(zone)).to_json()
        return self._messages[key]


class Engine:
    def __init__(self, store: CoreStore, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        #: each match's state, grown event by event
        self.states = KeptStates()

    # --- reading state -----------------------------------------------------------------------

    def fixture(self, match_id: str) -> Fixture | None:
        row = self.store.match(match_id)
        return Fixture.from_row(row) if row else None

    def state(self, match_id: str) -> MatchState | None:
        """The match as its stored events make it (kept between calls: do not change it)."""
        fixture = self.fixture(match_id)
        if fixture is None:
            return None
        return self._kept_state(fixture)

    def _kept_state(self, fixture: Fixture) -> MatchState:
        return self.states.get(self.store, fixture)

    def quotes(self, match_id: str) -> list[Quote]:
        return [
            Quote(
                type="quote",
                match=r["match_id"],
                id=r["id"],
                speaker=r["speaker"],
                role=r["role"],
                team=r["team"],
                text=r["text"],
                lang=r.get("lang"),
            )
            for r in self.store.quotes(match_id)
        ]

    # --- ingesting ---------------------------------------------------------------------------

    def ingest(self, item: Item) -> Ingested:
        """Store one feed object and queue the messages it causes. Raises :class:`FeedError`."""
        with self.store.atomic():
            if isinstance(item, MatchDecl):
                return self._declare(item)
            if isinstance(item, Quote):
                return self._quote(item)
            if isinstance(item, Lineup | MatchStats | Ratings | Standings):
                return self._match_data(item)
            return self._event(item)

    def stored_data(self, match_id: str) -> StoredData:
        """The match's line-ups, statistics, ratings and table before it."""
        return StoredData.from_rows(self.store.match_data(match_id))

    def _match_data(self, item: MatchData) -> Ingested:
        fixture = self._require_fixture(item.match)
        depth = DepthFanOut(self, fixture)
        item = depth.checked(item)
        version = self.store.put_match_data(
            item.match, data_key(item), item.model_dump_json(exclude_none=True), self.clock()
        )
        if version == 0:
            return Ingested("duplicate", item.match)
        queued = 0
        if isinstance(item, Lineup):
            queued = depth.lineups(item)
        elif isinstance(item, MatchStats):
            queued = depth.stats(item, version)
        return Ingested("new" if version == 1 else "updated", item.match, queued=queued)

    def _declare(self, decl: MatchDecl) -> Ingested:
        existing = self.store.match(decl.match)
        home = ensure_team(self.store, decl.home)
        away = ensure_team(self.store, decl.away)
        if home.id == away.id:
            raise FeedError(f"home and away are the same team ({decl.home})")
        competition = ensure_competition(self.store, decl.competition)
        row: NewMatch = {
            "id": decl.match,
            "competition": decl.competition,
            "competition_id": competition.id,
            "home_team": home.id,
            "away_team": away.id,
            "home_name": decl.home,
            "away_name": decl.away,
            "kickoff": decl.kickoff.astimezone(UTC).isoformat(),
            "season": decl.season,
            "round": decl.round,
            "venue": decl.venue,
        }
        if decl.status is not None:
            row["status"] = decl.status
            row["clock_minute"] = decl.clock_minute
            row["clock_stoppage"] = decl.clock_stoppage
        if existing is not None:
            if (existing["home_team"], existing["away_team"]) != (home.id, away.id):
                teams = f"{existing['home_name']} v {existing['away_name']}"
                raise FeedConflict(
                    f"match {show(decl.match)} is already declared as {teams}",
                    f"match {show(decl.match)}",
                    f"already declared as {teams}",
                )
            if all(existing.get(k) == v for k, v in row.items()):
                return Ingested("duplicate", decl.match)
            if decl.status is not None:
                row["clock_at"] = self.clock()
            self.store.upsert_match(row)
            return Ingested(
                "updated", decl.match, kickoff_changed=existing["kickoff"] != row["kickoff"]
            )
        if decl.status is not None:
            row["clock_at"] = self.clock()
        self.store.upsert_match(row)
        return Ingested("new", decl.match, kickoff_changed=True)

    def _require_fixture(self, match_id: str) -> Fixture:
        fixture = self.fixture(match_id)
        if fixture is None:
            raise FeedError(f"unknown match {match_id!r}: declare it with a 'match' line first")
        return fixture

    def _event(self, event: Event) -> Ingested:
        fixture = self._require_fixture(event.match)
        if self.store.has_event(event.match, event.id):
            self._check_repeat(event)
            return Ingested("duplicate", event.match)
        side = side_for_event(fixture, event)
        team = getattr(event, "team", None)
        if team is not None and side is None:
            raise FeedError(f"team {team!r} does not play in {fixture.home} v {fixture.away}")
        state = self._kept_state(fixture)
        was_finished = state.finished
        before: GoalEvent | None = None
        if isinstance(event, GoalCancelledEvent):
            self._check_cancel(state, event)
        elif isinstance(event, GoalUpdateEvent):
            before = self._check_update(state, event)
        elif isinstance(event, VarCheckEvent):
            self._check_cancel(state, event)
        scores_before = state.goal_scores()
        remember(self.store, fixture, event)
        seq = self.store.add_event(
            event.match,
            event.id,
            event.type,
            event.minute,
            event.stoppage,
            side,
            event.model_dump_json(exclude_none=True),
        )
        stored = StoredEvent(seq, side, event)
        # Should anything below fail, the transaction rolls back and the kept state no longer
        # matches the store's events: the next look rebuilds it.
        state.add(stored)
        self.states.keep(fixture.id, self.store.events_version(fixture.id), state)
        finished = state.finished and not was_finished
        self.store.update_match_state(
            event.match,
            period=state.period,
            home_goals=state.score.home,
            away_goals=state.score.away,
            finished_at=self.clock() if state.finished else None,
        )
        if isinstance(event, GoalUpdateEvent) and before is not None:
            queued = self._fan_out_amended(state, event, before)
        elif isinstance(event, VarCheckEvent):
            queued = self._fan_out_var_check(state, event)
        else:
            queued = self._fan_out_alert(state, stored)
        queued += self._fan_out_rescored(state, event, scores_before)
        return Ingested("new", event.match, queued=queued, finished=finished)

    def _check_update(self, state: MatchState, update: GoalUpdateEvent) -> GoalEvent:
        """The goal ``update`` amends, as it stands before it (raises when there is none)."""
        goal = state.goal_by_id(update.ref)
        if goal is None:
            raise FeedError(
                f"goal_update refers to {update.ref!r}, which is not a goal of this match"
            )
        if update.ref in state.cancelled:
            raise FeedError(f"goal {update.ref!r} is cancelled: it cannot be updated")
        return goal

    def _fan_out_amended(
        self, state: MatchState, update: GoalUpdateEvent, before: GoalEvent
    ) -> int:
        """A goal whose facts changed: its alert edited in place in every chat that got it
        (rewritten where still unsent, e.g. held by a spoiler delay; one short correction
        where the platform refuses the edit); the fans of a player it now names get it."""
        fixture = state.fixture
        goal = state.by_id[update.ref]
        players = sorted(
            set(involved_ids(self.store, state, goal.event))
            | set(involved_ids(self.store, state, before))
        )
        score = state.score_at(goal)

        def edited(zone: ZoneInfo) -> Message:
            fallback = templates.goal_amended(state, goal, before)
            return templates.alert(state, goal, zone).model_copy(update={"fallback": fallback})

        return self._fan_out(
            fixture,
            f"event:{fixture.id}:{update.id}",
            "alert",
            edited,
            category=templates.alert_category(goal.event),
            edits=f"event:{fixture.id}:{update.ref}",
            players=players,
            for_player_fans=lambda zone: templates.player_alert(
                templates.alert(state, goal, zone), state, goal, score
            ),
        )

    def _fan_out_var_check(self, state: MatchState, check: VarCheckEvent) -> int:
        """A VAR check of a goal, and its outcome: the goal's alert edited in place where it
        was sent (rewritten where still unsent), never a new message, so the goal, its check
        and the outcome are one notification (an overturned goal is a ``goal_cancelled``)."""
        fixture = state.fixture
        goal = state.by_id[check.ref]

        def edited(zone: ZoneInfo) -> Message:
            return templates.alert(state, goal, zone).model_copy(update={"edit_only": True})

        return self._fan_out(
            fixture,
            f"event:{fixture.id}:{check.id}",
            "alert",
            edited,
            category=templates.alert_category(goal.event),
            edits=f"event:{fixture.id}:{check.ref}",
            players=involved_ids(self.store, state, goal.event),
        )

    def _fan_out_rescored(
        self, state: MatchState, cause: Event, scores_before: dict[str, Score]
    ) -> int:
        """Goals whose score changed under them (a late goal before them, an own goal moved
        to the other side): each one's alert edited in place where it was sent, nothing new
        where it was not."""
        queued = 0
        ref = getattr(cause, "ref", None)
        for scored in state.goals:
            goal_id = scored.goal.id
            old = scores_before.get(goal_id)
            if old is None or old == scored.score_after or goal_id in (cause.id, ref):
                continue
            stored = state.by_id[goal_id]
            fixture = state.fixture

            def edited(zone: ZoneInfo, stored: StoredEvent = stored) -> Message:
                return templates.alert(state, stored, zone).model_copy(
                    update={
                        "fallback": templates.goal_rescored(state, stored),
                        "edit_only": True,
                    }
                )

            queued += self._fan_out(
                fixture,
                f"event:{fixture.id}:{cause.id}:{goal_id}",
                "alert",
                edited,
                category=templates.alert_category(stored.event),
                edits=f"event:{fixture.id}:{goal_id}",
                players=involved_ids(self.store, state, stored.event),
            )
        return queued

    def _check_repeat(self, event: Event) -> None:
        """An event whose id is known: an exact repeat is harmless, another one is rejected."""
        data = event.model_dump_json(exclude_none=True)
        for row in self.store.events_with_id(event.id):
            if row["match_id"] == event.match and row["data"] != data:
                raise FeedConflict(
                    f"match {show(event.match)} already has another event with id {show(event.id)}",
                    f"id {show(event.id)}",
                )

    def _check_cancel(self, state: MatchState, cancel: GoalCancelledEvent | VarCheckEvent) -> None:
        goal = state.goal_by_id(cancel.ref)
        if goal is None:
            raise FeedError(
                f"{cancel.type} refers to {cancel.ref!r}, which is not a goal of this match"
            )
        if cancel.ref in state.cancelled:
            raise FeedError(f"goal {cancel.ref!r} is already cancelled")
        if goal.team != cancel.team:
            raise FeedError(f"goal {cancel.ref!r} was scored by {goal.team}, not {cancel.team}")

    def _fan_out_alert(self, state: MatchState, stored: StoredEvent) -> int:
        event = stored.event
        fixture = state.fixture
        category = templates.alert_category(event)
        players = involved_ids(self.store, state, event)
        score = state.score_at(stored)
        if isinstance(event, GoalCancelledEvent):
            goal = state.goal_by_id(event.ref)
            return self._fan_out(
                fixture,
                f"event:{fixture.id}:{event.id}",
                "correction",
                lambda zone: templates.correction(state, event, goal),
                category=category,
                edits=f"event:{fixture.id}:{event.ref}",
                players=players,
            )
        streak = None
        if (
            isinstance(event, GoalEvent)
            and event.kind != "own_goal"
            and is_known_scorer(event)
            and event.player is not None
            and stored.side is not None
        ):
            streak = Storylines(self.store).player_streak(state, event.player, stored.side)
        depth = DepthFanOut(self, fixture)
        data = depth.data() if isinstance(event, PeriodEvent) else None
        tie = (
            tie_result(self.store, state)
            if isinstance(event, PeriodEvent) and event.period == "full_time"
            else None
        )

        quiet = after_a_goal(state, stored)

        def build(zone: ZoneInfo) -> Message:
            alert = enrich_alert(
                templates.alert(state, stored, zone, streak, tie), state, stored, data
            )
            return alert.model_copy(update={"quiet": True}) if quiet else alert

        queued = self._fan_out(
            fixture,
            f"event:{fixture.id}:{event.id}",
            "alert",
            build,
            category=category,
            players=players,
            edits=depth.grouped_with(state, stored),
            for_player_fans=lambda zone: templates.player_alert(
                enrich_alert(templates.alert(state, stored, zone), state, stored, None),
                state,
                stored,
                score,
            ),
        )
        return queued + depth.after_period(state, stored)

    def _fan_out(
        self,
        fixture: Fixture,
        key: str,
        kind: str,
        build: Callable[[ZoneInfo], Message],
        *,
        category: str | None = None,
        hold: bool = True,
        edits: str | None = None,
        players: list[int] | None = None,
        for_player_fans: Callable[[ZoneInfo], Message] | None = None,
        teams: bool = True,
        wants: tuple[str, ...] = (),
    ) -> int:
        """Queue one message for every active chat that follows either team, the match's
        competition or one of ``players``, in one go, each chat once.

        ``key`` + ``:platform:chat`` is each row's outbox key, so queuing twice is harmless;
        ``category`` applies the alert level (each subscription's own, else the chat's; the
        most permissive of a chat's matching subscriptions decides); ``hold`` applies the
        chat's spoiler delay; ``edits`` names the earlier message (same key scheme) this one
        corrects: an original still unsent is rewritten in place instead of being followed by
        a correction. Chats that get the message only through a followed player get
        ``for_player_fans`` (the alert with the match and its score) when given.
        """
        message = Built(build)
        player_message = Built(for_player_fans) if for_player_fans else message

        defaults = ChatSettings()
        audience = Audience(
            [fixture.home_team, fixture.away_team] if teams else [],
            fixture.competition_id if teams else None,
            players or [],
            need=level_needed(category),
            need_player=player_level_needed(category) if category else 1,
            wants=wants,
        )
        fan = FanOut(
            key=key,
            kind=kind,
            match_id=fixture.id,
            now=self.clock(),
            hold=hold,
            edits=edits,
            default_zone=defaults.timezone,
            default_language=defaults.language,
        )
        # the messages are made here, once per variant the audience needs; storage only
        # stores them (it never calls back into the core)
        plan = self.store.plan_fan_out(audience, fan)
        payloads = {
            v: (message if v.via_match else player_message)(v.zone, v.language)
            for v in plan.variants
        }
        return self.store.queue_fan_out(audience, fan, plan, payloads)

    def _quote(self, quote: Quote) -> Ingested:
        fixture = self._require_fixture(quote.match)
        added = self.store.add_quote(
            quote.match, quote.id, quote.speaker, quote.role, quote.team, quote.text, quote.lang
        )
        if not added:
            for row in self.store.quotes_with_id(quote.id):
                stored = (row["speaker"], row["role"], row["team"], row["text"])
                if row["match_id"] == quote.match and stored != (
                    quote.speaker,
                    quote.role,
                    quote.team,
                    quote.text,
                ):
                    raise FeedConflict(
                        f"match {show(quote.match)} already has another quote with id"
                        f" {show(quote.id)}",
                        f"id {show(quote.id)}",
                    )
            return Ingested("duplicate", quote.match)
        queued = 0
        if self.store.recap_queued(quote.match):
            state = self.state(quote.match)
            assert state is not None
            queued = self._fan_out(
                fixture,
                f"quote:{fixture.id}:{quote.id}",
                "quote",
                lambda zone: templates.quote_followup(state, quote),
            )
        return Ingested("new", quote.match, queued=queued)

    # --- recaps ------------------------------------------------------------------------------

    def storylines(
        self,
        state: MatchState,
        standings: Sequence[TableRow] | None = None,
        source: str | None = None,
    ) -> list[Storyline]:
        """What the store proves around a finished match (see :mod:`bot.storylines`)."""
        return Storylines(self.store).for_recap(state, standings, source)

    def queue_recap(
        self,
        match_id: str,
        standings: Sequence[TableRow] | None = None,
        source: str | None = None,
    ) -> int:
        """Queue the full-time recap for every chat following either team, exactly once.

        ``standings``: the league table from a stats provider named ``source``, used for the
        table storyline when it has counted this match."""
        with self.store.atomic():
            if self.store.recap_queued(match_id):
                return 0
            state = self.state(match_id)
            if state is None or not state.finished:
                return 0
            quotes = self.quotes(match_id)
            stories = self.storylines(state, standings, source)
            data = self.stored_data(match_id)
            variant = self.place_in_round(state)
            tie = tie_result(self.store, state)
            moves = DepthFanOut(self, state.fixture).table_moves(state, data)
            depth = DepthFanOut(self, state.fixture)
            queued = 0
            # each chat's variant: with or without statistics (when there are any) and the
            # match card picture, as its settings say
            for wants, stats, picture in depth.recap_variants(data):

                def build(zone: ZoneInfo, stats: bool = stats, picture: bool = picture) -> Message:
                    message = enrich_recap(
                        templates.recap(state, quotes, zone, stories, variant, tie),
                        state,
                        data,
                        moves,
                        stats,
                    )
                    return depth.with_card(message, state, data, zone) if picture else message

                queued += self._fan_out(
                    state.fixture, f"recap:{match_id}", "recap", build, wants=wants
                )
            self.store.mark_recap_queued(match_id, queued)
            log.info("recap of %s queued for %d chats", match_id, queued)
            return queued

    def describe(self, item: MatchDecl | Event | Quote) -> str:
        """One stored feed object in plain words, as a fan would read it."""
        if isinstance(item, MatchDecl):
            return templates.report_match_described(
                item.home, item.away, item.competition, item.kickoff
            )
        if isinstance(item, Quote):
            return templates.report_quote_described(item.speaker, item.text)
        state = self.state(item.match)
        assert state is not None
        stored = state.by_id[item.id]
        if isinstance(item, GoalCancelledEvent):
            goal = state.goal_by_id(item.ref)
            return templates.plain_headline(templates.correction(state, item, goal))
        return templates.plain_headline(templates.alert(state, stored))

    def retract(self, event_id: str, match_id: str) -> str:
        """Take back a reported event or quote of match ``match_id``; returns what was
        retracted, in words.

        A goal is cancelled (its alerts are corrected like a VAR decision); any other event is
        removed, its unsent alerts dropped and its sent alerts corrected; a quote is removed.
        """
        with self.store.atomic():
            for row in self.store.events_with_id(event_id):
                if row["match_id"] != match_id:
                    continue
                state = self.state(row["match_id"])
                assert state is not None
                stored = state.by_id[event_id]
                event = stored.event
                # in words as it was reported (the kept state changes with what follows)
                what = templates.plain_headline(templates.alert(state, stored))
                if isinstance(event, GoalEvent):
                    if event_id in state.cancelled:
                        raise FeedError(f"{event_id} is already taken back")
                    cancel = GoalCancelledEvent(
                        type="goal_cancelled",
                        match=event.match,
                        id=f"{event_id}-undo",
                        minute=event.minute,
                        stoppage=event.stoppage,
                        team=event.team,
                        ref=event_id,
                        reason="other",
                    )
                    self._event(cancel)
                    return what
                self._withdraw(state, stored)
                return what
            for quote in self.store.quotes_with_id(event_id):
                if quote["match_id"] != match_id:
                    continue
                self.store.delete_quote(quote["match_id"], event_id)
                return templates.report_quote_taken_back(quote["speaker"])
        raise FeedError(f"there is no report {event_id!r}")

    def _withdraw(self, state: MatchState, stored: StoredEvent) -> None:
        event = stored.event
        fixture = state.fixture
        self.store.delete_event(fixture.id, event.id)
        after = self._kept_state(fixture)
        self.store.update_match_state(
            fixture.id,
            period=after.period,
            home_goals=after.score.home,
            away_goals=after.score.away,
            finished_at=self.clock() if after.finished else None,
        )
        message = Built(lambda zone: templates.retracted(templates.alert(state, stored)))
        rows = []
        for row in self.store.outbox_rows_for(f"event:{fixture.id}:{event.id}:"):
            if self.store.drop_pending(row["key"], "retracted by a reporter"):
                continue
            if row["status"] != "sent":
                continue
            chat = ChatSettings.from_json(
                json.dumps(self.store.chat_settings(row["platform"], row["chat_id"]))
            )
            payload = message("UTC", chat.language)
            rows.append(
                NewOutboxRow(
                    key=f"retract:{fixture.id}:{event.id}:{row['platform']}:{row['chat_id']}",
                    platform=row["platform"],
                    chat_id=row["chat_id"],
                    kind="correction",
                    payload=payload,
                    match_id=fixture.id,
                    edit_key=row["key"],
                )
            )
        self.store.enqueue(rows, now=self.clock())

    def queue_reminder(self, match_id: str) -> int:
        """Queue the kick-off reminder for every chat following either team, once each.

        Dropped when the match has already kicked off (or was never declared)."""
        with self.store.atomic():
            state = self.state(match_id)
            now = self.clock()
            if state is None or state.started or state.fixture.kickoff.timestamp() <= now:
                return 0
            fixture = state.fixture
            minutes = max(1, round((fixture.kickoff.timestamp() - now) / 60))
            return self._fan_out(
                fixture,
                f"reminder:{match_id}",
                "reminder",
                lambda zone: templates.reminder(fixture, minutes, zone),
                hold=False,
            )

    def recap_message(self, match_id: str) -> Message | None:
        """The recap as it stands now (for ``matchbot recap`` and tests)."""
        state = self.state(match_id)
        if state is None:
            return None
        stories = self.storylines(state) if state.finished else []
        data = self.stored_data(match_id)
        moves = DepthFanOut(self, state.fixture).table_moves(state, data)
        return enrich_recap(
            templates.recap(
                state,
                self.quotes(match_id),
                stories=stories,
                variant=self.place_in_round(state),
                tie=tie_result(self.store, state),
            ),
            state,
            data,
            moves,
        )

    def place_in_round(self, state: MatchState) -> int | None:
        """The match's place among the known matches of its round (same competition, season
        and round, by kick-off): the recap's lead takes another way of telling its shape for
        each, so no two matches of a round read alike. None without a round."""
        fx = state.fixture
        if not fx.round:
            return None
        same = [
            row["id"]
            for row in self.store.matches(fx.competition)
            if row.get("round") == fx.round and row.get("season") == fx.season
        ]
        return same.index(fx.id) if fx.id in same else None
