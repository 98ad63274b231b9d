"""What every part of the engine shares: the store, the clock, each match's kept state, and
queuing one message for a match's followers (built once per time zone and language).

Runs on the database thread (see :class:`bot.store_contract.DatabaseThread`): every method here
is synchronous and talks to the store (:class:`bot.store_contract.CoreStore`) directly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.chat_settings import ChatSettings, level_needed, player_level_needed
from bot.feed_format import Quote
from bot.match import Fixture, KeptStates, MatchState
from bot.match_data import StoredData
from bot.messages import i18n
from bot.messages.model import Message
from bot.scoreboard import LIVE_KINDS, WANTS_ALERTS
from bot.store_contract import Audience, CoreStore, FanOut

log = logging.getLogger(__name__)


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


class EngineBase:
    """The store, the clock and the kept match states the engine works from, and its fan-out."""

    def __init__(
        self,
        store: CoreStore,
        clock: Callable[[], float] = time.time,
        states: KeptStates | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        #: each match's state, grown event by event (the bot's one cache, shared with its
        #: commands: :class:`bot.app.MatchBot` hands the same one to both)
        self.states = states if states is not None else KeptStates()

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

    def stored_data(self, match_id: str) -> StoredData:
        """The match's line-ups, statistics, ratings and table before it."""
        return StoredData.from_rows(self.store.match_data(match_id))

    # --- fan-out ---------------------------------------------------------------------------

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
        if kind in LIVE_KINDS:
            wants = (*wants, WANTS_ALERTS)  # not for chats with the scoreboard instead
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
