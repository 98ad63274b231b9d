"""Data-provider clients (API-Football v3, football-data.org v4) translating to feed v1.

Pure of bot internals: they only produce feed-v1 dicts (``/work/shared/spec/feed-format.md``).
"""

from adapters.providers.api_football import ApiFootball, translate_fixture
from adapters.providers.base import (
    DiffState,
    FeedDiffer,
    FeedEvent,
    MatchState,
    ProviderError,
    ProviderSnapshot,
    Quota,
    diff_snapshot,
    with_backoff,
)
from adapters.providers.football_data import (
    FootballData,
    ScorerRow,
    StandingRow,
    translate_match,
)

__all__ = [
    "ApiFootball",
    "DiffState",
    "FeedDiffer",
    "FeedEvent",
    "FootballData",
    "MatchState",
    "ProviderError",
    "ProviderSnapshot",
    "Quota",
    "ScorerRow",
    "StandingRow",
    "diff_snapshot",
    "translate_fixture",
    "translate_match",
    "with_backoff",
]
