"""Reporters' corrections: reports, undoing them, and what they sent."""

from __future__ import annotations

from bot.store_contract import (
    EventRow,
    OutboxViewRow,
    QuoteRow,
    ReportRow,
)
from storage.matches import MatchTables


class ReportTables(MatchTables):
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
        platform ids kept for editing them, and the questions asked then: long expired, and
        left behind by users who never wrote again); pending rows are never touched."""
        with self.db.atomic():
            removed = self._exec(
                "DELETE FROM outbox WHERE status IN ('sent', 'dropped', 'failed')"
                " AND created_at < ?",
                [before],
            )
            self._exec("DELETE FROM sent_messages WHERE sent_at < ?", [before])
            self._exec("DELETE FROM questions WHERE asked_at < ?", [before])
            self._exec(
                "DELETE FROM messages WHERE created_at < ? AND id NOT IN"
                " (SELECT message_id FROM outbox WHERE message_id IS NOT NULL)",
                [before],
            )
        return removed
