"""Buttons: which actions the bot offers (and nothing else), who may press them, and what a
press runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.chat_settings import DEPTH_SETTINGS, LEVEL_NAMES, LEVEL_RANK, SCOREBOARD_CHOICES
from bot.command_catalogue import CATALOGUE
from bot.commands.following import Following
from bot.commands.resolving import Target
from bot.messages import i18n, templates
from bot.messages.model import Message
from bot.players import player_by_id
from bot.ports import CommandContext
from bot.team_choices import adopt, offered

#: How choice buttons name what they pick: ``subscribe:inter`` (a team, as before),
#: ``subscribe:c:serie-a``, ``subscribe:p:12``, with ``:goals`` when a level was typed.
BUTTON_KINDS = {"t": "team", "c": "competition", "p": "player"}


#: A team's, competition's or player's id in a button: ``inter``, ``serie-a``, ``12``.
_ID = r"[a-z0-9][a-z0-9-]{0,59}"


#: Every button the bot offers, and nothing else: ``subscribe:inter`` (a team),
#: ``subscribe:c:serie-a``, ``subscribe:p:12``, ``subscribe:t:inter:goals`` (a competition, a
#: player, a team with the level typed; ``unsubscribe:`` too, without a level),
#: ``subscribe:pick:af:505`` (a team a provider search offered; the key must be one offered),
#: ``settings:level:all``, ``settings:spoiler:60``, ``settings:language:it``,
#: ``settings:follow:c:serie-a:goals`` (one subscription's level; ``chat``: the chat's),
#: ``settings:page:2`` (the next page of subscriptions: "more…", anyone may turn it). No
#: action names a chat: a press acts on the chat it was pressed in.
_LEVELS = "|".join(LEVEL_RANK)
BUTTON_ACTION = re.compile(
    r"(?P<command>[a-z]+):(?:pick:(?P<pick>[\w.-]{1,30}:[\w.-]{1,40})"
    rf"|(?P<kind>[{''.join(BUTTON_KINDS)}]):(?P<target>{_ID})(?::(?P<level>{_LEVELS}))?"
    rf"|(?P<team>{_ID}))"
    r"|settings:(?P<setting>level|spoiler|language|lineups|stats|pictures|scoreboard)"
    r":(?P<value>[a-z0-9]{1,7})"
    rf"|settings:follow:(?P<follow_kind>[{''.join(BUTTON_KINDS)}]):(?P<follow_target>{_ID})"
    rf":(?P<follow_level>{_LEVELS}|chat)"
    r"|settings:page:(?P<page>[1-9])"
)


@dataclass(frozen=True)
class Press:
    """A button press understood: the command it runs, and what it names — a team, a
    competition or a player (``kind`` and ``target``, its id), or a provider search's
    candidate (``pick``, its key in ``args``). A settings press carries the ``/settings``
    arguments in ``args`` and runs them as if typed (``typed``)."""

    command: str
    args: str = ""
    kind: str = ""  # team, competition or player; "" when the button names none
    target: str = ""
    level: str | None = None  # a subscribe button's level (``subscribe:c:serie-a:goals``)
    pick: bool = False
    typed: bool = False

    @property
    def needs_rights(self) -> bool:
        """Whether only those who may change the chat may press it: as the command it runs."""
        command = CATALOGUE.find(self.command)
        return command is not None and command.needs_rights(self.args or self.target)


def _offered_settings(setting: str) -> set[str]:
    if setting == "level":
        return set(LEVEL_NAMES)
    if setting == "spoiler":
        return {str(s) for s in templates.SPOILER_CHOICES}
    if setting in DEPTH_SETTINGS:
        return {"on", "off"}
    if setting == "scoreboard":
        return set(SCOREBOARD_CHOICES)
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
        return Press("settings", f"{setting} {value}", typed=True)
    if found["page"]:
        return Press("settings", f"page {found['page']}", typed=True)
    if found["follow_kind"]:
        short, target, level = found.group("follow_kind", "follow_target", "follow_level")
        return Press(
            "settings",
            f"follow {short} {target} {level}",
            BUTTON_KINDS[short],
            target,
            level,
            typed=True,
        )
    return _team_press(found)


def _team_press(found: re.Match[str]) -> Press | None:
    """A button naming a team, a competition or a player: it runs a command whose first
    argument names one (a team: ``/score``…; any of the three: ``/subscribe``,
    ``/unsubscribe``), with a level only where the command takes one."""
    command = CATALOGUE.by_name.get(found["command"])
    first = command.arguments[0].type if command is not None and command.arguments else None
    if command is None or first not in ("team", "follow"):
        return None
    if found["pick"]:
        return Press(command.name, found["pick"], pick=True)
    if found["kind"]:
        level = found["level"]
        if first != "follow" or (level and level not in command.offers("level")):
            return None
        return Press(
            command.name, kind=BUTTON_KINDS[found["kind"]], target=found["target"], level=level
        )
    return Press(command.name, kind="team", target=found["team"])


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


class ButtonPresses(Following):
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
        if press.typed:
            return self.run(ctx, press.command, press.args)
        if press.pick:  # a team a provider search offered
            return self._pick(ctx, press.command, press.args)
        target = self._target_by_id(press.kind, press.target)
        with i18n.use(self.language(ctx)):
            if target is None:
                return templates.button_expired()
            if press.command == "subscribe":  # the level the button carries
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
        if press.typed:
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
        if Press(command, key, pick=True).needs_rights and not ctx.can_manage:
            with i18n.use(self.language(ctx)):
                return templates.admins_only_in(ctx.place)
        team = adopt(self.store, found[0], found[1], self.clock())
        return self.run(ctx, command, team.name)
