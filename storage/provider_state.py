"""Data providers' state: teams matched, answers kept, search candidates offered."""

from __future__ import annotations

import time

from bot.store_contract import (
    CachedAnswerRow,
    ProviderTeamRow,
    TeamCandidateRow,
)
from storage.base import StoreBase


class ProviderTables(StoreBase):
    def provider_team(self, provider: str, team_name: str) -> ProviderTeamRow | None:
        """The cached mapping of our ``team_name`` to ``provider``'s team (None: never asked)."""
        return self._one(
            "SELECT * FROM provider_teams WHERE provider = ? AND team_name = ?",
            [provider, team_name],
        )

    def save_provider_team(
        self,
        provider: str,
        team_name: str,
        provider_team_id: str | None,
        provider_name: str | None,
        checked_at: float,
    ) -> None:
        """Remember a mapping (``provider_team_id`` None: the provider has no such team)."""
        self._exec(
            "INSERT OR REPLACE INTO provider_teams (provider, team_name, provider_team_id,"
            " provider_name, checked_at) VALUES (?, ?, ?, ?, ?)",
            [provider, team_name, provider_team_id, provider_name, checked_at],
        )

    def cached_answer(self, provider: str, key: str) -> CachedAnswerRow | None:
        """A provider answer kept by :meth:`keep_answer` (``value`` JSON, ``fetched_at``)."""
        return self._one(
            "SELECT value, fetched_at FROM provider_cache WHERE provider = ? AND key = ?",
            [provider, key],
        )

    def keep_answer(self, provider: str, key: str, value: str, fetched_at: float) -> None:
        self._exec(
            "INSERT OR REPLACE INTO provider_cache (provider, key, value, fetched_at)"
            " VALUES (?, ?, ?, ?)",
            [provider, key, value, fetched_at],
        )

    def offer_candidate(
        self, key: str, provider: str, provider_id: str, name: str, label: str, data: str
    ) -> None:
        """Remember a team a search offered (a button carries only ``key``)."""
        self._exec(
            "INSERT OR REPLACE INTO team_candidates (key, provider, provider_id, name, label,"
            " data, offered_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [key, provider, provider_id, name, label, data, time.time()],
        )

    def team_candidate(self, key: str) -> TeamCandidateRow | None:
        return self._one("SELECT * FROM team_candidates WHERE key = ?", [key])

    def provider_team_of(self, provider: str, provider_team_id: str) -> ProviderTeamRow | None:
        """Our team already mapped to ``provider``'s team ``provider_team_id``, if any."""
        return self._one(
            "SELECT * FROM provider_teams WHERE provider = ? AND provider_team_id = ?",
            [provider, provider_team_id],
        )
