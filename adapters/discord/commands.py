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
from bot import command_catalogue
from bot.chat_settings import LEVEL_LABELS, MAX_SPOILER_DELAY
from bot.command_catalogue import commands_on
from bot.messages import i18n, templates
from bot.messages.i18n import N_
from bot.messages.model import Message
from bot.ports import CommandContext, CoreAPI

log = logging.getLogger(__name__)

#: Every slash command and its description, as Discord lists it: the core's catalogue.
COMMANDS: dict[str, str] = {c.name: c.describe for c in commands_on("discord")}
LEVELS = [app_commands.Choice(name=label, value=level) for level, label in LEVEL_LABELS.items()]
LANGUAGES = [app_commands.Choice(name=name, value=code) for code, name in i18n.LANGUAGES.items()]
SCOREBOARD = [
    app_commands.Choice(name=N_("Off"), value="off"),
    app_commands.Choice(name=N_("With the alerts"), value="with"),
    app_commands.Choice(name=N_("Instead of the live alerts"), value="instead"),
]


class CatalogueTranslator(app_commands.Translator):
    """Names, descriptions and choices of the slash commands in the languages of the bot's
    catalogue, for members whose Discord is set to one of them: Italian members see
    ``/punteggio`` for ``/score`` (the catalogue's Italian names); option names stay English."""

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
            command = command_catalogue.BY_NAME.get(string.message)
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
    core: CoreAPI, interaction: discord.Interaction, name: str, args: str | list[str] | None
) -> None:
    """Run ``/name args`` through the core and answer; defers if the core is slow.

    A list of arguments runs the command once for each (``/settings`` with several options)
    and answers with the last reply, or the first refusal."""
    ctx = context_of(interaction)
    task = asyncio.ensure_future(_run_all(core, ctx, name, args))
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
    if not done:
        await interaction.response.defer(thinking=True)
    await answer(interaction, await task)


async def _run_all(
    core: CoreAPI, ctx: CommandContext, name: str, args: str | list[str] | None
) -> Message:
    if not isinstance(args, list):
        return await core.command(ctx, name, args or "")
    reply = await core.command(ctx, name, "")
    for one in args:
        reply = await core.command(ctx, name, one)
        if reply.kind in PRIVATE_KINDS:
            break
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


def build_tree(client: discord.Client, core: CoreAPI) -> app_commands.CommandTree[discord.Client]:
    """The command tree of ``client``: the catalogue's commands, autocomplete, error replies."""
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    choices = _Autocomplete(core)
    _add_following(tree, core, choices)
    _add_match_answers(tree, core, choices)
    _add_settings(tree, core, choices)
    _add_the_rest(tree, core)
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


def _add_following(tree: Tree, core: CoreAPI, choices: _Autocomplete) -> None:
    follow_choices = choices.follows

    @tree.command(name="subscribe", description=COMMANDS["subscribe"])
    @app_commands.describe(
        name=N_("A team (Inter), a competition (Serie A) or a player (Lautaro Martínez)"),
        level=N_("Which alerts for this one (default: the channel's level)"),
    )
    @app_commands.autocomplete(name=follow_choices)
    @app_commands.choices(level=LEVELS)
    async def subscribe(
        interaction: discord.Interaction,
        name: str,
        level: app_commands.Choice[str] | None = None,
    ) -> None:
        args = f"{name} {level.value}" if level else name
        await run_command(core, interaction, "subscribe", args)

    @tree.command(name="unsubscribe", description=COMMANDS["unsubscribe"])
    @app_commands.describe(name=N_("The team, competition or player to stop following"))
    @app_commands.autocomplete(name=follow_choices)
    async def unsubscribe(interaction: discord.Interaction, name: str) -> None:
        await run_command(core, interaction, "unsubscribe", name)

    @tree.command(name="subscriptions", description=COMMANDS["subscriptions"])
    async def subscriptions(interaction: discord.Interaction) -> None:
        await run_command(core, interaction, "subscriptions", None)


