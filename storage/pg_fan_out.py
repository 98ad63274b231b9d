"""The fan-out on PostgreSQL: the same rows as :mod:`storage.fan_out`'s, written the way that
is cheap there.

SQLite's fan-out stages every subscription and lets ``INSERT OR IGNORE`` drop the rows of a
chat reached twice. On PostgreSQL the equivalent, ``ON CONFLICT DO NOTHING``, is the dearest
part of a large fan-out: each row is first looked up in the unique key's index, then inserted
"speculatively" and confirmed (a second write-ahead-log record per row), about a quarter of
the statement's work for 100,000 rows. Here the staged audience is already one row per chat
(grouped when it is staged), and a fan-out whose key has no row yet (the usual case: a new
event) inserts plainly; only a fan-out queued again (the same key: a duplicate, a retry)
still goes through ``ON CONFLICT DO NOTHING``. Two processes queuing the same key at once are
taken one after the other by a transaction-level advisory lock on the key, so the second one
sees the first one's rows.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.store_contract import Audience, FanOut, FanOutPlan, MessageVariant
from storage.fan_out import FanOutTables

#: the first key of the two-key advisory locks a fan-out takes on its key (the second is the
#: key's hash); the leader's and the migration's locks are one-key locks, another space
FAN_OUT_LOCK_CLASS = 0x6D62_6601  # "mb" f 1


class PgFanOut(FanOutTables):
    def plan_fan_out(self, audience: Audience, fan: FanOut) -> FanOutPlan:
        """:meth:`FanOutTables.plan_fan_out`, staging one row per chat: the audience is staged
        as on SQLite (one row per subscription, match followers first, each kind oldest
        subscription first), then, only when a chat came more than once, its later rows are
        dropped (what ``INSERT OR IGNORE`` into the outbox does on SQLite). The spans and
        messages needed are read in one pass."""
        self._fan_out_tables()
        for via_match, query in self._follower_groups(audience):
            if query is not None:
                sql, params = query
                self._exec(
                    "INSERT INTO temp.fanout_audience (via_match, platform, chat_id, tz, lang,"
                    " spoiler) SELECT ?, a.platform, a.chat_id, a.tz, a.lang, a.spoiler"
                    f" FROM ({sql}) a ORDER BY a.since, a.platform, a.chat_id",
                    [via_match, *params],
                )
        if self._several_followed(audience) and self._one(
            "SELECT 1 AS found FROM temp.fanout_audience GROUP BY platform, chat_id"
            " HAVING COUNT(*) > 1 LIMIT 1"
        ):
            self._exec(
                "DELETE FROM temp.fanout_audience a USING temp.fanout_audience b"
                " WHERE b.platform = a.platform AND b.chat_id = a.chat_id AND b.rowid < a.rowid"
            )
        spans: dict[int, tuple[int, int]] = {}
        variants: list[MessageVariant] = []
        for row in self._rows(
            "SELECT via_match AS via, COALESCE(tz, ?) AS zone, COALESCE(lang, ?) AS language,"
            " MIN(rowid) AS first, MAX(rowid) AS last FROM temp.fanout_audience"
            " GROUP BY via_match, COALESCE(tz, ?), COALESCE(lang, ?)"
            " ORDER BY via_match DESC, zone, language",
            [fan.default_zone, fan.default_language] * 2,
        ):
            first, last = spans.get(row["via"], (row["first"], row["last"]))
            spans[row["via"]] = (min(first, row["first"]), max(last, row["last"]))
            variants.append(MessageVariant(row["zone"], row["language"], bool(row["via"])))
        return FanOutPlan(
            tuple((via, first, last + 1) for via, (first, last) in spans.items()),
            tuple(variants),
        )

    def _several_followed(self, audience: Audience) -> bool:
        """Whether more than one of the audience's teams, competition and players has a
        follower (one index look each): only then can a chat come twice (it follows each of
        them at most once)."""
        targets = [("team", team) for team in audience.team_ids]
        if audience.competition_id is not None:
            targets.append(("competition", audience.competition_id))
        targets += [("player", str(player)) for player in audience.player_ids]
        if len(targets) < 2:
            return False
        looks = " UNION ALL ".join(
            "SELECT 1 AS one WHERE EXISTS (SELECT 1 FROM subscriptions"
            " WHERE kind = ? AND target = ?)"
            for _ in targets
        )
        found = self._one(
            f"SELECT COUNT(*) AS n FROM ({looks}) t", [v for target in targets for v in target]
        )
        return bool(found and found["n"] > 1)

    def queue_fan_out(
        self,
        audience: Audience,
        fan: FanOut,
        plan: FanOutPlan,
        payloads: Mapping[MessageVariant, str],
    ) -> int:
        """:meth:`FanOutTables.queue_fan_out`, with a plain ``INSERT`` when no row has the
        fan-out's key yet (see the module's docstring)."""
        with self.atomic():
            skip = self._messages_and_originals(audience, fan, plan, payloads)
            self._exec(
                "SELECT pg_advisory_xact_lock(?, hashtext(?))", [FAN_OUT_LOCK_CLASS, fan.key]
            )
            # every row of this fan-out has a key ``<fan.key>:<platform>:<chat>``: between
            # ``<fan.key>:`` and ``<fan.key>;`` in byte order (the key is COLLATE "C")
            queued_before = self._one(
                "SELECT 1 AS found FROM outbox WHERE key >= ? AND key < ? LIMIT 1",
                [f"{fan.key}:", f"{fan.key};"],
            )
            insert = "INSERT OR IGNORE INTO" if queued_before else "INSERT INTO"
            added = self._queue_spans(fan, plan, insert, skip)
            self._empty_scratch()
        return added

    def _fan_out_tables(self) -> None:
        """:meth:`FanOutTables._fan_out_tables`, temporary to this connection (made again
        when the pool hands out a new one), numbered from 1 for each fan-out."""
        self._exec(
            'CREATE TEMP TABLE IF NOT EXISTS fanout_messages (zone TEXT COLLATE "C",'
            ' language TEXT COLLATE "C", via_match INTEGER, message_id BIGINT,'
            " PRIMARY KEY (zone, language, via_match))"
        )
        self._exec(
            "CREATE TEMP TABLE IF NOT EXISTS fanout_audience (rowid BIGSERIAL, via_match INTEGER,"
            ' platform TEXT COLLATE "C", chat_id TEXT COLLATE "C", tz TEXT COLLATE "C",'
            ' lang TEXT COLLATE "C", spoiler DOUBLE PRECISION)'
        )
        self._exec("TRUNCATE pg_temp.fanout_messages, pg_temp.fanout_audience RESTART IDENTITY")
