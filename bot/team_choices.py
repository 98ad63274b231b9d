"""Teams the data providers know: search answers told apart, offered as choices, adopted.

A name the bundled catalogue does not know (no alias, only weak fuzzy suggestions) is searched
at the configured providers (:class:`TeamSearch`). Their answers become
:class:`TeamCandidate`\\ s, which this module

* ranks (:func:`rank`): the typed name itself first, then names starting with it, a first
  team before women's, youth and reserve sides, then the closest spellings (a country's clubs,
  which API-Football's search also answers, come last);
* labels so that similar teams can be told apart (:func:`labels`): ``Inter (Italy)``,
  ``Inter Miami CF (USA)``, ``France (national team)``, ``Italy W (national team, women)``,
  ``Inter U23 (Italy, youth)`` — a women's, youth or reserve side is never taken for the first
  team;
* picks without asking only when exactly one first team is spelled as typed
  (:func:`sure_pick`), otherwise offers them as buttons;
* adopts the chosen one (:func:`adopt`): a team of the bot with the provider's spellings as
  aliases and the provider's team id stored, so fixture discovery asks for that id.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol, runtime_checkable

from rapidfuzz import fuzz

from bot.store_contract import CoreStore
from bot.teams import (
    Team,
    catalogue,
    ensure_team,
    find_team,
    foreign_letters,
    normalize,
    spellings,
)

log = logging.getLogger(__name__)

MAX_CHOICES = 8

_WOMEN = re.compile(r"(\sW$|\bwomen|\bfemmin|\bfemin|\bladies\b|\bfrauen\b|\bdamen\b)", re.I)
_YOUTH = re.compile(
    r"(\bU-?\s?\d{2}\b|\bunder[- ]?\d{2}\b|\byouth\b|\bprimavera\b|\bacademy\b)", re.I
)
_RESERVES = re.compile(r"(\s(II|B)$|\breserves?\b)", re.I)


@dataclass(frozen=True)
class TeamCandidate:
    """One team a provider answered a search with."""

    provider: str
    """The source's name (``af``, ``fd``): the provider's ids only mean something there."""
    provider_id: str
    name: str
    """The provider's spelling, as its fixtures will name the team."""
    country: str | None = None
    league: str | None = None
    national: bool = False
    aliases: tuple[str, ...] = ()
    """Other spellings the provider uses (short name...)."""

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.provider_id}"

    @property
    def side(self) -> str | None:
        """``women``, ``youth`` or ``reserves`` for a side that is not the first team."""
        return squad_of(self.name)


@runtime_checkable
class TeamSearch(Protocol):
    """A provider that can look teams up by name (:mod:`adapters.providers` sources)."""

    name: str

    async def search_teams(self, typed: str) -> list[TeamCandidate]:
        """Teams whose name (or country, for national teams) matches ``typed``; ``[]`` when
        nothing matches or the search cannot be made now (quota, outage: logged)."""
        ...


async def search_all(searchers: Iterable[TeamSearch], typed: str) -> list[TeamCandidate]:
    """Every searcher's answers for ``typed``, ranked, at most ``MAX_CHOICES``; a searcher that
    fails is logged and skipped."""
    found: list[TeamCandidate] = []
    for searcher in searchers:
        try:
            found += await searcher.search_teams(typed)
        except Exception as exc:
            log.warning("%s: team search for %r failed: %s", searcher.name, typed, exc)
    return rank(typed, found)[:MAX_CHOICES]


def catalogue_answers(store: CoreStore, typed: str) -> bool:
    """Does the bot's own catalogue answer ``typed`` without asking a provider? It does for an
    exact name or alias, a clear fuzzy winner (every word typed in its name), or a name the
    catalogue lists as meaning several teams (``Paris``: a choice). ``Inter Miami`` or
    ``Inter U23`` are none of these: the providers are asked."""
    forms = spellings(typed)
    if any(store.team_by_alias(form) is not None for form in forms):
        return True
    if any(form in catalogue().ambiguous for form in forms):
        return True
    return find_team(store, typed).team is not None


def squad_of(name: str) -> str | None:
    if _WOMEN.search(name):
        return "women"
    if _YOUTH.search(name):
        return "youth"
    if _RESERVES.search(name):
        return "reserves"
    return None


