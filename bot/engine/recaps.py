"""The engine's timed messages: the full-time recap (with its storylines) and the kick-off
reminder. Runs on the database thread, like the rest of the engine."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.depth import DepthFanOut
from bot.engine.base import EngineBase
from bot.match import MatchState
from bot.messages import templates
from bot.messages.lead import match_shape
from bot.messages.model import Message
from bot.messages.templates.depth import enrich_recap
from bot.ports import TableRow
from bot.store_rows import MatchRow
from bot.storylines import Storyline, Storylines
from bot.ties import tie_result

log = logging.getLogger(__name__)


class Recaps(EngineBase):
    """Queues a match's recap and reminder, and builds the recap as it stands."""

    def storylines(
        self,
        state: MatchState,
        standings: Sequence[TableRow] | None = None,
        source: str | None = None,
    ) -> list[Storyline]:
        """What the store proves around a finished match (see :mod:`bot.storylines`)."""
        return Storylines(self.store, self.states).for_recap(state, standings, source)

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
            tie = tie_result(self.store, state, self.states)
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
                tie=tie_result(self.store, state, self.states),
            ),
            state,
            data,
            moves,
        )

    def place_in_round(self, state: MatchState) -> int | None:
        """Which way of telling its shape the recap's lead takes: distinct for each match of
        the same shape in its round (same competition, season and round), so no two leads of
        a round read alike. Matches of that shape are counted in the order they finished
        (then kick-off, then id), so each match always reads the same (a replay too). None
        without a round: the lead then draws from the match's id."""
        fx = state.fixture
        if not fx.round:
            return None
        shape = match_shape(state)
        rows = [
            row
            for row in self.store.matches(fx.competition)
            if row.get("round") == fx.round and row.get("season") == fx.season
        ]
        rows.sort(key=lambda r: (_finished_order(r), r["kickoff"], r["id"]))
        alike: list[str] = []
        for row in rows:
            if row["id"] != fx.id:
                other = self.state(row["id"]) if row.get("finished_at") is not None else None
                if other is None or not other.finished or match_shape(other) != shape:
                    continue
            alike.append(row["id"])
        return alike.index(fx.id)


def _finished_order(row: MatchRow) -> float:
    finished = row.get("finished_at")
    return math.inf if finished is None else float(finished)
