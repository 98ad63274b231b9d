"""Per-chat preferences: which alerts, which timezone, and a spoiler delay."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.levels import LEVEL_RANK as LEVEL_RANK
from bot.levels import Level as Level
from bot.messages.i18n import LANGUAGES, N_

#: a chat's level until it chooses one (a subscription without a level takes the chat's)
DEFAULT_LEVEL: Level = "key"

#: each level's name in a sentence ("Alerts: key events")
LEVEL_NAMES: dict[str, str] = {
    "goals": N_("goals only"),
    "key": N_("key events"),
    "all": N_("everything"),
}
#: each level's name on a button or in a list of choices
LEVEL_LABELS: dict[str, str] = {
    "goals": N_("Goals only"),
    "key": N_("Key events"),
    "all": N_("Everything"),
}

# Alert categories (see bot.messages.templates.alert_category) each level lets through.
LEVELS: dict[str, frozenset[str]] = {
    "goals": frozenset({"goal", "cancelled"}),
    "key": frozenset(
        {
            "kickoff",
            "goal",
            "disallowed",
            "cancelled",
            "penalty",
            "red_card",
            "half_time",
            "period",
            "full_time",
            "added_time",
        }
    ),
    "all": frozenset(
        {
            "kickoff",
            "goal",
            "disallowed",
            "cancelled",
            "penalty",
            "red_card",
            "half_time",
            "period",
            "full_time",
            "card",
            "substitution",
            "save",
            "miss",
            "note",
            "shootout",
            "added_time",
        }
    ),
}
#: the longest a chat may hold its live alerts back (seconds)
MAX_SPOILER_DELAY = 300
#: the delays /settings offers as buttons
SPOILER_PRESETS = (*(s for s in (0, 30, 60, 120) if s < MAX_SPOILER_DELAY), MAX_SPOILER_DELAY)


def level_needed(category: str | None) -> int:
    """The lowest level rank (goals 1, key 2, all 3) that lets an alert category through."""
    if category is None:
        return 1
    return next(rank for level, rank in LEVEL_RANK.items() if category in LEVELS[level])


def player_level_needed(category: str) -> int:
    """The same for a followed player's own moments: everything he does is key to those who
    follow him (cards and substitutions included); goals only keeps his goals and assists."""
    return LEVEL_RANK["goals"] if category in LEVELS["goals"] else LEVEL_RANK["key"]


def parse_whole_number(text: str, low: int, high: int) -> int | None:
    """``45`` → 45 when ``low <= 45 <= high``; None for anything else: digits of other
    scripts (``٣``, ``²``, fullwidth), signs, exponents, decimals, separators, huge numbers."""
    if not re.fullmatch(r"[0-9]{1,6}", text, re.ASCII):
        return None
    number = int(text)
    return number if low <= number <= high else None


def parse_digest_time(text: str) -> str | None:
    """``9``, ``9:00``, ``09.30`` → ``09:00``/``09:30``; None when it is not a time of day
    (``24:00``, ``25:61``, digits of other scripts)."""
    m = re.fullmatch(r"([0-9]{1,2})(?:[:.h]([0-9]{2}))?", text.strip(), re.ASCII)
    if not m or int(m.group(1)) > 23 or int(m.group(2) or 0) > 59:
        return None
    return f"{int(m.group(1)):02d}:{int(m.group(2) or 0):02d}"


OnOff = Literal["on", "off"]
#: The match's depth a chat may turn on or off, each with its default and its name in
#: /settings. The fan-out reads them from the settings JSON (``storage/fan_out.py``): "off"
#: leaves the chat out; absent is the default.
DEPTH_SETTINGS: dict[str, tuple[OnOff, str]] = {
    "lineups": ("on", N_("line-ups before kick-off")),
    "stats": ("on", N_("statistics at half-time and full time")),
    "pictures": ("off", N_("the match card picture at full time")),
}


Scoreboard = Literal["off", "with", "instead"]
#: The live scoreboard (one message per match, edited as it goes): off (the default), with the
#: alerts, or instead of the live alerts; each choice's name in /settings.
SCOREBOARD_CHOICES: dict[str, str] = {
    "off": N_("off"),
    "with": N_("with the alerts"),
    "instead": N_("instead of the live alerts"),
}
#: what fans type for each choice (``/settings scoreboard with``, ``/settings tabellone solo``)
SCOREBOARD_WORDS: dict[str, Scoreboard] = {
    "off": "off",
    "no": "off",
    "false": "off",
    "with": "with",
    "on": "with",
    "yes": "with",
    "true": "with",
    "con": "with",
    "si": "with",
    "sì": "with",
    "instead": "instead",
    "only": "instead",
    "solo": "instead",
    "invece": "instead",
}
ON_OFF: dict[str, OnOff] = {
    "on": "on",
    "off": "off",
    "yes": "on",
    "no": "off",
    "si": "on",
    "sì": "on",
    "true": "on",
    "false": "off",
}


class ChatSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    level: Level = DEFAULT_LEVEL
    lineups: OnOff = "on"
    stats: OnOff = "on"
    pictures: OnOff = "off"
    scoreboard: Scoreboard = "off"
    timezone: str = "UTC"
    spoiler_delay: int = Field(default=0, ge=0, le=MAX_SPOILER_DELAY)
    language: str = "en"

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"unknown language {value!r}")
        return value

    digest: str | None = None  # the daily digest's local time, "HH:MM"; None: off

    @field_validator("digest")
    @classmethod
    def _digest_time(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parsed = parse_digest_time(value)
        if parsed is None:
            raise ValueError(f"not a time of day: {value!r}")
        return parsed

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}") from None
        return value

    @classmethod
    def from_json(cls, text: str | None) -> ChatSettings:
        try:
            return cls.model_validate(json.loads(text or "{}"))
        except ValueError:
            return cls()

    def as_dict(self) -> dict[str, Any]:
        """The settings to store (the depth's switches only when changed)."""
        data = self.model_dump(exclude_none=True)
        for name, (default, _label) in DEPTH_SETTINGS.items():
            if data.get(name) == default:
                del data[name]
        if data.get("scoreboard") == "off":
            del data["scoreboard"]
        return data

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]


#: Names in the zone database that are not places: the machine's own zone, the file POSIX
#: rules come from, and the "Factory" placeholder.
NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})


def real_timezones() -> set[str]:
    """The IANA time zones a chat may choose (not the machine's own, not ``posix/…`` or
    ``right/…`` copies)."""
    return {
        z
        for z in available_timezones()
        if z not in NOT_PLACES and not z.startswith(("posix/", "right/"))
    } | {"UTC"}


def find_timezone(typed: str) -> str | None:
    """``rome``, ``europe/rome`` or ``Europe/Rome`` → ``Europe/Rome``: the first zone, in
    alphabetical order, whose name or last part is what was typed (any case, spaces for
    underscores)."""
    wanted = typed.strip().replace(" ", "_").casefold()
    if not wanted:
        return None
    return _timezones_by_name().get(wanted)


@cache
def _timezones_by_name() -> dict[str, str]:
    """Each zone under its name and its last part, casefolded, the first in alphabetical
    order kept where two share one: the zone database read once a process (reading it lists
    some 600 files), not at each ``/settings timezone``."""
    found: dict[str, str] = {}
    for zone in sorted(real_timezones()):
        folded = zone.casefold()
        found.setdefault(folded, zone)
        found.setdefault(folded.rsplit("/", 1)[-1], zone)
    return found
