"""What the fake records and keeps: violations, injected failures, rate windows, chats."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Literal

from tests.support.fakes.telegram_api.wire import JSON, FailureKind


@dataclass
class Violation:
    """A request refused by the emulated flood control."""

    kind: Literal["per_chat", "group", "global", "retry_after"]
    method: str
    chat_id: int
    retry_after: int
    at: float  # time.monotonic() of arrival


@dataclass
class InjectedFailure:
    """A pending one-shot failure registered through :meth:`FakeTelegram.fail_next`."""

    kind: FailureKind
    remaining: int
    methods: frozenset[str]
    retry_after: int = 1
    new_chat_id: int | None = None
    status: int = 500
    delay: float = 6.0
    deliver: bool = False


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


class _RateWindow:
    """At most ``limit`` events per ``window`` seconds (sliding window or leaky bucket)."""

    def __init__(self, limit: int, window: float, mode: Literal["sliding", "bucket"]) -> None:
        self.limit = limit
        self.window = window
        self.mode = mode
        self._times: deque[float] = deque()
        self._level = 0.0
        self._last = 0.0

    def wait_needed(self, now: float, limit: int | None = None) -> float:
        """Seconds until one more event would be allowed (0.0 = allowed now)."""
        cap = self.limit if limit is None else limit
        if self.mode == "bucket":
            level = max(0.0, self._level - (now - self._last) * self.limit / self.window)
            if level + 1 <= cap + 1e-9:
                return 0.0
            return (level + 1 - cap) * self.window / self.limit
        while self._times and self._times[0] <= now - self.window:
            self._times.popleft()
        if len(self._times) < cap:
            return 0.0
        return self._times[len(self._times) - cap] + self.window - now

    def add(self, now: float) -> None:
        if self.mode == "bucket":
            self._level = max(0.0, self._level - (now - self._last) * self.limit / self.window)
            self._level += 1
            self._last = now
        else:
            self._times.append(now)


@dataclass
class _Chat:
    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    next_message_id: int = 1
    blocked: bool = False
    migrated_to: int | None = None
    extra: JSON = field(default_factory=dict)

    def to_json(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        if self.type == "private":
            data["first_name"] = self.first_name or f"User {self.id}"
        else:
            data["title"] = self.title or f"Chat {self.id}"
        if self.username:
            data["username"] = self.username
        return data


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart request (``sendPhoto``'s ``photo``)."""

    filename: str
    data: bytes
