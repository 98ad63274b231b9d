"""The live scoreboard's rows: one message per match and chat, edited in place on each change,
the edits coalesced."""

from __future__ import annotations

from collections.abc import Mapping

from bot.store_contract import Audience, FanOut, FanOutPlan, MessageVariant
from storage.base import StoreBase
from storage.fan_out import rewritable


class ScoreboardTables(StoreBase):
    def queue_scoreboard(
        self,
        audience: Audience,
        fan: FanOut,
        plan: FanOutPlan,
        payloads: Mapping[MessageVariant, str],
        interval: float,
    ) -> int:
        """Queue the scoreboard as it now stands for the staged audience (see
        :meth:`~storage.fan_out.FanOutTables.plan_fan_out`): one row per chat under
        ``fan.key``, editing the chat's board (``fan.edits``; the first row of a chat sends
        it). Coalesced: a chat's board row still waiting (without a spoiler delay) is replaced
        by this one, so a chat gets the latest board, never every step (a row a sender has
        claimed is left: it may be on its way); and a row is due no
        sooner than ``interval`` seconds after the chat's board was last sent or edited (and
        the chat's spoiler delay after ``fan.now``). Returns how many rows were queued."""
        if not plan.variants:  # nobody wants the board: nothing staged, nothing to queue
            return 0
        zone, language = fan.default_zone, fan.default_language
        self._exec("DELETE FROM temp.fanout_messages")
        for variant in plan.variants:
            cursor = self.db.execute(
                "INSERT INTO messages (payload, created_at) VALUES (?, ?)",
                [payloads[variant], fan.now],
            )
            self._exec(
                "INSERT OR IGNORE INTO temp.fanout_messages VALUES (?, ?, ?, ?)",
                [variant.zone, variant.language, int(variant.via_match), cursor.lastrowid],
            )
        # the chat's board waiting to go is superseded by this one (chats with a spoiler delay
        # keep each step: the step they are due to see next is not this one yet), unless a
        # sender claimed it (:func:`~storage.fan_out.rewritable`): this one then waits behind it
        self._exec(
            "DELETE FROM outbox WHERE id IN (SELECT o.id FROM temp.fanout_audience a"
            f" JOIN outbox o ON {rewritable('o')} AND o.platform = a.platform"
            " AND o.chat_id = a.chat_id WHERE o.kind = 'scoreboard' AND o.match_id = ?"
            " AND COALESCE(a.spoiler, 0) = 0)",
            [fan.match_id],
        )
        added = self._exec(
            "INSERT OR IGNORE INTO outbox (key, platform, chat_id, kind, match_id, message_id,"
            " edit_key, fanout_pos, status, attempts, next_attempt_at, created_at)"
            " SELECT :key || ':' || a.platform || ':' || a.chat_id, a.platform, a.chat_id,"
            " 'scoreboard', :match, f.message_id,"
            " :edits || ':' || a.platform || ':' || a.chat_id, a.rowid - 1, 'pending', 0,"
            " CASE WHEN COALESCE(s.sent_at, 0) + :interval > :now + COALESCE(a.spoiler, 0)"
            " THEN s.sent_at + :interval ELSE :now + COALESCE(a.spoiler, 0) END, :now"
            " FROM temp.fanout_audience a JOIN temp.fanout_messages f"
            " ON f.zone = COALESCE(a.tz, :zone) AND f.language = COALESCE(a.lang, :language)"
            " AND f.via_match = a.via_match"
            " LEFT JOIN sent_messages s ON s.key = :edits || ':' || a.platform || ':' || a.chat_id"
            " ORDER BY a.rowid",
            {
                "key": fan.key,
                "match": fan.match_id,
                "edits": fan.edits,
                "interval": interval,
                "now": fan.now,
                "zone": zone,
                "language": language,
            },
        )
        self._exec("DELETE FROM temp.fanout_messages")
        self._exec("DELETE FROM temp.fanout_audience")
        return added
