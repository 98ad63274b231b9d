"""Every chat command of the bot, in one list: its name, aliases, arguments, help, and who may
use it.

This list drives Telegram's command menu (``setMyCommands``), Discord's slash-command tree and
``/help``; :mod:`bot.commands` takes its aliases, its rights, which commands only read and
which method answers each from here, and :class:`bot.app.MatchBot` who answers it. A test
fails when a command is answered but missing here, or listed here but not answered.

The texts are English sentences marked with ``N_()``; they are translated where they are shown,
through :mod:`bot.messages.templates` (``/help``, Telegram's menu) or Discord's translator, so
every language the catalogue of sentences has works.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process

from bot.messages.i18n import N_

#: ``anyone``; ``managers``: what changes the chat (its subscriptions, its settings) needs the
#: chat's admin rights where the chat has admins; ``reporters``: the users named in
#: ``MATCHBOT_REPORTERS`` / ``MATCHBOT_LEAD_REPORTERS``.
Who = Literal["anyone", "managers", "reporters"]
#: Who answers a command: the store commands (:mod:`bot.commands`, a method named like the
#: command), the reporters' ``/report`` (:mod:`bot.report_command`) or the stats provider's
#: ``/table`` (:mod:`bot.stats_commands`; ``/scorers`` goes there without a team when there is
#: a provider).
Service = Literal["commands", "report", "stats"]
#: The platforms a command exists on (``console`` takes every one).
ALL_PLATFORMS = frozenset({"telegram", "discord", "console"})


@dataclass(frozen=True)
class ChatCommand:
    """One command. ``args``: what it takes in ``/help`` (``[TEAM]``: may be left out);
    ``help``: its line in ``/help`` and Telegram's menu; ``describe``: Discord's description
    of the slash command (written for a channel, at most 100 characters)."""

    name: str
    help: str
    describe: str = ""
    args: str = ""
    aliases: tuple[str, ...] = ()
    who: Who = "anyone"
    platforms: frozenset[str] = ALL_PLATFORMS
    #: listed by ``/help`` (``/start`` shows the help itself; ``/report`` has ``/report help``)
    in_help: bool = True
    #: it only reads: answered on the read-only connection (never waiting behind a write)
    read_only: bool = False
    answered_by: Service = "commands"
    #: its names in other languages, the first one its name there and the rest aliases
    #: (``{"it": ("oggi",)}``): typed in any chat, they run the command
    names: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)

    @property
    def italian(self) -> str:
        """Its name for Italian fans (``/punteggio``): Italian menus, ``/aiuto``, Discord."""
        return self.names.get("it", ("",))[0]

    def name_in(self, lang: str) -> str:
        """The command's name in ``lang`` (English when it has none there)."""
        return self.names[lang][0] if self.names.get(lang) else self.name

    @property
    def other_names(self) -> tuple[str, ...]:
        """Every name but :attr:`name` it answers to: its aliases, and its names in every
        language."""
        return (*self.aliases, *(n for names in self.names.values() for n in names))


