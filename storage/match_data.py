"""SQL for match data (line-ups, statistics, ratings, the table before a match) and for
pictures uploaded once to a platform."""

from __future__ import annotations

from bot.store_contract import MatchDataRow
from storage.base import StoreBase


class MatchDataQueries(StoreBase):
    def put_match_data(self, match_id: str, key: str, data: str, now: float) -> int:
        """Keep ``data`` as the match's object ``key``: returns its version (1 for a new one,
        one more for a changed one), or 0 when the stored one is the same."""
        row = self._one(
            "SELECT data, version FROM match_data WHERE match_id = ? AND key = ?", [match_id, key]
        )
        if row is None:
            self._exec(
                "INSERT INTO match_data (match_id, key, data, version, updated_at)"
                " VALUES (?, ?, ?, 1, ?)",
                [match_id, key, data, now],
            )
            return 1
        if row["data"] == data:
            return 0
        version = int(row["version"]) + 1
        self._exec(
            "UPDATE match_data SET data = ?, version = ?, updated_at = ?"
            " WHERE match_id = ? AND key = ?",
            [data, version, now, match_id, key],
        )
        return version

    def match_data(self, match_id: str) -> list[MatchDataRow]:
        return self._rows(
            "SELECT match_id, key, data, version, updated_at FROM match_data"
            " WHERE match_id = ? ORDER BY key",
            [match_id],
        )

    def upload_id(self, platform: str, key: str) -> str | None:
        row = self._one(
            "SELECT file_id FROM uploads WHERE platform = ? AND key = ?", [platform, key]
        )
        return str(row["file_id"]) if row else None

    def save_upload_id(self, platform: str, key: str, file_id: str, now: float) -> None:
        self._exec(
            "INSERT OR REPLACE INTO uploads (platform, key, file_id, created_at)"
            " VALUES (?, ?, ?, ?)",
            [platform, key, file_id, now],
        )
