"""What every adapter's rendering shares: a message is rendered once, however many chats get it.

The outbox stores each neutral message once per fan-out (``messages``) and the delivery loop
parses each stored message once (:func:`bot.delivery.parse_message`), so a goal sent to
100,000 chats reaches the adapter as the same :class:`Message` 100,000 times; the adapter
renders it at send time through a :class:`RenderCache`, which renders it on the first send
only. Messages are immutable, and one built in another language or time zone is another
message, so the cache needs no invalidation: the least recently used entries are forgotten.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from bot.messages.model import Message

T = TypeVar("T")

#: Messages remembered: the distinct messages of the fan-outs being delivered at once.
CACHE_SIZE = 512


class RenderCache(Generic[T]):
    """``render(message)``, computed once per distinct message (the last ``size`` kept)."""

    def __init__(self, render: Callable[[Message], T], size: int = CACHE_SIZE) -> None:
        self._render = render
        self._size = size
        self._done: OrderedDict[Message, T] = OrderedDict()
        #: how many times a message was actually rendered (the rest came from the cache)
        self.renders = 0

    def __call__(self, message: Message) -> T:
        try:
            value = self._done[message]
        except KeyError:
            value = self._render(message)
            self.renders += 1
            self._done[message] = value
            if len(self._done) > self._size:
                self._done.popitem(last=False)
            return value
        self._done.move_to_end(message)
        return value
