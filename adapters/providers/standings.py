"""A provider's league table as the feed's ``standings`` object: the table before a match, which
the recap turns into what the result did to it (pure)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple


class TableRow(NamedTuple):
    """One row of a provider's table, as far as it gave it."""

    team_id: int | None
    name: str | None
    points: int | None
    played: int | None
    goal_difference: int | None


def table_before(
    mid: str,
    groups: Iterable[Sequence[TableRow]],
    home: tuple[int | None, str],
    away: tuple[int | None, str],
    odd: Callable[[str, str], None],
) -> dict[str, Any] | None:
    """The ``standings`` object of match ``mid`` from the provider's table(s): the group that
    holds both teams (by the provider's team ids), each team once, the match's two teams under
    the match's names. A row without a name or points is left out. None when no group holds
    both teams (a cup without a table, a table missing a team). ``odd(what, text)`` is told
    each oddity (the caller logs it once per match)."""
    names = {home[0]: home[1], away[0]: away[1]}
    groups = [list(g) for g in groups]
    for group in groups:
        ids = {row.team_id for row in group}
        if home[0] is None or away[0] is None or not {home[0], away[0]} <= ids:
            continue
        table: list[dict[str, Any]] = []
        seen: set[int | str] = set()
        for row in group:
            name = names.get(row.team_id) or (row.name or "").strip()
            key: int | str = row.team_id if row.team_id is not None else name.casefold()
            if not name or row.points is None or not -99 <= row.points <= 999 or key in seen:
                odd("standings-row", f"the table for {mid} has an odd row: left out")
                continue
            seen.add(key)
            entry: dict[str, Any] = {"team": name[:200], "points": row.points}
            if row.played is not None and 0 <= row.played <= 999:
                entry["played"] = row.played
            if row.goal_difference is not None and -999 <= row.goal_difference <= 999:
                entry["goal_difference"] = row.goal_difference
            table.append(entry)
        teams = {entry["team"] for entry in table}
        if not 2 <= len(table) <= 64 or not {home[1], away[1]} <= teams:
            return None
        return {"type": "standings", "match": mid, "table": table}
    if groups:
        odd("standings-team", f"the table for {mid} misses a team of it")
    return None
