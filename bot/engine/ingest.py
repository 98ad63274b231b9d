"""Ingesting: feed objects in, outbox rows out, in one transaction per object.

Runs on the database thread (see :class:`bot.store_contract.DatabaseThread`): every method here
is synchronous and talks to the store (:class:`bot.store_contract.CoreStore`) directly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any, Literal
from zoneinfo import ZoneInfo

from bot.competitions import ensure_competition
from bot.depth import DepthFanOut
from bot.engine.base import EngineBase
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
from bot.match import Fixture, MatchState, Score, StoredEvent, is_known_scorer, side_for_event
from bot.match_data import (
    Lineup,
    MatchData,
    MatchStats,
    Ratings,
    Standings,
    data_key,
)
from bot.messages import templates
from bot.messages.model import Message
from bot.messages.templates.depth import enrich_alert
from bot.players import involved_ids, remember
from bot.quiet_alerts import after_a_goal
from bot.scoreboard import Scoreboards, board_json
from bot.store_contract import NewMatch
from bot.storylines import Storylines
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


class Ingesting(EngineBase):
    """Stores each feed object and queues the alerts it causes."""

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
            board_before = None
            if decl.status is not None:
                row["clock_at"] = self.clock()
                board_before = board_json(self.state(decl.match))
            self.store.upsert_match(row)
            queued = 0
            if board_before is not None:  # the provider's clock moved: the board shows it
                after = self.state(decl.match)
                assert after is not None
                queued = Scoreboards(self).changed(after, board_before)
            return Ingested(
                "updated",
                decl.match,
                queued=queued,
                kickoff_changed=existing["kickoff"] != row["kickoff"],
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
        board_before = board_json(state)
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
        state = self.states.advance(self.store, state, stored)
        finished = state.finished and not was_finished
        self.store.update_match_state(
            event.match,
            period=state.period,
            finished_at=self.clock() if state.finished else None,
        )
        if isinstance(event, GoalUpdateEvent) and before is not None:
            queued = self._fan_out_amended(state, event, before)
        elif isinstance(event, VarCheckEvent):
            queued = self._fan_out_var_check(state, event)
        else:
            queued = self._fan_out_alert(state, stored)
        queued += self._fan_out_rescored(state, event, scores_before)
        queued += Scoreboards(self).changed(state, board_before)
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
        goal = state.by_id[update.ref]
        players = sorted(
            set(involved_ids(self.store, state, goal.event))
            | set(involved_ids(self.store, state, before))
        )
        score = state.score_at(goal)
        return self._edit_goal_alert(
            state,
            update.id,
            update.ref,
            lambda: {"fallback": templates.goal_amended(state, goal, before)},
            players,
            for_player_fans=lambda zone: templates.player_alert(
                templates.alert(state, goal, zone), state, goal, score
            ),
        )

    def _fan_out_var_check(self, state: MatchState, check: VarCheckEvent) -> int:
        """A VAR check of a goal, and its outcome: the goal's alert edited in place where it
        was sent (rewritten where still unsent), never a new message, so the goal, its check
        and the outcome are one notification (an overturned goal is a ``goal_cancelled``)."""
        goal = state.by_id[check.ref]
        return self._edit_goal_alert(
            state,
            check.id,
            check.ref,
            lambda: {"edit_only": True},
            involved_ids(self.store, state, goal.event),
        )

    def _edit_goal_alert(
        self,
        state: MatchState,
        key: str,
        goal_id: str,
        changes: Callable[[], dict[str, Any]],
        players: list[int],
        for_player_fans: Callable[[ZoneInfo], Message] | None = None,
    ) -> int:
        """The alert of goal ``goal_id`` as it now reads, with ``changes()`` (a fallback,
        ``edit_only``), edited in place in every chat that got it (rewritten where still
        unsent), queued under ``event:<match>:<key>``; see :meth:`_fan_out`."""
        fixture = state.fixture
        goal = state.by_id[goal_id]

        def edited(zone: ZoneInfo) -> Message:
            update = changes()
            return templates.alert(state, goal, zone).model_copy(update=update)

        return self._fan_out(
            fixture,
            f"event:{fixture.id}:{key}",
            "alert",
            edited,
            category=templates.alert_category(goal.event),
            edits=f"event:{fixture.id}:{goal_id}",
            players=players,
            for_player_fans=for_player_fans,
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

            def changes(stored: StoredEvent = stored) -> dict[str, Any]:
                return {"fallback": templates.goal_rescored(state, stored), "edit_only": True}

            queued += self._edit_goal_alert(
                state,
                f"{cause.id}:{goal_id}",
                goal_id,
                changes,
                involved_ids(self.store, state, stored.event),
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
            streak = Storylines(self.store, self.states).player_streak(
                state, event.player, stored.side
            )
        depth = DepthFanOut(self, fixture)
        data = depth.data() if isinstance(event, PeriodEvent) else None
        tie = (
            tie_result(self.store, state, self.states)
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
