"""The alert levels a chat or a subscription chooses from (no more than the names and their
order: ``matchbot --help`` lists them without loading the chat settings' models)."""

from __future__ import annotations

from typing import Literal, get_args

Level = Literal["goals", "key", "all"]
"""How many alerts a chat (or one subscription) gets, from fewest to most: the one list of
levels. Each level's rank is its place here (goals 1, key 2, all 3): the fan-out's SQL is
written from :data:`LEVEL_RANK` (``storage.fan_out.level_rank``)."""

#: each level's rank, 1 for the fewest alerts
LEVEL_RANK: dict[str, int] = {level: rank for rank, level in enumerate(get_args(Level), start=1)}
