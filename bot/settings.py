"""Configuration from the environment and ``.env`` (every variable is in ``.env.example``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    db: Path = Field(default=Path("matchbot.db"), validation_alias=_env("MATCHBOT_DB"))
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
    discord_shards: int | None = Field(
        default=None, ge=1, validation_alias=_env("MATCHBOT_DISCORD_SHARDS")
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
        "admin_chat",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("metrics_host", "log_format", "health_stall_seconds", mode="before")
    @classmethod
    def _blank_is_default(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str) and not value.strip():
            return cls.model_fields[info.field_name or ""].default
        return (
            value.strip().lower()
            if info.field_name == "log_format" and isinstance(value, str)
            else value
        )

    @field_validator("discord_guild_id", "discord_shards", "metrics_port", mode="before")
    @classmethod
    def _blank_guild(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

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
        ]
        return [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]
