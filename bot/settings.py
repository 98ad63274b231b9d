"""Configuration from the environment and ``.env`` (every variable is in ``.env.example``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


@dataclass(frozen=True)
class ShardPlan:
    """Discord gateway shards: how many the bot has (``count``) and which of them this
    process runs (``ids``; None: all of them)."""

    count: int
    ids: tuple[int, ...] | None = None

    @classmethod
    def parse(cls, text: str) -> ShardPlan:
        """``8`` (eight shards, all here), ``0-3/8`` (shards 0 to 3 of 8), ``5/8``,
        ``0-1,6-7/8``."""
        text = text.strip()
        if text.isdigit():
            return cls._checked(int(text), None)
        found = re.fullmatch(r"(\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*)/(\d+)", text.replace(" ", ""))
        if found is None:
            raise ValueError(
                f"{text!r} is not a shard count (8) nor a range of shards (0-3/8: shards 0 to 3"
                " of 8)"
            )
        ids: set[int] = set()
        for part in found.group(1).split(","):
            first, _, last = part.partition("-")
            start, end = int(first), int(last or first)
            if start > end:
                raise ValueError(f"shard range {part} goes backwards")
            ids.update(range(start, end + 1))
        return cls._checked(int(found.group(2)), tuple(sorted(ids)))

    @classmethod
    def _checked(cls, count: int, ids: tuple[int, ...] | None) -> ShardPlan:
        if count < 1:
            raise ValueError("the shard count must be at least 1")
        if ids is not None and ids[-1] >= count:
            raise ValueError(f"shard {ids[-1]} is not among the {count} shards (0 to {count - 1})")
        return cls(count, ids)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    db: Path = Field(default=Path("matchbot.db"), validation_alias=_env("MATCHBOT_DB"))
    database_url: SecretStr | None = Field(
        default=None, validation_alias=_env("MATCHBOT_DATABASE_URL")
    )
    feeds: str = Field(default="", validation_alias=_env("MATCHBOT_FEEDS"))
    log_level: str | None = Field(default=None, validation_alias=_env("MATCHBOT_LOG_LEVEL"))
    recap_delay_minutes: float = Field(
        default=10.0, ge=0, validation_alias=_env("MATCHBOT_RECAP_DELAY")
    )
    reminder_minutes: str = Field(default="30", validation_alias=_env("MATCHBOT_REMINDER_MINUTES"))

    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=_env("TELEGRAM_BOT_TOKEN")
    )
    telegram_base_url: str | None = Field(default=None, validation_alias=_env("TELEGRAM_BASE_URL"))
    telegram_webhook_url: str | None = Field(
        default=None, validation_alias=_env("TELEGRAM_WEBHOOK_URL")
    )
    telegram_webhook_listen: str = Field(
        default="0.0.0.0:8443", validation_alias=_env("TELEGRAM_WEBHOOK_LISTEN")
    )
    telegram_group_admin_only: bool = Field(
        default=True, validation_alias=_env("TELEGRAM_GROUP_ADMIN_ONLY")
    )
    telegram_paid_broadcast: bool = Field(
        default=False, validation_alias=_env("TELEGRAM_PAID_BROADCAST")
    )

    discord_bot_token: SecretStr | None = Field(
        default=None, validation_alias=_env("DISCORD_BOT_TOKEN")
    )
    discord_guild_id: int | None = Field(default=None, validation_alias=_env("DISCORD_GUILD_ID"))
    discord_base_url: str | None = Field(default=None, validation_alias=_env("DISCORD_BASE_URL"))
    discord_shards: ShardPlan | None = Field(
        default=None, validation_alias=_env("MATCHBOT_DISCORD_SHARDS")
    )

    api_football_key: SecretStr | None = Field(
        default=None, validation_alias=_env("API_FOOTBALL_KEY")
    )
    api_football_base_url: str = Field(
        default="https://v3.football.api-sports.io", validation_alias=_env("API_FOOTBALL_BASE_URL")
    )
    football_data_token: SecretStr | None = Field(
        default=None, validation_alias=_env("FOOTBALL_DATA_TOKEN")
    )
    football_data_base_url: str = Field(
        default="https://api.football-data.org/v4", validation_alias=_env("FOOTBALL_DATA_BASE_URL")
    )
    metrics_port: int | None = Field(
        default=None, ge=0, le=65535, validation_alias=_env("MATCHBOT_METRICS_PORT")
    )
    metrics_host: str = Field(default="127.0.0.1", validation_alias=_env("MATCHBOT_METRICS_HOST"))
    health_stall_seconds: float = Field(
        default=300.0, gt=0, validation_alias=_env("MATCHBOT_HEALTH_STALL_SECONDS")
    )
    #: seconds a row fetched to be sent stays claimed by its process (``bot.delivery.LEASE``)
    outbox_lease_seconds: float = Field(
        default=10.0, gt=0, validation_alias=_env("MATCHBOT_OUTBOX_LEASE_SECONDS")
    )
    #: seconds between the leader's looks for jobs other processes made due
    #: (``bot.scheduler.jobs.SHARED_LOOK_EVERY``)
    leader_look_seconds: float = Field(
        default=5.0, gt=0, validation_alias=_env("MATCHBOT_LEADER_LOOK_SECONDS")
    )
    log_format: Literal["text", "json"] = Field(
        default="text", validation_alias=_env("MATCHBOT_LOG_FORMAT")
    )
    admin_chat: str | None = Field(default=None, validation_alias=_env("MATCHBOT_ADMIN_CHAT"))
    reporters: str = Field(default="", validation_alias=_env("MATCHBOT_REPORTERS"))
    lead_reporters: str = Field(default="", validation_alias=_env("MATCHBOT_LEAD_REPORTERS"))

    @field_validator(
        "telegram_bot_token",
        "discord_bot_token",
        "telegram_base_url",
        "discord_base_url",
        "telegram_webhook_url",
        "log_level",
        "api_football_key",
        "football_data_token",
        "database_url",
        "admin_chat",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator(
        "metrics_host",
        "log_format",
        "health_stall_seconds",
        "outbox_lease_seconds",
        "leader_look_seconds",
        mode="before",
    )
    @classmethod
    def _blank_is_default(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str) and not value.strip():
            return cls.model_fields[info.field_name or ""].default
        return (
            value.strip().lower()
            if info.field_name == "log_format" and isinstance(value, str)
            else value
        )

    @field_validator("discord_guild_id", "metrics_port", mode="before")
    @classmethod
    def _blank_guild(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("discord_shards", mode="before")
    @classmethod
    def _shard_plan(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            return ShardPlan.parse(value) if value.strip() else None
        return value

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(
            ("postgresql://", "postgres://")
        ):
            raise ValueError(
                "MATCHBOT_DATABASE_URL must be a postgresql:// URL (a SQLite file is MATCHBOT_DB)"
            )
        return value

    @property
    def store(self) -> str | Path:
        """Where the store lives: the PostgreSQL URL when ``MATCHBOT_DATABASE_URL`` is set,
        else the SQLite file ``MATCHBOT_DB``."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return self.db

    @property
    def feed_paths(self) -> list[Path]:
        return [Path(p.strip()) for p in self.feeds.split(",") if p.strip()]

    @property
    def reporter_ids(self) -> frozenset[str]:
        """``telegram:123,discord:456`` → {"telegram:123", "discord:456"}."""
        return frozenset(r.strip() for r in self.reporters.split(",") if r.strip())

    @property
    def lead_reporter_ids(self) -> frozenset[str]:
        """``MATCHBOT_LEAD_REPORTERS``: reporters who may also undo other reporters' reports."""
        return frozenset(r.strip() for r in self.lead_reporters.split(",") if r.strip())

    @property
    def recap_delay(self) -> float:
        """Seconds between full-time and the recap."""
        return self.recap_delay_minutes * 60.0

    @property
    def reminder_lead(self) -> float | None:
        """Seconds before kick-off for reminders, or None when they are off."""
        text = self.reminder_minutes.strip()
        return float(text) * 60.0 if text else None

    def secrets(self) -> list[str]:
        """Every secret value, so logs can be scrubbed of them."""
        values = [
            self.telegram_bot_token,
            self.discord_bot_token,
            self.api_football_key,
            self.football_data_token,
            self.database_url,
        ]
        found = [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]
        if self.database_url is not None:  # the password alone, wherever it is quoted
            password = urlsplit(self.database_url.get_secret_value()).password
            if password:
                found.append(password)
        return found
