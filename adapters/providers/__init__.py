"""Data-provider clients (API-Football v3, football-data.org v4) translating to feed v1, and
the :class:`bot.ports.MatchSource`\\ s built on them (``sources_from_settings``).

The clients are pure of bot internals: they only produce feed-v1 dicts
(``docs/feed-format.md``); each provider's ``source.py`` (on
:mod:`adapters.providers.polling_source`) connects them to the bot.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from adapters.providers.api_football import ApiFootball, ApiFootballSource, translate_fixture
from adapters.providers.errors import ProviderError
from adapters.providers.football_data import (
    FootballData,
    FootballDataSource,
    ScorerRow,
    StandingRow,
    translate_match,
)
from adapters.providers.http import Quota
from adapters.providers.polling_source import ProviderSource
from adapters.providers.stats import FootballDataStats
from bot.feed_format import FeedEvent
from bot.settings import Settings
from bot.snapshots import (
    DiffState,
    ProviderSnapshot,
    ProviderStatus,
    diff_snapshot,
)

log = logging.getLogger(__name__)


def sources_from_settings(settings: Settings) -> list[ProviderSource]:
    """The live sources configured: API-Football when ``API_FOOTBALL_KEY`` is set, else
    football-data.org when ``FOOTBALL_DATA_TOKEN`` is set.

    Not both: the same real match would be declared twice (``af:…`` and ``fd:…``) and every
    alert sent twice. With both keys API-Football (events, lineups) is the live source and
    football-data.org serves tables and top scorers (:func:`stats_from_settings`).
    Close them with ``aclose()`` when the bot stops."""
    sources: list[ProviderSource] = []
    if settings.api_football_key is not None:
        client = ApiFootball(
            settings.api_football_key.get_secret_value(), settings.api_football_base_url
        )
        sources.append(ApiFootballSource(client))
        if settings.football_data_token is not None:
            log.info("API-Football is the live source; football-data.org serves tables only")
    elif settings.football_data_token is not None:
        client_fd = FootballData(
            settings.football_data_token.get_secret_value(), settings.football_data_base_url
        )
        sources.append(FootballDataSource(client_fd))
    return sources


def stats_from_settings(
    settings: Settings, sources: Sequence[object] = ()
) -> tuple[FootballDataStats | None, FootballData | None]:
    """``/table`` and ``/scorers`` from football-data.org (None without a token), and the client
    the caller must ``aclose()`` at the end (None when it is shared with a live source among
    ``sources``, which then closes it)."""
    if settings.football_data_token is None:
        return None, None
    for source in sources:
        if isinstance(source, FootballDataSource):
            return FootballDataStats(source.client), None  # one per-minute budget for both
    client = FootballData(
        settings.football_data_token.get_secret_value(), settings.football_data_base_url
    )
    return FootballDataStats(client), client


__all__ = [
    "ApiFootball",
    "ApiFootballSource",
    "DiffState",
    "FeedEvent",
    "FootballData",
    "FootballDataSource",
    "ProviderError",
    "ProviderSnapshot",
    "ProviderSource",
    "ProviderStatus",
    "Quota",
    "ScorerRow",
    "StandingRow",
    "diff_snapshot",
    "sources_from_settings",
    "stats_from_settings",
    "translate_fixture",
    "translate_match",
]
