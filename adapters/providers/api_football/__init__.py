"""API-Football v3 (api-sports.io): its HTTP client (:mod:`.client`), what its answers mean in
feed v1 (:mod:`.translation`, pure) and the live source the bot polls (:mod:`.source`)."""

from __future__ import annotations

from adapters.providers.api_football.client import (
    DEFAULT_BASE_URL,
    MAX_IDS_PER_REQUEST,
    ApiFootball,
    read_quota,
)
from adapters.providers.api_football.source import ApiFootballSource
from adapters.providers.api_football.translation import (
    PROVIDER,
    STATUS_STATE,
    SeasonSpan,
    match_object,
    season_dates,
    season_label,
    translate_fixture,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_IDS_PER_REQUEST",
    "PROVIDER",
    "STATUS_STATE",
    "ApiFootball",
    "ApiFootballSource",
    "SeasonSpan",
    "match_object",
    "read_quota",
    "season_dates",
    "season_label",
    "translate_fixture",
]
