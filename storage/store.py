"""Every SQL statement of the bot. One :class:`Store` per connection, used from one thread.

:class:`Store` implements the core's store contract (:mod:`bot.store_contract`: the rows it
returns and the protocols the core types against). Its statements live by concern, one module
each: :mod:`storage.catalogue` (teams, competitions, players), :mod:`storage.matches` (matches,
events, quotes, polling), :mod:`storage.chats` (chats, settings, follows), :mod:`storage.fan_out`,
:mod:`storage.outbox`, :mod:`storage.scoreboard`, :mod:`storage.reports` and
:mod:`storage.provider_state`; the connection and its helpers are :mod:`storage.base`'s."""

from __future__ import annotations

from bot.store_contract import Audience, FanOut, NewOutboxRow, OutboxRow
from storage.catalogue import CatalogueTables
from storage.chats import ChatTables
from storage.fan_out import FanOutTables
from storage.match_data import MatchDataQueries
from storage.matches import MatchTables
from storage.outbox import OutboxTables
from storage.provider_state import ProviderTables
from storage.questions import QuestionTables
from storage.reports import ReportTables
from storage.scoreboard import ScoreboardTables

__all__ = ["Audience", "FanOut", "NewOutboxRow", "OutboxRow", "Store"]


class Store(
    CatalogueTables,
    ReportTables,
    MatchTables,
    ChatTables,
    FanOutTables,
    OutboxTables,
    ScoreboardTables,
    ProviderTables,
    MatchDataQueries,
    QuestionTables,
):
    """The bot's durable state: teams, matches, events, chats, subscriptions and the outbox
    (reports build on matches: undoing one touches its events)."""
