"""The engine's work for the live scoreboard: after each change of a match, the board as it now
stands queued for the chats that turned it on (``/settings scoreboard with|instead``), one
message per match and chat edited in place, the edits coalesced by the store
(:meth:`bot.store_contract.OutboxStore.queue_scoreboard`).

Runs inside the engine's transaction, on the database thread (like :mod:`bot.engine`).
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

from bot.chat_settings import ChatSettings
from bot.match import MatchState
from bot.messages import i18n
from bot.messages.templates.scoreboard import scoreboard
from bot.store_contract import Audience, FanOut

if TYPE_CHECKING:
    from bot.engine.base import EngineBase

log = logging.getLogger(__name__)

#: A chat's board is edited at most once in this many seconds (Telegram lets a bot edit a
#: message about once a second per chat, and a fan needs no more): the changes in between are
#: coalesced into the next edit.
EDIT_INTERVAL = 5.0
#: Chats that want the board (``/settings scoreboard with`` or ``instead``)
WANTS_BOARD = "scoreboard=with|instead"
#: Chats that still get the live alerts (all but ``/settings scoreboard instead``)
WANTS_ALERTS = "scoreboard!=instead"
#: The outbox kinds that are live alerts: a chat with the board instead of them gets none
LIVE_KINDS = frozenset({"alert", "correction", "stats"})


def board_json(state: MatchState | None) -> str | None:
    """The board as ``state`` stands (its words in English: what changes is the same in
    every language), or None before kick-off."""
    if state is None or not state.started:
        return None
    with i18n.use("en"):
        return scoreboard(state).to_json()


class Scoreboards:
    """The live scoreboard of the engine's matches (see the module's docstring)."""

    def __init__(self, engine: EngineBase, interval: float = EDIT_INTERVAL) -> None:
        self.engine = engine
        self.interval = interval

    def changed(self, state: MatchState, before: str | None) -> int:
        """Queue the board for every chat that wants it, when it says something else than
        ``before`` (:func:`board_json` before the change): an unchanged board is never sent
        again. Returns how many rows were queued."""
        after = board_json(state)
        if after is None or after == before:
            return 0
        fixture = state.fixture
        store = self.engine.store
        version = state.events_version  # the engine's states know it: not read again
        if version is None:
            version = store.events_version(fixture.id)
        defaults = ChatSettings()
        digest = hashlib.sha256(after.encode()).hexdigest()[:12]
        audience = Audience(
            [fixture.home_team, fixture.away_team], fixture.competition_id, wants=(WANTS_BOARD,)
        )
        fan = FanOut(
            # one key per board: the events so far and what the board says (a clock that
            # moved without an event makes another board; a board said again after a
            # retraction comes under the retraction's version)
            key=f"scoreboard:{fixture.id}:{version}:{digest}",
            kind="scoreboard",
            match_id=fixture.id,
            now=self.engine.clock(),
            hold=True,
            edits=f"scoreboard:{fixture.id}",
            default_zone=defaults.timezone,
            default_language=defaults.language,
        )
        plan = store.plan_fan_out(audience, fan)
        payloads = {}
        for variant in plan.variants:
            with i18n.use(variant.language):
                payloads[variant] = scoreboard(state).to_json()
        queued = store.queue_scoreboard(audience, fan, plan, payloads, self.interval)
        log.debug("scoreboard of %s queued for %d chats", fixture.id, queued)
        return queued
