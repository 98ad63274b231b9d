"""Resolving what a fan typed: a team, a competition or a player, with choices as buttons
when a name is several things or nothing exactly; autocomplete.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from bot.chat_settings import LEVEL_NAMES, LEVEL_RANK
from bot.command_text import split_arguments
from bot.commands.base import CommandsBase
from bot.competitions import find_competition
from bot.messages import templates
from bot.messages.model import Message
from bot.players import find_player, player_by_id
from bot.ports import CommandContext
from bot.store_contract import FollowRow
from bot.team_choices import squad_of
from bot.teams import Team, find_team, foreign_letters, normalize, spellings

#: Words that say what kind of thing a fan names: ``/subscribe player Lautaro``.
KIND_WORDS = {
    "team": "team",
    "club": "team",
    "competition": "competition",
    "league": "competition",
    "tournament": "competition",
    "player": "player",
    # Italian
    "squadra": "team",
    "competizione": "competition",
    "campionato": "competition",
    "torneo": "competition",
    "giocatore": "player",
}


#: A level typed after the name: ``/subscribe serie a goals``.
LEVEL_WORDS = {
    **{level: level for level in LEVEL_RANK},
    **{name: level for level, name in LEVEL_NAMES.items()},  # "everything"
    # Italian: /segui inter gol, principali, tutto
    "gol": "goals",
    "principali": "key",
    "chiave": "key",
    "tutto": "all",
    "tutti": "all",
}


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


@dataclass
class _Lookup:
    """One name being resolved: what was typed, and what was found so far."""

    typed: str
    command: str
    level: str | None
    #: the name is exactly one of a team's spellings
    team_exact: bool
    team: Target | None = None
    competition: Target | None = None
    options: list[Target] = field(default_factory=list)

    def buttons(self, targets: list[Target]) -> list[tuple[str, str]]:
        return [(t.button(self.level), t.label) for t in targets]

    def team_or_competition(self) -> Target | Message | None:
        """The team or the competition found, or a choice when it is both."""
        if self.team is not None and self.competition is not None:
            both = (self.team, self.competition)
            return templates.which_one(
                self.typed,
                [(t.button(self.level), templates.kind_label(t.label, t.kind)) for t in both],
                self.command,
            )
        return self.team or self.competition

    def not_found(self, kind: str | None) -> Message:
        """Nothing exactly: the near misses as buttons (competitions first)."""
        self.options.sort(key=lambda t: t.kind != "competition")  # stable
        if kind is None and all(t.kind == "team" for t in self.options):
            return templates.unknown_team(self.typed, self.buttons(self.options), self.command)
        return templates.unknown_target(
            self.typed, self.buttons(self.options[:5]), self.command, kind
        )


#: ``#serie-a``, ``#12``: a team, competition or player named by its id (a button's press)
_BY_ID = re.compile(r"#[a-z0-9][a-z0-9-]{0,59}")


class NameResolving(CommandsBase):
    #: the team, competition or player named by the button whose press is being answered,
    #: found by its id once (:meth:`pressed`): the command the press runs takes it from here
    #: instead of looking it up again
    _pressed: Target | None = None

    @contextmanager
    def pressed(self, target: Target | None) -> Iterator[None]:
        """While a button press naming ``target`` (found already) runs its command."""
        self._pressed = target
        try:
            yield
        finally:
            self._pressed = None

    def _team(self, typed: str, command: str) -> Team | Message:
        if not typed:
            return templates.need_team(command)
        pressed = self._pressed
        if pressed is not None and pressed.kind == "team" and typed == pressed.id:
            return Team(pressed.id, pressed.label)  # a team's button: its id, found already
        found = find_team(self.store, typed)
        team = found.team
        # "Internazionale U23" is not Inter: a women's, youth or reserve side is never
        # silently taken for the first team (or the other way round)
        if (
            team is not None
            and squad_of(typed) != squad_of(team.name)
            and self.store.team_by_alias(normalize(typed)) is None
        ):
            return templates.unknown_team(typed, [(team.id, team.name)], command)
        if team is not None:
            return team
        return templates.unknown_team(typed, [(t.id, t.name) for t in found.suggestions], command)

    def _parse_follow(self, args: str) -> tuple[str | None, str, str | None]:
        """``player Lautaro Martínez goals`` → (kind, name, level); a quoted name is one
        word (``"Club Brugge" goals``: no kind word taken from it)."""
        words = split_arguments(args)
        level = None
        if len(words) > 1 and words[-1].casefold() in LEVEL_WORDS:
            level = LEVEL_WORDS[words.pop().casefold()]
        kind = None
        by_id = len(words) == 2 and _BY_ID.fullmatch(words[1]) is not None  # never a name
        if (
            len(words) > 1
            and words[0].casefold() in KIND_WORDS
            and (by_id or not self._names_exactly(" ".join(words)))  # "Club Brugge"
        ):
            kind = KIND_WORDS[words.pop(0).casefold()]
        return kind, " ".join(words), level

    def _names_exactly(self, typed: str) -> bool:
        """Whether ``typed`` is exactly a team's or a competition's name, a kind word
        (``club``, ``team``) and all."""
        if any(self.store.team_by_alias(f) for f in spellings(typed)):
            return True
        return find_competition(self.store, typed).exact

    def _resolve(
        self, typed: str, kind: str | None, command: str, level: str | None = None
    ) -> Target | Message:
        """:meth:`_lookup`, but a name written with letters of another script (``Интер``)
        never silently becomes a team, competition or player: what it found is offered as a
        button."""
        found = self._lookup(typed, kind, command, level)
        if isinstance(found, Message) or not foreign_letters(typed):
            return found
        return templates.unknown_target(typed, [(found.button(level), found.label)], command, kind)

    def _lookup(
        self, typed: str, kind: str | None, command: str, level: str | None = None
    ) -> Target | Message:
        """What the fan named: a team, a competition or a player (``kind`` when they said
        which); a name that is several things, or nothing exactly, gets choices as buttons."""
        if not typed:
            return templates.need_target(command)
        if kind is not None and typed.startswith("#"):  # by its id: a button's press
            by_id = self._target_by_id(kind, typed[1:])
            if by_id is not None:
                return by_id
        look = _Lookup(
            typed, command, level, any(self.store.team_by_alias(f) for f in spellings(typed))
        )
        if kind in (None, "team"):
            answer = self._look_for_team(look, kind)
            if answer is not None:
                return answer
        if kind in (None, "competition"):
            self._look_for_competition(look)
        found = look.team_or_competition()
        if found is not None:
            return found
        if kind in (None, "player"):
            answer = self._look_for_player(look)
            if answer is not None:
                return answer
        return look.not_found(kind)

    def _look_for_team(self, look: _Lookup, kind: str | None) -> Target | Message | None:
        """The team ``look.typed`` names, or the answer when it settles the question."""
        found = find_team(self.store, look.typed)
        if found.team is not None:
            look.team = Target("team", found.team.id, found.team.name)
            # "Internazionale U23" is not Inter: a women's, youth or reserve side is never
            # silently taken for the first team (or the other way round)
            if squad_of(look.typed) != squad_of(look.team.label) and not look.team_exact:
                look.options.append(look.team)
                look.team = None
        look.options += [Target("team", t.id, t.name) for t in found.suggestions]
        if found.ambiguous:  # "Manchester": not unknown, one of several
            return templates.which_one(look.typed, look.buttons(look.options), look.command)
        if kind == "team" or (found.suggestions and look.team_exact):
            if look.team is not None:
                return look.team
            return templates.unknown_team(look.typed, look.buttons(look.options), look.command)
        return None

    def _look_for_competition(self, look: _Lookup) -> None:
        found = find_competition(self.store, look.typed)
        if found.competition is not None:
            c = found.competition
            look.competition = Target("competition", c.id, c.name)
            if look.team is not None and look.team_exact and not found.exact:
                look.competition = None  # an exact team beats a near-miss competition
            elif look.team is not None and found.exact and not look.team_exact:
                look.team = None
        look.options += [Target("competition", c.id, c.name) for c in found.suggestions]
        if look.team is not None and not look.team_exact and found.suggestions:
            look.options.insert(0, look.team)  # a near-miss team or a near-miss competition: ask
            look.team = None

    def _look_for_player(self, look: _Lookup) -> Target | Message | None:
        match = re.fullmatch(r"#(\d+)", look.typed.strip())
        if match:
            by_id = player_by_id(self.store, match.group(1))
            if by_id is not None:
                return Target("player", str(by_id.id), by_id.label)
        found = find_player(self.store, look.typed)
        if found.player is not None:
            return Target("player", str(found.player.id), found.player.label)
        players = [Target("player", str(p.id), p.label) for p in found.suggestions]
        if found.ambiguous:
            return templates.which_one(look.typed, look.buttons(players), look.command)
        look.options += players
        return None

    def team_to_search(self, args: str) -> str | None:
        """The team name in ``/subscribe args`` worth asking the providers about: None when
        it names a player, a competition the bot knows, or says so (``competition …``)."""
        kind, typed, _ = self._parse_follow(args)
        if kind not in (None, "team") or not typed or (kind and typed.startswith("#")):
            return None  # a player, a competition, nothing, or a team by its id
        if kind is None:
            found = find_competition(self.store, typed)
            if found.competition is not None and not any(
                self.store.team_by_alias(f) for f in spellings(typed)
            ):
                return None
            if find_player(self.store, typed).player is not None:
                return None
        return typed

    def _followed_named(self, ctx: CommandContext, typed: str, kind: str | None) -> Target | None:
        """One of the chat's own subscriptions that ``typed`` names (``lautaro``; ``#12`` by
        its id, with ``kind``), if just one."""
        key = normalize(typed)
        if not key:
            return None
        words = key.split()
        mine = []
        for row in self.store.follows(ctx.platform, ctx.chat_id):
            if kind is not None and row["kind"] != kind:
                continue
            if kind is not None and typed.startswith("#"):
                if str(row["target"]) == typed[1:]:
                    return self._target_of(row)
                continue
            name = normalize(row["name"] or "")
            if name == key or all(w in name.split() for w in words):
                mine.append(self._target_of(row))
        return mine[0] if len(mine) == 1 else None

    def _target_by_id(self, kind: str, ident: str) -> Target | None:
        """The team, competition or player (``kind``) whose id is ``ident``, if any."""
        pressed = self._pressed
        if pressed is not None and (pressed.kind, pressed.id) == (kind, ident):
            return pressed
        if kind == "team":
            team = self.store.team(ident)
            return Target("team", team["id"], team["name"]) if team else None
        if kind == "competition":
            row = self.store.competition(ident)
            return Target("competition", row["id"], row["name"]) if row else None
        player = player_by_id(self.store, ident)
        return Target("player", str(player.id), player.label) if player else None

    @staticmethod
    def _target_of(row: FollowRow) -> Target:
        label = row["name"]
        if row["kind"] == "player" and row.get("team"):
            label = f"{label} ({row['team']})"
        return Target(row["kind"], row["target"], label)

    def _teams_for(self, ctx: CommandContext, args: str, command: str) -> list[Team] | Message:
        """The team named in ``args``, else the chat's teams, else a hint."""
        if args:
            team = self._team(args, command)
            return team if isinstance(team, Message) else [team]
        teams = self._chat_teams(ctx)
        if not teams:  # a chat that follows players: their teams
            follows = self.store.follows(ctx.platform, ctx.chat_id)
            players = {
                f["team_id"]: f["team"] or f["team_id"]
                for f in follows
                if f["kind"] == "player" and f["team_id"]
            }
            teams = [Team(team_id, name) for team_id, name in players.items()]
        return teams or templates.follows_nothing(ctx.place, command)

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
