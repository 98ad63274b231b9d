"""Team names: canonical ids, aliases, and forgiving lookup of what a fan types."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from rapidfuzz import fuzz, process

from bot.store_contract import CatalogueStore

# Letters that Unicode does not decompose into a base letter plus an accent.
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "þ": "th", "Þ": "Th"}
    | {"æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe"}
)
# How German names are typed without umlauts: Köln → Koeln, München → Muenchen.
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


# Cyrillic and Greek letters drawn like Latin ones (``Іnter`` with a Cyrillic І reads
# ``Inter``): compared as the Latin letter they look like.
_LOOK_ALIKE = str.maketrans(
    dict(zip("аеорсухіјѕԁӏһԛԝ", "aeopcyxijsdlhqw", strict=True))
    | dict(zip("АВЕКМНОРСТХУІЈЅ", "ABEKMHOPCTXYIJS", strict=True))
    | dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοιν", "ABEZHIKMNOPTYXoiv", strict=True))
)


def foreign_letters(name: str) -> bool:
    """Letters that are not Latin (once look-alikes are read as Latin): ``Интер``. A name
    with them never silently becomes a team whose name lacks them (``Интер Milan`` is not
    Milan): the bot asks instead."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", name))
    for char in text.translate(_LOOK_ALIKE).translate(_UNDECOMPOSED):
        if char.isalpha() and not unicodedata.combining(char) and not char.isascii():
            return True
    return False


def normalize(name: str) -> str:
    """Fold a team name for comparison: no accents, no case, no punctuation; look-alike
    Cyrillic and Greek letters read as the Latin ones they look like."""
    decomposed = unicodedata.normalize(
        "NFKD", unicodedata.normalize("NFC", name).translate(_LOOK_ALIKE).translate(_UNDECOMPOSED)
    )
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


@lru_cache(maxsize=4096)
def spellings(name: str) -> tuple[str, ...]:
    """The folded ways a name is typed: ``Köln`` → ``koln`` and ``koeln``."""
    forms = [normalize(name), normalize(unicodedata.normalize("NFC", name).translate(_GERMAN))]
    return tuple(form for i, form in enumerate(forms) if form and form not in forms[:i])


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
    ambiguous: bool = False  # the name means each of the suggestions (``Manchester``)


@dataclass(frozen=True)
class CatalogueTeam:
    """A team of the bundled catalogue (``bot/data/teams.json``)."""

    name: str
    aliases: tuple[str, ...]
    kind: str  # "club" or "national"
    country: str  # a club's country, a national team's own name; "" when not given
    competition: str | None = None  # a club's league this season
    tournaments: tuple[str, ...] = ()  # a national team's tournaments listed in the file


@dataclass(frozen=True)
class Catalogue:
    teams: tuple[CatalogueTeam, ...]
    seasons: Mapping[str, str]  # competition → the season its club list is for
    ambiguous: Mapping[str, tuple[str, ...]]  # folded name → the team names it may mean


def parse_catalogue(data: Mapping[str, Any]) -> Catalogue:
    """Read the catalogue's format: ``"Name": [aliases]`` per team, described by the optional
    ``_competitions``, ``_national_teams`` and ``_ambiguous`` sections. Raises ValueError when the
    sections name a team the file lacks, or a club sits in two competitions."""
    entries = {name: value for name, value in data.items() if not name.startswith("_")}
    where: dict[str, tuple[str, str]] = {}
    seasons: dict[str, str] = {}
    for competition, info in data.get("_competitions", {}).items():
        seasons[competition] = str(info.get("season", ""))
        for club in info["clubs"]:
            if club in where:
                raise ValueError(f"{club} is in both {where[club][0]} and {competition}")
            where[club] = (competition, info["country"])
    tournaments: dict[str, list[str]] = {}
    for tournament, nations in data.get("_national_teams", {}).items():
        for nation in nations:
            tournaments.setdefault(nation, []).append(tournament)
    ambiguous = {
        normalize(typed): tuple(names) for typed, names in data.get("_ambiguous", {}).items()
    }
    named = set(where) | set(tournaments) | {n for names in ambiguous.values() for n in names}
    if missing := sorted(named - set(entries)):
        raise ValueError(f"no entry for {', '.join(missing)}")
    if both := sorted(set(where) & set(tournaments)):
        raise ValueError(f"both a club and a national team: {', '.join(both)}")
    teams = []
    for name, aliases in entries.items():
        if name in tournaments:
            team = CatalogueTeam(
                name, tuple(aliases), "national", name, tournaments=tuple(tournaments[name])
            )
        else:
            competition, country = where.get(name, (None, ""))
            team = CatalogueTeam(name, tuple(aliases), "club", country, competition)
        teams.append(team)
    return Catalogue(tuple(teams), seasons, ambiguous)


@cache
def catalogue() -> Catalogue:
    """The bundled catalogue, read once."""
    text = resources.files("bot.data").joinpath("teams.json").read_text("utf-8")
    return parse_catalogue(json.loads(text))


def seed_known_teams(store: CatalogueStore) -> None:
    """Load the bundled teams and aliases (idempotent): what :func:`ensure_team` for each of
    them in turn would add, worked out from the stored aliases and teams (two reads) and
    written in two statements; nothing at all when the database has them already."""
    with store.atomic():
        teams, aliases = catalogue_additions(
            ((team.name, team.aliases) for team in catalogue().teams),
            store.team_aliases(),
            store.team_ids(),
            team_id_for,
        )
        store.add_teams(teams)
        store.add_aliases(aliases)


