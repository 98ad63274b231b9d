"""Chats, their settings, and what each follows."""

from __future__ import annotations

import json
import time
from typing import Any

from bot.store_contract import (
    ChatRow,
    DigestChatRow,
    FollowRow,
    TeamRow,
)
from storage.base import StoreBase

#: The chat settings the fan-out's queries read (named as in ``bot.chat_settings.ChatSettings``),
#: each kept in a column of ``chats`` and only there; every other setting is in the ``settings``
#: JSON. NULL (absent) is the setting's default.
SETTING_COLUMNS: dict[str, str] = {
    "timezone": "tz",
    "language": "lang",
    "spoiler_delay": "spoiler",
    "level": "level",
}


def whole_settings(row: Any) -> dict[str, Any]:
    """A chat row's settings, those of its columns and those of its JSON, as one dict."""
    try:
        found = json.loads(row["settings"] or "{}")
    except ValueError:
        found = {}
    settings = found if isinstance(found, dict) else {}
    for name, column in SETTING_COLUMNS.items():
        value = row[column]
        if value is not None:
            settings[name] = int(value) if column == "spoiler" else value
    return settings


class ChatTables(StoreBase):
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

    def _stored_chat(self, platform: str, chat_id: str) -> ChatRow | None:
        """The chat's row as stored: ``settings`` holds only the settings without a column."""
        return self._one(
            "SELECT * FROM chats WHERE platform = ? AND chat_id = ?", [platform, chat_id]
        )

    def chat(self, platform: str, chat_id: str) -> ChatRow | None:
        """The chat, ``settings`` being all its settings (JSON): those kept in columns put
        back with the others."""
        row = self._stored_chat(platform, chat_id)
        if row is None:
            return None
        return {**row, "settings": json.dumps(whole_settings(row), sort_keys=True)}

    def chat_settings(self, platform: str, chat_id: str) -> dict[str, Any]:
        row = self._stored_chat(platform, chat_id)
        return whole_settings(row) if row else {}

    def set_chat_settings(self, platform: str, chat_id: str, settings: dict[str, Any]) -> None:
        """Store a chat's settings, each once: those the fan-out's queries read in their
        columns (:data:`SETTING_COLUMNS`; absent: NULL), every other one in the JSON."""
        self.ensure_chat(platform, chat_id)
        rest = {k: v for k, v in settings.items() if k not in SETTING_COLUMNS}
        columns = ", ".join(f"{column} = ?" for column in SETTING_COLUMNS.values())
        self._exec(
            f"UPDATE chats SET settings = ?, {columns} WHERE platform = ? AND chat_id = ?",
            [
                json.dumps(rest, sort_keys=True),
                *(settings.get(name) for name in SETTING_COLUMNS),
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
        old = self._stored_chat(platform, old_id)
        if old is not None and old["active"] and self._stored_chat(platform, new_id) is not None:
            # the supergroup spoke first (a command there made its row): the group's
            # settings are the chat's all the same
            self._exec(
                "UPDATE chats SET settings = ?, tz = ?, lang = ?, spoiler = ?, level = ?,"
                " active = 1 WHERE platform = ? AND chat_id = ?",
                [
                    old["settings"],
                    old["tz"],
                    old["lang"],
                    old["spoiler"],
                    old["level"],
                    platform,
                    new_id,
                ],
            )
        elif old is not None and self._stored_chat(platform, new_id) is None:
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
        # a row whose new key is already taken stays as it is (written so both SQLite and
        # PostgreSQL read it: neither ``UPDATE OR IGNORE`` nor ``ON CONFLICT`` in an UPDATE)
        self._exec(
            "UPDATE outbox SET chat_id = ?,"
            " key = substr(key, 1, length(key) - length(?)) || ?"
            " WHERE platform = ? AND chat_id = ? AND status = 'pending'"
            " AND NOT EXISTS (SELECT 1 FROM outbox taken"
            " WHERE taken.key = substr(outbox.key, 1, length(outbox.key) - length(?)) || ?)",
            [new_id, old_id, new_id, platform, old_id, old_id, new_id],
        )
        # what was already queued for the new id too is not sent twice
        self._exec(
            "UPDATE outbox SET status = 'dropped', last_error = ? WHERE platform = ?"
            " AND chat_id = ? AND status = 'pending'",
            [f"chat moved to {new_id}; already queued there", platform, old_id],
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

    def chats_with_digest(self) -> list[DigestChatRow]:
        """Active chats that asked for the daily digest (``digest`` in their settings)."""
        return [
            {
                "platform": row["platform"],
                "chat_id": row["chat_id"],
                "settings": json.dumps(whole_settings(row), sort_keys=True),
            }
            for row in self._rows(
                "SELECT * FROM chats WHERE active = 1"
                " AND json_extract(settings, '$.digest') IS NOT NULL"
            )
        ]
