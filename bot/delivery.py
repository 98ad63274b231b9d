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
import os
import random
import time
import uuid
from collections import deque
from collections.abc import Callable

from bot import metrics
from bot.clock import Clock, clock_of
from bot.health import FirstSends, Health
from bot.messages.model import Message
from bot.pacer import HEADS_TTL, Pacer
from bot.ports import (
    CannotEdit,
    ChatAdapter,
    ChatMoved,
    ChatUnreachable,
    DeliveryError,
    PacedAdapter,
    RetryAfter,
    TemporaryFailure,
    TokenRejected,
)
from bot.repeats import RepeatedFailures
from bot.store_contract import CoreStore, DatabaseThread, OutboxRow

log = logging.getLogger(__name__)

#: the metrics outcome of each refusal a platform answers with
_OUTCOMES: dict[type[DeliveryError], str] = {
    RetryAfter: metrics.RATE_LIMITED,
    ChatMoved: metrics.CHAT_MOVED,
    ChatUnreachable: metrics.CHAT_GONE,
}

MAX_ATTEMPTS = 8
MAX_BACKOFF = 300.0
#: How often the pacer forgets chats whose last message no longer limits anything.
FORGET_EVERY = 60.0
#: Seconds between two looks at an empty outbox (every change made here wakes the loop at once).
IDLE_CHECK = 5.0
#: … when other processes share the database: a reply they queue waits at most this long.
SHARED_IDLE_CHECK = 0.25
#: Seconds of past sends a delivery that starts recalls (a group's limit counts a minute).
RECALL = 60.0
#: Seconds a row fetched to be sent stays claimed by this process (renewed at each fetch):
#: another process sharing the database takes it only once the lease ended, so a row of a
#: process that died waits at most this long (see :meth:`CoreStore.due_heads`). The default
#: of ``MATCHBOT_OUTBOX_LEASE_SECONDS`` (a :class:`Delivery`'s ``lease``).
LEASE = 10.0
#: Seconds a send recorded by another process counts later than its recorded time against
#: the overall limit (the two machines' clocks may differ that much)
CLOCK_SLACK = 0.25


@functools.lru_cache(maxsize=256)
def parse_message(payload: str) -> Message:
    """A fan-out sends one payload to every chat: parse it once (messages are immutable)."""
    return Message.from_json(payload)


def _mark_many_sent(
    platform: str, marks: list[tuple[int, str, str, list[str]]], store: CoreStore
) -> None:
    store.mark_many_sent(platform, marks)


def backoff(attempts: int) -> float:
    """Seconds before retry number ``attempts`` (1, 2, 4 … capped at 5 minutes, with jitter)."""
    return min(MAX_BACKOFF, 2.0 ** max(0, attempts - 1)) * random.uniform(0.8, 1.2)


