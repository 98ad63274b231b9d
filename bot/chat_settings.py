"""Per-chat preferences: which alerts, which timezone, and a spoiler delay."""

from __future__ import annotations

import json
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.messages.i18n import LANGUAGES, N_

Level = Literal["goals", "key", "all"]

LEVEL_NAMES: dict[str, str] = {
    "goals": N_("goals only"),
    "key": N_("key events"),
    "all": N_("everything"),
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
        }
    ),
}
MAX_SPOILER_DELAY = 300


class ChatSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    level: Level = "key"
    timezone: str = "UTC"
    spoiler_delay: int = Field(default=0, ge=0, le=MAX_SPOILER_DELAY)
    language: str = "en"

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"unknown language {value!r}")
        return value

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
        return self.model_dump()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def wants(self, category: str) -> bool:
        return category in LEVELS[self.level]

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]


def find_timezone(typed: str) -> str | None:
    """``rome``, ``europe/rome`` or ``Europe/Rome`` → ``Europe/Rome``."""
    wanted = typed.strip().replace(" ", "_").casefold()
    if not wanted:
        return None
    zones = available_timezones() | {"UTC"}
    for zone in sorted(zones):
        if zone.casefold() == wanted or zone.casefold().rsplit("/", 1)[-1] == wanted:
            return zone
    return None
