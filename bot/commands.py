"""The chat commands every platform shares. Runs on the database thread, like the engine."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as day_time

from bot.chat_settings import (
    LEVEL_NAMES,
    MAX_SPOILER_DELAY,
    ChatSettings,
    find_timezone,
    parse_digest_time,
)
from bot.command_catalogue import ALIASES
from bot.competitions import find_competition
from bot.match import Fixture, KeptStates, MatchState
from bot.messages import i18n, templates
from bot.messages.model import Line, Message
from bot.players import find_player, player_by_id
from bot.ports import CommandContext
from bot.store_contract import CoreStore, FollowRow
from bot.team_search import adopt, offered, side_of
from bot.teams import Team, find_team, normalize, spellings

Handler = Callable[[CommandContext, str], Message]
CHANGES_SUBSCRIPTIONS = frozenset({"subscribe", "unsubscribe"})  # /settings checks itself
#: commands that only read: answered on the read connection (see :meth:`Commands.answer_read_only`)
READ_ONLY = frozenset(
    {"start", "help", "subscriptions", "score", "scorers", "next", "last", "today"}
)
#: Words that say what kind of thing a fan names: ``/subscribe player Lautaro``.
KIND_WORDS = {
    "team": "team",
    "club": "team",
    "competition": "competition",
    "league": "competition",
    "tournament": "competition",
    "player": "player",
}
#: A level typed after the name: ``/subscribe serie a goals``.
LEVEL_WORDS = {"goals": "goals", "key": "key", "all": "all", "everything": "all"}
#: How choice buttons name what they pick: ``subscribe:inter`` (a team, as before),
#: ``subscribe:c:serie-a``, ``subscribe:p:12``, with ``:goals`` when a level was typed.
BUTTON_KINDS = {"t": "team", "c": "competition", "p": "player"}


@dataclass(frozen=True)
class Target:
    """Something a chat can follow."""

    kind: str  # team, competition or player
    id: str
    label: str  # Inter; Serie A; Lautaro Martínez (Inter)

    def button(self, level: str | None = None) -> str:
        """The button action suffix that picks it again (see BUTTON_KINDS)."""
        if self.kind == "team" and level is None:
            return self.id
        return f"{self.kind[0]}:{self.id}" + (f":{level}" if level else "")


#: The commands a team button may run (the "Did you mean" suggestions offer them).
TEAM_BUTTONS = frozenset({"subscribe", "unsubscribe", "score", "scorers", "next", "last"})
#: A team's, competition's or player's id in a button: ``inter``, ``serie-a``, ``12``.
_ID = r"[a-z0-9][a-z0-9-]{0,59}"
#: Every button the bot offers, and nothing else: ``subscribe:inter`` (a team),
#: ``subscribe:c:serie-a``, ``subscribe:p:12``, ``subscribe:t:inter:goals`` (a competition, a
#: player, a team with the level typed; ``unsubscribe:`` too, without a level),
#: ``subscribe:pick:af:505`` (a team a provider search offered; the key must be one offered),
#: ``settings:level:all``, ``settings:spoiler:60``, ``settings:language:it``,
#: ``settings:follow:c:serie-a:goals`` (one subscription's level; ``chat``: the chat's). No
#: action names a chat: a press acts on the chat it was pressed in.
BUTTON_ACTION = re.compile(
    r"(?P<command>[a-z]+):(?:pick:(?P<pick>[\w.-]{1,30}:[\w.-]{1,40})"
    rf"|(?P<kind>[{''.join(BUTTON_KINDS)}]):(?P<target>{_ID})(?::(?P<level>goals|key|all))?"
    rf"|(?P<team>{_ID}))"
    r"|settings:(?P<setting>level|spoiler|language):(?P<value>[a-z0-9]{1,5})"
    rf"|settings:follow:(?P<follow_kind>[{''.join(BUTTON_KINDS)}]):(?P<follow_target>{_ID})"
    r":(?P<follow_level>goals|key|all|chat)"
)


@dataclass(frozen=True)
class Press:
    """A button press understood: the command it runs, and what it names — a team, a
    competition or a player (``kind`` and ``target``, its id), or a provider search's
    candidate (``pick``, its key in ``args``). A settings press carries the ``/settings``
    arguments in ``args``."""

    command: str
    args: str = ""
    kind: str = ""  # team, competition or player; "" when the button names none
    target: str = ""
    level: str | None = None  # a subscribe button's level (``subscribe:c:serie-a:goals``)
    pick: bool = False

    @property
    def needs_rights(self) -> bool:
        """Whether only those who may change the chat may press it."""
        return self.command in CHANGES_SUBSCRIPTIONS or (
            self.command == "settings" and bool(self.args)
        )


def _offered_settings(setting: str) -> set[str]:
    if setting == "level":
        return set(LEVEL_NAMES)
    if setting == "spoiler":
        return {str(s) for s in templates.SPOILER_CHOICES}
    return {code for code, _name in templates.LANGUAGE_CHOICES}


def parse_press(action: str) -> Press | None:
    """The press behind a button's ``action`` (callback data), or None when the bot never
    offers such a button (forged, or from an older version)."""
    found = BUTTON_ACTION.fullmatch(action)
    if found is None:
        return None
    if found["setting"]:
        setting, value = found["setting"], found["value"]
        if value not in _offered_settings(setting):
            return None
        return Press("settings", f"{setting} {value}")
    if found["follow_kind"]:
        short, target, level = found.group("follow_kind", "follow_target", "follow_level")
        return Press(
            "settings", f"follow {short} {target} {level}", BUTTON_KINDS[short], target, level
        )
    command = found["command"]
    if command not in TEAM_BUTTONS:
        return None
    if found["pick"]:
        return Press(command, found["pick"], pick=True)
    if found["kind"]:
        # only /subscribe and /unsubscribe name competitions and players; only /subscribe a level
        if command not in CHANGES_SUBSCRIPTIONS or (found["level"] and command != "subscribe"):
            return None
        return Press(
            command, kind=BUTTON_KINDS[found["kind"]], target=found["target"], level=found["level"]
        )
    return Press(command, kind="team", target=found["team"])


def press_needs_rights(press: Press, chat_kind: str) -> bool:
    """In a channel every press does: its answer is posted as the channel, and every reader
    can press. Elsewhere, only presses that change the chat."""
    return press.needs_rights or chat_kind == "channel"


def press_refusal(ctx: CommandContext, press: Press | None) -> str | None:
    """Why ``ctx``'s presser may not press this button (a short alert in the current
    language), or None if they may."""
    if press is None:
        return templates.button_expired_text()
    if press_needs_rights(press, ctx.chat_kind) and not ctx.can_manage:
        return templates.button_refused(ctx.chat_kind, ctx.place)
    return None


class Commands:
    def __init__(self, store: CoreStore, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        #: states of the matches asked about (live ones grow event by event)
        self.states = KeptStates()
        #: competition → (its events' version and the limit, the ranking then)
        self._scorers: dict[
            str, tuple[tuple[tuple[int, int], int], list[tuple[str, str, int]]]
        ] = {}
        self.handlers: dict[str, Handler] = {
            "start": self.start,
            "help": self.help,
            "subscribe": self.subscribe,
            "unsubscribe": self.unsubscribe,
            "subscriptions": self.subscriptions,
            "score": self.score,
            "scorers": self.scorers,
            "next": self.next,
            "last": self.last,
            "settings": self.settings,
            "today": self.today,
        }

    def run(self, ctx: CommandContext, name: str, args: str) -> Message:
        """Answer ``/name args`` typed in ``ctx``'s chat, in the chat's language."""
        self.store.ensure_chat(ctx.platform, ctx.chat_id, ctx.chat_title, ctx.chat_kind)
        with i18n.use(self.language(ctx)):
            name = ALIASES.get(name.casefold(), name.casefold())
            handler = self.handlers.get(name)
            if handler is None:
                return templates.unknown_command(name)
            if name in CHANGES_SUBSCRIPTIONS and not ctx.can_manage:
                return templates.admins_only_in(ctx.place)
            return handler(ctx, args.strip())

    def answer_read_only(self, ctx: CommandContext, name: str, args: str) -> Message | None:
        """:meth:`run` for a command that only reads, on a read-only connection; None when
        the answer needs a write (not such a command, a chat new, inactive or renamed, a
        language to remember): then :meth:`run` it on the writing connection."""
        name = ALIASES.get(name.casefold(), name.casefold())
        if name not in READ_ONLY:
            return None
        chat = self.store.chat(ctx.platform, ctx.chat_id)
        if (
            chat is None
            or not chat["active"]
            or (ctx.chat_title is not None and chat["title"] != ctx.chat_title)
            or (ctx.chat_kind is not None and chat["kind"] != ctx.chat_kind)
        ):
            return None
        stored = json.loads(chat["settings"] or "{}")
        spoken = i18n.normalize_language(ctx.user_language)
        private = ctx.chat_kind == "private"
        if "language" not in stored and private and spoken not in (None, i18n.DEFAULT_LANGUAGE):
            return None  # the user's language is to be remembered for the chat
        with i18n.use(self.language(ctx)):
            return self.handlers[name](ctx, args.strip())

    def language(self, ctx: CommandContext) -> str:
        """The chat's language; a private chat that never chose one takes the user's own
        (Telegram's ``language_code``) when the bot speaks it, and keeps it."""
        stored = self.store.chat_settings(ctx.platform, ctx.chat_id)
        if "language" in stored:
            return ChatSettings.model_validate(stored).language
        spoken = i18n.normalize_language(ctx.user_language)
        if ctx.chat_kind == "private" and spoken and spoken != i18n.DEFAULT_LANGUAGE:
            settings = ChatSettings.model_validate(stored)
            settings.language = spoken
            self.store.set_chat_settings(ctx.platform, ctx.chat_id, settings.as_dict())
            return spoken
        return i18n.DEFAULT_LANGUAGE

    def press(self, ctx: CommandContext, action: str) -> Message:
        """A button was pressed: ``subscribe:inter`` runs ``/subscribe`` for that team id
        (``subscribe:c:serie-a:goals``, ``subscribe:p:12`` for a competition or a player),
        ``settings:level:all`` runs ``/settings level all``, ``subscribe:pick:KEY`` a team a
        provider search offered. Adapters refuse a press with :func:`press_refusal` before it
        gets here; the rights are checked again all the same."""
        press = parse_press(action)
        self.store.ensure_chat(ctx.platform, ctx.chat_id, ctx.chat_title, ctx.chat_kind)
        with i18n.use(self.language(ctx)):
            if press is None:
                return templates.button_expired()
            if press_needs_rights(press, ctx.chat_kind) and not ctx.can_manage:
                return templates.admins_only_in(ctx.place)
        if press.command == "settings":
            return self.run(ctx, press.command, press.args)
        if press.pick:  # a team a provider search offered
            return self._pick(ctx, press.command, press.args)
        target = self._target_by_id(press.kind, press.target)
        with i18n.use(self.language(ctx)):
            if target is None:
                return templates.button_expired()
            if press.command == "subscribe":
                return self._follow(ctx, target, press.level)
            if press.command == "unsubscribe":
                return self._unfollow(ctx, target)
        return self.run(ctx, press.command, target.id)  # /score, /next … name teams only

    def _target_by_id(self, kind: str, ident: str) -> Target | None:
        if kind == "team":
            team = self.store.team(ident)
            return Target("team", team["id"], team["name"]) if team else None
        if kind == "competition":
            row = self.store.competition(ident)
            return Target("competition", row["id"], row["name"]) if row else None
        player = player_by_id(self.store, ident)
        return Target("player", str(player.id), player.label) if player else None

    def still_offered(self, ctx: CommandContext, press: Press) -> bool:
        """Whether what a button names still exists: the team, competition or player, the
        provider search's candidate, or — for a subscription's level button — a subscription
        of ``ctx``'s chat (the other settings buttons always are)."""
        if press.command == "settings":
            if not press.kind:
                return True
            return any(
                (row["kind"], str(row["target"])) == (press.kind, press.target)
                for row in self.store.follows(ctx.platform, ctx.chat_id)
            )
        if press.pick:
            return offered(self.store, press.args) is not None
        return self._target_by_id(press.kind, press.target) is not None

    def _pick(self, ctx: CommandContext, command: str, key: str) -> Message:
        found = offered(self.store, key)
        if command not in self.handlers or found is None:
            with i18n.use(self.language(ctx)):
                return templates.button_expired()
        if command in CHANGES_SUBSCRIPTIONS and not ctx.can_manage:
            with i18n.use(self.language(ctx)):
                return templates.admins_only_in(ctx.place)
        team = adopt(self.store, found[0], found[1], self.clock())
        return self.run(ctx, command, team.name)

    # --- the commands ------------------------------------------------------------------------

    def start(self, ctx: CommandContext, args: str) -> Message:
        return templates.help_text(welcome=True)

    def help(self, ctx: CommandContext, args: str) -> Message:
        return templates.help_text()

    def _team(self, typed: str, command: str) -> Team | Message:
        if not typed:
            return templates.need_team(command)
        found = find_team(self.store, typed)
        team = found.team
        # "Internazionale U23" is not Inter: a women's, youth or reserve side is never
        # silently taken for the first team (or the other way round)
        if (
            team is not None
            and side_of(typed) != side_of(team.name)
            and self.store.team_by_alias(normalize(typed)) is None
        ):
            return templates.unknown_team(typed, [(team.id, team.name)], command)
        if team is not None:
            return team
        return templates.unknown_team(typed, [(t.id, t.name) for t in found.suggestions], command)

    def _parse_follow(self, args: str) -> tuple[str | None, str, str | None]:
        """``player Lautaro Martínez goals`` → (kind, name, level)."""
        words = args.split()
        level = None
        if len(words) > 1 and words[-1].casefold() in LEVEL_WORDS:
            level = LEVEL_WORDS[words.pop().casefold()]
        kind = None
        if len(words) > 1 and words[0].casefold() in KIND_WORDS:
            kind = KIND_WORDS[words.pop(0).casefold()]
        return kind, " ".join(words), level

    def _resolve(  # noqa: C901 (one lookup for a team, competition or player)
        self, typed: str, kind: str | None, command: str, level: str | None = None
    ) -> Target | Message:
        """What the fan named: a team, a competition or a player (``kind`` when they said
        which); a name that is several things, or nothing exactly, gets choices as buttons."""
        if not typed:
            return templates.need_target(command)
        team: Target | None = None
        competition: Target | None = None
        options: list[Target] = []
        team_exact = any(self.store.team_by_alias(f) for f in spellings(typed))
        if kind in (None, "team"):
            found = find_team(self.store, typed)
            if found.team is not None:
                team = Target("team", found.team.id, found.team.name)
                # "Internazionale U23" is not Inter: a women's, youth or reserve side is never
                # silently taken for the first team (or the other way round)
                if side_of(typed) != side_of(team.label) and not team_exact:
                    options.append(team)
                    team = None
            options += [Target("team", t.id, t.name) for t in found.suggestions]
            if found.ambiguous:  # "Manchester": not unknown, one of several
                return templates.which_one(
                    typed, [(t.button(level), t.label) for t in options], command
                )
            if kind == "team" or (found.suggestions and team_exact):
                if team is not None:
                    return team
                return templates.unknown_team(
                    typed, [(t.button(level), t.label) for t in options], command
                )
        if kind in (None, "competition"):
            found_c = find_competition(self.store, typed)
            if found_c.competition is not None:
                c = found_c.competition
                competition = Target("competition", c.id, c.name)
                if team is not None and team_exact and not found_c.exact:
                    competition = None  # an exact team beats a near-miss competition
                elif team is not None and found_c.exact and not team_exact:
                    team = None
            options += [Target("competition", c.id, c.name) for c in found_c.suggestions]
            if team is not None and not team_exact and found_c.suggestions:
                options.insert(0, team)  # a near-miss team or a near-miss competition: ask
                team = None
        if team is not None and competition is not None:
            return templates.which_one(
                typed,
                [
                    (t.button(level), templates.kind_label(t.label, t.kind))
                    for t in (team, competition)
                ],
                command,
            )
        if team is not None or competition is not None:
            return team or competition  # type: ignore[return-value]
        if kind in (None, "player"):
            match = re.fullmatch(r"#(\d+)", typed.strip())
            if match:
                by_id = player_by_id(self.store, match.group(1))
                if by_id is not None:
                    return Target("player", str(by_id.id), by_id.label)
            found_p = find_player(self.store, typed)
            if found_p.player is not None:
                p = found_p.player
                return Target("player", str(p.id), p.label)
            players = [Target("player", str(p.id), p.label) for p in found_p.suggestions]
            if found_p.ambiguous:
                return templates.which_one(
                    typed, [(t.button(level), t.label) for t in players], command
                )
            options += players
        options.sort(key=lambda t: t.kind != "competition")  # stable: competitions first
        if kind is None and all(t.kind == "team" for t in options):
            return templates.unknown_team(
                typed, [(t.button(level), t.label) for t in options], command
            )
        return templates.unknown_target(
            typed, [(t.button(level), t.label) for t in options[:5]], command, kind
        )

    def team_to_search(self, args: str) -> str | None:
        """The team name in ``/subscribe args`` worth asking the providers about: None when
        it names a player, a competition the bot knows, or says so (``competition …``)."""
        kind, typed, _ = self._parse_follow(args)
        if kind not in (None, "team") or not typed:
            return None
        if kind is None:
            found = find_competition(self.store, typed)
            if found.competition is not None and not any(
                self.store.team_by_alias(f) for f in spellings(typed)
            ):
                return None
            if find_player(self.store, typed).player is not None:
                return None
        return typed

    def subscribe(self, ctx: CommandContext, args: str) -> Message:
        kind, typed, level = self._parse_follow(args)
        target = self._resolve(typed, kind, "subscribe", level)
        if isinstance(target, Message):
            return target
        return self._follow(ctx, target, level)

    def _follow(self, ctx: CommandContext, target: Target, level: str | None) -> Message:
        new = self.store.subscribe(ctx.platform, ctx.chat_id, target.id, target.kind, level)
        settings = self._zone(ctx)
        own = level or next(
            (
                r["level"]
                for r in self.store.follows(ctx.platform, ctx.chat_id)
                if (r["kind"], r["target"]) == (target.kind, target.id)
            ),
            None,
        )
        words = LEVEL_NAMES[own] if own else settings.level_name
        if not new and level is not None:
            return templates.level_changed(target.label, words, ctx.place)
        if target.kind == "team" and level is None:
            return templates.subscribed(target.label, words, not new, ctx.place)
        return templates.followed(target.label, words, not new, ctx.place)

    def unsubscribe(self, ctx: CommandContext, args: str) -> Message:
        kind, typed, _ = self._parse_follow(args)
        target = self._followed_named(ctx, typed, kind)
        if target is None:
            found = self._resolve(typed, kind, "unsubscribe")
            if isinstance(found, Message):
                return found
            target = found
        return self._unfollow(ctx, target)

    def _unfollow(self, ctx: CommandContext, target: Target) -> Message:
        was = self.store.unsubscribe(ctx.platform, ctx.chat_id, target.id, target.kind)
        return templates.unsubscribed(target.label, was, ctx.place)

    def _followed_named(self, ctx: CommandContext, typed: str, kind: str | None) -> Target | None:
        """One of the chat's own subscriptions that ``typed`` names (``lautaro``), if just one."""
        key = normalize(typed)
        if not key:
            return None
        words = key.split()
        mine = []
        for row in self.store.follows(ctx.platform, ctx.chat_id):
            if kind is not None and row["kind"] != kind:
                continue
            name = normalize(row["name"] or "")
            if name == key or all(w in name.split() for w in words):
                mine.append(self._target_of(row))
        return mine[0] if len(mine) == 1 else None

    @staticmethod
    def _target_of(row: FollowRow) -> Target:
        label = row["name"]
        if row["kind"] == "player" and row.get("team"):
            label = f"{label} ({row['team']})"
        return Target(row["kind"], row["target"], label)

    def subscriptions(self, ctx: CommandContext, args: str) -> Message:
        rows = self.store.follows(ctx.platform, ctx.chat_id)
        if all(r["kind"] == "team" and r["level"] is None for r in rows):
            return templates.subscriptions([r["name"] for r in rows], ctx.place)
        return templates.follow_list(
            [
                (
                    str(r["kind"]),
                    self._target_of(r).label,
                    LEVEL_NAMES[r["level"]] if r["level"] else None,
                )
                for r in rows
            ],
            ctx.place,
        )

    def suggest(self, typed: str, limit: int = 25) -> list[tuple[str, str]]:
        """Autocomplete across teams, competitions and players: (label, what to type).
        Names containing what was typed come first (those starting with it before the
        rest), then near misses."""
        key = normalize(typed)
        found: list[tuple[int, str, str]] = []  # (rank, label, value)
        teams = {r["id"]: r["name"] for r in self.store.team_names()}
        comps = {r["id"]: r["name"] for r in self.store.competition_names()}

        def rank(name: str) -> int | None:
            folded = normalize(name)
            if not key:
                return 1
            if folded.startswith(key) or any(w.startswith(key) for w in folded.split()):
                return 0
            return 1 if key in folded else None

        for name in sorted(set(comps.values())):
            if (r := rank(name)) is not None:
                found.append((r, f"{name} (competition)", f"competition {name}"))
        for name in sorted(set(teams.values())):
            if (r := rank(name)) is not None:
                found.append((r, name, f"team {name}"))
        if key:
            for row in self.store.players():
                if (r := rank(row["name"])) is not None:
                    label = f"{row['name']} ({row['team']})" if row["team"] else row["name"]
                    found.append((r, f"{label} — player", f"player #{row['id']}"))
        found.sort(key=lambda item: item[0])
        result = [(label, value) for _, label, value in found]
        if len(result) < limit and key:
            near = find_team(self.store, typed)
            extra = [near.team] if near.team else list(near.suggestions)
            result += [(t.name, f"team {t.name}") for t in extra]
            near_c = find_competition(self.store, typed)
            extra_c = [near_c.competition] if near_c.competition else list(near_c.suggestions)
            result += [(f"{c.name} (competition)", f"competition {c.name}") for c in extra_c]
        return list(dict.fromkeys(result))[:limit]

    # --- /today and the daily digest -----------------------------------------------------

    def today(self, ctx: CommandContext, args: str) -> Message:
        return self.today_message(ctx.platform, ctx.chat_id, ctx.place)

    def today_message(
        self, platform: str, chat_id: str, place: str = "chat", digest: bool = False
    ) -> Message:
        """The day's fixtures, live scores and results of every team, competition and player
        the chat follows, the day and times in the chat's time zone."""
        settings = self._zone(platform_chat=(platform, chat_id))
        zone = settings.zone
        local_now = datetime.fromtimestamp(self.clock(), zone)
        start = datetime.combine(local_now.date(), day_time(0), zone)
        end = datetime.combine(local_now.date() + timedelta(days=1), day_time(0), zone)
        teams, competitions = set(), set()
        for row in self.store.follows(platform, chat_id):
            if row["kind"] == "team":
                teams.add(row["target"])
            elif row["kind"] == "competition":
                competitions.add(row["target"])
            elif row["team_id"]:
                teams.add(row["team_id"])  # a player: his team's matches
        groups: dict[str, list[Line]] = {}
        for match in self.store.matches_between(
            start.astimezone(UTC).isoformat(), end.astimezone(UTC).isoformat()
        ):
            if not (
                match["home_team"] in teams
                or match["away_team"] in teams
                or match["competition_id"] in competitions
            ):
                continue
            state = self.states.get(self.store, Fixture.from_row(match))
            groups.setdefault(match["competition"], []).append(templates.today_line(state, zone))
        return templates.today(list(groups.items()), local_now, settings.timezone, place, digest)

    def _chat_teams(self, ctx: CommandContext) -> list[Team]:
        return [
            Team(r["id"], r["name"]) for r in self.store.subscriptions(ctx.platform, ctx.chat_id)
        ]

    def _zone(
        self, ctx: CommandContext | None = None, platform_chat: tuple[str, str] | None = None
    ) -> ChatSettings:
        platform, chat_id = platform_chat or (ctx.platform, ctx.chat_id)  # type: ignore[union-attr]
        return ChatSettings.model_validate(self.store.chat_settings(platform, chat_id))

    def _teams_for(self, ctx: CommandContext, args: str, command: str) -> list[Team] | Message:
        """The team named in ``args``, else the chat's teams, else a hint."""
        if args:
            team = self._team(args, command)
            return team if isinstance(team, Message) else [team]
        teams = self._chat_teams(ctx)
        return teams or templates.follows_nothing(ctx.place, command)

    def next(self, ctx: CommandContext, args: str) -> Message:
        teams = self._teams_for(ctx, args, "next")
        if isinstance(teams, Message):
            return teams
        zone = self._zone(ctx).zone
        now = datetime.fromtimestamp(self.clock(), UTC)
        rows, seen = [], set()
        for team in teams:
            upcoming = [
                r
                for r in self.store.matches_of_team(team.id)
                if r["period"] is None and datetime.fromisoformat(r["kickoff"]) >= now
            ]
            if not upcoming:
                rows.append(templates.no_data(team.name, "fixture"))
            elif upcoming[0]["id"] not in seen:
                seen.add(upcoming[0]["id"])
                rows.append(templates.next_fixture(Fixture.from_row(upcoming[0]), zone))
        return templates.scores(rows)

    def last(self, ctx: CommandContext, args: str) -> Message:
        teams = self._teams_for(ctx, args, "last")
        if isinstance(teams, Message):
            return teams
        zone = self._zone(ctx).zone
        rows, seen = [], set()
        for team in teams:
            played = [r for r in self.store.matches_of_team(team.id) if r["period"] == "full_time"]
            if not played:
                rows.append(templates.no_data(team.name, "result"))
            elif played[-1]["id"] not in seen:
                row = played[-1]
                seen.add(row["id"])
                state = self.states.get(self.store, Fixture.from_row(row))
                rows.append(templates.last_result(state, zone))
        return templates.scores(rows)

    def settings(self, ctx: CommandContext, args: str) -> Message:  # noqa: C901 (one branch per setting)
        current = self._zone(ctx)
        if not args:
            return self._settings_view(current, ctx)
        if not ctx.can_manage:
            return templates.admins_only_in(ctx.place)
        what, _, value = args.partition(" ")
        what, value = what.casefold(), value.strip()
        changed = current.model_copy()
        if what in ("level", "alerts"):
            if value.casefold() not in LEVEL_NAMES:
                return templates.settings_error(templates.bad_level(), "/settings level all")
            changed.level = value.casefold()  # type: ignore[assignment]
        elif what in ("timezone", "tz", "zone"):
            zone = find_timezone(value)
            if zone is None:
                return templates.settings_error(
                    templates.bad_timezone(value), "/settings timezone Europe/Rome"
                )
            changed.timezone = zone
        elif what == "digest":
            if value.casefold() in ("off", "no", "none", "0"):
                changed.digest = None
            else:
                at = parse_digest_time(value)
                if at is None:
                    return templates.settings_error(
                        templates.bad_digest(),
                        "/settings digest 09:00",
                    )
                changed.digest = at
        elif what == "follow":
            return self._set_follow_level(ctx, current, value)
        elif what == "subscription":
            return self._set_subscription_level(ctx, current, value)
        elif what in ("spoiler", "delay"):
            seconds = value.rstrip("s").strip()
            if not seconds.isdigit() or not 0 <= int(seconds) <= MAX_SPOILER_DELAY:
                return templates.settings_error(
                    templates.bad_spoiler(MAX_SPOILER_DELAY), "/settings spoiler 60"
                )
            changed.spoiler_delay = int(seconds)
        elif what in ("language", "lang", "lingua"):
            language = i18n.normalize_language(value)
            if language is None:
                return templates.settings_error(templates.bad_language(), "/settings language it")
            changed.language = language
        else:
            return templates.settings_error(templates.bad_setting(), "/settings level all")
        self.store.set_chat_settings(ctx.platform, ctx.chat_id, changed.as_dict())
        with i18n.use(changed.language):
            return self._settings_view(changed, ctx, note=templates.settings_saved())

    def _set_follow_level(self, ctx: CommandContext, current: ChatSettings, value: str) -> Message:
        """``follow c serie-a goals`` (a /settings button): one subscription's level; ``chat``
        goes back to the chat's level."""
        parts = value.split()
        if len(parts) != 3 or parts[0] not in BUTTON_KINDS:
            return templates.settings_error(
                templates.follow_level_hint(), "/subscribe serie a goals"
            )
        kind, ident, level = BUTTON_KINDS[parts[0]], parts[1], parts[2]
        chosen = LEVEL_WORDS.get(level)
        if chosen is None and level != "chat":
            return templates.button_expired()
        if not self.store.set_follow_level(ctx.platform, ctx.chat_id, kind, ident, chosen):
            return templates.button_expired()
        return self._settings_view(current, ctx, note=templates.settings_saved())

    def _set_subscription_level(
        self, ctx: CommandContext, current: ChatSettings, value: str
    ) -> Message:
        """``/settings subscription serie a goals``: one subscription's level."""
        kind, typed, level = self._parse_follow(value)
        if level is None:
            return templates.settings_error(
                templates.bad_follow_level(),
                "/settings subscription serie a goals",
            )
        target = self._followed_named(ctx, typed, kind)
        if target is None:
            found = self._resolve(typed, kind, "subscribe", level)
            if isinstance(found, Message):
                return found
            target = found
        if not self.store.set_follow_level(
            ctx.platform, ctx.chat_id, target.kind, target.id, level
        ):
            return templates.unsubscribed(target.label, False, ctx.place)
        return self._settings_view(current, ctx, note=templates.settings_saved())

    def _settings_view(
        self, s: ChatSettings, ctx: CommandContext | str, note: str | None = None
    ) -> Message:
        place = ctx if isinstance(ctx, str) else ctx.place
        follows = (
            []
            if isinstance(ctx, str)
            else [
                (str(r["kind"]), str(r["target"]), self._target_of(r).label, r["level"])
                for r in self.store.follows(ctx.platform, ctx.chat_id)
            ]
        )
        return templates.settings_view(
            s.level_name,
            s.level,
            s.timezone,
            s.spoiler_delay,
            note,
            place,
            s.language,
            follows=follows,
            digest=s.digest,
        )

    def score(self, ctx: CommandContext, args: str) -> Message:
        teams = self._teams_for(ctx, args, "score")
        if isinstance(teams, Message):
            return teams
        zone = self._zone(ctx).zone
        seen: set[str] = set()
        rows = []
        for team in teams:
            state = self.current_match(team.id)
            if state is None:
                rows.append(templates.no_data(team.name, "match"))
            elif state.fixture.id not in seen:
                seen.add(state.fixture.id)
                rows.append(templates.score_line(state, zone))
        return templates.scores(rows)

    def scorers(self, ctx: CommandContext, args: str) -> Message:
        competitions = self._competitions()
        if args:
            wanted = normalize(args)
            for competition in competitions:
                if normalize(competition) == wanted:
                    return templates.top_scorers(competition, self.top_scorers(competition))
            team = self._team(args, "scorers")
            if isinstance(team, Message):
                return team
            state = self.current_match(team.id)
            if state is None:
                return templates.no_match(team.name)
            return templates.match_scorers(state)
        followed = {t.id for t in self._chat_teams(ctx)}
        if followed:
            mine = set(self.store.competitions_played(followed))
            competitions = [c for c in competitions if c in mine] or competitions
        if not competitions:
            return templates.no_goals_yet()
        return templates.top_scorers(competitions[0], self.top_scorers(competitions[0]))

    # --- queries -----------------------------------------------------------------------------

    def current_match(self, team_id: str) -> MatchState | None:
        """The team's live match, else its latest started one, else its next one."""
        rows = self.store.matches_of_team(team_id)
        if not rows:
            return None
        started = [r for r in rows if r["period"] is not None]
        live = [r for r in started if r["period"] != "full_time"]
        now = datetime.fromtimestamp(self.clock(), UTC)
        upcoming = [
            r for r in rows if r["period"] is None and datetime.fromisoformat(r["kickoff"]) >= now
        ]
        chosen = (live or started or [])[-1:] or upcoming[:1] or rows[-1:]
        row = chosen[0]
        return self.states.get(self.store, Fixture.from_row(row))

    def chat_competition(self, ctx: CommandContext) -> str | None:
        """The competition of the latest match of the chat's teams, if any."""
        followed = {t.id for t in self._chat_teams(ctx)}
        mine = self.store.competitions_played(followed)
        return mine[0] if mine else None

    def _competitions(self) -> list[str]:
        """Competitions in the store, the most recently played first."""
        return self.store.competitions_played()

    def top_scorers(self, competition: str, limit: int = 10) -> list[tuple[str, str, int]]:
        """(player, team, goals) in ``competition`` from the matches the bot knows; own goals
        and cancelled goals do not count."""
        version = (self.store.competition_events_version(competition), limit)
        kept = self._scorers.get(competition)
        if kept is not None and kept[0] == version:
            return kept[1]  # no event of the competition came or went since
        ranked = [
            (r["player"], r["team"], r["goals"]) for r in self.store.top_scorers(competition, limit)
        ]
        self._scorers[competition] = (version, ranked)
        return ranked
