"""The fan-out on PostgreSQL: the same rows as :mod:`storage.fan_out`'s, in as few statements
as correct, and no scratch table.

SQLite stages a fan-out's audience in a scratch table between :meth:`plan_fan_out` and
:meth:`queue_fan_out`. On PostgreSQL the staging cost more than it saved: temporary tables
made, emptied and numbered again for every event, some nine statements even when nobody
follows the match. Here each of the two reads the audience itself, in one statement:

* :meth:`PgFanOut.plan_fan_out`: one ``SELECT`` of the distinct messages the audience needs
  (a fan-out nobody follows costs this one statement and nothing more);
* :meth:`PgFanOut.queue_fan_out`: a transaction-level advisory lock on the fan-out's key (two
  processes queuing one key are taken one after the other, so the second one sees the first
  one's rows), then ONE statement that stores the messages, rewrites a correction's originals
  still pending, and inserts one outbox row per chat, numbered by subscription age.

A chat reached twice (it follows both teams, or a team and a player) is queued once, with the
message and place of its first subscription in SQLite's order (match followers first, oldest
first), as ``INSERT OR IGNORE`` does there; the statement groups the audience per chat only
when two of the match's teams, competition and players have followers (decided inside it, on
its own snapshot). ``ON CONFLICT DO NOTHING``, the dearest part of a large fan-out on
PostgreSQL (each row looked up in the unique key's index, inserted "speculatively" and
confirmed), is not used: a fan-out whose key already has rows (a duplicate, a retry) leaves
out the chats that have theirs, looked up only then.

A chat that subscribes between the two statements gets the message when the plan made its
variant (its language and time zone), else not, as if it had subscribed a moment later.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from psycopg.pq import TransactionStatus

from bot.store_contract import Audience, FanOut, FanOutPlan, MessageVariant
from storage.fan_out import NOT_REWRITTEN, FanOutTables, rewritable

if TYPE_CHECKING:
    from storage.postgres import PgDatabase

#: the first key of the two-key advisory locks a fan-out takes on its key (the second is the
#: key's hash); the leader's and the migration's locks are one-key locks, another space
FAN_OUT_LOCK_CLASS = 0x6D62_6601  # "mb" f 1


def _named(sql: str, values: Sequence[Any], prefix: str) -> tuple[str, dict[str, Any]]:
    """``sql`` with its ``?`` marks named ``:<prefix>0``, ``:<prefix>1``…, and their values."""
    named: dict[str, Any] = {}
    for i, value in enumerate(values):
        sql = sql.replace("?", f":{prefix}{i}", 1)
        named[f"{prefix}{i}"] = value
    return sql, named


def _rank(alias: str) -> str:
    """A follower group's order in a fan-out: the match's followers (``via`` 1) first."""
    return f"(1 - {alias}.via)"


@dataclass
class _AudienceSql:
    """An audience as SQL with named parameters (``params``)."""

    #: ``(via, SELECT …)`` per follower group that may have anyone (:meth:`_follower_groups`)
    groups: list[tuple[int, str]]
    params: dict[str, Any] = field(default_factory=dict)
    #: SQL: whether more than one of the targets has a follower; None: fewer than two targets
    several: str | None = None

    def rows(self) -> str:
        """Every subscription that lets the message through, one row each (a chat following
        two of the targets comes twice): ``via, platform, chat_id, tz, lang, spoiler,
        since``."""
        return " UNION ALL ".join(
            f"SELECT {via} AS via, q.platform, q.chat_id, q.tz, q.lang, q.spoiler, q.since"
            f" FROM ({sql}) q"
            for via, sql in self.groups
        )

    def chats(self) -> str:
        """The chats, each once, with ``pos``: its place in its group (the match's followers,
        then those following only a player) by subscription age, from 0. Numbered per
        subscription, as SQLite's staging numbers them (a chat reached twice leaves a gap);
        grouped per chat only when :attr:`several` (a one-time condition: the other branch
        is never run)."""
        numbered = (
            f"SELECT r.*, row_number() OVER (PARTITION BY {_rank('r')}"
            f" ORDER BY r.since, r.platform, r.chat_id) - 1 AS pos FROM ({self.rows()}) r"
        )
        if self.several is None:
            return numbered
        return (
            f"SELECT n.* FROM ({numbered}) n WHERE NOT ({self.several})"
            " UNION ALL (SELECT d.* FROM (SELECT DISTINCT ON (n.platform, n.chat_id) n.*"
            f" FROM ({numbered}) n ORDER BY n.platform, n.chat_id, {_rank('n')}, n.pos) d"
            f" WHERE ({self.several}) ORDER BY {_rank('d')}, d.pos)"
        )


class PgFanOut(FanOutTables):
    if TYPE_CHECKING:
        pg: PgDatabase

    def plan_fan_out(self, audience: Audience, fan: FanOut) -> FanOutPlan:
        """:meth:`FanOutTables.plan_fan_out` in one ``SELECT``: the distinct messages the
        audience needs (a chat following the match and one of its players needs only the
        match's). Stages nothing (``spans`` is empty): :meth:`queue_fan_out` reads the
        audience again."""
        found = self._audience_sql(audience)
        if found is None:
            return FanOutPlan((), ())
        match_followers = next((sql for via, sql in found.groups if via == 1), None)
        selects = []
        for via, sql in found.groups:
            where = " WHERE"
            if via == 0 and match_followers is not None:
                where = (
                    f" WHERE NOT EXISTS (SELECT 1 FROM ({match_followers}) m"
                    " WHERE m.platform = a.platform AND m.chat_id = a.chat_id) AND"
                )
            # the chats with a time zone or language of their own (few) are read; of the
            # others (most), one is enough: they all get the default message
            selects += [
                "SELECT COALESCE(a.tz, :zone) AS zone, COALESCE(a.lang, :language) AS language,"
                f" {via} AS via FROM ({sql}) a{where} (a.tz IS NOT NULL OR a.lang IS NOT NULL)",
                f"(SELECT :zone, :language, {via} FROM ({sql}) a{where}"
                " a.tz IS NULL AND a.lang IS NULL LIMIT 1)",
            ]
        rows = self.db.query(
            f"SELECT DISTINCT zone, language, via FROM ({' UNION ALL '.join(selects)}) v"
            " ORDER BY via DESC, zone, language",
            found.params | {"zone": fan.default_zone, "language": fan.default_language},
        )
        variants = (MessageVariant(r["zone"], r["language"], bool(r["via"])) for r in rows)
        return FanOutPlan((), tuple(variants))

    def queue_fan_out(
        self,
        audience: Audience,
        fan: FanOut,
        plan: FanOutPlan,
        payloads: Mapping[MessageVariant, str],
    ) -> int:
        """:meth:`FanOutTables.queue_fan_out`: nothing when the plan needs no message, else
        the fan-out's lock and one statement (see the module's docstring)."""
        found = self._audience_sql(audience)
        if not plan.variants or found is None:
            return 0
        messages, params = _messages(plan, payloads, fan.now)
        params |= found.params | {
            "key": fan.key,
            "kind": fan.kind,
            "match": fan.match_id,
            "edits": fan.edits,
            "now": fan.now,
            "zone": fan.default_zone,
            "language": fan.default_language,
            # every row of this fan-out has a key ``<fan.key>:<platform>:<chat>``: between
            # ``<fan.key>:`` and ``<fan.key>;`` in byte order (the key is COLLATE "C")
            "first": f"{fan.key}:",
            "past": f"{fan.key};",
        }
        rewrite = skip = ""
        edit_key = "NULL"
        if fan.edits is not None:
            rewrite = self._rewrite_originals_sql(audience, params)
            skip = NOT_REWRITTEN
            edit_key = ":edits || ':' || a.platform || ':' || a.chat_id"
        due = ":now + COALESCE(a.spoiler, 0)" if fan.hold else "0.0"
        with self._fan_out_transaction():
            self._exec(
                "SELECT pg_advisory_xact_lock(?, hashtext(?))", [FAN_OUT_LOCK_CLASS, fan.key]
            )
            return self._exec(
                f"WITH {messages}{rewrite}"
                " INSERT INTO outbox (key, platform, chat_id, kind, match_id, message_id,"
                " edit_key, fanout_pos, status, attempts, next_attempt_at, created_at)"
                " SELECT :key || ':' || a.platform || ':' || a.chat_id, a.platform, a.chat_id,"
                f" :kind, :match, v.id, {edit_key}, a.pos, 'pending', 0, {due}, :now"
                f" FROM ({found.chats()}) a JOIN variants v ON v.zone = COALESCE(a.tz, :zone)"
                " AND v.language = COALESCE(a.lang, :language) AND v.via = a.via"
                # a fan-out queued again: only the chats that lack their row (looked up only
                # then; the lock keeps any other process queuing this key out meanwhile)
                " WHERE (NOT EXISTS (SELECT 1 FROM outbox WHERE key >= :first AND key < :past)"
                " OR NOT EXISTS (SELECT 1 FROM outbox o WHERE o.key >= :first AND o.key < :past"
                f" AND o.key = :key || ':' || a.platform || ':' || a.chat_id)){skip}",
                params,
            )

    def queue_scoreboard(
        self,
        audience: Audience,
        fan: FanOut,
        plan: FanOutPlan,
        payloads: Mapping[MessageVariant, str],
        interval: float,
    ) -> int:
        """:meth:`~storage.scoreboard.ScoreboardTables.queue_scoreboard` without a scratch
        table: nothing when nobody wants the board; else the chats' boards waiting to go
        dropped, then the messages stored and the rows queued in one statement."""
        found = self._audience_sql(audience)
        if not plan.variants or found is None:
            return 0
        messages, params = _messages(plan, payloads, fan.now)
        params |= found.params | {
            "key": fan.key,
            "match": fan.match_id,
            "edits": fan.edits,
            "interval": interval,
            "now": fan.now,
            "zone": fan.default_zone,
            "language": fan.default_language,
        }
        # the chat's board waiting to go is superseded by this one (chats with a spoiler delay
        # keep each step: the step they are due to see next is not this one yet), unless a
        # sender claimed it (:func:`~storage.fan_out.rewritable`): this one then waits behind it
        self._exec(
            f"DELETE FROM outbox WHERE id IN (SELECT o.id FROM ({found.rows()}) a"
            f" JOIN outbox o ON {rewritable('o')} AND o.platform = a.platform"
            " AND o.chat_id = a.chat_id WHERE o.kind = 'scoreboard' AND o.match_id = :match"
            " AND COALESCE(a.spoiler, 0) = 0)",
            params,
        )
        return self._exec(
            f"WITH {messages}"
            " INSERT INTO outbox (key, platform, chat_id, kind, match_id, message_id, edit_key,"
            " fanout_pos, status, attempts, next_attempt_at, created_at)"
            " SELECT :key || ':' || a.platform || ':' || a.chat_id, a.platform, a.chat_id,"
            " 'scoreboard', :match, v.id, :edits || ':' || a.platform || ':' || a.chat_id,"
            " a.pos, 'pending', 0,"
            " CASE WHEN COALESCE(s.sent_at, 0) + :interval > :now + COALESCE(a.spoiler, 0)"
            " THEN s.sent_at + :interval ELSE :now + COALESCE(a.spoiler, 0) END, :now"
            f" FROM ({found.chats()}) a JOIN variants v ON v.zone = COALESCE(a.tz, :zone)"
            " AND v.language = COALESCE(a.lang, :language) AND v.via = a.via"
            " LEFT JOIN sent_messages s ON s.key = :edits || ':' || a.platform || ':' || a.chat_id"
            f" ORDER BY {_rank('a')}, a.pos ON CONFLICT DO NOTHING",
            params,
        )

    def _audience_sql(self, audience: Audience) -> _AudienceSql | None:
        """The audience as SQL (None: it names nobody to look for)."""
        found = _AudienceSql([])
        for via, query in self._follower_groups(audience):
            if query is not None:
                sql, params = _named(*query, prefix=f"g{via}_")
                found.groups.append((via, sql))
                found.params |= params
        if not found.groups:
            return None
        targets = [("team", team) for team in audience.team_ids]
        if audience.competition_id is not None:
            targets.append(("competition", audience.competition_id))
        targets += [("player", str(player)) for player in audience.player_ids]
        if len(targets) > 1:
            # one index look per target: only when two of them have followers can a chat
            # come twice (it follows each of them at most once)
            looks = " + ".join(
                f"(EXISTS (SELECT 1 FROM subscriptions WHERE kind = :tk{i} AND target = :tt{i}))"
                "::int"
                for i in range(len(targets))
            )
            found.several = f"SELECT {looks} > 1"
            for i, (kind, target) in enumerate(targets):
                found.params |= {f"tk{i}": kind, f"tt{i}": target}
        return found

    def _rewrite_originals_sql(self, audience: Audience, params: dict[str, Any]) -> str:
        """``, rewritten AS (UPDATE …)``: :meth:`FanOutTables._rewrite_originals` as a part of
        the queuing statement (the audience grouped per chat: corrections are rare); adds its
        parameters to ``params``."""
        query = self._audience_query(
            audience.team_ids,
            audience.competition_id,
            audience.player_ids,
            audience.need,
            audience.need_player,
            audience.wants,
        )
        if query is None:
            return ""
        sql, named = _named(*query, prefix="r")
        params |= named
        return (
            ", rewritten AS (UPDATE outbox SET message_id = x.id, body = NULL, payload = NULL,"
            " kind = :kind FROM (SELECT :edits || ':' || a.platform || ':' || a.chat_id AS k,"
            f" v.id FROM ({sql}) a JOIN variants v"
            " ON v.zone = COALESCE(a.tz, :zone) AND v.language = COALESCE(a.lang, :language)"
            " AND v.via = a.via_match) x"
            f" WHERE outbox.key = x.k AND {rewritable('outbox')})"
        )

    @contextmanager
    def _fan_out_transaction(self) -> Iterator[None]:
        """The caller's transaction when there is one (the lock lasts until it ends, and the
        queuing is one statement), else one of its own."""
        if self.pg.connection().info.transaction_status == TransactionStatus.INTRANS:
            yield
            return
        with self.atomic():
            yield


def _messages(
    plan: FanOutPlan, payloads: Mapping[MessageVariant, str], now: float
) -> tuple[str, dict[str, Any]]:
    """``variants AS (…), stored AS (INSERT INTO messages …)``: each message of the plan
    stored once, its id drawn first (``variants``: zone, language, via, id), and the
    parameters."""
    rows = []
    params: dict[str, Any] = {"stored_at": now}
    for i, variant in enumerate(plan.variants):
        rows.append(f"(:z{i}, :l{i}, {int(variant.via_match)}, :m{i})")
        params |= {f"z{i}": variant.zone, f"l{i}": variant.language, f"m{i}": payloads[variant]}
    return (
        "variants AS MATERIALIZED (SELECT t.zone, t.language, t.via, t.payload,"
        " nextval(pg_get_serial_sequence('messages', 'id')) AS id"
        f" FROM (VALUES {', '.join(rows)}) t (zone, language, via, payload)),"
        " stored AS (INSERT INTO messages (id, payload, created_at)"
        " SELECT id, payload, :stored_at FROM variants)",
        params,
    )