class Delivery:
    """Drains one platform's outbox rows through its adapter."""

    def __init__(
        self,
        db: DatabaseThread,
        adapter: ChatAdapter,
        clock: Clock | Callable[[], float] = time.time,
        *,
        health: Health | None = None,
        first_sends: FirstSends | None = None,
        idle_check: float = IDLE_CHECK,
        recall_sends: bool = False,
        on_fatal: Callable[[str], None] | None = None,
        lease: float = LEASE,
    ) -> None:
        """``health`` hears whether the platform answers; ``first_sends`` times each event's
        first alert (both for the operator's endpoints). ``idle_check``: seconds between two
        looks at an empty outbox (:data:`SHARED_IDLE_CHECK` where other processes queue
        messages too: their :meth:`wake` does not reach this one). ``recall_sends``: before
        delivering, count the sends of the last minute recorded in the database (another
        process may have sent for this token until a moment ago) against each chat's and
        group's limits. ``lease``: seconds each row fetched to be sent stays claimed by this
        delivery (:data:`LEASE`)."""
        self.idle_check = idle_check
        self.lease = lease
        self.recall_sends = recall_sends
        self.db = db
        self.adapter = adapter
        self.platform = adapter.platform
        self.health = health or Health()
        self.first_sends = first_sends or FirstSends()
        #: told when the platform rejects the bot's token (the bot must stop)
        self.on_fatal = on_fatal
        self.metrics = metrics.current()
        #: passing failures of this platform's sends: one warning line, repeats summarised
        self.failures = RepeatedFailures(f"{adapter.platform} sends", log)
        self.clock = clock_of(clock)
        self.pacer = Pacer(adapter.pacing, adapter.is_group, self.clock)
        self._in_flight: dict[str, asyncio.Task[None]] = {}
        #: due heads fetched ahead (see :meth:`_next_row`) and when they were fetched
        self._heads: deque[OutboxRow] = deque()
        self._heads_at = -math.inf
        #: chats the pacer makes wait for long (see :meth:`Pacer.waiting`), when heads were
        #: fetched: their rows were left out of the heads
        self._waiting: dict[str, float] = {}
        self._forgot_at = -math.inf
        #: sent rows waiting for their one shared write (see :meth:`_mark_sent`)
        self._sent_marks: list[tuple[OutboxRow, list[str], asyncio.Future[None]]] = []
        self._marks_writer: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        #: :meth:`run` is delivering (then :meth:`drain` only waits: two dispatchers could
        #: both choose a row fetched before the other's "sent" mark, and send it twice)
        self._running = False
        #: who claims the rows this delivery sends (several processes may share the outbox)
        self.owner = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        if isinstance(adapter, PacedAdapter):  # its sends may make more than one request
            adapter.bind_pacer(self.pacer)

    def wake(self) -> None:
        """The outbox changed: look at it again now."""
        self._heads_at = -math.inf
        self._wake.set()

    async def run(self) -> None:
        """Deliver until :meth:`stop`; an adapter failure never ends the loop."""
        self._running = True
        try:
            if self.recall_sends:
                await self._recall_recent_sends()
            while not self._stopping:
                try:
                    pause = await self._step()
                except Exception:
                    log.exception("%s delivery loop error; retrying in a second", self.platform)
                    pause = 1.0
                if pause > 0:
                    await self._pause(pause)
                else:
                    await asyncio.sleep(0)
        finally:
            self._running = False

    async def _recall_recent_sends(self) -> None:
        """The sends of the last :data:`RECALL` seconds (by whichever process: the leader
        before this one) count here as if this pacer had made them: a chat's next message
        still waits its second, a group its minute's budget, and the overall budget (30 a
        second on Telegram) holds what they used of it.

        Every send is claimed in the database before it is made. A leader that died a
        moment ago may have had requests under way, or answered but not yet marked sent:
        each row it claimed and never marked counts as sent to its chat just now, overall
        budget included. (A send's recorded time, written after its answer by the clock of
        the process that made it, counts :data:`CLOCK_SLACK` later.)"""
        now = self.clock.time()
        since = now - RECALL

        def recall(s: CoreStore) -> tuple[list[tuple[str, float]], list[str]]:
            return (
                s.recent_sends(self.platform, since),
                s.claimed_elsewhere(self.platform, self.owner, since + self.lease),
            )

        sends, unconfirmed = await self.db.call(recall)
        offset = self.clock.monotonic() - now
        for chat_id, at in sends:
            self.pacer.answered(chat_id, at + offset)
            self.pacer.sent_elsewhere(at + offset + CLOCK_SLACK)
        for chat_id in unconfirmed:
            self.pacer.answered(chat_id, now + offset)
        self.pacer.sent_elsewhere(now + offset, len(unconfirmed))
        if sends or unconfirmed:
            log.info(
                "%s: %d sends of the last minute (%d perhaps under way) count against the limits",
                self.platform,
                len(sends) + len(unconfirmed),
                len(unconfirmed),
            )

    async def _pause(self, seconds: float) -> None:
        """Wait ``seconds``, or less if :meth:`wake` (or a finished send) calls."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            async with self.clock.timeout(seconds):
                await self._wake.wait()

    async def stop(self) -> None:
        """From now on no send starts (rows not sent stay pending, for the next run); sends
        already under way finish and are recorded."""
        self._stopping = True
        self._wake.set()
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight.values()), return_exceptions=True)

    async def drain(self, limit: float = 60.0) -> None:
        """Deliver until no row of this platform is pending (for replays and tests);
        ``limit`` seconds on the delivery's clock."""
        deadline = self.clock.monotonic() + limit
        if self._running:  # the loop delivers: wait for it to have sent everything
            self.wake()
            while self.clock.monotonic() < deadline:
                if not self._in_flight:
                    pending = await self.db.call(lambda s: s.next_due_at(self.platform))
                    if pending is None:
                        return
                await asyncio.sleep(0.01)
            raise TimeoutError(f"{self.platform} outbox not drained in {limit}s")
        while self.clock.monotonic() < deadline:
            pause = await self._step()
            if self._in_flight:
                if pause > 0:
                    with contextlib.suppress(TimeoutError):
                        async with self.clock.timeout(min(pause, 0.5)):
                            await asyncio.wait(
                                list(self._in_flight.values()), return_when=asyncio.FIRST_COMPLETED
                            )
                continue
            if pause > 0:
                pending = await self.db.call(lambda s: s.next_due_at(self.platform))
                if pending is None:
                    return
                await self.clock.sleep(min(pause, 0.2))
        raise TimeoutError(f"{self.platform} outbox not drained in {limit}s")

    async def _idle_for(self) -> float:
        next_due = await self.db.call(lambda s: s.next_due_at(self.platform))
        if next_due is None:
            return self.idle_check
        return max(0.02, min(1.0, next_due - self.clock.time()))

    async def _step(self) -> float:
        """Start at most one send: take the next overall turn first, then choose the row for
        it (so no send ever waits for a turn with a row of its own, and a new alert goes at
        the next turn). Returns how long to pause before the next step (0: none)."""
        if len(self._in_flight) >= self.adapter.pacing.max_in_flight:
            return 1.0  # every slot is busy: the next one to finish wakes the loop
        await self.pacer.reserve()
        row: OutboxRow | None = None
        pause = 0.0
        try:
            if not self._stopping:  # once stop() began, no send starts: rows stay pending
                row, pause = await self._next_row()
        finally:
            if row is None or self._stopping:
                self.pacer.unreserve()
        if row is None or self._stopping:
            return pause
        self.pacer.assign(row.chat_id)
        self._in_flight[row.chat_id] = asyncio.create_task(self._deliver(row))
        return 0.0

    async def _next_row(self) -> tuple[OutboxRow | None, float]:
        """The first due head whose chat may get a message now, or None and how long to
        wait for one.

        Finding the heads costs a walk of the ready queue, so they are fetched ahead (half
        a second of sending) and used until :data:`HEADS_TTL` passed, the outbox changed
        (:meth:`wake`) or none is left; a chat's later rows come with the next fetch."""
        if not self._heads or self.clock.monotonic() - self._heads_at > HEADS_TTL:
            pacing = self.adapter.pacing
            self._waiting = self.pacer.waiting()
            busy = [*self._in_flight, *self._waiting]
            now = self.clock.time()
            limit = max(64, int((pacing.per_second or 0) * HEADS_TTL))
            self._heads_at = self.clock.monotonic()
            if self._heads_at - self._forgot_at > FORGET_EVERY:
                self._forgot_at = self._heads_at
                self.pacer.forget_idle()
            self._heads = deque(
                await self.db.call(
                    lambda s: s.due_heads(
                        self.platform, now, limit, busy, owner=self.owner, lease=self.lease
                    )
                )
            )
        mono = self.clock.monotonic()
        soonest = math.inf
        heads = self._heads
        for i, row in enumerate(heads):
            # A chat can have two heads (its reply lane and its alert lane): one at a time.
            if row.chat_id in self._in_flight:
                continue
            ready = self.pacer.ready_at(row.chat_id)
            if ready <= mono:
                i = self._alert_first(i)
                row = heads[i]
                del heads[i]
                return row, 0.0
            soonest = min(soonest, ready)
        if heads and soonest < math.inf:
            return None, max(0.005, soonest - mono)
        if heads:
            return None, 1.0  # only chats with a send under way: its end wakes the loop
        pause = await self._idle_for()
        if self._waiting:
            # Rows due now may all be waiting chats' (left out above): look again when the
            # first of them may go, or within HEADS_TTL for a row of another chat coming due.
            first = min(self._waiting.values()) - mono
            pause = max(pause, min(HEADS_TTL, max(0.005, first)))
        return None, pause

    def _alert_first(self, i: int) -> int:
        """Head ``i`` or, when it is an answer to a command and its chat also has a live
        alert among the heads, that alert's: a chat's alerts go before its answers."""
        heads = self._heads
        chosen = heads[i]
        if chosen.kind != "reply":
            return i
        for j in range(i + 1, len(heads)):
            if heads[j].chat_id == chosen.chat_id and heads[j].kind != "reply":
                return j
        return i

    async def _deliver(self, row: OutboxRow) -> None:
        try:
            await self._attempt(row)
        except Exception:
            log.exception("unexpected error delivering %s", row.key)
            self.metrics.message_sent(self.platform, row.kind, metrics.ERROR, 0.0)
            await self.db.call(
                lambda s: s.mark_retry(
                    row.id, self.clock.time() + backoff(row.attempts + 1), "internal error"
                )
            )
        finally:
            self._in_flight.pop(row.chat_id, None)
            self._wake.set()

    async def _attempt(self, row: OutboxRow) -> None:
        message = parse_message(row.payload)
        chat, platform = row.chat_id, self.platform
        started = time.perf_counter()
        try:
            try:
                if self._stopping:
                    return  # stop() began before this send started: the row stays pending
                ids = await self._send_or_edit(row, message)
            finally:
                self.pacer.finish(chat)
        except TokenRejected as exc:
            self._count(row, metrics.REFUSED, started)
            await self._token_rejected(row, exc)
            return
        except TemporaryFailure as exc:
            self._count(row, metrics.RETRY, started)
            self.health.failed(platform)
            await self._retry_later(row, str(exc))
            return
        except DeliveryError as exc:
            self._count(row, _OUTCOMES.get(type(exc), metrics.REFUSED), started)
            self.health.answered(platform)
            await self._refused(row, exc)
            return
        self.health.answered(platform)
        if self.failures.failing:
            self.failures.succeeded()
        self._count(row, metrics.SENT, started)
        self.first_sends.sent(platform, row.key)
        await self._mark_sent(row, ids)

    async def _token_rejected(self, row: OutboxRow, exc: TokenRejected) -> None:
        """Nothing can be sent with this token: the row stays as it is (the bot stops, and
        sends it after a restart with a new token); the first such answer stops the loop."""
        reason = str(exc)
        await self.db.call(
            lambda s: s.mark_retry(row.id, self.clock.time() + 60.0, reason, count=False)
        )
        if not self._stopping:
            self._stopping = True
            self._wake.set()
            if self.on_fatal is not None:
                self.on_fatal(reason)

    def _count(self, row: OutboxRow, outcome: str, started: float) -> None:
        self.metrics.message_sent(self.platform, row.kind, outcome, time.perf_counter() - started)

    async def _refused(self, row: OutboxRow, exc: DeliveryError) -> None:
        """The platform answered, and not with "sent": wait, move, or stop as it says."""
        chat, platform = row.chat_id, self.platform
        fields = {"platform": platform, "chat_id": chat, "outbox_id": row.id}
        if isinstance(exc, RetryAfter):
            log.warning(
                "%s chat %s: rate limited, waiting %.1fs", platform, chat, exc.seconds, extra=fields
            )
            self.metrics.flood_wait(platform, exc.seconds)
            self.pacer.hold(chat, exc.seconds)
            until, reason = self.clock.time() + exc.seconds, str(exc)

            def wait(s: CoreStore) -> None:
                s.mark_retry(row.id, until, reason, count=False)
                s.delay_chat(platform, chat, until)

            await self.db.call(wait)
        elif isinstance(exc, ChatMoved):
            log.info("%s chat %s moved to %s", platform, chat, exc.new_chat_id, extra=fields)
            new_id = exc.new_chat_id
            await self.db.call(lambda s: s.migrate_chat(platform, chat, new_id))
            self._heads_at = -math.inf  # heads fetched ahead may name the old id
        elif isinstance(exc, ChatUnreachable):
            reason = str(exc)
            log.warning(
                "%s chat %s unreachable (%s): its alerts stop", platform, chat, reason, extra=fields
            )
            self.metrics.chat_deactivated(platform, exc.why)
            await self.db.call(lambda s: s.deactivate_chat(platform, chat, reason))
            self._heads_at = -math.inf
        else:
            reason = str(exc)
            log.error("%s refused %s: %s", platform, row.key, reason, extra=fields)
            await self.db.call(lambda s: s.mark_failed(row.id, reason))

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
                await self.db.call(functools.partial(_mark_many_sent, platform, marks))
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
        fields = {"platform": self.platform, "chat_id": row.chat_id, "outbox_id": row.id}
        if attempts >= MAX_ATTEMPTS:
            log.error(
                "%s gave up on %s after %d attempts: %s",
                self.platform,
                row.key,
                attempts,
                reason,
                extra=fields,
            )
            self.metrics.message_sent(self.platform, row.kind, metrics.GAVE_UP, 0.0)
            await self.db.call(lambda s: s.mark_failed(row.id, reason))
            return
        at = self.clock.time() + backoff(attempts)
        # a burst of 5xx answers is one warning line, its repeats counted and summarised
        self.failures.failed(reason, **fields)
        log.debug(
            "%s send of %s failed (%s); retry %d at +%.0fs",
            self.platform,
            row.key,
            reason,
            attempts,
            at - self.clock.time(),
            extra=fields,
        )
        await self.db.call(lambda s: s.mark_retry(row.id, at, reason))

    async def _send_or_edit(self, row: OutboxRow, message: Message) -> list[str]:
        if row.edit_key:
            key = row.edit_key
            original = await self.db.call(lambda s: s.sent_message_ids(key))
            if original:
                try:
                    await self.adapter.edit(row.chat_id, original, message)
                    if row.kind == "scoreboard":
                        await self._board_shown(row, key, original)
                    return original
                except CannotEdit as exc:
                    log.info(
                        "%s cannot edit %s (%s): sending a correction", self.platform, key, exc
                    )
                ids = await self.adapter.send(row.chat_id, message.fallback or message)
                # the correction stands for the original from now on: the next change of
                # the same facts edits it, instead of sending one more correction
                platform, chat = self.platform, row.chat_id
                await self.db.call(lambda s: s.mark_many_sent(platform, [(row.id, key, chat, ids)]))
                return ids
            if message.edit_only:
                return []  # this chat never got the message to edit: nothing to say
        ids = await self.adapter.send(row.chat_id, message)
        if row.kind == "scoreboard" and row.edit_key:
            await self._board_shown(row, row.edit_key, ids)
        return ids

    async def _board_shown(self, row: OutboxRow, key: str, ids: list[str]) -> None:
        """A chat's live scoreboard sent or edited: kept under the board's own key, so the
        next change edits it, no sooner than the few seconds after this one."""
        platform, chat = self.platform, row.chat_id
        await self.db.call(lambda s: s.mark_many_sent(platform, [(row.id, key, chat, ids)]))
