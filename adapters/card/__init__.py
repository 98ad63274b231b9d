"""The match card picture, drawn with Pillow from the core's :class:`~bot.messages.model.MatchCard`
(:mod:`adapters.card.render`), and each adapter's cache of the cards it drew
(:mod:`adapters.card.cache`, which loads Pillow only when the first card is drawn)."""
