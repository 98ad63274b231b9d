"""API-Football and football-data.org as :class:`bot.ports.MatchSource`\\ s the bot polls.

Each source translates the provider's snapshots to feed v1 and keeps, per match, the
:class:`~adapters.providers.base.DiffState` of :func:`~adapters.providers.base.diff_snapshot`,
so a poll returns the match declaration plus only the events new since the previous poll
(stable ids; dropped-and-re-added events never repeated; a goal held back until the provider's
score counts it; a vanished goal cancelled only when the score went down).

**Restarts.** The differ lives in memory. The first time a match is polled in a process, its
state is *seeded from the store*: every event the bot already ingested for the match counts as
announced (the stored copy is what was announced, so a goal the provider has since re-keyed is
recognised by rule 2 of ``diff_snapshot``), and every stored ``goal_cancelled`` marks its goal
cancelled. So after a restart nothing is announced twice (the engine would drop an exact id
anyway), a VAR cancellation first seen after the restart corrects the goal that was announced
before it, and a goal that vanished is only cancelled if it had been announced. Without a store
(a source used alone) the differ starts empty.

**Failures** (timeouts, 5xx, 429, JSON that is not JSON or not the expected shape) are logged
with the provider and the match ids; the state is left as it was (the last good one), and the
next poll comes after a backoff (``Retry-After`` honoured, see :mod:`adapters.providers.planning`).
``poll`` and ``fixtures`` never raise; ``team_fixtures`` (one team) and ``competition_fixtures``
(a followed competition's fixtures of the week ahead, through its provider id in
``bot/data/provider_competitions.json``), for :class:`~bot.scheduler.LivePolling`'s discovery with
retries, do, so a failure can be retried.

**Teams.** ``search_teams`` answers :class:`bot.team_search.TeamSearch` (API-Football
``/teams?search=``; football-data's competition team lists). Searches, competition team lists and
API-Football league seasons are kept in the store (``provider_cache``: a week, a month), so they
cost one request each, also across restarts. A search on API-Football stops at half the daily
reserve (:meth:`~adapters.providers.planning.PollPlanner.may_look_up`).
"""

from __future__ import annotations

from adapters.providers.sources.api_football import ApiFootballSource
from adapters.providers.sources.base import (
    DEAD_RECHECK,
    FD_FREE_COMPETITIONS,
    LEAGUE_TTL,
    SEARCH_TTL,
    ProviderSource,
    seed_state,
)
from adapters.providers.sources.football_data import FootballDataSource, slim_competition_teams

__all__ = [
    "DEAD_RECHECK",
    "FD_FREE_COMPETITIONS",
    "LEAGUE_TTL",
    "SEARCH_TTL",
    "ApiFootballSource",
    "FootballDataSource",
    "ProviderSource",
    "seed_state",
    "slim_competition_teams",
]
