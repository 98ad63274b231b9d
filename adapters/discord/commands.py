"""The slash commands: each one turns an interaction into a :class:`bot.ports.CommandContext`,
runs the shared command through the core and answers the interaction with embeds.

Answers to commands are the only messages that do not go through the outbox: they answer the
interaction itself, which Discord wants within 3 seconds (interaction responses do not count
against the global rate limit). Refusals (``error`` and ``suggestions`` replies) are ephemeral:
only the member who typed the command sees them.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any, Optional

import discord
from discord import app_commands

from adapters.discord.embeds import NO_MENTIONS, message_batches
from bot.command_catalogue import CATALOGUE
from bot.command_types import Argument, Catalogue, ChatCommand
from bot.messages import i18n, templates
from bot.messages.model import Message
from bot.ports import CommandContext, CoreAPI

log = logging.getLogger(__name__)


class CatalogueTranslator(app_commands.Translator):
    """Names, descriptions and choices of the slash commands in the languages of the bot's
    catalogue, for members whose Discord is set to one of them: Italian members see
    ``/punteggio`` for ``/score`` (the catalogue's Italian names); option names stay English."""

    def __init__(self, catalogue: Catalogue = CATALOGUE) -> None:
        self.catalogue = catalogue

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        names = (
            app_commands.TranslationContextLocation.group_name,
            app_commands.TranslationContextLocation.parameter_name,
        )
        language = i18n.normalize_language(locale.value)
        if context.location in names or language in (None, i18n.DEFAULT_LANGUAGE):
            return None
        if context.location == app_commands.TranslationContextLocation.command_name:
            command = self.catalogue.by_name.get(string.message)
            name = command.name_in(language) if command else string.message
            return None if name == string.message else name  # /punteggio for Italians
        with i18n.use(language):
            text = i18n._(string.message)
        return None if text == string.message else text


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
        place="channel" if in_guild else "chat",
        user_language=interaction.locale.value,  # the member's Discord language (e.g. "it")
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
    core: CoreAPI, interaction: discord.Interaction, name: str, runs: list[str]
) -> None:
    """Run ``/name run`` through the core for each of ``runs`` (``/settings`` with several
    options makes one per change) and answer with the last reply, or the first refusal;
    defers if the core is slow."""
    ctx = context_of(interaction)
    task = asyncio.ensure_future(_run_all(core, ctx, name, runs))
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
    if not done:
        await interaction.response.defer(thinking=True)
    await answer(interaction, await task)


async def _run_all(core: CoreAPI, ctx: CommandContext, name: str, runs: list[str]) -> Message:
    reply = await core.command(ctx, name, runs[0])
    for run in runs[1:]:
        if reply.kind in PRIVATE_KINDS:
            break
        reply = await core.command(ctx, name, run)
    return reply


async def _failed_text(core: CoreAPI, interaction: discord.Interaction) -> str:
    """ "Sorry, that failed" in the channel's language (the member's own when the core cannot
    say: it may be what failed)."""
    try:
        language = await core.language(context_of(interaction))
    except Exception:
        language = i18n.normalize_language(interaction.locale.value) or i18n.DEFAULT_LANGUAGE
    with i18n.use(language):
        return templates.something_failed()


def build_tree(
    client: discord.Client, core: CoreAPI, catalogue: Catalogue = CATALOGUE
) -> app_commands.CommandTree[discord.Client]:
    """The command tree of ``client``: a slash command for each of the catalogue's commands
    on Discord, with the options its arguments declare; autocomplete; error replies."""
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    choices = _Autocomplete(core)
    for command in catalogue.commands_on("discord"):
        tree.add_command(slash_command(command, core, choices))
    _answer_errors(tree, core)
    return tree


class _Autocomplete:
    """What the options offer as the member types: teams, or anything to follow."""

    def __init__(self, core: CoreAPI) -> None:
        self.core = core

    async def teams(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = await self.core.team_names(current, limit=MAX_CHOICES)
        return [
            app_commands.Choice(name=n[:CHOICE_LENGTH], value=n[:CHOICE_LENGTH])
            for n in names[:MAX_CHOICES]
            if n.strip()
        ]

    async def follows(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        found = await self.core.follow_names(current, limit=MAX_CHOICES)
        return [
            app_commands.Choice(name=label[:CHOICE_LENGTH], value=value[:CHOICE_LENGTH])
            for label, value in found[:MAX_CHOICES]
            if label.strip()
        ]


Tree = app_commands.CommandTree[discord.Client]
Slash = app_commands.Command[Any, ..., None]


def slash_command(command: ChatCommand, core: CoreAPI, complete: _Autocomplete) -> Slash:
    """The slash command for one of the catalogue's commands: an option per argument (a
    string, or an integer for a number; required or not; its choices; autocomplete for
    teams and follows), each described; run as the text command its values make."""

    async def callback(interaction: discord.Interaction, **values: object) -> None:
        await run_command(core, interaction, command.name, command.text_runs(values))

    parameters = [_INTERACTION, *(_parameter(a) for a in command.arguments)]
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    # the options' descriptions, choices and autocomplete go on the callback, so that the
    # command wraps every text in a locale_str for the translator (Italian members)
    if command.arguments:
        app_commands.describe(**{a.name: a.describe for a in command.arguments})(callback)
    offered = {
        a.name: [app_commands.Choice(name=c.label, value=c.value) for c in a.choices]
        for a in command.arguments
        if a.choices
    }
    if offered:
        app_commands.choices(**offered)(callback)
    completed = {
        a.name: complete.teams if a.type == "team" else complete.follows
        for a in command.arguments
        if a.type in ("team", "follow")
    }
    if completed:
        app_commands.autocomplete(**completed)(callback)
    return app_commands.Command(name=command.name, description=command.describe, callback=callback)


_INTERACTION = inspect.Parameter(
    "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
)


def _parameter(argument: Argument) -> inspect.Parameter:
    """The callback's parameter for ``argument``: its type is the option's type."""
    kind: Any = str
    if argument.type == "number":
        low = argument.minimum if argument.minimum is not None else -(2**53)
        high = argument.maximum if argument.maximum is not None else 2**53
        kind = app_commands.Range[int, low, high]
    return inspect.Parameter(
        argument.name,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=kind if argument.required else Optional[kind],  # noqa: UP045
        default=inspect.Parameter.empty if argument.required else None,
    )


def _answer_errors(tree: Tree, core: CoreAPI) -> None:
    @tree.error
    async def on_error(
        interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.error("discord: /%s failed", getattr(interaction.command, "name", "?"), exc_info=error)
        text = await _failed_text(core, interaction)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(
                    text, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
        except discord.HTTPException:
            log.warning("discord: could not tell the user that /%s failed", interaction.command)
