"""Team names: canonical ids, aliases, and forgiving lookup of what a fan types."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

from rapidfuzz import fuzz, process

from storage.store import Store


def normalize(name: str) -> str:
    """Fold a team name for comparison: no accents, no case, no punctuation."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


def team_id_for(name: str) -> str:
    """The stable id of a team first seen as ``name``: ``Hellas Verona`` → ``hellas-verona``."""
    return normalize(name).replace(" ", "-") or "team"


@dataclass(frozen=True)
class Team:
    id: str
    name: str


@dataclass(frozen=True)
class Lookup:
    """What a typed name found: one team, or none and a few suggestions."""

    team: Team | None
    suggestions: tuple[Team, ...] = ()


def seed_known_teams(store: Store) -> None:
    """Load the bundled clubs and aliases (idempotent)."""
    data = json.loads(resources.files("bot.data").joinpath("teams.json").read_text("utf-8"))
    for name, aliases in data.items():
        if name.startswith("_"):
            continue
        ensure_team(store, name, aliases)


def ensure_team(store: Store, name: str, aliases: list[str] | tuple[str, ...] = ()) -> Team:
    """The team a feed calls ``name``: found through its aliases, or created."""
    found = store.team_by_alias(normalize(name))
    if found is not None:
        team = Team(found["id"], found["name"])
    else:
        team = Team(team_id_for(name), name)
        store.add_team(team.id, team.name)
        store.add_alias(normalize(name), team.id)
    for alias in aliases:
        store.add_alias(normalize(alias), team.id)
    return team


def find_team(store: Store, typed: str, limit: int = 3) -> Lookup:
    """Resolve what a fan typed: an exact alias wins, then a clear fuzzy winner."""
    key = normalize(typed)
    if not key:
        return Lookup(None)
    exact = store.team_by_alias(key)
    if exact is not None:
        return Lookup(Team(exact["id"], exact["name"]))
    vocabulary = store.team_names()
    choices = {i: row["alias"] for i, row in enumerate(vocabulary)}
    ranked = process.extract(key, choices, scorer=fuzz.WRatio, limit=20, score_cutoff=60)
    best: dict[str, tuple[float, Team]] = {}
    for _alias, score, index in ranked:
        row = vocabulary[index]
        team = Team(row["id"], row["name"])
        if team.id not in best or best[team.id][0] < score:
            best[team.id] = (score, team)
    ordered = sorted(best.values(), key=lambda pair: (-pair[0], pair[1].name))
    if not ordered:
        return Lookup(None)
    top_score, top = ordered[0]
    runner_up = ordered[1][0] if len(ordered) > 1 else 0.0
    if top_score >= 90 and top_score - runner_up >= 5:
        return Lookup(top)
    close = [team for score, team in ordered if score >= top_score - 10]
    return Lookup(None, tuple(close[:limit]))
