"""The match card picture, drawn with Pillow from the core's :class:`~bot.messages.model.MatchCard`
(see :mod:`adapters.card.render`)."""

from adapters.card.render import CardCache, render_card

__all__ = ["CardCache", "render_card"]
