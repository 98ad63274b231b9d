"""Every chat command of the bot, in one list: its names and aliases in every language, who
may use it, whether it only reads, its typed arguments (with their choices), its help, who
answers it and what it changes.

Everything else is derived from this list (see :mod:`bot.command_types`): Telegram's command
menu (``setMyCommands``, per language), Discord's slash commands and their options
(:mod:`adapters.discord.commands`), ``/help``, the one parser of text commands
(:mod:`bot.command_text`), the rights a command needs, the read-only path and the dispatch to
the method that answers it (:meth:`bot.app.MatchBot.command`, :class:`bot.commands.Commands`).
Adding a command is one entry here and one method named like it on the service that answers
it (``answered_by``). A test fails when a command is answered but missing here, or listed here
but not answered.

The texts are English sentences marked with ``N_()``; they are translated where they are shown,
through :mod:`bot.messages.templates` (``/help``, Telegram's menu) or Discord's translator, so
every language the catalogue of sentences has works.
"""

from __future__ import annotations

from bot.chat_settings import LEVEL_LABELS, MAX_SPOILER_DELAY, SPOILER_PRESETS
from bot.command_types import (
    ALL_PLATFORMS,
    Argument,
    Catalogue,
    ChatCommand,
    Choice,
    Service,
    Who,
)
from bot.messages.i18n import LANGUAGES, N_

__all__ = [
    "ALIASES",
    "ALL_PLATFORMS",
    "BY_NAME",
    "CATALOGUE",
    "MAY_CHANGE_CHAT",
    "Argument",
    "Catalogue",
    "ChatCommand",
    "Choice",
    "Service",
    "Who",
    "answered_by",
    "canonical",
    "closest",
    "commands_on",
    "in_help",
    "menu",
]

#: The alert levels, as Discord offers them.
LEVEL_CHOICES = tuple(Choice(label, level) for level, label in LEVEL_LABELS.items())
#: The live scoreboard's choices, as Discord offers them.
SCOREBOARD_CHOICES = (
    Choice(N_("Off"), "off"),
    Choice(N_("With the alerts"), "with"),
    Choice(N_("Instead of the live alerts"), "instead"),
)
#: A switch of the match's depth (line-ups, statistics, pictures).
ON_OFF_CHOICES = (Choice(N_("On"), "on"), Choice(N_("Off"), "off"))
#: The languages a chat can choose, as each language calls itself.
LANGUAGE_CHOICES = tuple(Choice(name, code) for code, name in LANGUAGES.items())


def team(describe: str = N_("A team (leave empty for the teams this channel follows)")) -> Argument:
    """An optional team: ``/score [TEAM]``."""
    return Argument("team", "team", describe)


