"""Discord: slash commands, and alerts and recaps as embeds (see docs/discord.md)."""

from adapters.discord.adapter import DiscordAdapter

__all__ = ["DiscordAdapter"]
