"""The chat commands every platform shares, one module per job: :mod:`~bot.commands.buttons`,
:mod:`~bot.commands.resolving` (names a fan types), :mod:`~bot.commands.following`,
:mod:`~bot.commands.settings`, :mod:`~bot.commands.match_answers`; :mod:`~bot.commands.base` runs
one in the chat's language. Runs on the database thread, like the engine."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.command_catalogue import CATALOGUE, CHANGES_SUBSCRIPTIONS, READ_ONLY
from bot.commands.base import Handler
from bot.commands.buttons import (
    BUTTON_ACTION,
    BUTTON_KINDS,
    TEAM_BUTTONS,
    ButtonPresses,
    Press,
    parse_press,
    press_needs_rights,
    press_refusal,
)
from bot.commands.match_answers import MatchAnswers
from bot.commands.resolving import KIND_WORDS, LEVEL_WORDS, Target
from bot.commands.settings import SettingsCommand
from bot.match import KeptStates
from bot.messages import templates
from bot.messages.model import Message
from bot.ports import CommandContext
from bot.store_contract import CoreStore

__all__ = [
    "BUTTON_ACTION",
    "BUTTON_KINDS",
    "CHANGES_SUBSCRIPTIONS",
    "KIND_WORDS",
    "LEVEL_WORDS",
    "READ_ONLY",
    "TEAM_BUTTONS",
    "Commands",
    "Handler",
    "Press",
    "Target",
    "parse_press",
    "press_needs_rights",
    "press_refusal",
]


class Commands(ButtonPresses, SettingsCommand, MatchAnswers):
    """Every chat command, answered from the store."""

    def __init__(
        self,
        store: CoreStore,
        clock: Callable[[], float] = time.time,
        states: KeptStates | None = None,
    ) -> None:
        super().__init__(store, clock, states)
        #: each command the store answers (the catalogue's), by the method named like it
        self.handlers = {
            c.name: getattr(self, c.name) for c in CATALOGUE if c.answered_by == "commands"
        }

    def start(self, ctx: CommandContext, args: str) -> Message:
        return templates.help_text(welcome=True)

    def help(self, ctx: CommandContext, args: str) -> Message:
        return templates.help_text()