CATALOGUE: tuple[ChatCommand, ...] = (
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
        args=N_("WHAT"),
        aliases=("follow",),
        who="managers",
        names={"it": ("segui", "seguire")},
    ),
    ChatCommand(
        "unsubscribe",
        N_("stop following a team, competition or player"),
        N_("Stop following a team, a competition or a player in this channel"),
        args=N_("WHAT"),
        aliases=("unfollow",),
        who="managers",
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
        args=N_("[TEAM]"),
        read_only=True,
        names={"it": ("punteggio", "risultato")},
    ),
    ChatCommand(
        "scorers",
        N_("scorers of the match, or the top scorers"),
        N_("Scorers of a team's match, or a competition's top scorers"),
        args=N_("[TEAM]"),
        read_only=True,
        names={"it": ("marcatori",)},
    ),
    ChatCommand(
        "lineups",
        N_("line-ups of the current or latest match"),
        N_("Line-ups of a team's current or latest match (or of the teams this channel follows)"),
        args=N_("[TEAM]"),
        read_only=True,
        names={"it": ("formazioni",)},
    ),
    ChatCommand(
        "stats",
        N_("statistics of the current or latest match"),
        N_("Statistics of a team's current or latest match (or of the teams this channel follows)"),
        args=N_("[TEAM]"),
        read_only=True,
        names={"it": ("statistiche",)},
    ),
    ChatCommand(
        "next",
        N_("the next fixture"),
        N_("A team's next fixture (or of the teams this channel follows)"),
        args=N_("[TEAM]"),
        read_only=True,
        names={"it": ("prossima",)},
    ),
    ChatCommand(
        "last",
        N_("the latest result"),
        N_("A team's latest result (or of the teams this channel follows)"),
        args=N_("[TEAM]"),
        read_only=True,
        names={"it": ("ultima",)},
    ),
    ChatCommand(
        "table",
        N_("the league table"),
        N_("A competition's league table"),
        args=N_("[COMPETITION]"),
        answered_by="stats",
        names={"it": ("classifica",)},
    ),
    ChatCommand(
        "settings",
        N_("alert levels, time zone, spoiler delay, language, daily digest"),
        N_("This channel's alert levels, time zone, spoiler delay, language and daily digest"),
        who="managers",  # anyone may look; changing them needs the rights
        names={"it": ("impostazioni",)},
    ),
    ChatCommand(
        "report",
        N_("post what no feed carries (see /report help)"),
        N_("Reporters: post what no feed carries (see /report help)"),
        args=N_("WHAT"),
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

BY_NAME: dict[str, ChatCommand] = {c.name: c for c in CATALOGUE}
#: Other names a command answers to: ``/follow`` is ``/subscribe``.
ALIASES: dict[str, str] = {alias: c.name for c in CATALOGUE for alias in c.other_names}
#: Commands whose answer depends on ``CommandContext.can_manage``, aliases included (adapters
#: may skip a costly rights check for every other command).
MAY_CHANGE_CHAT: frozenset[str] = frozenset(
    name for c in CATALOGUE if c.who == "managers" for name in (c.name, *c.other_names)
)
#: Commands that only read (aliases not included: see :func:`canonical`).
READ_ONLY: frozenset[str] = frozenset(c.name for c in CATALOGUE if c.read_only)
#: Commands only those who may change the chat may run at all (``/settings`` lets anyone look
#: and checks the rights itself before a change).
CHANGES_SUBSCRIPTIONS: frozenset[str] = frozenset(
    c.name for c in CATALOGUE if c.who == "managers" and c.name != "settings"
)


def answered_by(name: str) -> Service | None:
    """Who answers the command a typed name means; None for an unknown command."""
    command = BY_NAME.get(canonical(name))
    return command.answered_by if command is not None else None


def canonical(name: str) -> str:
    """The command a typed name means (``Follow`` → ``subscribe``), folded; unknown names
    come back folded."""
    folded = name.casefold()
    return ALIASES.get(folded, folded)


def commands_on(platform: str) -> list[ChatCommand]:
    """The commands ``platform`` lists (Discord's slash commands, the console's)."""
    return [c for c in CATALOGUE if platform in c.platforms]


def menu(platform: str) -> list[ChatCommand]:
    """A platform's command menu for everyone (Telegram's ``setMyCommands``): its commands
    but the reporters' (a handful of people, who know ``/report``)."""
    return [c for c in commands_on(platform) if c.who != "reporters"]


def in_help() -> list[ChatCommand]:
    """The commands ``/help`` lists, in order."""
    return [c for c in CATALOGUE if c.in_help]


def closest(typed: str, lang: str) -> ChatCommand | None:
    """The command a mistyped name was meant to be (``/scroe``, ``/puntegio``), if one is
    clearly near: compared with every name and alias, Italian ones included."""
    names = {name: c for c in CATALOGUE for name in (c.name, *c.other_names)}
    found = process.extractOne(typed.casefold(), list(names), scorer=fuzz.ratio, score_cutoff=70)
    return None if found is None else names[found[0]]
