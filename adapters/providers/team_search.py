"""Team search answers of the providers, as :class:`bot.team_search.TeamCandidate`\\ s.

* API-Football ``GET /teams?search=<text>``: the text must be at least 3 characters, letters,
  digits and spaces only (:func:`af_query`); it matches team names *and country names* (so
  ``France`` also answers the clubs of France). Each item is ``{"team": {id, name, code,
  country, founded, national, logo}, "venue": {...}}``.
* football-data.org has no search: ``GET /v4/competitions/{code}/teams`` lists a competition's
  teams (``{"competition": {...}, "season": {...}, "teams": [{id, name, shortName, tla, area:
  {name}, ...}]}``); :func:`fd_matches` filters the cached lists by name, short name and code.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from rapidfuzz import fuzz

from adapters.providers.shapes import dig, opt_int, opt_str
from bot.competitions import provider_code
from bot.team_search import TeamCandidate
from bot.teams import normalize

AF_MIN_QUERY = 3
#: football-data.org's codes of the national teams' competitions (the bundled list's)
FD_NATIONAL_COMPETITIONS = frozenset(
    code
    for code in (provider_code("fd", name) for name in ("World Cup", "European Championship"))
    if code is not None
)


def af_query(typed: str) -> str | None:
    """What API-Football accepts as ``search``: accents folded, letters, digits and single
    spaces; ``None`` when shorter than 3 characters."""
    folded = unicodedata.normalize("NFKD", typed)
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    text = " ".join("".join(c if c.isascii() and c.isalnum() else " " for c in plain).split())
    return text if len(text) >= AF_MIN_QUERY else None


def af_candidates(provider: str, items: Iterable[Any]) -> list[TeamCandidate]:
    """Candidates from API-Football ``/teams`` items (malformed items are skipped)."""
    out = []
    for item in items:
        tid = opt_int(dig(item, "team", "id"))
        name = opt_str(dig(item, "team", "name"))
        if tid is None or name is None:
            continue
        national = dig(item, "team", "national") is True
        country = opt_str(dig(item, "team", "country"))
        out.append(TeamCandidate(provider, str(tid), name, country=country, national=national))
    return out


def fd_candidates(provider: str, code: str, body: Mapping[str, Any]) -> list[TeamCandidate]:
    """Candidates from a football-data ``/competitions/{code}/teams`` body."""
    league = opt_str(dig(body, "competition", "name"))
    teams = body.get("teams")
    out = []
    for item in teams if isinstance(teams, list) else []:
        tid = opt_int(dig(item, "id"))
        name = opt_str(dig(item, "name"))
        if tid is None or name is None:
            continue
        short = opt_str(dig(item, "shortName"))
        out.append(
            TeamCandidate(
                provider,
                str(tid),
                name,
                country=opt_str(dig(item, "area", "name")),
                league=league,
                national=code in FD_NATIONAL_COMPETITIONS,
                aliases=tuple(a for a in (short,) if a and a != name),
            )
        )
    return out


def fd_matches(
    typed: str, candidates: Iterable[TeamCandidate], tlas: Mapping[str, str]
) -> list[TeamCandidate]:
    """The candidates whose name or short name contains what was typed (or is very close to
    it), or whose three-letter code is what was typed (``tlas``: candidate key -> code)."""
    key = normalize(typed)
    if not key:
        return []
    out = []
    for c in candidates:
        names = [normalize(n) for n in (c.name, *c.aliases)]
        if (
            any(key in n.split() or n.startswith(key) or f" {key}" in f" {n}" for n in names)
            or any(fuzz.ratio(key, n) >= 88 for n in names)
            or tlas.get(c.key, "").casefold() == key
        ):
            out.append(c)
    return out
