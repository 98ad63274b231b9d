"""football-data.org v4: its HTTP client (:mod:`.client`: matches, standings, scorers), what its
answers mean in feed v1 (:mod:`.translation`, pure) and the live source the bot polls
(:mod:`.source`)."""

from __future__ import annotations

from adapters.providers.errors import ProviderError
from adapters.providers.football_data.client import (
    DEFAULT_BASE_URL,
    FREE_PLAN_PER_MINUTE,
    FootballData,
    ScorerRow,
    StandingRow,
    read_quota,
)
from adapters.providers.football_data.source import FootballDataSource, slim_competition_teams
from adapters.providers.football_data.translation import (
    PROVIDER,
    STATUS_STATE,
    match_object,
    translate_match,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "FREE_PLAN_PER_MINUTE",
    "PROVIDER",
    "STATUS_STATE",
    "FootballData",
    "FootballDataSource",
    "ProviderError",
    "ScorerRow",
    "StandingRow",
    "match_object",
    "read_quota",
    "slim_competition_teams",
    "translate_match",
]
