"""Mapping the bot's team names to a provider's team ids, cached in the store.

* API-Football: ``/teams?search=<name>`` (one request per team, free plan included). The
  answer is matched against the team's name *and its aliases* (``Inter`` also goes by
  ``Internazionale``...), normalised as :func:`bot.teams.normalize` does; a single candidate is
  taken as is; several candidates without a name match are ambiguous: no mapping.
* football-data.org has no team search: the teams of the competitions on the plan
  (``/competitions/<code>/teams``, one request per competition, kept a week in the store) are
  matched by ``name`` / ``shortName`` / ``tla`` against the name and aliases.

A mapping found is kept in the ``provider_teams`` table for good; "no such team" is kept too and
asked again after ``RETRY_UNMAPPED`` (so an unknown team does not cost requests every 6 hours).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from adapters.providers.shapes import dig, opt_int, opt_str
from bot.store_contract import CoreStore
from bot.teams import normalize

RETRY_UNMAPPED = 7 * 86400.0


@dataclass(frozen=True)
class Candidate:
    id: str
    names: tuple[str, ...]  # the provider's spellings (name, short name, code)

    @property
    def label(self) -> str:
        return self.names[0]


def our_names(store: CoreStore | None, team_name: str) -> set[str]:
    """The normalised name and aliases of one of our teams."""
    names = {normalize(team_name)}
    if store is None:
        return names
    team = store.team_by_alias(normalize(team_name))
    if team is None:
        return names
    names.update(r["alias"] for r in store.team_names() if r["id"] == team["id"])
    return {n for n in names if n}


def pick(candidates: Iterable[Candidate], names: set[str], *, lone_ok: bool) -> Candidate | None:
    """The candidate whose spelling is one of ``names``; the only candidate when ``lone_ok``."""
    items = list(candidates)
    exact = [c for c in items if any(normalize(n) in names for n in c.names)]
    unique = {c.id: c for c in exact}
    if len(unique) == 1:
        return next(iter(unique.values()))
    if not exact and lone_ok and len(items) == 1:
        return items[0]
    return None


def af_candidates(items: Iterable[Any]) -> list[Candidate]:
    """Candidates from API-Football ``/teams`` response items."""
    out = []
    for item in items:
        tid = opt_int(dig(item, "team", "id"))
        name = opt_str(dig(item, "team", "name"))
        if tid is None or name is None:
            continue
        code = opt_str(dig(item, "team", "code"))
        out.append(Candidate(str(tid), tuple(n for n in (name, code) if n)))
    return out


def fd_candidates(body: Mapping[str, Any]) -> list[Candidate]:
    """Candidates from a football-data ``/competitions/<code>/teams`` body."""
    out = []
    teams = body.get("teams")
    for item in teams if isinstance(teams, list) else []:
        tid = opt_int(dig(item, "id"))
        names = tuple(n for n in (opt_str(dig(item, k)) for k in ("name", "shortName", "tla")) if n)
        if tid is not None and names:
            out.append(Candidate(str(tid), names))
    return out


def cached(store: CoreStore, provider: str, team_name: str, now: float) -> tuple[bool, str | None]:
    """(known, provider team id): known is False when the provider must be asked."""
    row = store.provider_team(provider, team_name)
    if row is None:
        return False, None
    if row["provider_team_id"] is None and now - (row["checked_at"] or 0.0) > RETRY_UNMAPPED:
        return False, None
    return True, row["provider_team_id"]
