"""Teams, competitions and players, with the names fans use for them."""

from __future__ import annotations

import time
from collections.abc import Iterable

from bot.store_contract import (
    AliasRow,
    CompetitionRow,
    MatchCompetitionRow,
    PlayerDetailRow,
    PlayerRow,
    TeamRow,
)
from storage.base import StoreBase


class CatalogueTables(StoreBase):
    def team_by_alias(self, alias: str) -> TeamRow | None:
        return self._one(
            "SELECT t.id, t.name FROM team_aliases a JOIN teams t ON t.id = a.team_id"
            " WHERE a.alias = ?",
            [alias],
        )

    def team(self, team_id: str) -> TeamRow | None:
        return self._one("SELECT id, name FROM teams WHERE id = ?", [team_id])

    def add_team(self, team_id: str, name: str) -> None:
        self._exec("INSERT OR IGNORE INTO teams (id, name) VALUES (?, ?)", [team_id, name])

    def add_alias(self, alias: str, team_id: str) -> None:
        self._exec(
            "INSERT OR IGNORE INTO team_aliases (alias, team_id) VALUES (?, ?)", [alias, team_id]
        )

    def team_aliases(self) -> dict[str, str]:
        """Every alias and the id it names (its team row may be missing)."""
        return dict(self.db.execute("SELECT alias, team_id FROM team_aliases").fetchall())

    def team_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT id FROM teams").fetchall()}

    def add_teams(self, teams: Iterable[tuple[str, str]]) -> None:
        """:meth:`add_team` for each (id, name), in order, in one statement."""
        if rows := list(teams):
            self.db.conn.executemany("INSERT OR IGNORE INTO teams (id, name) VALUES (?, ?)", rows)

    def add_aliases(self, aliases: Iterable[tuple[str, str]]) -> None:
        """:meth:`add_alias` for each (alias, team id), in order, in one statement."""
        if rows := list(aliases):
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO team_aliases (alias, team_id) VALUES (?, ?)", rows
            )

    def team_names(self) -> list[AliasRow]:
        """Every (alias, team id, team name): the vocabulary for fuzzy team lookup."""
        return self._rows(
            "SELECT a.alias, t.id, t.name FROM team_aliases a JOIN teams t ON t.id = a.team_id"
        )

    def competition_by_alias(self, alias: str) -> CompetitionRow | None:
        return self._one(
            "SELECT c.id, c.name FROM competition_aliases a"
            " JOIN competitions c ON c.id = a.competition_id WHERE a.alias = ?",
            [alias],
        )

    def competition(self, competition_id: str) -> CompetitionRow | None:
        return self._one("SELECT id, name FROM competitions WHERE id = ?", [competition_id])

    def add_competition(self, competition_id: str, name: str) -> None:
        self._exec(
            "INSERT OR IGNORE INTO competitions (id, name) VALUES (?, ?)", [competition_id, name]
        )

    def add_competition_alias(self, alias: str, competition_id: str) -> None:
        self._exec(
            "INSERT OR IGNORE INTO competition_aliases (alias, competition_id) VALUES (?, ?)",
            [alias, competition_id],
        )

    def competition_aliases(self) -> dict[str, str]:
        """Every competition alias and the id it names (its competition row may be missing)."""
        rows = self.db.execute("SELECT alias, competition_id FROM competition_aliases")
        return dict(rows.fetchall())

    def competition_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT id FROM competitions").fetchall()}

    def add_competitions(self, competitions: Iterable[tuple[str, str]]) -> None:
        """:meth:`add_competition` for each (id, name), in order, in one statement."""
        if rows := list(competitions):
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO competitions (id, name) VALUES (?, ?)", rows
            )

    def add_competition_aliases(self, aliases: Iterable[tuple[str, str]]) -> None:
        """:meth:`add_competition_alias` for each (alias, id), in order, in one statement."""
        if rows := list(aliases):
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO competition_aliases (alias, competition_id) VALUES (?, ?)",
                rows,
            )

    def competition_names(self) -> list[AliasRow]:
        """Every (alias, competition id, name): the vocabulary for competition lookup."""
        return self._rows(
            "SELECT a.alias, c.id, c.name FROM competition_aliases a"
            " JOIN competitions c ON c.id = a.competition_id"
        )

    def matches_without_competition_id(self) -> list[MatchCompetitionRow]:
        return self._rows("SELECT id, competition FROM matches WHERE competition_id IS NULL")

    def set_match_competition(self, match_id: str, competition_id: str) -> None:
        self._exec("UPDATE matches SET competition_id = ? WHERE id = ?", [competition_id, match_id])

    def add_players(self, players: Iterable[tuple[str, str, str]]) -> None:
        """Remember players seen in events: (name, folded name, team id); known ones are kept."""
        now = time.time()
        self.db.conn.executemany(
            "INSERT INTO players (name, norm, team_id, seen_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (team_id, norm) DO UPDATE SET seen_at = excluded.seen_at",
            [(name, norm, team, now) for name, norm, team in players],
        )

    def player_ids(self, keys: Iterable[tuple[str, str]]) -> list[int]:
        """The ids of the players (team id, folded name)."""
        pairs = list(dict.fromkeys(keys))
        if not pairs:
            return []
        values = ",".join("(?, ?)" for _ in pairs)
        return [
            r["id"]
            for r in self._rows(
                f"SELECT id FROM players WHERE (team_id, norm) IN (VALUES {values})",
                [v for pair in pairs for v in pair],
            )
        ]

    def add_provider_player(
        self, name: str, norm: str, team_id: str, provider: str, provider_id: str
    ) -> None:
        """Remember a player a data provider identifies (``provider``, ``provider_id``): the
        row with that id (its name and team brought up to date when no other player of the
        team has that name: a transfer, a fuller spelling), else the player of that name in
        that team (given the id), else a new one."""
        now = time.time()
        known = self._one(
            "SELECT id, team_id, norm FROM players WHERE provider = ? AND provider_id = ?",
            [provider, provider_id],
        )
        same_name = self._one(
            "SELECT id, provider_id FROM players WHERE team_id = ? AND norm = ?", [team_id, norm]
        )
        if known is not None:
            if same_name is None:
                self._exec(
                    "UPDATE players SET name = ?, norm = ?, team_id = ?, seen_at = ? WHERE id = ?",
                    [name, norm, team_id, now, known["id"]],
                )
            else:
                self._exec("UPDATE players SET seen_at = ? WHERE id = ?", [now, known["id"]])
        elif same_name is not None:
            if same_name["provider_id"] is None:
                self._exec(
                    "UPDATE players SET provider = ?, provider_id = ?, seen_at = ? WHERE id = ?",
                    [provider, provider_id, now, same_name["id"]],
                )
        else:
            self._exec(
                "INSERT INTO players (name, norm, team_id, provider, provider_id, seen_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [name, norm, team_id, provider, provider_id, now],
            )

    def player_ids_by_provider(self, refs: Iterable[tuple[str, str]]) -> list[int]:
        """The ids of the players a data provider identifies: (provider, provider's id)."""
        pairs = list(dict.fromkeys(refs))
        if not pairs:
            return []
        values = ",".join("(?, ?)" for _ in pairs)
        return [
            r["id"]
            for r in self._rows(
                f"SELECT id FROM players WHERE (provider, provider_id) IN (VALUES {values})",
                [v for pair in pairs for v in pair],
            )
        ]

    def player(self, player_id: int) -> PlayerDetailRow | None:
        return self._one(
            "SELECT p.*, t.name AS team FROM players p LEFT JOIN teams t ON t.id = p.team_id"
            " WHERE p.id = ?",
            [player_id],
        )

    def players(self) -> list[PlayerRow]:
        """Every known player (id, name, norm, team id, team name)."""
        return self._rows(
            "SELECT p.id, p.name, p.norm, p.team_id, t.name AS team FROM players p"
            " LEFT JOIN teams t ON t.id = p.team_id ORDER BY p.name"
        )
