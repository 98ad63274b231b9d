"""The bot's languages: gettext catalogues (Babel) and language-aware numbers and dates.

Every sentence is written in English in :mod:`bot.messages.templates` (and the modules it uses)
inside ``_()``; the Italian is in ``locales/it/LC_MESSAGES/matchbot.po``, read with Babel when
first needed (its compiled form kept: :func:`_compiled`) and used through the standard
:mod:`gettext` machinery (plural forms included). Which language a message is built in is a
context variable, set with :func:`use` around the build, so templates keep their signatures.

A sentence with no Italian yet comes out in English (``tests/test_i18n.py`` fails until the
catalogue has it).
"""

from __future__ import annotations

import contextlib
import gettext
import hashlib
import io
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.lists import format_list

LANGUAGES: dict[str, str] = {"en": "English", "it": "Italiano"}
DEFAULT_LANGUAGE = "en"
LOCALES = Path(__file__).parent / "locales"
DOMAIN = "matchbot"

_current: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


def catalogue_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The language's catalogue (English is the source language: no catalogue).

    ``domain`` ``bare``: the same sentences in the shape they take when a team in them has no
    known article (``locales/it/LC_MESSAGES/bare.po``; see :mod:`bot.messages.grammar`)."""
    path = LOCALES / lang / "LC_MESSAGES" / f"{domain}.po"
    if lang == DEFAULT_LANGUAGE or not path.exists():
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(_compiled(path)))


def _compiled(po: Path) -> bytes:
    """The catalogue ``po`` compiled (the ``.mo`` gettext reads). Babel's reading of the ``.po``
    costs a process ~30 ms, so the compiled form is kept beside it, in ``__pycache__``, named by
    the digest of the ``.po`` it was compiled from: an edited ``.po`` is compiled again (and its
    former compiled forms go). Where the folder cannot be written, each process compiles its
    own."""
    source = po.read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:16]
    kept = po.parent / "__pycache__" / f"{po.stem}.{digest}.mo"
    with contextlib.suppress(OSError):
        return kept.read_bytes()
    # Babel's catalogue reader and writer, only where a catalogue is compiled (once per edit
    # of the .po, not by every process that speaks Italian)
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = io.BytesIO()
    write_mo(compiled, read_po(io.BytesIO(source), domain=po.stem))
    with contextlib.suppress(OSError):
        kept.parent.mkdir(exist_ok=True)
        partial = kept.with_name(f"{kept.name}.{os.getpid()}")
        partial.write_bytes(compiled.getvalue())
        partial.replace(kept)  # whole or not at all, for a process reading it meanwhile
        for former in kept.parent.glob(f"{po.stem}.*.mo"):
            if former != kept:
                former.unlink(missing_ok=True)
    return compiled.getvalue()


def current() -> str:
    return _current.get()


def normalize_language(value: str | None) -> str | None:
    """``it``, ``IT``, ``it-IT``, ``italiano`` → ``it``; None when not a language we speak."""
    if not value:
        return None
    folded = value.strip().casefold().replace("_", "-")
    for code, name in LANGUAGES.items():
        if folded == code or folded.startswith(f"{code}-") or folded == name.casefold():
            return code
    if folded in ("italian", "inglese", "english"):
        return "it" if folded == "italian" else "en"
    return None


@contextmanager
def use(lang: str | None) -> Iterator[None]:
    """Build messages in ``lang`` inside the block (unknown or None: English)."""
    token = _current.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)


BARE = "bare"


def _bare(values: dict[str, Any]) -> bool:
    """Whether a team in ``values`` has no known article (see :data:`TEAM_FIELDS`)."""
    from bot.messages.names import team_name

    for key, value in values.items():
        if key in TEAM_FIELDS and type(value) is str and value:
            value = team_name(value)
        if getattr(value, "has_article", True) is False:
            return True
    return False


def _(message: str, **values: Any) -> str:
    """``message`` in the current language, with ``{name}`` fields filled from ``values``.

    When a team among ``values`` has no known article, the sentence's ``bare`` shape is used
    where the language has one (Italian: ``gol di Lautaro (Inter)`` rather than ``per Inter``)."""
    lang = current()
    text = None
    if lang != DEFAULT_LANGUAGE and _bare(values):
        bare = translations(lang, BARE).gettext(message)
        text = bare if bare != message else None
    if text is None:
        text = translations(lang).gettext(message)
    return _fill(text, values)


#: The fields that hold a team's name: a plain string there is read as the team it names, so
#: Italian writes it with its article and national teams with their Italian names.
TEAM_FIELDS = frozenset({"team", "home", "away", "winner", "loser"})
#: The fields that hold a person's name (``{shooter:a}``: ``ad Antoine``).
PERSON_FIELDS = frozenset({"player", "shooter", "assist", "off", "speaker"})


def _fill(text: str, values: dict[str, Any]) -> str:
    """``text`` with its fields filled. A team's name passed as a plain string is the team it
    names (:func:`bot.messages.names.team_name`); any other plain string where the sentence
    asks for an article (``{x:di}``) is written without one rather than failing."""
    if not values:
        return text
    from bot.messages.grammar import PersonName, TeamName
    from bot.messages.names import team_name

    named = {
        k: team_name(v)
        if k in TEAM_FIELDS and type(v) is str and v
        else PersonName(v)
        if k in PERSON_FIELDS and type(v) is str
        else v
        for k, v in values.items()
    }
    try:
        return text.format(**named)
    except ValueError:
        bare = {k: TeamName(v) if type(v) is str else v for k, v in named.items()}
        return text.format(**bare)


def N_(message: str) -> str:
    """Marks a sentence for the catalogue where it is written; translated later with ``_()``."""
    return message


def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    """The singular or plural form for ``n`` in the current language (``{n}`` is filled too)."""
    lang = current()
    catalogue = translations(lang)
    if lang != DEFAULT_LANGUAGE and _bare(values):
        bare = translations(lang, BARE).ngettext(singular, plural, n)
        if bare not in (singular, plural):
            catalogue = translations(lang, BARE)
    text = catalogue.ngettext(singular, plural, n)
    return _fill(text, {"n": n, **values})


# --- numbers, dates, lists -----------------------------------------------------------------------


def date_text(when: datetime) -> str:
    """``28 Dec 2025`` / ``28 dic 2025``."""
    return format_date(when, "d MMM y", locale=current())


def datetime_text(when: datetime, zone: ZoneInfo) -> str:
    """``Sun 28 Dec 20:45`` / ``dom 28 dic 20:45`` in ``zone``."""
    return format_datetime(when, "EEE d MMM HH:mm", tzinfo=zone, locale=current())


def and_list(items: Sequence[str]) -> str:
    """``A, B and C`` / ``A, B e C`` (Babel's list patterns for the language)."""
    if not items:
        return ""
    return format_list(list(items), style="standard", locale=current())


def or_list(items: Sequence[str]) -> str:
    """``A, B, or C`` / ``A, B o C`` (Babel's list patterns for the language)."""
    if not items:
        return ""
    return format_list(list(items), style="or", locale=current())


def ordinal(n: int) -> str:
    """``1st``, ``22nd``, ``65th`` / ``1º``, ``65º`` (numerals, so no gender to agree with)."""
    if current() == "it":
        return f"{n}º"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def italian_the(score: str) -> str:
    """The article Italian puts before a score: ``l'1-1``, ``l'8-0``, ``lo 0-0``, ``il 2-1``."""
    first = score.split("-")[0]
    if first == "0":
        return f"lo {score}"
    return f"l'{score}" if first in ("1", "8", "11") or first.startswith("8") else f"il {score}"


def italian_al(minute: int) -> str:
    """The Italian preposition before a minute: ``al 65'``, but ``all'80'``, ``all'8'``."""
    return "all'" if minute in (1, 8, 11) or 80 <= minute <= 89 else "al "
