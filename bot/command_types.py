"""What a chat command is: its names in every language, who may use it, whether it only reads,
its typed arguments and who answers it (:class:`ChatCommand`), and a list of them with
everything derived from it (:class:`Catalogue`). The bot's own list is
:data:`bot.command_catalogue.CATALOGUE`; tests build throwaway ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from rapidfuzz import fuzz, process

from bot.quoting import unquote

#: ``anyone``; ``managers``: what changes the chat (its subscriptions, its settings) needs the
#: chat's admin rights where the chat has admins; ``reporters``: the users named in
#: ``MATCHBOT_REPORTERS`` / ``MATCHBOT_LEAD_REPORTERS``.
Who = Literal["anyone", "managers", "reporters"]
#: Who answers a command: the store commands (:class:`bot.commands.Commands`), the reporters'
#: ``/report`` (:mod:`bot.report_command`), the stats provider (:mod:`bot.stats_commands`:
#: ``/table``, and ``/scorers`` of a competition), or the provider search
#: (:meth:`bot.subscribe_search.SearchingSubscribe.subscribe`: a team the bot does not know
#: yet). Each answers with a method named like the command.
Service = Literal["commands", "report", "stats", "search"]
#: What running a command may change, for what has to follow it: ``follows`` (the polling
#: looks up what a chat newly follows), ``settings`` (the daily digest is planned again).
Changes = Literal["nothing", "follows", "settings"]
#: What an argument names, and so how a platform offers it: ``team`` (autocompleted from the
#: bot's teams), ``follow`` (a team, a competition or a player: autocompleted from all three),
#: ``competition``, ``choice`` (one of ``choices``), ``number`` (a whole number within
#: ``minimum``…``maximum``), ``text`` (anything: a time zone, a time, a reporter's words).
ArgType = Literal["team", "follow", "competition", "choice", "number", "text"]
#: The platforms a command exists on (``console`` takes every one).
ALL_PLATFORMS = frozenset({"telegram", "discord", "console"})


@dataclass(frozen=True)
class Choice:
    """One value an argument offers: ``label`` (English, marked ``N_()``, translated where it
    is shown) and the ``value`` typed in the text command."""

    label: str
    value: str


@dataclass(frozen=True)
class Argument:
    """One argument of a command, as a platform with typed options (Discord) offers it. In a
    text command the values are written one after the other, each in its ``form``
    (``spoiler {}``: ``/settings spoiler 60``). A form that starts with a word before its
    value gives the argument a :attr:`key` (``spoiler``): typed in any of its names
    (``aliases``, ``names`` in other languages: ``/impostazioni ritardo 60``), and pressed as
    a button ``command:key:value`` where the value is one it offers (:attr:`pressable`)."""

    name: str
    type: ArgType
    #: what to give (English, ``N_()``; at most 100 characters: Discord's limit)
    describe: str
    required: bool = False
    choices: tuple[Choice, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    form: str = "{}"
    #: completes the argument before it (``subscription`` + its level): the two are written
    #: together, and only when both were given
    joins_previous: bool = False
    #: it only chooses what to show (``/settings page 2``): anyone may give it where the
    #: command lets anyone look (``anyone_may_look``)
    only_looks: bool = False
    #: how ``/help`` writes it (English, ``N_()``); empty: by its type (``TEAM``, ``WHAT``)
    placeholder: str = ""
    #: written in the command's usage line (``/subscribe WHAT``: its level is in the help)
    in_usage: bool = True
    #: its key's other names (``alerts`` for ``level``), typed in any chat
    aliases: tuple[str, ...] = ()
    #: its key in other languages, the first its name there (``{"it": ("livello",)}``)
    names: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    #: the values a button may carry besides its choices (``spoiler``: 0, 30, 60 …)
    presets: tuple[str, ...] = ()
    #: named where a command lists its keys (``/settings xyzzy``: "I can change: …") and
    #: where a mistyped key is matched
    listed: bool = True

    @cached_property
    def key(self) -> str:
        """The word its form starts with (``spoiler`` for ``spoiler {}``); empty if none."""
        head, _, _ = self.form.partition("{}")
        return head.strip().casefold() if head.endswith(" ") else ""

    def key_in(self, lang: str) -> str:
        """Its key's name in ``lang`` (``livello``), English when it has none there."""
        return self.names[lang][0] if self.names.get(lang) else self.key

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """Every name its key answers to, in every language, folded (worked out once: every
        key typed or shown, ``/settings`` and each of its answers, looks through them)."""
        if not self.key:
            return ()
        others = (n for names in self.names.values() for n in names)
        return tuple(dict.fromkeys(w.casefold() for w in (self.key, *self.aliases, *others)))

    @property
    def pressable(self) -> tuple[str, ...]:
        """The values a button of this argument may carry: its choices and presets."""
        return (*(c.value for c in self.choices), *self.presets)


