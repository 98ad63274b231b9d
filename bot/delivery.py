"""Delivery: sends the outbox to one platform, paced, in order per chat, and never twice.

A row leaves the outbox only after the platform confirmed it (its message ids are stored so a
correction can edit it later). A crash between the platform's answer and that write can at worst
repeat that one message at the next start; nothing is ever lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import random
import time
from collections import defaultdict, deque
from collections.abc import Callable

from aiolimiter import AsyncLimiter

from bot.messages.model import Message
from bot.ports import (
    CannotEdit,
    ChatAdapter,
    ChatMoved,
    ChatUnreachable,
    PermanentFailure,
    RetryAfter,
    TemporaryFailure,
)
from storage.store import OutboxRow, Store
from storage.thread import StoreThread

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = 300.0
#: Heads fetched at once are used for at most this long before the outbox is asked again
#: (and at once after :meth:`Delivery.wake`, which every change of the outbox calls).
HEADS_TTL = 0.5


@functools.lru_cache(maxsize=256)
def parse_message(payload: str) -> Message:
    """A fan-out sends one payload to every chat: parse it once (messages are immutable)."""
    return Message.from_json(payload)


def backoff(attempts: int) -> float:
    """Seconds before retry number ``attempts`` (1, 2, 4 … capped at 5 minutes, with jitter)."""
    return min(MAX_BACKOFF, 2.0 ** max(0, attempts - 1)) * random.uniform(0.8, 1.2)


class ChatPacer:
    """Remembers when each chat last got a message, to keep to the platform's per-chat limits."""

    def __init__(self, adapter: ChatAdapter, clock: Callable[[], float]) -> None:
        self.pacing = adapter.pacing
        self.is_group = adapter.is_group
        self.clock = clock
        self._last: dict[str, float] = {}
        self._group_window: dict[str, deque[float]] = defaultdict(deque)
        self._held: dict[str, float] = {}

    def hold(self, chat_id: str, until: float) -> None:
        """The platform asked us to leave this chat alone until ``until`` (this clock): rows
        queued later (an answer to a command typed meanwhile) wait too."""
        self._held[chat_id] = max(self._held.get(chat_id, 0.0), until)

    def ready_at(self, chat_id: str) -> float:
        """The earliest time this chat may get its next message."""
        at = self._last.get(chat_id, 0.0) + self.pacing.per_chat_interval
        held = self._held.get(chat_id)
        if held is not None:
            if held > self.clock():
                at = max(at, held)
            else:
                del self._held[chat_id]
        limit = self.pacing.group_per_minute
        if limit and self.is_group(chat_id):
            window = self._group_window[chat_id]
            while window and window[0] <= self.clock() - 60.0:
                window.popleft()
            if len(window) >= limit:
                at = max(at, window[0] + 60.0)
        return at

    def sent(self, chat_id: str) -> None:
        now = self.clock()
        self._last[chat_id] = now
        if self.pacing.group_per_minute and self.is_group(chat_id):
            self._group_window[chat_id].append(now)