def catalogue_additions(
    entries: Iterable[tuple[str, Sequence[str]]],
    aliases: Mapping[str, str],
    ids: set[str],
    id_for: Callable[[str], str],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The rows (id, name) and aliases (alias, id) that :func:`ensure_team` (or
    ``ensure_competition``) called for each (name, aliases) of ``entries`` in order would add
    to a store holding ``aliases`` (alias → id) and the rows ``ids``: an entry found through
    an alias of its name gets the aliases it lacks; any other gets its id (``id_for(name)``),
    its row and its aliases; an alias already stored is kept."""
    known, present = dict(aliases), set(ids)
    new_rows: list[tuple[str, str]] = []
    new_aliases: list[tuple[str, str]] = []
    for name, names in entries:
        # an alias finds its row only while the row exists (the look-up joins the two)
        found = next((known[s] for s in spellings(name) if known.get(s) in present), None)
        if found is None:
            found = id_for(name)
            if found not in present:
                present.add(found)
                new_rows.append((found, name))
        for alias in (name, *names):
            for spelling in spellings(alias):
                if spelling not in known:
                    known[spelling] = found
                    new_aliases.append((spelling, found))
    return new_rows, new_aliases


def ensure_team(
    store: CatalogueStore, name: str, aliases: list[str] | tuple[str, ...] = ()
) -> Team:
    """The team a feed calls ``name``: found through its aliases, or created."""
    found = next(filter(None, map(store.team_by_alias, spellings(name))), None)
    if found is not None:
        team = Team(found["id"], found["name"])
    else:
        team = Team(team_id_for(name), name)
        store.add_team(team.id, team.name)
    for alias in (name, *aliases):
        for spelling in spellings(alias):
            store.add_alias(spelling, team.id)
    return team


def find_team(store: CatalogueStore, typed: str, limit: int = 3) -> Lookup:
    """Resolve what a fan typed, never silently to a team that was not meant:

    1. a name that means several teams (``Manchester``, ``Real``, ``Paris``) offers them all;
    2. an exact name or alias wins, umlauts typed either way (``Koln``, ``Koeln``);
    3. else a clear fuzzy winner (``Tottenham Hotpsur``) among the teams with a name that has
       every word typed (typos, prefixes and ``utd`` allowed): ``Inter Miami`` is not Inter;
    4. else up to ``limit`` suggestions, those teams first (``intr``: Inter, not Eintracht);
    5. a name with letters of another script (``Интер Milan``) is only ever offered as
       suggestions (look-alike letters, ``Іnter`` with a Cyrillic І, read as Latin).
    """
    key = normalize(typed)
    if not key:
        return Lookup(None)
    forms = spellings(typed)
    if foreign_letters(typed):  # 5. never silently another team than the one typed
        found = find_team(store, key, limit)
        offered = found.suggestions or ((found.team,) if found.team else ())
        return Lookup(None, tuple(offered[:limit]))
    exact = next(filter(None, map(store.team_by_alias, forms)), None)
    meant = _ambiguous(store, forms)
    if meant:
        if exact is not None and all(team.id != exact["id"] for team in meant):
            meant.insert(0, Team(exact["id"], exact["name"]))
        return Lookup(meant[0]) if len(meant) == 1 else Lookup(None, tuple(meant), ambiguous=True)
    if exact is not None:
        return Lookup(Team(exact["id"], exact["name"]))
    vocabulary = store.team_names()
    choices = {i: row["alias"] for i, row in enumerate(vocabulary)}
    ranked = process.extract(key, choices, scorer=fuzz.WRatio, limit=40, score_cutoff=60)
    best: dict[str, tuple[float, float, Team]] = {}  # id → (share of words typed, score)
    for alias, score, index in ranked:
        row = vocabulary[index]
        candidate = (_share(alias, key), score, Team(row["id"], row["name"]))
        if row["id"] not in best or candidate[:2] > best[row["id"]][:2]:
            best[row["id"]] = candidate
    # Teams with a name that has every word typed come first, then those with some.
    ordered = sorted(best.values(), key=lambda item: (-item[0], -item[1], item[2].name))
    if not ordered:
        return Lookup(None)
    share, score, top = ordered[0]
    runner_up = ordered[1][1] if len(ordered) > 1 and ordered[1][0] == share else 0.0
    if share == 1 and score >= 90 and score - runner_up >= 5:
        return Lookup(top)
    close = [team for s, points, team in ordered if s == share and points >= score - 10]
    return Lookup(None, tuple(close[:limit]))


def _ambiguous(store: CatalogueStore, forms: tuple[str, ...]) -> list[Team]:
    """The teams a deliberately ambiguous name may mean (catalogue's ``_ambiguous``)."""
    names = next((catalogue().ambiguous[f] for f in forms if f in catalogue().ambiguous), ())
    rows = [store.team_by_alias(normalize(name)) for name in names]
    return [Team(row["id"], row["name"]) for row in rows if row is not None]


# Words a fan may add to a team's name without meaning another team.
_FILLER = frozenset({"fc", "cf", "ac", "afc", "cfc", "sc", "club", "calcio", "the", "de", "1"})


def _share(alias: str, typed: str) -> float:
    """How many of the words typed are words of ``alias`` (typos, prefixes, abbreviations)."""
    words = alias.split()
    typed_words = [t for t in typed.split() if t not in _FILLER] or typed.split()
    found = sum(any(_same_word(t, w) for w in words) for t in typed_words)
    return found / len(typed_words)


def _same_word(typed: str, word: str) -> bool:
    if word.startswith(typed) or (
        min(len(typed), len(word)) >= 4 and fuzz.ratio(typed, word) >= 80
    ):
        return True
    rest = iter(word)  # an abbreviation: "utd" for "united", "nottm" for "nottingham"
    return len(typed) >= 3 and typed[0] == word[0] and all(c in rest for c in typed)
