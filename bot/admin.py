"""``MATCHBOT_ADMIN_CHAT``: the bot's start and stop, and the faults the operator must fix
(:mod:`bot.faults`), sent to one Telegram chat or Discord channel through the outbox like any
message — each once, and at most :data:`PER_HOUR` an hour (a start is not told again within
:data:`START_QUIET` of the last one, so a crash loop does not flood the chat)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

from bot.messages.admin import admin_notice
from bot.messages.model import Message
from bot.store_contract import CoreStore, DatabaseThread, NewOutboxRow

log = logging.getLogger(__name__)

#: admin messages in any hour, at most
PER_HOUR = 10
#: seconds during which a new start is not told again
START_QUIET = 600.0
#: Discord's ids (snowflakes) have 17 digits or more; Telegram's chat ids fewer
SNOWFLAKE_DIGITS = 17


def admin_target(value: str, platforms: list[str]) -> tuple[str, str]:
    """``telegram:-100123``, ``discord:1234…`` or a bare id (the one platform configured;
    with both, a 17-digit id or longer is a Discord channel). Raises ValueError."""
    text = value.strip()
    platform, _, chat = text.rpartition(":")
    if platform:
        if platform not in platforms:
            raise ValueError(f"MATCHBOT_ADMIN_CHAT names {platform}, which is not configured")
    elif len(platforms) == 1:
        platform = platforms[0]
    else:
        digits = chat.lstrip("-")
        platform = "discord" if len(digits) >= SNOWFLAKE_DIGITS else "telegram"
    if not chat.lstrip("-").isdigit() and not chat.startswith("@"):
        raise ValueError(f"MATCHBOT_ADMIN_CHAT={value!r} is not a chat id")
    return platform, chat


class AdminChat:
    def __init__(
        self,
        db: DatabaseThread,
        platform: str,
        chat_id: str,
        wake: Callable[[], None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.platform = platform
        self.chat_id = chat_id
        self.wake = wake
        self.clock = clock
        self._sent: deque[float] = deque()
        self._tasks: set[asyncio.Task[str | None]] = set()

    def _allowed(self) -> bool:
        now = self.clock()
        while self._sent and self._sent[0] < now - 3600.0:
            self._sent.popleft()
        if len(self._sent) >= PER_HOUR:
            return False
        self._sent.append(now)
        return True

    async def tell(self, kind: str, text: str, key: str) -> str | None:
        """Queue one notice under ``admin:<key>`` (a key queued before is not queued again);
        returns the outbox key, or None when the hour's budget is spent."""
        if not self._allowed():
            log.info("admin chat: %s not sent (more than %d notices this hour)", kind, PER_HOUR)
            return None
        message: Message = admin_notice(kind, text)
        full_key = f"admin:{key}"
        row = NewOutboxRow(
            key=full_key,
            platform=self.platform,
            chat_id=self.chat_id,
            kind="admin",
            payload=message.to_json(),
            edit_key=None,
            next_attempt_at=0.0,
        )
        now = self.clock()
        await self.db.call(lambda s: s.enqueue([row], now=now))
        self.wake()
        return full_key

    async def started(self, what: str) -> None:
        now = self.clock()

        def recent(store: CoreStore) -> bool:
            rows = store.outbox_rows_for("admin:start:")
            return any((r["created_at"] or 0) > now - START_QUIET for r in rows)

        if await self.db.call(recent):
            log.info("admin chat: start not told again (the last one was minutes ago)")
            return
        await self.tell("start", f"started ({what})", f"start:{now:.0f}")

    async def stopping(self, sent: Callable[[str], Awaitable[bool]]) -> None:
        """Tell the stop, and give it a few seconds to go out (``sent`` waits for a key)."""
        key = await self.tell("stop", "stopping", f"stop:{self.clock():.0f}")
        if key is not None:
            await sent(key)

    def on_fault(self, name: str, message: str, began: bool) -> None:
        """:class:`bot.faults.Faults` listener: queue the notice from the event loop."""
        kind = "fault" if began else "fixed"
        key = f"{kind}:{name}:{self.clock():.0f}"
        task = asyncio.get_running_loop().create_task(self.tell(kind, message, key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