class Delivery:
    """Drains one platform's outbox rows through its adapter."""

    def __init__(
        self, db: StoreThread, adapter: ChatAdapter, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.adapter = adapter
        self.platform = adapter.platform
        self.clock = clock
        self.pacer = ChatPacer(adapter, time.monotonic)
        rate = adapter.pacing.per_second
        # A token bucket of ``burst`` messages refilled at ``rate``: a sliding one-second window
        # never sees more than ``rate + burst`` messages. ``burst`` 1 spaces them evenly; at
        # high rates a few lets the loop catch up when it woke late instead of losing the slot.
        burst = adapter.pacing.burst
        self._limiter = AsyncLimiter(burst, burst / rate) if rate else None
        self._in_flight: dict[str, asyncio.Task[None]] = {}
        #: due heads fetched ahead (see :meth:`_dispatch_due`) and when they were fetched
        self._heads: deque[OutboxRow] = deque()
        self._heads_at = -math.inf
        #: sent rows waiting for their one shared write (see :meth:`_mark_sent`)
        self._sent_marks: list[tuple[OutboxRow, list[str], asyncio.Future[None]]] = []
        self._marks_writer: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        self.sent_count = 0
        # An adapter that may post one row as several messages (Telegram splits texts over
        # 4096 characters) paces each extra message through this loop's limits.
        bind_pacer = getattr(adapter, "bind_pacer", None)
        if callable(bind_pacer):
            bind_pacer(self.pace_extra)

    async def pace_extra(self, chat_id: str) -> None:
        """Wait until one more message may go to ``chat_id``, and count it."""
        wait = self.pacer.ready_at(chat_id) - time.monotonic()
        if wait > 0:  # the chat's only send in flight is this one: nothing moves ready_at
            await asyncio.sleep(wait)
        if self._limiter is not None:
            await self._limiter.acquire()
        self.pacer.sent(chat_id)

    def wake(self) -> None:
        """The outbox changed: look at it again now."""
        self._heads_at = -math.inf
        self._wake.set()

    async def run(self) -> None:
        """Deliver until :meth:`stop`; an adapter failure never ends the loop."""
        while not self._stopping:
            try:
                started = await self._dispatch_due()
            except Exception:
                log.exception("%s delivery loop error; retrying in a second", self.platform)
                started, pause = 0, 1.0
            else:
                if started:
                    pause = 0.0
                elif len(self._in_flight) >= self.adapter.pacing.max_in_flight:
                    pause = 1.0  # every slot is busy: the next one to finish wakes the loop
                else:
                    pause = await self._idle_for()
            if pause > 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=pause)
            else:
                await asyncio.sleep(0)

    async def stop(self) -> None:
        """From now on no send starts (rows not sent stay pending, for the next run); sends
        already under way finish and are recorded."""
        self._stopping = True
        self._wake.set()
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight.values()), return_exceptions=True)

    async def drain(self, limit: float = 60.0) -> None:
        """Deliver until no row of this platform is pending (for replays and tests)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            started = await self._dispatch_due()
            if self._in_flight:
                await asyncio.wait(
                    list(self._in_flight.values()), timeout=0.5, return_when=asyncio.FIRST_COMPLETED
                )
                continue
            if not started:
                pending = await self.db.call(lambda s: s.next_due_at(self.platform))
                if pending is None:
                    return
                await asyncio.sleep(min(0.2, max(0.0, pending - self.clock())))
        raise TimeoutError(f"{self.platform} outbox not drained in {limit}s")

    async def _idle_for(self) -> float:
        next_due = await self.db.call(lambda s: s.next_due_at(self.platform))
        if next_due is None:
            return 5.0
        return max(0.02, min(1.0, next_due - self.clock()))

    async def _dispatch_due(self) -> int:
        """Start sends for due heads, up to ``max_in_flight`` at once.

        Finding the heads costs a scan of every pending row, so at high rates they are fetched
        ahead (``limit`` for half a second of sending) and used until :data:`HEADS_TTL` passed,
        the outbox changed (:meth:`wake`) or they ran out; a chat's later rows come with the next
        fetch."""
        pacing = self.adapter.pacing
        capacity = pacing.max_in_flight - len(self._in_flight)
        if capacity <= 0:
            return 0
        mono = time.monotonic()
        if len(self._heads) < capacity or mono - self._heads_at > HEADS_TTL:
            busy = list(self._in_flight)
            now = self.clock()
            limit = max(capacity * 4, int((pacing.per_second or 0) * HEADS_TTL))
            self._heads_at = mono
            self._heads = deque(
                await self.db.call(
                    lambda s: s.due_heads(self.platform, now, limit=limit, busy_chats=busy)
                )
            )
            mono = time.monotonic()
        started = 0
        skipped: list[OutboxRow] = []
        heads = self._heads
        # once stop() began, no send starts: the rows stay pending
        while heads and started < capacity and not self._stopping:
            row = heads.popleft()
            # A chat can have two heads (its reply lane and its alert lane): one at a time.
            if row.chat_id in self._in_flight or self.pacer.ready_at(row.chat_id) > mono:
                skipped.append(row)
                continue
            self._in_flight[row.chat_id] = asyncio.create_task(self._deliver(row))
            started += 1
        heads.extendleft(reversed(skipped))
        return started

    async def _deliver(self, row: OutboxRow) -> None:
        try:
            await self._attempt(row)
        except Exception:
            log.exception("unexpected error delivering %s", row.key)
            await self.db.call(
                lambda s: s.mark_retry(
                    row.id, self.clock() + backoff(row.attempts + 1), "internal error"
                )
            )
        finally:
            self._in_flight.pop(row.chat_id, None)
            self._wake.set()

    async def _attempt(self, row: OutboxRow) -> None:
        message = parse_message(row.payload)
        chat, platform = row.chat_id, self.platform
        try:
            if self._limiter is not None:
                await self._limiter.acquire()
            if self._stopping:
                return  # stop() began while this waited its turn: the row stays pending
            self.pacer.sent(chat)
            ids = await self._send_or_edit(row, message)
        except RetryAfter as exc:
            log.warning("%s chat %s: rate limited, waiting %.1fs", platform, chat, exc.seconds)
            self.pacer.hold(chat, time.monotonic() + exc.seconds)
            until, reason = self.clock() + exc.seconds, str(exc)

            def wait(s: Store) -> None:
                s.mark_retry(row.id, until, reason, count=False)
                s.delay_chat(platform, chat, until)

            await self.db.call(wait)
        except ChatMoved as exc:
            log.info("%s chat %s moved to %s", platform, chat, exc.new_chat_id)
            new_id = exc.new_chat_id
            await self.db.call(lambda s: s.migrate_chat(platform, chat, new_id))
            self._heads_at = -math.inf  # heads fetched ahead may name the old id
        except ChatUnreachable as exc:
            reason = str(exc)
            log.warning("%s chat %s unreachable (%s): its alerts stop", platform, chat, reason)
            await self.db.call(lambda s: s.deactivate_chat(platform, chat, reason))
            self._heads_at = -math.inf
        except PermanentFailure as exc:
            reason = str(exc)
            log.error("%s refused %s: %s", platform, row.key, reason)
            await self.db.call(lambda s: s.mark_failed(row.id, reason))
        except TemporaryFailure as exc:
            await self._retry_later(row, str(exc))
        else:
            await self._mark_sent(row, ids)
            self.sent_count += 1

    async def _mark_sent(self, row: OutboxRow, ids: list[str]) -> None:
        """Record ``row`` as sent. Rows confirmed meanwhile share one transaction (one trip
        to the database thread); the row keeps its place among the sends in flight until
        its mark is committed, so a crash can repeat at most ``max_in_flight`` rows."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sent_marks.append((row, ids, done))
        if self._marks_writer is None or self._marks_writer.done():
            self._marks_writer = asyncio.create_task(self._write_marks())
        await done

    async def _write_marks(self) -> None:
        platform = self.platform
        while self._sent_marks:
            batch, self._sent_marks = self._sent_marks, []
            marks = [(row.id, row.key, row.chat_id, ids) for row, ids, _ in batch]
            try:
                await self.db.call(
                    functools.partial(Store.mark_many_sent, platform=platform, marks=marks)
                )
            except Exception as exc:
                for _, _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def _retry_later(self, row: OutboxRow, reason: str) -> None:
        attempts = row.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            log.error(
                "%s gave up on %s after %d attempts: %s", self.platform, row.key, attempts, reason
            )
            await self.db.call(lambda s: s.mark_failed(row.id, reason))
            return
        at = self.clock() + backoff(attempts)
        log.warning(
            "%s send of %s failed (%s); retry %d at +%.0fs",
            self.platform,
            row.key,
            reason,
            attempts,
            at - self.clock(),
        )
        await self.db.call(lambda s: s.mark_retry(row.id, at, reason))

    async def _send_or_edit(self, row: OutboxRow, message: Message) -> list[str]:
        if row.edit_key:
            key = row.edit_key
            original = await self.db.call(lambda s: s.sent_message_ids(key))
            if original:
                try:
                    await self.adapter.edit(row.chat_id, original, message)
                    return original
                except CannotEdit as exc:
                    log.info(
                        "%s cannot edit %s (%s): sending a correction", self.platform, key, exc
                    )
        return await self.adapter.send(row.chat_id, message)
