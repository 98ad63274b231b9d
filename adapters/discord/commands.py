"""The slash commands: each one turns an interaction into a :class:`bot.ports.CommandContext`,
runs the shared command through the core and answers the interaction with embeds.

Answers to commands are the only messages that do not go through the outbox: they answer the
interaction itself, which Discord wants within 3 seconds (interaction responses do not count
against the global rate limit). Refusals (``error`` and ``suggestions`` replies) are ephemeral:
only the member who typed the command sees them.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands

from adapters.discord.embeds import NO_MENTIONS, message_batches
from bot.messages.model import Message
from bot.ports import CommandContext, CoreAPI

log = logging.getLogger(__name__)

#: Every slash command, as Discord lists it.
COMMANDS: dict[str, str] = {
    "subscribe": "Follow a team's matches in this channel",
    "unsubscribe": "Stop following a team in this channel",
    "subscriptions": "The teams this channel follows",
    "score": "Live or latest score of a team (or of the teams this channel follows)",
    "scorers": "Scorers of a team's match, or a competition's top scorers",
    "help": "What this bot can do",
}
#: Reply kinds shown only to the member who typed the command.
PRIVATE_KINDS = frozenset({"error", "suggestions"})
#: Answer after this many seconds at the latest, deferring when the core is slower
#: (Discord drops interactions not acknowledged within 3 s).
DEFER_AFTER = 2.0
#: Discord's longest autocomplete choice name and value.
CHOICE_LENGTH = 100
MAX_CHOICES = 25


def context_of(interaction: discord.Interaction) -> CommandContext:
    """Who typed the command, where, and whether they may change the channel's subscriptions:
    in a server that needs Manage Server or Manage Channels; in a DM, anyone may."""
    in_guild = interaction.guild_id is not None
    perms = interaction.permissions
    can_manage = not in_guild or perms.administrator or perms.manage_guild or perms.manage_channels
    channel = interaction.channel
    title = getattr(channel, "name", None) if in_guild else str(interaction.user)
    return CommandContext(
        platform="discord",
        chat_id=str(interaction.channel_id),
        user_id=str(interaction.user.id),
        chat_kind="group" if in_guild else "private",
        chat_title=title,
        can_manage=bool(can_manage),
    )


async def answer(interaction: discord.Interaction, message: Message) -> None:
    """Answer the interaction with ``message`` (in several messages when it is very long)."""
    pages = message_batches(message)
    ephemeral = message.kind in PRIVATE_KINDS
    first, rest = pages[0], pages[1:]
    if interaction.response.is_done():  # deferred: fill in the "thinking…" message
        await interaction.edit_original_response(embeds=first, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.send_message(
            embeds=first, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )
    for embeds in rest:
        await interaction.followup.send(
            embeds=embeds, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )


async def run_command(
    core: CoreAPI, interaction: discord.Interaction, name: str, args: str | None
) -> None:
    """Run ``/name args`` through the core and answer; defers if the core is slow."""
    ctx = context_of(interaction)
    task = asyncio.ensure_future(core.command(ctx, name, args or ""))
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
    if not done:
        await interaction.response.defer(thinking=True)
    await answer(interaction, await task)


def build_tree(client: discord.Client, core: CoreAPI) -> app_commands.CommandTree[discord.Client]:
    """The command tree of ``client``: the six commands, team autocomplete, error replies."""
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)

    async def team_choices(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = await core.team_names(current, limit=MAX_CHOICES)
        return [
            app_commands.Choice(name=n[:CHOICE_LENGTH], value=n[:CHOICE_LENGTH])
            for n in names[:MAX_CHOICES]
            if n.strip()
        ]

    @tree.command(name="subscribe", description=COMMANDS["subscribe"])
    @app_commands.describe(team="The team to follow")
    @app_commands.autocomplete(team=team_choices)
    async def subscribe(interaction: discord.Interaction, team: str) -> None:
        await run_command(core, interaction, "subscribe", team)

    @tree.command(name="unsubscribe", description=COMMANDS["unsubscribe"])
    @app_commands.describe(team="The team to stop following")
    @app_commands.autocomplete(team=team_choices)
    async def unsubscribe(interaction: discord.Interaction, team: str) -> None:
        await run_command(core, interaction, "unsubscribe", team)

    @tree.command(name="subscriptions", description=COMMANDS["subscriptions"])
    async def subscriptions(interaction: discord.Interaction) -> None:
        await run_command(core, interaction, "subscriptions", None)

    @tree.command(name="score", description=COMMANDS["score"])
    @app_commands.describe(team="A team (leave empty for the teams this channel follows)")
    @app_commands.autocomplete(team=team_choices)
    async def score(interaction: discord.Interaction, team: str | None = None) -> None:
        await run_command(core, interaction, "score", team)

    @tree.command(name="scorers", description=COMMANDS["scorers"])
    @app_commands.describe(team="A team or a competition (leave empty for the top scorers)")
    @app_commands.autocomplete(team=team_choices)
    async def scorers(interaction: discord.Interaction, team: str | None = None) -> None:
        await run_command(core, interaction, "scorers", team)

    @tree.command(name="help", description=COMMANDS["help"])
    async def help_(interaction: discord.Interaction) -> None:
        await run_command(core, interaction, "help", None)

    @tree.error
    async def on_error(
        interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.error("discord: /%s failed", getattr(interaction.command, "name", "?"), exc_info=error)
        text = "Sorry, that failed. Please try again in a moment."
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(
                    text, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
        except discord.HTTPException:
            log.warning("discord: could not tell the user that /%s failed", interaction.command)

    return tree
