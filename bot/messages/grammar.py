"""Italian grammar for names: the definite article, and its merging with a preposition.

Italian puts the article before club and country names (``l'Inter``, ``il Milan``, ``la
Juventus``, ``i Paesi Bassi``) and merges it with the preposition before it (``dell'Inter``,
``al Milan``, ``per la Juventus``, ``contro i Paesi Bassi``, ``degli Stati Uniti``).

A team's name reaches a sentence as a :class:`TeamName`: a ``str`` (the name as the feed spells
it, so comparisons and storage are untouched) whose :meth:`~TeamName.__format__` writes it in the
current language. Italian sentences in the catalogue ask for the form they need with a format
spec:

=================  ==================================================
``{team}``         the name alone: ``Inter``, ``Francia``
``{team:il}``      with its article: ``l'Inter``, ``i Paesi Bassi`` (``{team:Il}``: ``L'Inter``)
``{team:di}``      merged: ``dell'Inter``; also ``a``, ``da``, ``in``, ``su``
``{team:per}``     any other word before it: ``per l'Inter``, ``contro il Milan``
``{team:e|a|i|e}`` a choice by gender and number: masculine, feminine, plural m., plural f.
``{team:ha|hanno}`` a choice by number: singular, plural
=================  ==================================================

English ignores the spec. A team whose article is not known (a team the bot has never seen)
has no article to give: :func:`bot.messages.i18n._` then picks the sentence's ``bare`` variant
(a shape that needs no article, ``gol di Lautaro (Inter)``) and, failing that, the spec writes
the name without an article — never a guessed one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.messages.i18n import current

Gender = Literal["m", "f"]

#: The articles, and whether each is plural.
ARTICLES = ("il", "lo", "la", "l'", "i", "gli", "le")
_PLURAL = frozenset({"i", "gli", "le"})
#: Article + preposition → merged form (``di`` + ``il`` → ``del``).
_MERGED: dict[str, dict[str, str]] = {
    "di": {"il": "del", "lo": "dello", "la": "della", "l'": "dell'", "i": "dei", "gli": "degli"},
    "a": {"il": "al", "lo": "allo", "la": "alla", "l'": "all'", "i": "ai", "gli": "agli"},
    "da": {"il": "dal", "lo": "dallo", "la": "dalla", "l'": "dall'", "i": "dai", "gli": "dagli"},
    "in": {"il": "nel", "lo": "nello", "la": "nella", "l'": "nell'", "i": "nei", "gli": "negli"},
    "su": {"il": "sul", "lo": "sullo", "la": "sulla", "l'": "sull'", "i": "sui", "gli": "sugli"},
}
for _prep, _forms in _MERGED.items():
    _forms["le"] = {"di": "delle", "a": "alle", "da": "dalle", "in": "nelle", "su": "sulle"}[_prep]
PREPOSITIONS = frozenset(_MERGED)
_PHRASE = re.compile(r"^(?:(il|lo|la|i|gli|le) |(l'|l’))(.+?)(?: \((m|f)\))?$")


@dataclass(frozen=True)
class ItalianForm:
    """How Italian writes a team: its name, its article (None: not known) and gender."""

    name: str
    article: str | None = None
    gender: Gender = "m"

    @property
    def plural(self) -> bool:
        return self.article in _PLURAL

    def with_article(self) -> str:
        """``l'Inter``, ``il Milan``, ``i Paesi Bassi``; the bare name when not known."""
        if not self.article:
            return self.name
        if self.article == "l'":
            return f"l'{self.name}"
        return f"{self.article} {self.name}"

    def after(self, word: str) -> str:
        """The name after ``word``: merged for di/a/da/in/su (``dell'Inter``), else
        ``word`` + article + name (``contro il Milan``); without an article when not known."""
        if not self.article:
            return f"{word} {self.name}"
        merged = _MERGED.get(word, {}).get(self.article)
        if merged is None:
            return f"{word} {self.with_article()}"
        return f"{merged}{self.name}" if merged.endswith("'") else f"{merged} {self.name}"

    def choose(self, options: list[str]) -> str:
        """``o|a|i|e`` by gender and number, ``ha|hanno`` by number."""
        if len(options) == 2:
            return options[1] if self.plural else options[0]
        index = (2 if self.plural else 0) + (1 if self.gender == "f" else 0)
        return options[min(index, len(options) - 1)]

    def spec(self, spec: str) -> str:
        """The name as the format spec ``spec`` asks (see the module's table)."""
        if not spec:
            return self.name
        if "|" in spec:
            return self.choose(spec.split("|"))
        word = spec.casefold()
        text = self.with_article() if word == "il" else self.after(word)
        return text[:1].upper() + text[1:] if spec[:1].isupper() else text


def parse_phrase(phrase: str) -> ItalianForm:
    """``l'Inter (f)``, ``il Milan``, ``i Paesi Bassi``, ``Bayern Monaco`` (no article known)
    → its form. The gender follows the article; ``l'`` needs ``(m)`` or ``(f)`` (else m)."""
    text = phrase.strip()
    found = _PHRASE.match(text)
    if found is None:
        return ItalianForm(text)
    article = found.group(1) or "l'"
    name = found.group(3).strip()
    gender: Gender = "f" if article in ("la", "le") else "m"
    if found.group(4):
        gender = "f" if found.group(4) == "f" else "m"
    return ItalianForm(name, article, gender)


def article_for(name: str, gender: Gender, plural: bool = False) -> str:
    """The definite article Italian puts before ``name`` of that gender and number
    (``lo Sporting``, ``l'Ajax``, ``gli Stati Uniti``, ``le Filippine``)."""
    first = name[:1].casefold()
    vowel = first in "aeiouhàèéìòù"
    impure = bool(re.match(r"(?i)(s[^aeiou]|z|gn|ps|pn|x|y[aeiou])", name))
    if gender == "f":
        return "le" if plural else ("l'" if vowel else "la")
    if plural:
        return "gli" if vowel or impure else "i"
    if vowel:
        return "l'"
    return "lo" if impure else "il"


class TeamName(str):
    """A team's name as the feed spells it, written in the current language when formatted:
    ``english`` in English (the catalogue's name of a national team), ``italian`` in Italian
    (its Italian name and article; None: the name as it is, with no article known)."""

    _english: str
    _italian: ItalianForm | None

    national: bool

    def __new__(
        cls,
        raw: str,
        english: str | None = None,
        italian: ItalianForm | None = None,
        national: bool = False,
    ) -> TeamName:
        made = super().__new__(cls, raw)
        made._english = english or raw
        made._italian = italian
        made.national = national  # a national team (its coach is the "commissario tecnico")
        return made

    @property
    def italian(self) -> ItalianForm:
        return self._italian or ItalianForm(self._english)

    @property
    def has_article(self) -> bool:
        """Whether Italian knows this team's article (else sentences take their bare shape)."""
        return self._italian is not None and self._italian.article is not None

    def display(self, lang: str) -> str:
        """The name fans of that language read: ``Francia`` / ``France``."""
        return self.italian.name if lang == "it" else self._english

    def __format__(self, spec: str) -> str:
        if current() == "it":
            return self.italian.spec(spec)
        return self._english


class PersonName(str):
    """A player's or speaker's name; Italian puts the euphonic ``ad`` before one that starts
    with ``a`` (``{shooter:a}`` → ``ad Antoine Griezmann``, ``a Marcus Thuram``)."""

    def __format__(self, spec: str) -> str:
        name = str(self)
        if spec == "a" and current() == "it":
            return f"ad {name}" if name[:1] in ("a", "A") else f"a {name}"
        return name
