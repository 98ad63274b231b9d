"""SQL for match data (line-ups, statistics, ratings, the table before a match) and for
pictures uploaded once to a platform."""

from __future__ import annotations

from typing import Any, cast

from sqlite_utils import Database

from bot.store_contract import MatchDataRow


class MatchDataQueries:
    """Mixed into :class:`storage.store.Store` (which owns ``db``)."""

    db: Database

    def put_match_data(self, match_id: str, key: str, data: str, now: float) -> int:
        """Keep ``data`` as the match's object ``key``: returns its version (1 for a new one,
        one more for a changed one), or 0 when the stored one is the same."""
        row = self.db.execute(
            "SELECT data, version FROM match_data WHERE match_id = ? AND key = ?", [match_id, key]
        ).fetchone()
        if row is None:
            self.db.execute(
                "INSERT INTO match_data (match_id, key, data, version, updated_at)"
                " VALUES (?, ?, ?, 1, ?)",
                [match_id, key, data, now],
            )
            return 1
        if row[0] == data:
            return 0
        version = int(row[1]) + 1
        self.db.execute(
            "UPDATE match_data SET data = ?, version = ?, updated_at = ?"
            " WHERE match_id = ? AND key = ?",
            [data, version, now, match_id, key],
        )
        return version

    def match_data(self, match_id: str) -> list[MatchDataRow]:
        cursor = self.db.execute(
            "SELECT match_id, key, data, version, updated_at FROM match_data"
            " WHERE match_id = ? ORDER BY key",
            [match_id],
        )
        names = [d[0] for d in cursor.description]
        return [cast(MatchDataRow, dict(zip(names, r, strict=True))) for r in cursor.fetchall()]

    def upload_id(self, platform: str, key: str) -> str | None:
        row: Any = self.db.execute(
            "SELECT file_id FROM uploads WHERE platform = ? AND key = ?", [platform, key]
        ).fetchone()
        return str(row[0]) if row else None

    def save_upload_id(self, platform: str, key: str, file_id: str, now: float) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO uploads (platform, key, file_id, created_at)"
            " VALUES (?, ?, ?, ?)",
            [platform, key, file_id, now],
        )
