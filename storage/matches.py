"""Matches, their events and quotes, and which matches are polled or owe a recap."""

from __future__ import annotations

import time
from collections.abc import Iterable

from bot.match import NOT_A_NAME, SCORE_ONLY_GOAL
from bot.store_contract import (
    CompetitionRow,
    EventRow,
    MatchRow,
    NewMatch,
    QuoteRow,
    ScorerCountRow,
)
from storage.base import StoreBase


class MatchTables(StoreBase):
    def upsert_match(self, row: NewMatch) -> None:
        existing = self.match(row["id"])
        if existing is None:
            self.db.table("matches").insert({**row, "updated_at": time.time()})
        else:
            self.db.table("matches").update(row["id"], {**row, "updated_at": time.time()})

    def match(self, match_id: str) -> MatchRow | None:
        return self._one("SELECT * FROM matches WHERE id = ?", [match_id])

    def update_match_state(
        self,
        match_id: str,
        *,
        period: str | None,
        finished_at: float | None,
    ) -> None:
        """What the queries of matches need of a match's state (which matches are live,
        finished, owe a recap): its period and when it finished. The score is not stored: it
        is the match state's, derived from the events (``bot.match``)."""
        self._exec(
            "UPDATE matches SET period = ?, finished_at = ?, updated_at = ? WHERE id = ?",
            [period, finished_at, time.time(), match_id],
        )

    def matches_of_team(self, team_id: str) -> list[MatchRow]:
        """The team's matches, oldest kick-off first."""
        return self._rows(
            "SELECT * FROM matches WHERE home_team = ? OR away_team = ? ORDER BY kickoff, id",
            [team_id, team_id],
        )

    def competitions_played(self, team_ids: Iterable[str] | None = None) -> list[str]:
        """The competitions of the stored matches (of ``team_ids``' matches, when given), the
        one with the latest kick-off first."""
        where, params = "", []
        if team_ids is not None:
            ids = sorted(set(team_ids))
            if not ids:
                return []
            marks = ", ".join("?" * len(ids))
            where = f" WHERE home_team IN ({marks}) OR away_team IN ({marks})"
            params = ids + ids
        return [
            r["competition"]
            for r in self._rows(
                f"SELECT competition, MAX(kickoff) AS last FROM matches{where}"
                " GROUP BY competition ORDER BY last DESC, competition",
                params,
            )
        ]

    def matches(self, competition: str | None = None) -> list[MatchRow]:
        if competition is None:
            return self._rows("SELECT * FROM matches ORDER BY kickoff, id")
        return self._rows(
            "SELECT * FROM matches WHERE competition = ? ORDER BY kickoff, id", [competition]
        )

    def add_event(
        self,
        match_id: str,
        event_id: str,
        kind: str,
        minute: int,
        stoppage: int | None,
        side: str | None,
        data: str,
    ) -> int:
        """Store an event; returns its ``seq`` (its place in feed order), 0 when (match, id)
        is already there."""
        row = self._one(
            "SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM events WHERE match_id = ?", [match_id]
        )
        seq: int = row["n"] if row else 1
        added = (
            self._exec(
                "INSERT OR IGNORE INTO events (match_id, id, seq, type, minute, stoppage, side,"
                " data, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    match_id,
                    event_id,
                    seq,
                    kind,
                    minute,
                    stoppage,
                    side,
                    data,
                    time.time(),
                ],
            )
            == 1
        )
        if added:
            self._bump_events_version(match_id)
        return seq if added else 0

    def events_version(self, match_id: str) -> int:
        """A number that changes whenever one of the match's events is added or removed (a
        state kept in memory is current while it is the same)."""
        row = self._one("SELECT events_version AS v FROM matches WHERE id = ?", [match_id])
        return int(row["v"] or 0) if row else 0

    def _bump_events_version(self, match_id: str) -> None:
        self._exec(
            "UPDATE matches SET events_version = COALESCE(events_version, 0) + 1 WHERE id = ?",
            [match_id],
        )

    def top_scorers(self, competition: str, limit: int) -> list[ScorerCountRow]:
        """(``player``, ``team``, ``goals``) of ``competition``, most goals first, then by
        player and team in code-point order: :func:`bot.match.rank_scorers`'s answer in one
        query. Each goal is taken as its latest ``goal_update`` left it (scorer, kind, side);
        it counts for its scorer (:func:`bot.match.scorer_credit`) unless it was cancelled, is
        an own goal, or its scorer is not known (no name, a name that is not one, a score-only
        provider's ``score:`` goal); ``team`` is the match's name of the side it counts for."""
        not_names = sorted(NOT_A_NAME)
        return self._rows(
            "SELECT player, team, COUNT(*) AS goals FROM ("
            " SELECT json_extract(g.data, '$.player') AS player,"
            " json_extract(g.data, '$.kind') AS kind,"
            " CASE g.side WHEN 'home' THEN g.home_name WHEN 'away' THEN g.away_name END AS team"
            " FROM (SELECT COALESCE(u.data, e.data) AS data, COALESCE(u.side, e.side) AS side,"
            " m.home_name, m.away_name"
            " FROM matches m JOIN events e ON e.match_id = m.id AND e.type = 'goal'"
            " LEFT JOIN events u ON u.match_id = e.match_id AND u.seq = ("
            " SELECT MAX(x.seq) FROM events x WHERE x.match_id = e.match_id"
            " AND x.type = 'goal_update' AND json_extract(x.data, '$.ref') = e.id)"
            " WHERE m.competition = ? AND substr(e.id, 1, ?) != ?"
            " AND NOT EXISTS (SELECT 1 FROM events c WHERE c.match_id = e.match_id"
            " AND c.type = 'goal_cancelled' AND json_extract(c.data, '$.ref') = e.id)) g) s"
            " WHERE team IS NOT NULL AND player IS NOT NULL"
            " AND COALESCE(kind, 'normal') != 'own_goal'"
            f" AND lower(player) NOT IN ({', '.join('?' * len(not_names))})"
            " GROUP BY player, team"
            " ORDER BY goals DESC, player COLLATE BINARY, team COLLATE BINARY LIMIT ?",
            [competition, len(SCORE_ONLY_GOAL), SCORE_ONLY_GOAL, *not_names, limit],
        )

    def competition_events_version(self, competition: str) -> tuple[int, int]:
        """(matches, sum of their ``events_version``) of a competition: changes whenever one
        of its matches, or an event of one, is added or removed."""
        row = self._one(
            "SELECT COUNT(*) AS n, COALESCE(SUM(events_version), 0) AS v FROM matches"
            " WHERE competition = ?",
            [competition],
        )
        return (row["n"], row["v"]) if row else (0, 0)

    def has_event(self, match_id: str, event_id: str) -> bool:
        return (
            self._one(
                "SELECT 1 AS x FROM events WHERE match_id = ? AND id = ?", [match_id, event_id]
            )
            is not None
        )

    def events(self, match_id: str) -> list[EventRow]:
        """The match's events in the order they were ingested."""
        return self._rows("SELECT * FROM events WHERE match_id = ? ORDER BY seq", [match_id])

    def add_quote(
        self,
        match_id: str,
        quote_id: str,
        speaker: str,
        role: str | None,
        team: str | None,
        text: str,
        lang: str | None = None,
    ) -> bool:
        seq = self._one(
            "SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM quotes WHERE match_id = ?", [match_id]
        )
        return (
            self._exec(
                "INSERT OR IGNORE INTO quotes (match_id, id, seq, speaker, role, team, text,"
                " ingested_at, lang) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    match_id,
                    quote_id,
                    seq["n"] if seq else 1,
                    speaker,
                    role,
                    team,
                    text,
                    time.time(),
                    lang,
                ],
            )
            == 1
        )

    def quotes(self, match_id: str) -> list[QuoteRow]:
        return self._rows("SELECT * FROM quotes WHERE match_id = ? ORDER BY seq", [match_id])

    def recap_queued(self, match_id: str) -> bool:
        return self._one("SELECT 1 AS x FROM recaps WHERE match_id = ?", [match_id]) is not None

    def mark_recap_queued(self, match_id: str, chats: int) -> None:
        self._exec(
            "INSERT OR IGNORE INTO recaps (match_id, queued_at, chats) VALUES (?, ?, ?)",
            [match_id, time.time(), chats],
        )

    def pollable_matches(
        self, prefix: str, kicked_off_by_iso: str, kicked_off_since_iso: str
    ) -> list[MatchRow]:
        """A source's matches worth polling: followed by an active chat, kick-off between
        ``kicked_off_since_iso`` and ``kicked_off_by_iso``, and not finished, or finished but
        not yet polled a last time. (The lower bound retires postponed or abandoned matches
        that will never reach full time.)"""
        return self._rows(
            "SELECT m.* FROM matches m WHERE m.id LIKE ? ESCAPE '\\' AND m.kickoff <= ?"
            " AND m.kickoff >= ? AND (m.finished_at IS NULL OR m.final_polled_at IS NULL)"
            " AND EXISTS (SELECT 1 FROM subscriptions s JOIN chats c ON c.platform = s.platform"
            " AND c.chat_id = s.chat_id WHERE c.active = 1 AND ("
            "(s.kind = 'team' AND s.target IN (m.home_team, m.away_team))"
            " OR (s.kind = 'competition' AND s.target = m.competition_id)"
            " OR (s.kind = 'player' AND s.target IN (SELECT CAST(p.id AS TEXT) FROM players p"
            " WHERE p.team_id IN (m.home_team, m.away_team))))) ORDER BY m.kickoff",
            [
                prefix.replace("%", "\\%").replace("_", "\\_") + "%",
                kicked_off_by_iso,
                kicked_off_since_iso,
            ],
        )

    def mark_final_poll(self, match_id: str) -> None:
        self._exec("UPDATE matches SET final_polled_at = ? WHERE id = ?", [time.time(), match_id])

    def followed_team_names(self) -> list[str]:
        return [
            r["name"]
            for r in self._rows(
                "SELECT DISTINCT t.name FROM subscriptions s JOIN chats c"
                " ON c.platform = s.platform AND c.chat_id = s.chat_id"
                " LEFT JOIN players p ON s.kind = 'player' AND CAST(p.id AS TEXT) = s.target"
                " JOIN teams t ON t.id = CASE s.kind WHEN 'team' THEN s.target"
                " ELSE p.team_id END WHERE c.active = 1 ORDER BY t.name"
            )
        ]

    def followed_competitions(self) -> list[CompetitionRow]:
        """The competitions active chats follow (id, name), by name: their fixtures are looked
        up at the data providers."""
        return self._rows(
            "SELECT DISTINCT co.id, co.name FROM subscriptions s JOIN chats c"
            " ON c.platform = s.platform AND c.chat_id = s.chat_id"
            " JOIN competitions co ON co.id = s.target"
            " WHERE s.kind = 'competition' AND c.active = 1 ORDER BY co.name"
        )

    def competition_only_matches(self, match_ids: Iterable[str]) -> set[str]:
        """Those of ``match_ids`` that active chats follow only through a competition (no
        team or player subscription reaches them): the first to get fewer polls when a
        provider's quota runs short."""
        ids = list(match_ids)
        if not ids:
            return set()
        rows = self._rows(
            f"SELECT m.id FROM matches m WHERE m.id IN ({','.join('?' * len(ids))})"
            " AND NOT EXISTS (SELECT 1 FROM subscriptions s JOIN chats c"
            " ON c.platform = s.platform AND c.chat_id = s.chat_id WHERE c.active = 1 AND ("
            "(s.kind = 'team' AND s.target IN (m.home_team, m.away_team))"
            " OR (s.kind = 'player' AND s.target IN (SELECT CAST(p.id AS TEXT) FROM players p"
            " WHERE p.team_id IN (m.home_team, m.away_team)))))",
            ids,
        )
        return {r["id"] for r in rows}

    def matches_between(self, start_iso: str, end_iso: str) -> list[MatchRow]:
        """Matches kicking off in [start, end), in kick-off order."""
        return self._rows(
            "SELECT * FROM matches WHERE kickoff >= ? AND kickoff < ? ORDER BY kickoff, id",
            [start_iso, end_iso],
        )

    def upcoming_matches(self, after_iso: str) -> list[MatchRow]:
        """Matches not started whose kick-off is after ``after_iso``, soonest first."""
        return self._rows(
            "SELECT * FROM matches WHERE period IS NULL AND kickoff > ? ORDER BY kickoff",
            [after_iso],
        )

    def finished_matches_without_recap(self) -> list[MatchRow]:
        return self._rows(
            "SELECT m.* FROM matches m LEFT JOIN recaps r ON r.match_id = m.id"
            " WHERE m.finished_at IS NOT NULL AND r.match_id IS NULL ORDER BY m.finished_at"
        )