def describe(candidate: TeamCandidate, *, with_league: bool = False) -> str:
    """``Inter (Italy)``, ``France (national team)``, ``Italy W (national team, women)``."""
    parts: list[str] = []
    if candidate.national:
        parts.append("national team")
    elif candidate.country:
        parts.append(candidate.country)
    if candidate.side:
        parts.append(candidate.side)
    if with_league and candidate.league:
        parts.append(candidate.league)
    return f"{candidate.name} ({', '.join(parts)})" if parts else candidate.name


def labels(candidates: Sequence[TeamCandidate]) -> list[str]:
    """A label per candidate, all different: country and side, then the league, then the id."""
    out = [describe(c) for c in candidates]
    counts = Counter(out)
    out = [
        describe(c, with_league=True) if counts[text] > 1 else text
        for c, text in zip(candidates, out, strict=True)
    ]
    counts = Counter(out)
    return [
        f"{text} #{c.provider_id}" if counts[text] > 1 else text
        for c, text in zip(candidates, out, strict=True)
    ]


def _spellings(candidate: TeamCandidate) -> set[str]:
    return {normalize(n) for n in (candidate.name, *candidate.aliases) if normalize(n)}


def rank(typed: str, candidates: Iterable[TeamCandidate]) -> list[TeamCandidate]:
    """The candidates, best first, without duplicates (same provider and id)."""
    key = normalize(typed)
    unique = {c.key: c for c in candidates}

    def order(c: TeamCandidate) -> tuple[int, int, int, float, str]:
        names = _spellings(c)
        exact = key in names
        prefix = any(n.startswith(key) for n in names)
        closeness = max((fuzz.WRatio(key, n) for n in names), default=0.0)
        return (0 if exact else 1, 0 if prefix else 1, 1 if c.side else 0, -closeness, c.name)

    return sorted(unique.values(), key=order)


def sure_pick(typed: str, candidates: Iterable[TeamCandidate]) -> TeamCandidate | None:
    """The one first team spelled exactly as typed, when there is exactly one."""
    if foreign_letters(typed):
        return None  # asked with buttons, never taken silently
    key = normalize(typed)
    exact = [c for c in candidates if key in _spellings(c) and c.side is None]
    return exact[0] if len(exact) == 1 else None


def offer(store: CoreStore, candidates: Sequence[TeamCandidate]) -> list[tuple[str, str]]:
    """Remember the candidates offered to a chat; ``(key, label)`` pairs for the buttons."""
    out = []
    for candidate, label in zip(candidates, labels(candidates), strict=True):
        store.offer_candidate(
            candidate.key,
            candidate.provider,
            candidate.provider_id,
            candidate.name,
            label,
            json.dumps(asdict(candidate), ensure_ascii=False),
        )
        out.append((candidate.key, label))
    return out


def offered(store: CoreStore, key: str) -> tuple[TeamCandidate, str] | None:
    """A candidate offered earlier (a pressed button) and its label."""
    row = store.team_candidate(key)
    if row is None:
        return None
    try:
        data = json.loads(row["data"])
        data["aliases"] = tuple(data.get("aliases") or ())
        return TeamCandidate(**data), str(row["label"])
    except (TypeError, ValueError):
        return None


def adopt(store: CoreStore, candidate: TeamCandidate, label: str, now: float) -> Team:
    """The bot's team for a chosen candidate, created if needed, with the provider's id stored.

    A team already mapped to the same provider id is that team. A team of the bot spelled
    like the candidate is the same team unless it is already mapped to another id of that
    provider (then the new team goes by the candidate's label, e.g. ``Arsenal (Argentina)``)."""
    mapped = store.provider_team_of(candidate.provider, candidate.provider_id)
    if mapped is not None:
        found = store.team_by_alias(normalize(str(mapped["team_name"])))
        if found is not None:
            return Team(found["id"], found["name"])
    name = candidate.name
    same_name = store.team_by_alias(normalize(name))
    if same_name is not None:
        other = store.provider_team(candidate.provider, same_name["name"])
        if other is not None and other["provider_team_id"] not in (None, candidate.provider_id):
            name = label
    team = ensure_team(store, name, [candidate.name, *candidate.aliases])
    store.save_provider_team(candidate.provider, team.name, candidate.provider_id, name, now)
    return team
