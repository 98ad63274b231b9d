"""A reporter's corrections: an object described in words, and an event or quote taken back
(a goal is cancelled like a VAR decision, another event withdrawn and its alerts corrected).
Runs on the database thread, like the rest of the engine."""

from __future__ import annotations

import json
import logging

from bot.chat_settings import ChatSettings
from bot.engine.base import Built
from bot.engine.ingest import Ingesting
from bot.feed_format import (
    Event,
    FeedError,
    GoalCancelledEvent,
    GoalEvent,
    MatchDecl,
    Quote,
)
from bot.match import MatchState, StoredEvent
from bot.messages import templates
from bot.scoreboard import Scoreboards, board_json
from bot.store_contract import NewOutboxRow

log = logging.getLogger(__name__)


class Retraction(Ingesting):
    """Describes and takes back what a reporter sent."""

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
        board_before = board_json(state)
        self.store.delete_event(fixture.id, event.id)
        after = self._kept_state(fixture)
        Scoreboards(self).changed(after, board_before)
        self.store.update_match_state(
            fixture.id,
            period=after.period,
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
