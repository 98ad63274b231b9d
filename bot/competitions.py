"""Competition names: canonical ids, aliases, and forgiving lookup of what a fan types.

Competitions come from the bundled list (``bot/data/competitions.json``, plus the leagues and
tournaments named in ``teams.json``), from every feed's ``match`` lines (a name never seen
becomes a competition of its own) and so from every provider that declares matches.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rapidfuzz import fuzz, process

from bot.store_contract import CatalogueStore, CoreStore
from bot.teams import catalogue as team_catalogue
from bot.teams import catalogue_additions, normalize, spellings


@dataclass(frozen=True)
class Competition:
    id: str
    name: str


@dataclass(frozen=True)
class CompetitionLookup:
    """What a typed name found: one competition, or none and a few suggestions."""

    competition: Competition | None
    suggestions: tuple[Competition, ...] = ()
    exact: bool = False  # found by its name or an alias, not by a near miss


def competition_id_for(name: str) -> str:
    """``Serie A`` → ``serie-a``."""
    return normalize(name).replace(" ", "-") or "competition"


@cache
def known_competitions() -> dict[str, tuple[str, ...]]:
    """The bundled competitions: name → aliases."""
    text = resources.files("bot.data").joinpath("competitions.json").read_text("utf-8")
    data = json.loads(text)
    known = {name: tuple(aliases) for name, aliases in data.items() if not name.startswith("_")}
    for league in team_catalogue().seasons:  # the leagues of the team catalogue
        known.setdefault(league, ())
    return known


@cache
def provider_competitions() -> dict[str, dict[str, str]]:
    """The providers' ids of the bundled competitions (``bot/data/provider_competitions.json``):
    our name → {provider source name (``af``, ``fd``) → its league id or competition code}."""
    text = resources.files("bot.data").joinpath("provider_competitions.json").read_text("utf-8")
    data = json.loads(text)
    return {
        name: {source: str(code) for source, code in codes.items()}
        for name, codes in data.items()
        if not name.startswith("_") and isinstance(codes, dict)
    }


def provider_code(source: str, competition: str) -> str | None:
    """The id or code of our competition ``competition`` (its name, or one of its aliases) at
    a provider's source (``af``: API-Football league id, ``fd``: football-data.org code);
    None when unmapped."""
    codes = provider_competitions().get(competition)
    if codes is None:  # a name spelled another way, or an alias: compare the normalised forms
        name = canonical_competition(competition)
        codes = provider_competitions().get(name) if name is not None else None
    return None if codes is None else codes.get(source)


def provider_codes(source: str) -> tuple[str, ...]:
    """Every code a provider's source has for the bundled competitions, in the file's order
    (football-data.org: the competitions its free plan covers)."""
    return tuple(codes[source] for codes in provider_competitions().values() if source in codes)


@cache
def _canonical_names() -> dict[str, str]:
    names = {normalize(a): name for name, aliases in known_competitions().items() for a in aliases}
    # a competition's own name wins over another's alias
    names.update({normalize(name): name for name in known_competitions()})
    return names


def canonical_competition(typed: str) -> str | None:
    """The bundled competition ``typed`` names (its name or an alias, in any case or
    accents): ``UCL`` → ``Champions League``; None when none."""
    return _canonical_names().get(normalize(typed))


def seed_known_competitions(store: CoreStore) -> None:
    """Load the bundled competitions (idempotent: what :func:`ensure_competition` for each in
    turn would add, in two reads and two statements, as the teams are seeded) and give every
    stored match its competition id (matches stored before competitions could be followed)."""
    with store.atomic():
        competitions, aliases = catalogue_additions(
            known_competitions().items(),
            store.competition_aliases(),
            store.competition_ids(),
            competition_id_for,
        )
        store.add_competitions(competitions)
        store.add_competition_aliases(aliases)
        for row in store.matches_without_competition_id():
            store.set_match_competition(row["id"], ensure_competition(store, row["competition"]).id)


def ensure_competition(
    store: CatalogueStore, name: str, aliases: tuple[str, ...] | list[str] = ()
) -> Competition:
    """The competition a feed calls ``name``: found through its aliases, or created."""
    found = next(filter(None, map(store.competition_by_alias, spellings(name))), None)
    if found is not None:
        competition = Competition(found["id"], found["name"])
    else:
        competition = Competition(competition_id_for(name), name)
        store.add_competition(competition.id, competition.name)
    for alias in (name, *aliases):
        for spelling in spellings(alias):
            store.add_competition_alias(spelling, competition.id)
    return competition


def find_competition(store: CatalogueStore, typed: str, limit: int = 3) -> CompetitionLookup:
    """An exact name or alias (``serie a``, ``coppa del mondo``, ``ucl``), else a clear near
    miss (``seria a``), else up to ``limit`` suggestions."""
    forms = spellings(typed)
    if not forms:
        return CompetitionLookup(None)
    exact = next(filter(None, map(store.competition_by_alias, forms)), None)
    if exact is not None:
        return CompetitionLookup(Competition(exact["id"], exact["name"]), exact=True)
    vocabulary = store.competition_names()
    choices = {i: row["alias"] for i, row in enumerate(vocabulary)}
    ranked = process.extract(forms[0], choices, scorer=fuzz.WRatio, limit=20, score_cutoff=70)
    best: dict[str, tuple[float, Competition]] = {}
    for alias, score, index in ranked:
        row = vocabulary[index]
        # A near miss must be near the whole name, not only a part of it (``a`` is not Serie A).
        score = min(score, fuzz.token_sort_ratio(forms[0], alias) + 15)
        if row["id"] not in best or score > best[row["id"]][0]:
            best[row["id"]] = (score, Competition(row["id"], row["name"]))
    ordered = sorted(best.values(), key=lambda item: (-item[0], item[1].name))
    if not ordered or ordered[0][0] < 70:
        return CompetitionLookup(None)
    score, top = ordered[0]
    runner_up = ordered[1][0] if len(ordered) > 1 else 0.0
    if score >= 85 and score - runner_up >= 5:
        return CompetitionLookup(top)
    close = [c for points, c in ordered if points >= 70 and points >= score - 10]
    return CompetitionLookup(None, tuple(close[:limit]))
