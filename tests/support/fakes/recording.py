"""A chat platform in memory, for tests of the core's delivery and scheduling.

It implements :class:`bot.ports.ChatAdapter` the way a real adapter does (ids back, typed errors
on demand); end-to-end tests of the real platforms use the HTTP fakes beside this module.
"""

from __future__ import annotations

from bot.clock import Clock, SystemClock
from bot.messages.model import Message, message_text
from bot.ports import CannotEdit, CoreAPI, DeliveryError, Pacing


class RecordingPlatform:
    """A chat platform in memory: records what arrives, fails on demand."""

    platform = "test"

    def __init__(
        self, pacing: Pacing | None = None, can_edit: bool = True, clock: Clock | None = None
    ) -> None:
        """``clock``: what :attr:`sent` times are read from (the delivery's, in a test that
        paces on a :class:`bot.clock.FastClock`)."""
        self.pacing = pacing or Pacing(max_in_flight=8)
        self.clock = clock or SystemClock()
        self.can_edit = can_edit
        self.sent: list[tuple[str, str, float]] = []
        self.edited: list[tuple[str, list[str], str]] = []
        self.failures: dict[str, list[DeliveryError]] = {}
        self._next_id = 0

    def is_group(self, chat_id: str) -> bool:
        return chat_id.startswith("-")

    async def start(self, core: CoreAPI) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, chat_id: str, message: Message) -> list[str]:
        queue = self.failures.get(chat_id)
        if queue:
            raise queue.pop(0)
        self._next_id += 1
        self.sent.append((chat_id, message_text(message), self.clock.monotonic()))
        return [str(self._next_id)]

    async def edit(self, chat_id: str, message_ids: list[str], message: Message) -> None:
        if not self.can_edit:
            raise CannotEdit("no edits here")
        self.edited.append((chat_id, message_ids, message_text(message)))

    def texts(self, chat_id: str) -> list[str]:
        return [t for c, t, _ in self.sent if c == chat_id]
