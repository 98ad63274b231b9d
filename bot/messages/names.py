"""Names in the chat's language: teams (with their Italian article), competitions and rounds.

* Clubs keep their names in every language; Italian gives them their article from the team
  catalogue (``_italian`` in ``bot/data/teams.json``: ``l'Inter (f)``, ``il Bayern Monaco``).
* National teams have Italian names: Babel's Italian territory names, corrected where football
  writes otherwise, and a football table for England, Scotland, Wales and Northern Ireland
  (``bot/data/countries.json``, which also gives each country's article).
* Competitions Italian calls its own way (``i Mondiali``, ``gli Europei``) come from
  ``_italian`` in ``bot/data/competitions.json``; rounds are parsed from the feed's words
  (``Matchday 17`` → ``17ª giornata``, ``Round of 16 - 1st leg`` → ``ottavi di finale, andata``).

A team or competition nobody described is written as the feed spells it, without an article.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from babel import Locale

from bot.messages.grammar import ItalianForm, TeamName, article_for, parse_phrase
from bot.messages.i18n import current
from bot.teams import catalogue, normalize


def _data(name: str) -> dict[str, Any]:
    text = resources.files("bot.data").joinpath(name).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _form(article: str, name: str) -> ItalianForm:
    """A country's form from its article as ``countries.json`` writes it (``l' (f)``, ``0``)."""
    if article == "0":
        return ItalianForm(name, "", "m")
    if article.startswith("l'"):
        return ItalianForm(name, "l'", "f" if "(f)" in article else "m")
    return parse_phrase(f"{article} {name}")


@dataclass(frozen=True)
class _Countries:
    by_spelling: Mapping[str, str]  # folded English, Italian or alias name → code
    italian: Mapping[str, ItalianForm]  # code → its Italian form
    english: Mapping[str, str]  # code → its English name


@cache
def _countries() -> _Countries:
    data = _data("countries.json")
    en, it = Locale("en").territories, Locale("it").territories
    by_spelling: dict[str, str] = {}
    italian: dict[str, ItalianForm] = {}
    english: dict[str, str] = {}
    for code, article in data["articles"].items():
        name = data["names"].get(code) or it[code].replace("’", "'")
        italian[code] = _form(article, name)
        english[code] = en[code]
        for spelling in (en[code], it[code], name):
            by_spelling.setdefault(normalize(spelling), code)
    for english_name, phrase in data["football"].items():
        code = f"football:{normalize(english_name)}"
        italian[code] = parse_phrase(phrase)
        english[code] = english_name
        by_spelling[normalize(english_name)] = code
        by_spelling[normalize(italian[code].name)] = code
    for alias, code in data["aliases"].items():
        by_spelling.setdefault(normalize(alias), code)
    return _Countries(by_spelling, italian, english)


@cache
def _catalogue_spellings() -> dict[str, tuple[str, str]]:
    """Every folded name and alias of the catalogue → (the team's name, its kind)."""
    found: dict[str, tuple[str, str]] = {}
    for team in catalogue().teams:
        for spelling in (team.name, *team.aliases):
            found.setdefault(normalize(spelling), (team.name, team.kind))
    return found


@cache
def _club_phrases() -> dict[str, ItalianForm]:
    return {name: parse_phrase(phrase) for name, phrase in _data("teams.json")["_italian"].items()}


def country_form(name: str) -> tuple[str, ItalianForm] | None:
    """A national team's (English name, Italian form) when ``name`` is a country's name in
    English, Italian or a football alias (``USA``, ``Korea Republic``); else None."""
    countries = _countries()
    code = countries.by_spelling.get(normalize(name))
    if code is None:
        return None
    return countries.english[code], countries.italian[code]


@lru_cache(maxsize=4096)
def team_name(raw: str) -> TeamName:
    """The team a feed calls ``raw``, ready to be written in any language."""
    if isinstance(raw, TeamName):
        return raw
    if not raw:  # no team (an event of the match, not of a side): nothing to look up
        return TeamName(raw)
    known = _catalogue_spellings().get(normalize(raw))
    clubs = _club_phrases()
    if known is not None:
        name, kind = known
        if name in clubs:
            phrase = clubs[name]
            renamed = phrase.name if phrase.name != name else raw
            article = phrase.article
            if article and renamed != phrase.name:  # an alias: its own first letter decides
                article = article_for(renamed, phrase.gender, phrase.plural)  # il Verona
            return TeamName(raw, italian=ItalianForm(renamed, article, phrase.gender))
        if kind == "national":
            country = country_form(name) or next(
                filter(None, map(country_form, _aliases_of(name))), None
            )
            if country is not None:
                return TeamName(raw, english=name, italian=country[1], national=True)
        return TeamName(raw)
    country = country_form(raw)
    if country is not None:
        english, form = country
        same = normalize(raw) == normalize(english)
        return TeamName(raw, english=raw if same else english, italian=form, national=True)
    return TeamName(raw)


def _aliases_of(name: str) -> tuple[str, ...]:
    return next((t.aliases for t in catalogue().teams if t.name == name), ())


# --- competitions -------------------------------------------------------------------------------


@cache
def _competition_phrases() -> dict[str, tuple[str, ItalianForm]]:
    """Every folded name and alias of a described competition → (its name, its Italian form)."""
    data = _data("competitions.json")
    phrases: dict[str, tuple[str, ItalianForm]] = {}
    aliases = {k: v for k, v in data.items() if not k.startswith("_")}
    for name, phrase in data.get("_italian", {}).items():
        form = parse_phrase(phrase)
        for spelling in (name, *aliases.get(name, ())):
            phrases.setdefault(normalize(spelling), (name, form))
    return phrases


def competition_name(raw: str) -> TeamName:
    """A competition, written in the current language when formatted: ``World Cup`` stays
    ``World Cup`` in English and is ``Mondiali`` (``{competition:a}`` → ``ai Mondiali``) in
    Italian; a competition Italian calls as it is keeps the feed's spelling (``Serie A TIM``,
    ``la Serie A TIM``); a name nobody described stays as it is, without an article."""
    found = _competition_phrases().get(normalize(raw))
    if found is None:
        return TeamName(raw)
    name, form = found
    renamed = form.name if form.name != name else raw
    return TeamName(raw, italian=ItalianForm(renamed, form.article, form.gender))


def competition_text(raw: str) -> str:
    """The competition's name alone, in the current language (for headings)."""
    return format(competition_name(raw), "")


# --- rounds ----------------------------------------------------------------------------------

#: A knockout round by the number of teams left in it.
_KNOCKOUT = {
    64: ("Round of 64", "trentaduesimi di finale"),
    32: ("Round of 32", "sedicesimi di finale"),
    16: ("Round of 16", "ottavi di finale"),
    8: ("Quarter-final", "quarti di finale"),
    4: ("Semi-final", "semifinale"),
    2: ("Final", "finale"),
}
_PIECES: tuple[tuple[re.Pattern[str], tuple[str, str]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), words)
    for pattern, words in (
        (
            r"(3rd|third)[ -]place( (play-?off|final|match))?",
            ("Third-place play-off", "finale per il terzo posto"),
        ),
        (r"quarter[ -]?finals?", ("Quarter-final", "quarti di finale")),
        (r"semi[ -]?finals?", ("Semi-final", "semifinale")),
        (r"finals?", ("Final", "finale")),
        (r"(1st|first) leg|andata", ("first leg", "andata")),
        (r"(2nd|second) leg|ritorno", ("second leg", "ritorno")),
        (r"(knockout round )?play-?offs?", ("Play-off", "spareggio")),
        (r"group stage|group phase", ("Group stage", "fase a gironi")),
        (r"league (stage|phase)", ("League phase", "fase campionato")),
        (r"replay", ("replay", "ripetizione")),
        (
            r"preliminary round|qualifying round|qualifying",
            ("Qualifying round", "turno preliminare"),
        ),
    )
)
_LAST = re.compile(r"(round of|last) (\d+)|1/(\d+)( finals?)?|(\d+)(st|nd|rd|th) finals", re.I)
_GROUP = re.compile(r"group ([a-z0-9]{1,2})|girone ([a-z0-9]{1,2})", re.IGNORECASE)
_NUMBER = re.compile(r"(?:matchday|round|giornata|regular season|week)?\s*-?\s*(\d{1,2})$", re.I)


