"""The durable outbox: rows due per chat, sent, retried, failed, pruned."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from bot.store_contract import (
    NewOutboxRow,
    OutboxRow,
    OutboxViewRow,
)
from storage.base import StoreBase


def same_lane(earlier: str, row: str) -> str:
    """SQL: the two outbox rows (table aliases) are in the same lane of their chat. A chat's
    rows keep their order within a lane: its alerts and other messages; its answers to
    commands (never waiting behind held-back alerts); its live scoreboard's edits (held
    back a few seconds to coalesce them, never holding an alert back)."""

    def lane(alias: str) -> str:
        return f"(CASE {alias}.kind WHEN 'reply' THEN 1 WHEN 'scoreboard' THEN 2 ELSE 0 END)"

    return f"{lane(earlier)} = {lane(row)}"


class OutboxTables(StoreBase):
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
        self,
        platform: str,
        now: float,
        limit: int,
        busy_chats: Iterable[str] = (),
        *,
        owner: str | None = None,
        lease: float = 0.0,
    ) -> list[OutboxRow]:
        """The oldest pending row of each chat, if it is due, fairest first.

        Only a chat's head is ever offered, so one chat's messages keep their order (replies to
        commands form their own lane, so they never wait behind held-back alerts); heads are
        ordered by their place in their fan-out, live alerts first among equals (a reply is
        its own fan-out of one, at place 0: it comes after a new alert's first chats but before
        every fan-out's later rows), so a new alert of one match goes ahead of the rest of a
        long fan-out of another instead of waiting behind it.

        With an ``owner`` (the sending process), the heads are claimed for it until ``now +
        lease``; a head another owner claimed is skipped until its lease ends (see
        :meth:`storage.pg_store.PostgresStore.due_heads` for several processes at once).
        """
        with self.db.atomic():
            rows = self._due_heads(platform, now, limit, busy_chats, owner)
            if owner is not None and rows:
                ids = [r["id"] for r in rows]
                self._exec(
                    "UPDATE outbox SET claimed_by = ?, lease_until = ?"
                    f" WHERE id IN ({','.join('?' * len(ids))})",
                    [owner, now + lease, *ids],
                )
        return [OutboxRow.from_row(r) for r in rows]

    def _due_heads(
        self,
        platform: str,
        now: float,
        limit: int,
        busy_chats: Iterable[str],
        owner: str | None,
    ) -> list[Any]:
        busy: list[Any] = list(busy_chats)
        exclude = f" AND o.chat_id NOT IN ({','.join('?' * len(busy))})" if busy else ""
        if owner is not None:
            exclude += " AND (o.lease_until IS NULL OR o.lease_until <= ? OR o.claimed_by = ?)"
            busy += [now, owner]
        # Walks the pending rows in (fanout_pos, id) order on an index and keeps the heads
        # (no earlier pending row in the chat's lane): about ``limit`` rows read, not every
        # pending row grouped and sorted.
        rows: list[Any] = self._rows(
            "SELECT o.* FROM outbox_view o WHERE o.status = 'pending' AND o.platform = ?"
            f" AND o.next_attempt_at <= ?{exclude} AND NOT EXISTS (SELECT 1 FROM outbox p"
            " WHERE p.status = 'pending' AND p.platform = o.platform AND p.chat_id = o.chat_id"
            f" AND p.id < o.id AND {same_lane('p', 'o')})"
            " ORDER BY o.fanout_pos, o.kind = 'reply', o.id LIMIT ?",
            [platform, now, *busy, limit],
        )
        return rows

    def pending_reply_keys(self, platform: str, chat_id: str) -> list[str]:
        """The keys of a chat's answers still waiting to be sent (few: see bot.fairness)."""
        return [
            r["key"]
            for r in self._rows(
                "SELECT key FROM outbox WHERE status = 'pending' AND platform = ?"
                " AND chat_id = ? AND kind = 'reply' ORDER BY id",
                [platform, chat_id],
            )
        ]

    def recent_sends(self, platform: str, since: float) -> list[tuple[str, float]]:
        """(chat id, when) of every message to ``platform`` marked sent at ``since`` or later,
        oldest first: what the platform's limits still count."""
        return [
            (r["chat_id"], r["sent_at"])
            for r in self._rows(
                "SELECT chat_id, sent_at FROM outbox WHERE platform = ? AND status = 'sent'"
                " AND sent_at >= ? ORDER BY sent_at",
                [platform, since],
            )
        ]

    def claimed_elsewhere(self, platform: str, owner: str, leased_past: float) -> list[str]:
        """The chat of every pending row that another owner claimed with a lease ending after
        ``leased_past``: a process that died may have sent it without marking it sent (one
        chat per row)."""
        return [
            r["chat_id"]
            for r in self._rows(
                "SELECT chat_id FROM outbox WHERE status = 'pending' AND platform = ?"
                " AND claimed_by IS NOT NULL AND claimed_by != ? AND lease_until > ?",
                [platform, owner, leased_past],
            )
        ]

    def next_due_at(self, platform: str) -> float | None:
        """When the platform's next pending row comes due (None: no row is pending); when
        one is due already, a time at or before now, not necessarily the earliest.

        Rows not due when they were queued (held back, retried later) are in an index of
        their due times: the earliest of them is one look. A row due when it was queued is
        due now: the first one the ready queue holds is enough (most rows of a fan-out are
        such rows, and write no entry in that index)."""
        row = self._one(
            "SELECT MIN(next_attempt_at) AS t FROM outbox WHERE status = 'pending'"
            " AND platform = ? AND next_attempt_at > created_at",
            [platform],
        )
        held = row["t"] if row else None
        due = self._one(
            "SELECT next_attempt_at AS t FROM outbox WHERE status = 'pending' AND platform = ?"
            " AND next_attempt_at <= created_at ORDER BY fanout_pos, id LIMIT 1",
            [platform],
        )
        times = [t for t in (held, due["t"] if due else None) if t is not None]
        return min(times) if times else None

    def mark_sent(
        self, row_id: int, key: str, platform: str, chat_id: str, message_ids: list[str]
    ) -> None:
        with self.db.atomic():
            self._exec(
                "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
                " claimed_by = NULL, lease_until = NULL WHERE id = ?",
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
                "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
                " claimed_by = NULL, lease_until = NULL WHERE id = ?",
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
            " last_error = ?, claimed_by = NULL, lease_until = NULL WHERE id = ?",
            [1 if count else 0, at, error, row_id],
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
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?,"
            " claimed_by = NULL, lease_until = NULL WHERE id = ?",
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
