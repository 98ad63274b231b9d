"""Every SQL statement of the bot. One :class:`Store` per connection, used from one thread.

:class:`Store` implements the core's store contract (:mod:`bot.store_contract`: the rows it
returns and the protocols the core types against)."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.store_contract import (
    AliasRow,
    Audience,
    AudienceRow,
    CachedAnswerRow,
    ChatRow,
    CompetitionRow,
    DigestChatRow,
    EventRow,
    FanOut,
    FollowRow,
    MatchCompetitionRow,
    MatchRow,
    NewMatch,
    NewOutboxRow,
    OutboxRow,
    OutboxViewRow,
    PlayerDetailRow,
    PlayerRow,
    ProviderTeamRow,
    QuoteRow,
    ReportRow,
    ScorerCountRow,
    TeamCandidateRow,
    TeamRow,
)
from storage import schema
from storage.match_data import MatchDataQueries

#: a row as sqlite-utils returns it; each public method names its shape (bot.store_contract)
Row = dict[str, Any]

__all__ = ["Audience", "FanOut", "NewOutboxRow", "OutboxRow", "Row", "Store"]


def _numbered(sql: str, count: int) -> str:
    """``sql`` with its first ``count`` ``?`` marks named ``:p0``, ``:p1``… (to mix them
    with named parameters)."""
    for i in range(count):
        sql = sql.replace("?", f":p{i}", 1)
    return sql


_SETTING_NAME = re.compile(r"[a-z_]{1,32}")


def _wanted(setting: str | None) -> str:
    """The condition that a chat has not turned ``setting`` off (absent means on);
    ``!setting``: that it has."""
    if setting is None:
        return ""
    name = setting.removeprefix("!")
    if not _SETTING_NAME.fullmatch(name):
        raise ValueError(f"not a setting name: {setting!r}")
    test = "=" if setting.startswith("!") else "!="
    return f" AND COALESCE(json_extract(c.settings, '$.{name}'), 1) {test} 0"


class Store(MatchDataQueries):
    """The bot's durable state: teams, matches, events, chats, subscriptions and the outbox."""

    def __init__(self, db: Database) -> None:
        self.db = db
        schema.apply(db)

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) the database at ``path``; ``:memory:`` for a throwaway one."""
        if str(path) == ":memory:":
            conn = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        db = Database(conn)
        if str(path) != ":memory:":
            db.enable_wal()
        db.execute("PRAGMA synchronous=NORMAL")
        # a fan-out groups and numbers its chats in scratch tables: in memory, not on disk
        db.execute("PRAGMA temp_store=MEMORY")
        return cls(db)

    @classmethod
    def open_reader(cls, path: str | Path) -> Store:
        """A read-only connection to the database at ``path`` (opened and migrated by
        :meth:`open` first): in WAL mode it reads the last committed state while another
        connection writes."""
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        conn.execute("PRAGMA query_only=1")
        store = cls.__new__(cls)
        store.db = Database(conn)
        return store

    def close(self) -> None:
        self.db.close()

    def defer_checkpoints(self) -> None:
        """Leave the write-ahead log's checkpoints to :meth:`checkpoint` on another connection.
        (By default SQLite copies the log into the database file inside the commit that grew
        it past 1,000 pages: a 100,000-chat fan-out's commit would wait for that copy.)"""
        self.db.execute("PRAGMA wal_autocheckpoint=0")

    def checkpoint(self) -> None:
        """Copy what the write-ahead log holds into the database file, as far as no reader
        still needs it; it neither waits for nor blocks the writer."""
        self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    @contextmanager
    def atomic(self) -> Iterator[None]:
        with self.db.atomic():
            yield

    # Rows come back as the dicts sqlite-utils builds; each public method names their shape
    # (a TypedDict of bot.store_contract, checked against the real columns by
    # tests/test_store_contract.py), hence ``Any`` here.
    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        return list(self.db.query(sql, list(params)))

    def _one(self, sql: str, params: Iterable[Any] = ()) -> Any | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def _exec(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> int:
        cursor = self.db.execute(sql, params if isinstance(params, dict) else list(params))
        return cursor.rowcount

    # --- teams -----------------------------------------------------------------------------

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

    def team_names(self) -> list[AliasRow]:
        """Every (alias, team id, team name): the vocabulary for fuzzy team lookup."""
        return self._rows(
            "SELECT a.alias, t.id, t.name FROM team_aliases a JOIN teams t ON t.id = a.team_id"
        )

    # --- matches ---------------------------------------------------------------------------

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
        home_goals: int,
        away_goals: int,
        finished_at: float | None,
    ) -> None:
        self._exec(
            "UPDATE matches SET period = ?, home_goals = ?, away_goals = ?, finished_at = ?,"
            " updated_at = ? WHERE id = ?",
            [period, home_goals, away_goals, finished_at, time.time(), match_id],
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

    # --- events and quotes -----------------------------------------------------------------

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
        """(``player``, ``team``, ``goals``) of ``competition``, most goals first: own goals and
        cancelled goals (a ``goal_cancelled`` naming them) do not count."""
        return self._rows(
            "SELECT json_extract(e.data, '$.player') AS player,"
            " json_extract(e.data, '$.team') AS team, COUNT(*) AS goals"
            " FROM matches m JOIN events e ON e.match_id = m.id AND e.type = 'goal'"
            " WHERE m.competition = ? AND e.side IS NOT NULL"
            " AND COALESCE(json_extract(e.data, '$.kind'), 'normal') != 'own_goal'"
            " AND NOT EXISTS (SELECT 1 FROM events c WHERE c.match_id = e.match_id"
            " AND c.type = 'goal_cancelled' AND json_extract(c.data, '$.ref') = e.id)"
            " GROUP BY player, team ORDER BY goals DESC, player, team LIMIT ?",
            [competition, limit],
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
    ) -> bool:
        seq = self._one(
            "SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM quotes WHERE match_id = ?", [match_id]
        )
        return (
            self._exec(
                "INSERT OR IGNORE INTO quotes (match_id, id, seq, speaker, role, team, text,"
                " ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    match_id,
                    quote_id,
                    seq["n"] if seq else 1,
                    speaker,
                    role,
                    team,
                    text,
                    time.time(),
                ],
            )
            == 1
        )

    def quotes(self, match_id: str) -> list[QuoteRow]:
        return self._rows("SELECT * FROM quotes WHERE match_id = ? ORDER BY seq", [match_id])

    # --- chats and subscriptions -----------------------------------------------------------

    def ensure_chat(
        self, platform: str, chat_id: str, title: str | None = None, kind: str | None = None
    ) -> None:
        """Record a chat the bot heard from; a chat that speaks again is reachable again."""
        self._exec(
            "INSERT INTO chats (platform, chat_id, title, kind, settings, active, created_at)"
            " VALUES (?, ?, ?, ?, '{}', 1, ?) ON CONFLICT (platform, chat_id) DO UPDATE SET"
            " title = COALESCE(excluded.title, chats.title),"
            " kind = COALESCE(excluded.kind, chats.kind), active = 1",
            [platform, chat_id, title, kind, time.time()],
        )

    def chat(self, platform: str, chat_id: str) -> ChatRow | None:
        return self._one(
            "SELECT * FROM chats WHERE platform = ? AND chat_id = ?", [platform, chat_id]
        )

    def chat_settings(self, platform: str, chat_id: str) -> dict[str, Any]:
        row = self.chat(platform, chat_id)
        return json.loads(row["settings"] or "{}") if row else {}

    def set_chat_settings(self, platform: str, chat_id: str, settings: dict[str, Any]) -> None:
        self.ensure_chat(platform, chat_id)
        self._exec(
            "UPDATE chats SET settings = ?, tz = ?, lang = ?, spoiler = ?, level = ?"
            " WHERE platform = ? AND chat_id = ?",
            [
                json.dumps(settings, sort_keys=True),
                settings.get("timezone"),
                settings.get("language"),
                settings.get("spoiler_delay"),
                settings.get("level"),
                platform,
                chat_id,
            ],
        )

    def deactivate_chat(self, platform: str, chat_id: str, reason: str) -> None:
        """The chat can no longer be reached: stop fan-out to it and drop its queued rows."""
        self._exec(
            "UPDATE chats SET active = 0 WHERE platform = ? AND chat_id = ?", [platform, chat_id]
        )
        self._exec(
            "UPDATE outbox SET status = 'dropped', last_error = ? WHERE platform = ?"
            " AND chat_id = ? AND status = 'pending'",
            [reason, platform, chat_id],
        )

    def forget_chat(self, platform: str, chat_id: str) -> int:
        """Remove a chat's subscriptions (the chat was deleted or the bot left); returns count."""
        removed = self._exec(
            "DELETE FROM subscriptions WHERE platform = ? AND chat_id = ?", [platform, chat_id]
        )
        self.deactivate_chat(platform, chat_id, "chat removed")
        return removed

    def migrate_chat(self, platform: str, old_id: str, new_id: str) -> None:
        """Move a chat to a new id (a Telegram group upgraded to a supergroup)."""
        old = self.chat(platform, old_id)
        if old is not None and self.chat(platform, new_id) is None:
            self._exec(
                "INSERT INTO chats (platform, chat_id, title, kind, settings, tz, lang, spoiler,"
                " level, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
                [
                    platform,
                    new_id,
                    old["title"],
                    old["kind"],
                    old["settings"],
                    old["tz"],
                    old["lang"],
                    old["spoiler"],
                    old["level"],
                    time.time(),
                ],
            )
        self._exec(
            "INSERT OR IGNORE INTO subscriptions (platform, chat_id, kind, target, level,"
            " created_at) SELECT platform, ?, kind, target, level, created_at FROM subscriptions"
            " WHERE platform = ? AND chat_id = ?",
            [new_id, platform, old_id],
        )
        self._exec(
            "DELETE FROM subscriptions WHERE platform = ? AND chat_id = ?", [platform, old_id]
        )
        self._exec(
            "UPDATE OR IGNORE outbox SET chat_id = ?,"
            " key = substr(key, 1, length(key) - length(?)) || ?"
            " WHERE platform = ? AND chat_id = ? AND status = 'pending'",
            [new_id, old_id, new_id, platform, old_id],
        )
        self._exec(
            "UPDATE chats SET active = 0 WHERE platform = ? AND chat_id = ?", [platform, old_id]
        )

    def subscribe(
        self,
        platform: str,
        chat_id: str,
        target: str,
        kind: str = "team",
        level: str | None = None,
    ) -> bool:
        """Follow a team, a competition or a player (``target`` is its id); True when the
        subscription is new. Subscribing again with a ``level`` changes the level."""
        new = (
            self._exec(
                "INSERT OR IGNORE INTO subscriptions (platform, chat_id, kind, target, level,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [platform, chat_id, kind, target, level, time.time()],
            )
            == 1
        )
        if not new and level is not None:
            self.set_follow_level(platform, chat_id, kind, target, level)
        return new

    def set_follow_level(
        self, platform: str, chat_id: str, kind: str, target: str, level: str | None
    ) -> bool:
        """Change one subscription's level (None: the chat's level); False if not followed."""
        return (
            self._exec(
                "UPDATE subscriptions SET level = ? WHERE platform = ? AND chat_id = ?"
                " AND kind = ? AND target = ?",
                [level, platform, chat_id, kind, target],
            )
            == 1
        )

    def unsubscribe(self, platform: str, chat_id: str, target: str, kind: str = "team") -> bool:
        return (
            self._exec(
                "DELETE FROM subscriptions WHERE platform = ? AND chat_id = ? AND kind = ?"
                " AND target = ?",
                [platform, chat_id, kind, target],
            )
            == 1
        )

    def subscriptions(self, platform: str, chat_id: str) -> list[TeamRow]:
        """The teams the chat follows (id, name), by name."""
        return self._rows(
            "SELECT t.id, t.name FROM subscriptions s JOIN teams t ON t.id = s.target"
            " WHERE s.platform = ? AND s.chat_id = ? AND s.kind = 'team' ORDER BY t.name",
            [platform, chat_id],
        )

    def follows(self, platform: str, chat_id: str) -> list[FollowRow]:
        """Everything the chat follows: (kind, target, name, team, team_id, level), teams
        first, then competitions, then players, each by name."""
        return self._rows(
            "SELECT s.kind, s.target, s.level,"
            " COALESCE(t.name, co.name, p.name, s.target) AS name,"
            " pt.name AS team, p.team_id AS team_id"
            " FROM subscriptions s"
            " LEFT JOIN teams t ON s.kind = 'team' AND t.id = s.target"
            " LEFT JOIN competitions co ON s.kind = 'competition' AND co.id = s.target"
            " LEFT JOIN players p ON s.kind = 'player' AND CAST(p.id AS TEXT) = s.target"
            " LEFT JOIN teams pt ON pt.id = p.team_id"
            " WHERE s.platform = ? AND s.chat_id = ?"
            " ORDER BY CASE s.kind WHEN 'team' THEN 0 WHEN 'competition' THEN 1 ELSE 2 END,"
            " name",
            [platform, chat_id],
        )

    def subscribers(self, team_ids: Iterable[str]) -> list[AudienceRow]:
        """Active chats following any of the teams, each once, oldest subscriber first."""
        return self.audience(team_ids)

    def audience(
        self,
        team_ids: Iterable[str],
        competition_id: str | None = None,
        player_ids: Iterable[int] = (),
        need: int = 1,
        need_player: int = 1,
    ) -> list[AudienceRow]:
        """Active chats that get a match's message, each once, oldest subscriber first.

        A chat is in when any of its subscriptions matches (one of the teams, the
        competition, one of the players) with a level that lets the message through: each
        subscription's level (else the chat's, else key events) ranks goals 1, key 2, all 3
        and must reach ``need`` (``need_player`` for player subscriptions). ``via_match`` is 1
        when a team or competition subscription let it through, 0 when only a player did.
        One statement, however many chats: the work stays in SQLite.
        """
        query = self._audience_query(team_ids, competition_id, player_ids, need, need_player)
        if query is None:
            return []
        sql, params = query
        return self._rows(f"{sql} ORDER BY since, c.platform, c.chat_id", params)

    def _audience_query(
        self,
        team_ids: Iterable[str],
        competition_id: str | None,
        player_ids: Iterable[int],
        need: int,
        need_player: int,
        wants: str | None = None,
    ) -> tuple[str, list[Any]] | None:
        """:meth:`audience` as one SELECT (unordered), with each chat's settings columns."""
        teams = list(team_ids)
        players = [str(p) for p in player_ids]
        where = []
        params: list[Any] = []
        if teams:
            where.append(f"(s.kind = 'team' AND s.target IN ({','.join('?' * len(teams))}))")
            params += teams
        if competition_id is not None:
            where.append("(s.kind = 'competition' AND s.target = ?)")
            params.append(competition_id)
        if players:
            where.append(f"(s.kind = 'player' AND s.target IN ({','.join('?' * len(players))}))")
            params += players
        if not where:
            return None
        return (
            "SELECT c.platform, c.chat_id, c.tz, c.lang, c.spoiler,"
            " MIN(s.created_at) AS since, MAX(s.kind != 'player') AS via_match"
            " FROM subscriptions s JOIN chats c"
            " ON c.platform = s.platform AND c.chat_id = s.chat_id"
            f" WHERE c.active = 1 AND ({' OR '.join(where)}){_wanted(wants)}"
            " AND (CASE COALESCE(s.level, c.level, 'key')"
            " WHEN 'goals' THEN 1 WHEN 'all' THEN 3 ELSE 2 END)"
            " >= (CASE s.kind WHEN 'player' THEN ? ELSE ? END)"
            " GROUP BY c.platform, c.chat_id",
            [*params, need_player, need],
        )

    def _subscribers_of(
        self, targets: Sequence[tuple[str, Sequence[str]]], need: int, wants: str | None = None
    ) -> tuple[str, list[Any]] | None:
        """Every subscription of an active chat to one of ``targets`` (kind, ids) whose level
        lets a message needing ``need`` through, one row per subscription (a chat following
        two of them comes twice): ``platform, chat_id, tz, lang, spoiler, since``. No grouping
        and no join beyond the chat's row: the cheapest pass over a large audience."""
        where: list[str] = []
        params: list[Any] = []
        for kind, ids in targets:
            if not ids:
                continue
            if len(ids) == 1:
                where.append("(s.kind = ? AND s.target = ?)")
            else:
                where.append(f"(s.kind = ? AND s.target IN ({','.join('?' * len(ids))}))")
            params += [kind, *ids]
        if not where:
            return None
        return (
            "SELECT c.platform, c.chat_id, c.tz, c.lang, c.spoiler, s.created_at AS since"
            " FROM subscriptions s JOIN chats c"
            " ON c.platform = s.platform AND c.chat_id = s.chat_id"
            f" WHERE c.active = 1 AND ({' OR '.join(where)}){_wanted(wants)}"
            " AND (CASE COALESCE(s.level, c.level, 'key')"
            " WHEN 'goals' THEN 1 WHEN 'all' THEN 3 ELSE 2 END) >= ?",
            [*params, need],
        )

    def fan_out(
        self,
        audience: Audience,
        fan: FanOut,
        message: Callable[[str, str, bool], str],
    ) -> int:
        """Queue one message for every chat of ``audience``, in a handful of statements
        however many chats: each distinct neutral message (per time zone, language, and
        whether the chat follows the match or only a player, whatever the platform) is made
        by ``message`` and stored once (each adapter renders it when it sends it); one
        ``INSERT … SELECT`` adds each chat's outbox row referring to it (position in the
        fan-out by subscription age; held back by the chat's spoiler delay when ``fan.hold``).
        The subscriptions are read once: the chats are copied, sorted by subscription age,
        into an in-memory scratch table whose rowid is their position, and both the distinct
        messages and the outbox rows come from there.
        With ``fan.edits``, a chat whose original row is still pending gets that row rewritten
        instead. Returns how many rows are new.

        The chats that follow the match (a team or the competition) are queued first, then
        those that follow only one of its players (their own message, their own positions
        from 0). A chat reached by several subscriptions is queued once: its key is unique,
        and the rows it would add again are the same but for their position (``INSERT OR
        IGNORE``); no grouping of the audience, no sort beyond the one ordering it.
        """
        groups = [
            (
                1,
                self._subscribers_of(
                    [
                        ("team", list(audience.team_ids)),
                        (
                            "competition",
                            [audience.competition_id] if audience.competition_id else [],
                        ),
                    ],
                    audience.need,
                    audience.wants,
                ),
            ),
            (
                0,
                self._subscribers_of(
                    [("player", [str(p) for p in audience.player_ids])],
                    audience.need_player,
                    audience.wants,
                ),
            ),
        ]
        zone, language = fan.default_zone, fan.default_language
        self._fan_out_tables()
        created = fan.now
        # Each group's chats copied once, oldest subscription first, into a scratch table in
        # memory whose rowid numbers them (no window function, no second pass over the
        # subscriptions): its distinct (zone, language) pairs and the outbox rows come from it.
        spans: list[tuple[int, int, int]] = []  # (via_match, first rowid, past the last)
        for via_match, query in groups:
            if query is None:
                continue
            sql, params = query
            base = self.db.execute(
                "SELECT COALESCE(MAX(rowid), 0) + 1 FROM temp.fanout_audience"
            ).fetchone()[0]
            self._exec(
                "INSERT INTO temp.fanout_audience (via_match, platform, chat_id, tz, lang, spoiler)"
                f" SELECT ?, a.platform, a.chat_id, a.tz, a.lang, a.spoiler FROM ({sql}) a"
                " ORDER BY a.since, a.platform, a.chat_id",
                [via_match, *params],
            )
            end = self.db.execute(
                "SELECT COALESCE(MAX(rowid), 0) + 1 FROM temp.fanout_audience"
            ).fetchone()[0]
            spans.append((via_match, base, end))
            for combo in self._rows(
                "SELECT DISTINCT COALESCE(tz, ?) AS zone, COALESCE(lang, ?) AS language"
                " FROM temp.fanout_audience WHERE rowid >= ? AND rowid < ?",
                [zone, language, base, end],
            ):
                payload = message(combo["zone"], combo["language"], bool(via_match))
                cursor = self.db.execute(
                    "INSERT INTO messages (payload, created_at) VALUES (?, ?)", [payload, created]
                )
                self._exec(
                    "INSERT OR IGNORE INTO temp.fanout_messages VALUES (?, ?, ?, ?)",
                    [
                        combo["zone"],
                        combo["language"],
                        via_match,
                        cursor.lastrowid,
                    ],
                )
        skip = ""
        if fan.edits is not None:
            self._rewrite_originals(audience, fan)
            skip = (
                " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.status = 'pending'"
                " AND o.key = :edits || ':' || a.platform || ':' || a.chat_id)"
            )
        added = 0
        for via_match, base, end in spans:
            added += self._exec(
                "INSERT OR IGNORE INTO outbox (key, platform, chat_id, kind, match_id, message_id,"
                " edit_key, fanout_pos, status, attempts, next_attempt_at, created_at)"
                " SELECT :key || ':' || a.platform || ':' || a.chat_id, a.platform, a.chat_id,"
                " :kind, :match, f.message_id,"
                " CASE WHEN :edits IS NULL THEN NULL"
                " ELSE :edits || ':' || a.platform || ':' || a.chat_id END,"
                " a.rowid - :base, 'pending', 0,"
                " CASE WHEN :hold THEN :now + COALESCE(a.spoiler, 0) ELSE 0.0 END, :created"
                " FROM temp.fanout_audience a CROSS JOIN temp.fanout_messages f"
                " ON f.zone = COALESCE(a.tz, :zone) AND f.language = COALESCE(a.lang, :language)"
                f" AND f.via_match = :via WHERE a.rowid >= :base AND a.rowid < :end{skip}"
                " ORDER BY a.rowid",
                {
                    "key": fan.key,
                    "kind": fan.kind,
                    "match": fan.match_id,
                    "edits": fan.edits,
                    "hold": 1 if fan.hold else 0,
                    "now": fan.now,
                    "created": created,
                    "zone": zone,
                    "language": language,
                    "via": via_match,
                    "base": base,
                    "end": end,
                },
            )
        self._exec("DELETE FROM temp.fanout_messages")
        self._exec("DELETE FROM temp.fanout_audience")
        return added

    def _rewrite_originals(self, audience: Audience, fan: FanOut) -> None:
        """A correction's chats whose original row is not sent yet: that row now says the
        truth (and is not followed by a correction). The audience grouped per chat (each
        chat's message decided by all its subscriptions): corrections are rare."""
        query = self._audience_query(
            audience.team_ids,
            audience.competition_id,
            audience.player_ids,
            audience.need,
            audience.need_player,
            audience.wants,
        )
        if query is None:
            return
        sql, params = query
        self._exec(
            "UPDATE outbox SET message_id = x.message_id, body = NULL, payload = NULL,"
            " kind = :kind FROM (SELECT :edits || ':' || a.platform || ':' || a.chat_id AS k,"
            f" f.message_id FROM ({_numbered(sql, len(params))}) a"
            " JOIN temp.fanout_messages f"
            " ON f.zone = COALESCE(a.tz, :zone) AND f.language = COALESCE(a.lang, :language)"
            " AND f.via_match = a.via_match) x"
            " WHERE outbox.key = x.k AND outbox.status = 'pending'",
            {
                "kind": fan.kind,
                "edits": fan.edits,
                "zone": fan.default_zone,
                "language": fan.default_language,
            }
            | {f"p{i}": v for i, v in enumerate(params)},
        )

    def _fan_out_tables(self) -> None:
        """The scratch tables of :meth:`fan_out`, made once per connection (a schema change
        would make SQLite prepare every statement again) and emptied before each fan-out (a
        fan-out that failed half-way leaves nothing behind for the next one).

        ``fanout_audience`` holds one fan-out's chats, oldest subscription first, numbered by
        its rowid; ``fanout_messages`` the message stored for each (zone, language, kind of
        follower)."""
        if not getattr(self, "_scratch_ready", False):
            self._exec(
                "CREATE TEMP TABLE IF NOT EXISTS fanout_messages (zone TEXT, language TEXT,"
                " via_match INTEGER, message_id INTEGER, PRIMARY KEY (zone, language, via_match))"
            )
            self._exec(
                "CREATE TEMP TABLE IF NOT EXISTS fanout_audience (via_match INTEGER,"
                " platform TEXT, chat_id TEXT, tz TEXT, lang TEXT, spoiler REAL)"
            )
            self._scratch_ready = True
        self._exec("DELETE FROM temp.fanout_messages")
        self._exec("DELETE FROM temp.fanout_audience")

    def chats_with_digest(self) -> list[DigestChatRow]:
        """Active chats that asked for the daily digest (``digest`` in their settings)."""
        return self._rows(
            "SELECT platform, chat_id, settings FROM chats WHERE active = 1"
            " AND json_extract(settings, '$.digest') IS NOT NULL"
        )

    # --- competitions ----------------------------------------------------------------------

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

    # --- players ---------------------------------------------------------------------------

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

    # --- outbox ----------------------------------------------------------------------------

    def enqueue(self, rows: Iterable[NewOutboxRow], *, now: float) -> int:
        """Queue messages at ``now`` (the caller's clock); a key already queued is left alone.
        Returns how many are new."""
        added = 0
        for r in rows:
            added += self._exec(
                "INSERT OR IGNORE INTO outbox (key, platform, chat_id, kind, match_id, payload,"
                " edit_key, fanout_pos, status, attempts, next_attempt_at, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
                [
                    r.key,
                    r.platform,
                    r.chat_id,
                    r.kind,
                    r.match_id,
                    r.payload,
                    r.edit_key,
                    r.fanout_pos,
                    r.next_attempt_at,
                    now,
                ],
            )
        return added

    def due_heads(
        self, platform: str, now: float, limit: int, busy_chats: Iterable[str] = ()
    ) -> list[OutboxRow]:
        """The oldest pending row of each chat, if it is due, fairest first.

        Only a chat's head is ever offered, so one chat's messages keep their order (replies to
        commands form their own lane, so they never wait behind held-back alerts); heads are
        ordered by their place in their fan-out, replies first among equals (a reply is its
        own fan-out of one, at place 0: it comes before every fan-out's later rows), so a new
        alert of one match goes ahead of the rest of a long fan-out of another instead of
        waiting behind it.
        """
        busy = list(busy_chats)
        exclude = f" AND o.chat_id NOT IN ({','.join('?' * len(busy))})" if busy else ""
        # Walks the pending rows in (fanout_pos, id) order on an index and keeps the heads
        # (no earlier pending row in the chat's lane): about ``limit`` rows read, not every
        # pending row grouped and sorted.
        rows = self._rows(
            "SELECT o.* FROM outbox_view o WHERE o.status = 'pending' AND o.platform = ?"
            f" AND o.next_attempt_at <= ?{exclude} AND NOT EXISTS (SELECT 1 FROM outbox p"
            " WHERE p.status = 'pending' AND p.platform = o.platform AND p.chat_id = o.chat_id"
            " AND p.id < o.id AND (p.kind = 'reply') = (o.kind = 'reply'))"
            " ORDER BY o.fanout_pos, o.kind != 'reply', o.id LIMIT ?",
            [platform, now, *busy, limit],
        )
        return [OutboxRow.from_row(r) for r in rows]

    def next_due_at(self, platform: str) -> float | None:
        row = self._one(
            "SELECT MIN(next_attempt_at) AS t FROM outbox WHERE status = 'pending'"
            " AND platform = ?",
            [platform],
        )
        return row["t"] if row else None

    def mark_sent(
        self, row_id: int, key: str, platform: str, chat_id: str, message_ids: list[str]
    ) -> None:
        with self.db.atomic():
            self._exec(
                "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1"
                " WHERE id = ?",
                [time.time(), row_id],
            )
            self._exec(
                "INSERT OR REPLACE INTO sent_messages (key, platform, chat_id, message_ids,"
                " sent_at) VALUES (?, ?, ?, ?, ?)",
                [key, platform, chat_id, json.dumps(message_ids), time.time()],
            )

    def mark_many_sent(
        self, platform: str, marks: Iterable[tuple[int, str, str, list[str]]]
    ) -> None:
        """:meth:`mark_sent` for many ``(row id, key, chat id, message ids)`` in one
        transaction."""
        now = time.time()
        marks = list(marks)
        with self.db.atomic():
            self.db.conn.executemany(
                "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1"
                " WHERE id = ?",
                [(now, row_id) for row_id, _, _, _ in marks],
            )
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO sent_messages (key, platform, chat_id, message_ids,"
                " sent_at) VALUES (?, ?, ?, ?, ?)",
                [(key, platform, chat, json.dumps(ids), now) for _, key, chat, ids in marks],
            )

    def mark_retry(self, row_id: int, at: float, error: str, *, count: bool = True) -> None:
        """Try the row again at ``at``; ``count`` is False when the platform only asked to wait."""
        self._exec(
            "UPDATE outbox SET status = 'pending', attempts = attempts + ?, next_attempt_at = ?,"
            " last_error = ? WHERE id = ?",
            [1 if count else 0, at, error, row_id],
        )

    def rewrite_pending(self, key: str, payload: str, kind: str) -> bool:
        """Replace the message of a row not sent yet (a goal cancelled before its alert went
        out)."""
        return (
            self._exec(
                "UPDATE outbox SET payload = ?, kind = ? WHERE key = ? AND status = 'pending'",
                [payload, kind, key],
            )
            == 1
        )

    def delay_chat(self, platform: str, chat_id: str, until: float) -> None:
        """Hold every pending row of a chat until ``until`` (the platform asked us to wait)."""
        self._exec(
            "UPDATE outbox SET next_attempt_at = MAX(next_attempt_at, ?) WHERE platform = ?"
            " AND chat_id = ? AND status = 'pending'",
            [until, platform, chat_id],
        )

    def mark_failed(self, row_id: int, error: str) -> None:
        self._exec(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?"
            " WHERE id = ?",
            [error, row_id],
        )

    def sent_message_ids(self, key: str) -> list[str]:
        row = self._one("SELECT message_ids FROM sent_messages WHERE key = ?", [key])
        return list(json.loads(row["message_ids"])) if row else []

    def sent_key(self, platform: str, chat_id: str, message_id: str) -> str | None:
        """The outbox key of the message the platform knows as ``message_id`` in a chat."""
        row = self._one(
            "SELECT s.key FROM sent_messages s, json_each(s.message_ids) j"
            " WHERE s.platform = ? AND s.chat_id = ? AND j.value = ?",
            [platform, chat_id, message_id],
        )
        return row["key"] if row else None

    def outbox_counts(self) -> dict[str, int]:
        return {
            r["status"]: r["n"]
            for r in self._rows("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        }

    def outbox_rows(
        self, platform: str | None = None, chat_id: str | None = None
    ) -> list[OutboxViewRow]:
        """Every row, oldest first (for tests and the operator)."""
        where, params = [], []
        if platform is not None:
            where.append("platform = ?")
            params.append(platform)
        if chat_id is not None:
            where.append("chat_id = ?")
            params.append(chat_id)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        return self._rows(f"SELECT * FROM outbox_view{clause} ORDER BY id", params)

    # --- reporters' corrections -------------------------------------------------------------

    def add_report(
        self, report_id: str, platform: str, user_id: str, match_id: str, kind: str, at: float
    ) -> None:
        """Remember who made report ``report_id`` (an event, a quote or a match)."""
        self.db.table("reports").insert(
            {
                "id": report_id,
                "platform": platform,
                "user_id": user_id,
                "match_id": match_id,
                "kind": kind,
                "created_at": at,
            }
        )

    def report(self, report_id: str) -> ReportRow | None:
        return self._one("SELECT * FROM reports WHERE id = ?", [report_id])

    def mark_report_undone(self, report_id: str, at: float) -> None:
        self._exec("UPDATE reports SET undone_at = ? WHERE id = ?", [at, report_id])

    def events_with_id(self, event_id: str) -> list[EventRow]:
        return self._rows("SELECT * FROM events WHERE id = ?", [event_id])

    def quotes_with_id(self, quote_id: str) -> list[QuoteRow]:
        return self._rows("SELECT * FROM quotes WHERE id = ?", [quote_id])

    def delete_event(self, match_id: str, event_id: str) -> None:
        if self._exec("DELETE FROM events WHERE match_id = ? AND id = ?", [match_id, event_id]):
            self._bump_events_version(match_id)

    def delete_quote(self, match_id: str, quote_id: str) -> None:
        self._exec("DELETE FROM quotes WHERE match_id = ? AND id = ?", [match_id, quote_id])

    def outbox_rows_for(self, key_prefix: str) -> list[OutboxViewRow]:
        """Rows whose key starts with ``key_prefix`` (one event's alerts in every chat)."""
        return self._rows(
            "SELECT * FROM outbox_view WHERE substr(key, 1, length(?)) = ? ORDER BY id",
            [key_prefix, key_prefix],
        )

    def drop_pending(self, key: str, reason: str) -> bool:
        return (
            self._exec(
                "UPDATE outbox SET status = 'dropped', last_error = ? WHERE key = ?"
                " AND status = 'pending'",
                [reason, key],
            )
            == 1
        )

    def prune(self, before: float) -> int:
        """Forget delivered, dropped and failed messages queued before ``before`` (and the
        platform ids kept for editing them); pending rows are never touched."""
        with self.db.atomic():
            removed = self._exec(
                "DELETE FROM outbox WHERE status IN ('sent', 'dropped', 'failed')"
                " AND created_at < ?",
                [before],
            )
            self._exec("DELETE FROM sent_messages WHERE sent_at < ?", [before])
            self._exec(
                "DELETE FROM messages WHERE created_at < ? AND id NOT IN"
                " (SELECT message_id FROM outbox WHERE message_id IS NOT NULL)",
                [before],
            )
        return removed

    # --- recaps ----------------------------------------------------------------------------

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

    # --- data providers --------------------------------------------------------------------

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