CATALOGUE = Catalogue(
    (
        ChatCommand(
            "start",
            N_("welcome, and how to start"),
            platforms=frozenset({"telegram", "console"}),  # Discord has no /start
            in_help=False,
            read_only=True,
        ),
        ChatCommand(
            "subscribe",
            N_(
                "follow a team (inter), a competition (serie a) or a player"
                " (player Lautaro Martínez); add goals, key or all for its own alert level"
            ),
            N_("Follow a team, a competition or a player in this channel"),
            arguments=(
                Argument(
                    "name",
                    "follow",
                    N_("A team (Inter), a competition (Serie A) or a player (Lautaro Martínez)"),
                    required=True,
                ),
                Argument(
                    "level",
                    "choice",
                    N_("Which alerts for this one (default: the channel's level)"),
                    choices=LEVEL_CHOICES,
                    in_usage=False,  # its help line says it: "add goals, key or all"
                ),
            ),
            aliases=("follow",),
            who="managers",
            answered_by="search",
            changes="follows",
            names={"it": ("segui", "seguire")},
        ),
        ChatCommand(
            "unsubscribe",
            N_("stop following a team, competition or player"),
            N_("Stop following a team, a competition or a player in this channel"),
            arguments=(
                Argument(
                    "name",
                    "follow",
                    N_("The team, competition or player to stop following"),
                    required=True,
                ),
            ),
            aliases=("unfollow",),
            who="managers",
            changes="follows",
            names={"it": ("nonseguire", "smetti")},
        ),
        ChatCommand(
            "subscriptions",
            N_("the teams, competitions and players this chat follows"),
            N_("The teams, competitions and players this channel follows"),
            aliases=("teams", "following"),
            read_only=True,
            names={"it": ("seguiti", "squadre")},
        ),
        ChatCommand(
            "today",
            N_("today's matches of everything this chat follows"),
            N_("Today's matches of everything this channel follows"),
            names={"it": ("oggi",)},
            read_only=True,
        ),
        ChatCommand(
            "score",
            N_("live or latest score"),
            N_("Live or latest score of a team (or of the teams this channel follows)"),
            arguments=(team(),),
            read_only=True,
            names={"it": ("punteggio", "risultato")},
        ),
        ChatCommand(
            "scorers",
            N_("scorers of the match, or the top scorers"),
            N_("Scorers of a team's match, or a competition's top scorers"),
            arguments=(team(N_("A team or a competition (leave empty for the top scorers)")),),
            answered_by="stats",
            read_only=True,
            names={"it": ("marcatori",)},
        ),
        ChatCommand(
            "lineups",
            N_("line-ups of the current or latest match"),
            N_(
                "Line-ups of a team's current or latest match"
                " (or of the teams this channel follows)"
            ),
            arguments=(team(),),
            read_only=True,
            names={"it": ("formazioni",)},
        ),
        ChatCommand(
            "stats",
            N_("statistics of the current or latest match"),
            N_(
                "Statistics of a team's current or latest match"
                " (or of the teams this channel follows)"
            ),
            arguments=(team(),),
            read_only=True,
            names={"it": ("statistiche",)},
        ),
        ChatCommand(
            "next",
            N_("the next fixture"),
            N_("A team's next fixture (or of the teams this channel follows)"),
            arguments=(team(),),
            read_only=True,
            names={"it": ("prossima",)},
        ),
        ChatCommand(
            "last",
            N_("the latest result"),
            N_("A team's latest result (or of the teams this channel follows)"),
            arguments=(team(),),
            read_only=True,
            names={"it": ("ultima",)},
        ),
        ChatCommand(
            "table",
            N_("the league table"),
            N_("A competition's league table"),
            arguments=(
                Argument(
                    "competition",
                    "competition",
                    N_("e.g. Serie A (leave empty for this channel's league)"),
                ),
            ),
            answered_by="stats",
            names={"it": ("classifica",)},
        ),
        ChatCommand(
            "settings",
            N_("alert levels, time zone, spoiler delay, language, daily digest"),
            N_("This channel's alert levels, time zone, spoiler delay, language and daily digest"),
            arguments=(
                Argument(
                    "level",
                    "choice",
                    N_("Which alerts this channel gets"),
                    choices=LEVEL_CHOICES,
                    form="level {}",
                    aliases=("alerts",),
                    names={"it": ("livello", "avvisi")},
                ),
                Argument(
                    "timezone",
                    "text",
                    N_("Time zone for kick-off times, e.g. Europe/Rome"),
                    form="timezone {}",
                    aliases=("tz", "zone"),
                    names={"it": ("fuso", "fusoorario")},
                ),
                Argument(
                    "spoiler_delay",
                    "number",
                    N_("Seconds to hold live alerts back, for delayed streams"),
                    minimum=0,
                    maximum=MAX_SPOILER_DELAY,
                    form="spoiler {}",
                    aliases=("delay",),
                    names={"it": ("ritardo",)},
                    presets=tuple(str(s) for s in SPOILER_PRESETS),
                ),
                Argument(
                    "language",
                    "choice",
                    N_("The language of alerts, recaps and replies"),
                    choices=LANGUAGE_CHOICES,
                    form="language {}",
                    aliases=("lang",),
                    names={"it": ("lingua",)},
                ),
                Argument(
                    "digest",
                    "text",
                    N_("Today's matches every day at this local time, e.g. 09:00 (off: none)"),
                    form="digest {}",
                    names={"it": ("riepilogo",)},
                ),
                Argument(
                    "lineups",
                    "choice",
                    N_("Line-ups before kick-off"),
                    choices=ON_OFF_CHOICES,
                    form="lineups {}",
                    aliases=("lineup",),
                    names={"it": ("formazioni",)},
                ),
                Argument(
                    "stats",
                    "choice",
                    N_("Statistics at half-time and full time"),
                    choices=ON_OFF_CHOICES,
                    form="stats {}",
                    aliases=("statistics",),
                    names={"it": ("statistiche",)},
                ),
                Argument(
                    "pictures",
                    "choice",
                    N_("The match card picture at full time"),
                    choices=ON_OFF_CHOICES,
                    form="pictures {}",
                    aliases=("picture", "card"),
                    names={"it": ("immagini", "foto")},
                ),
                Argument(
                    "subscription",
                    "follow",
                    N_("One of the channel's subscriptions, to give it its own alert level"),
                    form="subscription {}",
                    listed=False,  # /settings' view says it: /subscribe serie a goals
                ),
                Argument(
                    "subscription_level",
                    "choice",
                    N_("The alert level for that subscription"),
                    choices=LEVEL_CHOICES,
                    joins_previous=True,
                ),
                Argument(
                    "scoreboard",
                    "choice",
                    N_("A live scoreboard: one message per match, edited as it goes"),
                    choices=SCOREBOARD_CHOICES,
                    form="scoreboard {}",
                    aliases=("board",),
                    names={"it": ("tabellone",)},
                    listed=False,  # its own line in /settings' view
                ),
                Argument(
                    "page",
                    "number",
                    N_("Which page of the subscriptions to show (10 a page)"),
                    minimum=1,
                    maximum=9,
                    form="page {}",
                    only_looks=True,
                    names={"it": ("pagina",)},
                    presets=tuple(str(n) for n in range(1, 10)),
                    listed=False,
                ),
            ),
            who="managers",
            anyone_may_look=True,  # anyone may look; changing them needs the rights
            changes="settings",
            one_change_per_argument=True,
            names={"it": ("impostazioni",)},
        ),
        ChatCommand(
            "report",
            N_("post what no feed carries (see /report help)"),
            N_("Reporters: post what no feed carries (see /report help)"),
            arguments=(
                Argument(
                    "what",
                    "text",
                    N_("e.g. goal Inter Lautaro Martínez 65 assist Esposito"),
                    required=True,
                ),
            ),
            who="reporters",
            in_help=False,
            answered_by="report",
            names={"it": ("segnala",)},
        ),
        ChatCommand(
            "help",
            N_("what I can do"),
            N_("What this bot can do"),
            read_only=True,
            names={"it": ("aiuto",)},
        ),
    )
)
BY_NAME: dict[str, ChatCommand] = CATALOGUE.by_name
#: Other names a command answers to: ``/follow`` is ``/subscribe``.
ALIASES: dict[str, str] = CATALOGUE.aliases
#: Commands whose answer depends on ``CommandContext.can_manage``, aliases included (adapters
#: may skip a costly rights check for every other command).
MAY_CHANGE_CHAT: frozenset[str] = CATALOGUE.names_where(c for c in CATALOGUE if c.who == "managers")


def answered_by(name: str) -> Service | None:
    """Who answers the command a typed name means; None for an unknown command."""
    command = CATALOGUE.find(name)
    return command.answered_by if command is not None else None


def canonical(name: str) -> str:
    """The command a typed name means (``Follow`` → ``subscribe``), folded; unknown names
    come back folded."""
    return CATALOGUE.canonical(name)


def commands_on(platform: str) -> list[ChatCommand]:
    """The commands ``platform`` lists (Discord's slash commands, the console's)."""
    return CATALOGUE.commands_on(platform)


def menu(platform: str) -> list[ChatCommand]:
    """A platform's command menu for everyone (Telegram's ``setMyCommands``)."""
    return CATALOGUE.menu(platform)


def in_help() -> list[ChatCommand]:
    """The commands ``/help`` lists, in order."""
    return CATALOGUE.in_help()


def closest(typed: str, lang: str = "") -> ChatCommand | None:
    """The command a mistyped name was meant to be (``/scroe``, ``/puntegio``), if one is
    clearly near: compared with every name and alias, Italian ones included."""
    return CATALOGUE.closest(typed)
