"""Buttons: which actions the bot offers (and nothing else), who may press them, and what a
press runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import pairwise

from bot.command_catalogue import CATALOGUE
from bot.command_types import Catalogue, ChatCommand
from bot.commands.following import Following
from bot.messages import i18n, templates
from bot.messages.model import Message
from bot.ports import CommandContext
from bot.team_choices import adopt, offered

#: How choice buttons name what they pick: ``subscribe:inter`` (a team, as before),
#: ``subscribe:c:serie-a``, ``subscribe:p:12``, with ``:goals`` when a level was typed.
BUTTON_KINDS = {"t": "team", "c": "competition", "p": "player"}
#: The button of one subscription's level in /settings: ``settings:follow:c:serie-a:goals``
#: (``chat``: back to the chat's level); pressed, it runs ``/settings follow c serie-a goals``.
FOLLOW_BUTTON = "follow"

#: A team's, competition's or player's id in a button: ``inter``, ``serie-a``, ``12``.
_ID = r"[a-z0-9][a-z0-9-]{0,59}"
_KINDS = "".join(BUTTON_KINDS)

#: Every button the bot offers is ``COMMAND:WHAT``, COMMAND a catalogue command's name, and
#: WHAT what its arguments take (:func:`parse_press`; nothing else is a button of the bot):
#:
#: - a command whose first argument names a team (``score:inter``) or anything to follow:
#:   ``subscribe:inter`` (a team), ``subscribe:c:serie-a``, ``subscribe:p:12``,
#:   ``subscribe:t:inter:goals`` (with the level its next argument offers; ``unsubscribe:``
#:   too, without one), ``subscribe:pick:af:505`` (a team a provider search offered; the key
#:   must be one offered);
#: - a command with keyed arguments: ``KEY:VALUE``, a value the argument offers as a choice or
#:   a preset: ``settings:level:all``, ``settings:spoiler:60``, ``settings:language:it``,
#:   ``settings:page:2`` (the next page of subscriptions: "more…", anyone may turn it); and
#:   ``settings:follow:c:serie-a:goals`` (one subscription's level; ``chat``: the chat's).
#:
#: No action names a chat: a press acts on the chat it was pressed in.
BUTTON_ACTION = re.compile(r"(?P<command>[a-z]+):(?P<what>.+)")
_TARGET = re.compile(
    r"pick:(?P<pick>[\w.-]{1,30}:[\w.-]{1,40})"
    rf"|(?P<kind>[{_KINDS}]):(?P<target>{_ID})(?::(?P<level>[a-z]{{1,10}}))?"
    rf"|(?P<team>{_ID})"
)
_KEYED = re.compile(r"(?P<key>[a-z_]{1,20}):(?P<value>[a-z0-9]{1,7})")
_FOLLOW_LEVEL = re.compile(
    rf"{FOLLOW_BUTTON}:(?P<kind>[{_KINDS}]):(?P<target>{_ID}):(?P<level>[a-z]{{1,10}})"
)


@dataclass(frozen=True)
class Press:
    """A button press understood: the command it runs and its arguments (``args``), and what
    it names — a team, a competition or a player (``kind`` and ``target``, its id), or a
    provider search's candidate (``pick``, its key in ``args``). A press of a keyed argument
    (``settings:level:all``) runs its arguments as if typed (``typed``)."""

    command: str
    args: str = ""
    kind: str = ""  # team, competition or player; "" when the button names none
    target: str = ""
    level: str | None = None  # a subscribe button's level (``subscribe:c:serie-a:goals``)
    pick: bool = False
    typed: bool = False
    #: only those who may change the chat may press it: as the command it runs
    needs_rights: bool = False


def parse_press(action: str, catalogue: Catalogue = CATALOGUE) -> Press | None:
    """The press behind a button's ``action`` (callback data), or None when the bot never
    offers such a button (forged, or from an older version): read from the catalogue's
    command and its arguments."""
    found = BUTTON_ACTION.fullmatch(action)
    command = catalogue.by_name.get(found["command"]) if found is not None else None
    if found is None or command is None:
        return None
    press = (
        _keyed_press(command, found["what"])
        if any(a.key for a in command.arguments)
        else _target_press(command, found["what"])
    )
    if press is None:
        return None
    return replace(press, needs_rights=command.needs_rights(press.args))


def _keyed_press(command: ChatCommand, what: str) -> Press | None:
    """``level:all`` (a value its argument offers) or ``follow:c:serie-a:goals``."""
    follow = _FOLLOW_LEVEL.fullmatch(what)
    if follow is not None:
        short, target, level = follow.group("kind", "target", "level")
        if level not in (*_levels_after(command, "follow"), "chat"):
            return None
        args = f"{FOLLOW_BUTTON} {short} {target} {level}"
        return Press(command.name, args, BUTTON_KINDS[short], target, level, typed=True)
    keyed = _KEYED.fullmatch(what)
    argument = next(
        (a for a in command.arguments if keyed is not None and a.key == keyed["key"]), None
    )
    if keyed is None or argument is None or keyed["value"] not in argument.pressable:
        return None
    return Press(command.name, f"{argument.key} {keyed['value']}", typed=True)


def _levels_after(command: ChatCommand, first: str) -> tuple[str, ...]:
    """The values of the choice that completes ``command``'s argument of type ``first``
    (``/subscribe``'s level; ``/settings``' subscription level); none when it has none."""
    for argument, after in pairwise(command.arguments):
        if argument.type == first and after.type == "choice":
            return after.pressable
    return ()


def _target_press(command: ChatCommand, what: str) -> Press | None:
    """A button naming a team, a competition or a player: it runs a command whose first
    argument names one (a team: ``/score``…; any of the three: ``/subscribe``,
    ``/unsubscribe``), with a level only where the command takes one. Its arguments name
    the target by its id, as a fan may type it too (``/subscribe competition #serie-a``)."""
    first = command.arguments[0].type if command.arguments else None
    found = _TARGET.fullmatch(what)
    if found is None or first not in ("team", "follow"):
        return None
    if found["pick"]:
        return Press(command.name, found["pick"], pick=True)
    if found["team"]:
        args = f"team #{found['team']}" if first == "follow" else found["team"]
        return Press(command.name, args, "team", found["team"])
    kind, target, level = BUTTON_KINDS[found["kind"]], found["target"], found["level"]
    if first != "follow" or (level and level not in _levels_after(command, "follow")):
        return None
    args = " ".join(p for p in (kind, f"#{target}", level) if p)
    return Press(command.name, args, kind, target, level)


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
        """A button was pressed: it runs its command with the arguments it carries, as if
        typed — ``subscribe:inter`` is ``/subscribe team #inter``, ``subscribe:c:serie-a:goals``
        ``/subscribe competition #serie-a goals``, ``score:inter`` ``/score inter``,
        ``settings:level:all`` ``/settings level all``; ``subscribe:pick:KEY`` a team a
        provider search offered. Adapters refuse a press with :func:`press_refusal` before it
        gets here; the rights are checked again all the same."""
        press = parse_press(action, self.catalogue)
        self.store.ensure_chat(ctx.platform, ctx.chat_id, ctx.chat_title, ctx.chat_kind)
        with i18n.use(self.language(ctx)):
            if press is None:
                return templates.button_expired()
            if press_needs_rights(press, ctx.chat_kind) and not ctx.can_manage:
                return templates.admins_only_in(ctx.place)
            named = None if press.typed or not press.kind else press
            found = self._target_by_id(named.kind, named.target) if named else None
            if named and found is None:
                return templates.button_expired()
        if press.pick:  # a team a provider search offered
            return self._pick(ctx, press.command, press.args)
        with self.pressed(found):  # the command takes the target found, not a second look-up
            return self.run(ctx, press.command, press.args)

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
        entry = self.catalogue.find(command)
        if entry is not None and entry.needs_rights(key) and not ctx.can_manage:
            with i18n.use(self.language(ctx)):
                return templates.admins_only_in(ctx.place)
        team = adopt(self.store, found[0], found[1], self.clock())
        return self.run(ctx, command, team.name)