@dataclass(frozen=True)
class ChatCommand:
    """One command. ``usage``: what it takes in ``/help``, when not as its arguments say
    (empty, the rule: ``/score [TEAM]``, derived by :func:`bot.messages.templates.usage`);
    ``help``: its line in ``/help`` and Telegram's menu; ``describe``: Discord's description
    of the slash command (written for a channel, at most 100 characters)."""

    name: str
    help: str
    describe: str = ""
    usage: str = ""
    arguments: tuple[Argument, ...] = ()
    aliases: tuple[str, ...] = ()
    who: Who = "anyone"
    #: ``who="managers"`` but anyone may run it without arguments or with those that only
    #: look (``/settings`` shows them, ``/settings page 2`` too)
    anyone_may_look: bool = False
    platforms: frozenset[str] = ALL_PLATFORMS
    #: listed by ``/help`` (``/start`` shows the help itself; ``/report`` has ``/report help``)
    in_help: bool = True
    #: it only reads: answered on the read-only connection (never waiting behind a write)
    read_only: bool = False
    answered_by: Service = "commands"
    changes: Changes = "nothing"
    #: each argument given is one change, run one after the other (``/settings level all``,
    #: then ``/settings spoiler 60``); otherwise the arguments make one command
    one_change_per_argument: bool = False
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

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.other_names)

    def needs_rights(self, args: str) -> bool:
        """Whether only those who may change the chat may run ``/name args``."""
        if self.who != "managers":
            return False
        if not self.anyone_may_look:
            return True
        first = [unquote(w) for w in args.split(maxsplit=1)[:1]]
        return bool(first) and first[0].casefold() not in self.looking_words

    @property
    def looking_words(self) -> frozenset[str]:
        """The words that start an argument that only looks (``page``, ``pagina``)."""
        return frozenset(k for a in self.arguments if a.only_looks for k in a.keys)

    def keyed(self, typed: str) -> Argument | None:
        """The argument whose key ``typed`` names, in any language (``ritardo`` → the
        spoiler delay); None when none does."""
        folded = typed.casefold()
        return next((a for a in self.arguments if folded in a.keys), None)

    def takes(self, *types: ArgType) -> bool:
        """Whether one of its arguments is of one of ``types`` (a team button runs only the
        commands that take a team)."""
        return any(a.type in types for a in self.arguments)

    def offers(self, name: str) -> tuple[str, ...]:
        """The values the argument ``name`` offers (empty: any)."""
        return next(
            (tuple(c.value for c in a.choices) for a in self.arguments if a.name == name), ()
        )

    def text_runs(self, values: Mapping[str, object]) -> list[str]:
        """The text commands (their arguments) that typed option ``values`` mean: one for
        most commands (``inter goals``), one per change for
        :attr:`one_change_per_argument` (``["level all", "spoiler 60"]``); a lone ``[""]``
        when nothing was given."""
        parts: list[str] = []
        for argument in self.arguments:
            value = values.get(argument.name)
            given = value is not None and str(value).strip() != ""
            text = argument.form.format(unquote(str(value))) if given else ""
            if argument.joins_previous:
                previous = parts.pop() if parts and parts[-1] else ""
                if previous and given:
                    parts.append(f"{previous} {text}")
                continue
            parts.append(text)
        if self.one_change_per_argument:
            return [p for p in parts if p] or [""]
        return [" ".join(p for p in parts if p)]


@dataclass(frozen=True)
class Catalogue:
    """A list of commands and what is derived from it: lookups by any name, each platform's
    menu, ``/help``'s list, the near name of a typo."""

    commands: tuple[ChatCommand, ...]

    def __iter__(self) -> Iterator[ChatCommand]:
        return iter(self.commands)

    def __len__(self) -> int:
        return len(self.commands)

    @cached_property
    def by_name(self) -> dict[str, ChatCommand]:
        return {c.name: c for c in self.commands}

    @cached_property
    def aliases(self) -> dict[str, str]:
        """Other names a command answers to: ``/follow`` is ``/subscribe``."""
        return {alias: c.name for c in self.commands for alias in c.other_names}

    @cached_property
    def _every_name(self) -> dict[str, ChatCommand]:
        return {name: c for c in self.commands for name in c.all_names}

    def find(self, typed: str) -> ChatCommand | None:
        """The command a typed name means (``Follow``, ``segui`` → ``/subscribe``), any case;
        None for an unknown name."""
        return self._every_name.get(typed.casefold())

    def canonical(self, typed: str) -> str:
        """The name of the command ``typed`` means, or ``typed`` folded when none."""
        command = self.find(typed)
        return command.name if command is not None else typed.casefold()

    def answered_by(self, service: Service) -> list[ChatCommand]:
        return [c for c in self.commands if c.answered_by == service]

    def names_where(self, wanted: Iterable[ChatCommand]) -> frozenset[str]:
        """Every name (aliases and other languages included) of the commands ``wanted``."""
        return frozenset(name for c in wanted for name in c.all_names)

    def commands_on(self, platform: str) -> list[ChatCommand]:
        """The commands ``platform`` lists (Discord's slash commands, the console's)."""
        return [c for c in self.commands if platform in c.platforms]

    def menu(self, platform: str, reporters: bool = False) -> list[ChatCommand]:
        """A platform's command menu (Telegram's ``setMyCommands``): for everyone, its
        commands but the reporters'; for the reporters' own chats (``reporters``), all."""
        return [c for c in self.commands_on(platform) if reporters or c.who != "reporters"]

    def in_help(self) -> list[ChatCommand]:
        """The commands ``/help`` lists, in order."""
        return [c for c in self.commands if c.in_help]

    def closest(self, typed: str) -> ChatCommand | None:
        """The command a mistyped name was meant to be (``/scroe``, ``/puntegio``), if one
        is clearly near: compared with every name and alias, Italian ones included."""
        names = self._every_name
        found = process.extractOne(
            typed.casefold(), list(names), scorer=fuzz.ratio, score_cutoff=70
        )
        return None if found is None else names[found[0]]