def _piece(text: str) -> str | None:
    """One part of a round's name in the current language, None when not understood."""
    from bot.storylines import matchday  # storylines reads matches, which name their teams here

    italian = current() == "it"
    number = matchday(text)
    if number is not None:
        return f"{number}ª giornata" if italian else f"Matchday {number}"
    found = _LAST.fullmatch(text)
    if found:
        # "Round of 16": sixteen teams; "1/8 final", "8th finals": eight matches
        teams = int(found.group(2)) if found.group(2) else 2 * int(found.group(3) or found.group(5))
        english, words = _KNOCKOUT.get(teams, (f"Round of {teams}", ""))
        return (words or None) if italian else english
    group = _GROUP.fullmatch(text)
    if group:
        letter = (group.group(1) or group.group(2)).upper()
        return f"girone {letter}" if italian else f"Group {letter}"
    for pattern, (english, words) in _PIECES:
        if pattern.fullmatch(text):
            return words if italian else english
    plain = _NUMBER.fullmatch(text)
    if plain and text[:1].isalpha():
        number = int(plain.group(1))
        return f"{number}ª giornata" if italian else f"Matchday {number}"
    return None


def round_text(raw: str | None) -> str | None:
    """A round in the current language: ``Matchday 17`` / ``17ª giornata``, ``Round of 16 -
    1st Leg`` / ``ottavi di finale, andata``, ``Final`` / ``finale``. A round whose words are not
    understood is shown as the feed wrote it."""
    if not raw:
        return None
    whole = _piece(raw.strip())
    if whole is not None:
        return whole
    parts = [p.strip() for p in re.split(r"\s+-\s+|,\s*|\s+·\s+|\s*\(\s*|\s*\)\s*", raw) if p]
    said = [
        (_piece(f"Matchday {p}") if i and p.isdigit() else _piece(p)) for i, p in enumerate(parts)
    ]
    if not said or any(s is None for s in said):
        return raw
    return ", ".join(s for s in said if s)
