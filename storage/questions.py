"""The question the bot asked someone in a chat and waits for the answer to (``/subscribe``
alone asks "Which team…?"): one per user and chat, kept across restarts, replaced by whatever
the bot answers that user there next (see :mod:`bot.questions`)."""

from __future__ import annotations

from bot.store_contract import AskedRow, QuestionRow
from storage.base import StoreBase


class QuestionTables(StoreBase):
    def ask(
        self, platform: str, chat_id: str, user_id: str, command: str, key: str, now: float
    ) -> None:
        """The user was asked for ``command``'s argument by the reply queued under ``key``."""
        self._exec(
            "INSERT OR REPLACE INTO questions (platform, chat_id, user_id, command, key,"
            " asked_at) VALUES (?, ?, ?, ?, ?, ?)",
            [platform, chat_id, user_id, command, key, now],
        )

    def question(self, platform: str, chat_id: str, user_id: str) -> QuestionRow | None:
        return self._one(
            "SELECT command, key, asked_at FROM questions WHERE platform = ? AND chat_id = ?"
            " AND user_id = ?",
            [platform, chat_id, user_id],
        )

    def drop_question(self, platform: str, chat_id: str, user_id: str) -> None:
        self._exec(
            "DELETE FROM questions WHERE platform = ? AND chat_id = ? AND user_id = ?",
            [platform, chat_id, user_id],
        )

    def questions_since(self, since: float) -> list[AskedRow]:
        """Who was asked a question at ``since`` or later, and when."""
        return self._rows(
            "SELECT platform, chat_id, user_id, asked_at FROM questions WHERE asked_at >= ?",
            [since],
        )