def _add_match_answers(tree: Tree, core: CoreAPI, choices: _Autocomplete) -> None:
    team_choices = choices.teams

    @tree.command(name="today", description=COMMANDS["today"])
    async def today(interaction: discord.Interaction) -> None:
        await run_command(core, interaction, "today", None)

    @tree.command(name="score", description=COMMANDS["score"])
    @app_commands.describe(team=N_("A team (leave empty for the teams this channel follows)"))
    @app_commands.autocomplete(team=team_choices)
    async def score(interaction: discord.Interaction, team: str | None = None) -> None:
        await run_command(core, interaction, "score", team)

    @tree.command(name="scorers", description=COMMANDS["scorers"])
    @app_commands.describe(team=N_("A team or a competition (leave empty for the top scorers)"))
    @app_commands.autocomplete(team=team_choices)
    async def scorers(interaction: discord.Interaction, team: str | None = None) -> None:
        await run_command(core, interaction, "scorers", team)

    @tree.command(name="lineups", description=COMMANDS["lineups"])
    @app_commands.describe(team=N_("A team (leave empty for the teams this channel follows)"))
    @app_commands.autocomplete(team=team_choices)
    async def lineups(interaction: discord.Interaction, team: str | None = None) -> None:
        await run_command(core, interaction, "lineups", team)

    @tree.command(name="stats", description=COMMANDS["stats"])
    @app_commands.describe(team=N_("A team (leave empty for the teams this channel follows)"))
    @app_commands.autocomplete(team=team_choices)
    async def stats(interaction: discord.Interaction, team: str | None = None) -> None:
        await run_command(core, interaction, "stats", team)

    @tree.command(name="next", description=COMMANDS["next"])
    @app_commands.describe(team=N_("A team (leave empty for the teams this channel follows)"))
    @app_commands.autocomplete(team=team_choices)
    async def next_(interaction: discord.Interaction, team: str | None = None) -> None:
        await run_command(core, interaction, "next", team)

    @tree.command(name="last", description=COMMANDS["last"])
    @app_commands.describe(team=N_("A team (leave empty for the teams this channel follows)"))
    @app_commands.autocomplete(team=team_choices)
    async def last(interaction: discord.Interaction, team: str | None = None) -> None:
        await run_command(core, interaction, "last", team)

    @tree.command(name="table", description=COMMANDS["table"])
    @app_commands.describe(competition=N_("e.g. Serie A (leave empty for this channel's league)"))
    async def table(interaction: discord.Interaction, competition: str | None = None) -> None:
        await run_command(core, interaction, "table", competition)


def _add_settings(tree: Tree, core: CoreAPI, choices: _Autocomplete) -> None:
    follow_choices = choices.follows

    @tree.command(name="settings", description=COMMANDS["settings"])
    @app_commands.describe(
        level=N_("Which alerts this channel gets"),
        timezone=N_("Time zone for kick-off times, e.g. Europe/Rome"),
        spoiler_delay=N_("Seconds to hold live alerts back (0-300), for delayed streams"),
        language=N_("The language of alerts, recaps and replies"),
        digest=N_("Today's matches every day at this local time, e.g. 09:00 (off: none)"),
        subscription=N_("One of the channel's subscriptions, to give it its own alert level"),
        subscription_level=N_("The alert level for that subscription"),
        scoreboard=N_("A live scoreboard: one message per match, edited as it goes"),
        page=N_("Which page of the subscriptions to show (10 a page)"),
    )
    @app_commands.choices(
        level=LEVELS, language=LANGUAGES, subscription_level=LEVELS, scoreboard=SCOREBOARD
    )
    @app_commands.autocomplete(subscription=follow_choices)
    async def settings(
        interaction: discord.Interaction,
        level: app_commands.Choice[str] | None = None,
        timezone: str | None = None,
        spoiler_delay: app_commands.Range[int, 0, MAX_SPOILER_DELAY] | None = None,
        language: app_commands.Choice[str] | None = None,
        digest: str | None = None,
        subscription: str | None = None,
        subscription_level: app_commands.Choice[str] | None = None,
        scoreboard: app_commands.Choice[str] | None = None,
        page: app_commands.Range[int, 1, 9] | None = None,
    ) -> None:
        changes = [
            f"{what} {value}"
            for what, value in (
                ("level", level.value if level else None),
                ("timezone", timezone),
                ("spoiler", spoiler_delay),
                ("language", language.value if language else None),
                ("digest", digest),
                ("scoreboard", scoreboard.value if scoreboard else None),
            )
            if value is not None
        ]
        if subscription and subscription_level:
            changes.append(f"subscription {subscription} {subscription_level.value}")
        if page is not None:  # last: the answer shows that page
            changes.append(f"page {page}")
        await run_command(core, interaction, "settings", changes)


def _add_the_rest(tree: Tree, core: CoreAPI) -> None:
    @tree.command(name="report", description=COMMANDS["report"])
    @app_commands.describe(what=N_("e.g. goal Inter Lautaro Martínez 65 assist Esposito"))
    async def report(interaction: discord.Interaction, what: str) -> None:
        await run_command(core, interaction, "report", what)

    @tree.command(name="help", description=COMMANDS["help"])
    async def help_(interaction: discord.Interaction) -> None:
        await run_command(core, interaction, "help", None)


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
