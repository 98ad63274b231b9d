"""A provider's squad of a team kept as the team's players (through the store's API)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from adapters.providers.shapes import dig, opt_int, opt_str
from bot.store_contract import CoreStore
from bot.teams import find_team, normalize


def keep_squad(store: CoreStore, team: str, provider: str, players: Iterable[Any]) -> int:
    """Keep each listed player (``{id, name}``) of our team ``team`` not known yet by his
    ``provider`` id; returns how many were new. A player already known (from a line-up or an
    event) keeps his name: a squad's short spelling never replaces a fuller one."""
    found = find_team(store, team).team
    if found is None:
        return 0
    listed: dict[str, str] = {}
    for player in players:
        number = opt_int(dig(player, "id"))
        name = opt_str(dig(player, "name"))
        if number is not None and number > 0 and name:
            listed.setdefault(str(number), name.strip()[:200])
    added = 0
    for pid, name in listed.items():
        if store.player_ids_by_provider([(provider, pid)]):
            continue
        store.add_provider_player(name, normalize(name), found.id, provider, pid)
        added += 1
    return added
