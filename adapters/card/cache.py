"""The card pictures a chat adapter has drawn, each once. Pillow (:mod:`.render`) is loaded with
the first card drawn, not when the adapter starts."""

from __future__ import annotations

from collections import OrderedDict

from bot.messages.model import MatchCard


class CardCache:
    """Each card drawn once (by its key), the most recent ones kept."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._png: OrderedDict[str, bytes] = OrderedDict()
        self.drawn = 0

    def __call__(self, card: MatchCard) -> bytes:
        png = self._png.get(card.key)
        if png is None:
            from adapters.card.render import render_card

            png = render_card(card)
            self.drawn += 1
            self._png[card.key] = png
            while len(self._png) > self.size:
                self._png.popitem(last=False)
        self._png.move_to_end(card.key)
        return png
