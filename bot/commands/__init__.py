"""The chat commands every platform shares, one module per job: :mod:`~bot.commands.buttons`,
:mod:`~bot.commands.resolving` (names a fan types), :mod:`~bot.commands.following`,
:mod:`~bot.commands.settings`, :mod:`~bot.commands.match_answers`; :mod:`~bot.commands.base` runs
one in the chat's language. Runs on the database thread, like the engine."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.command_catalogue import CATALOGUE
from bot.command_types import Catalogue
from bot.commands.base import Handler
from bot.commands.buttons import (
    BUTTON_ACTION,
    BUTTON_KINDS,
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
    "KIND_WORDS",
    "LEVEL_WORDS",
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
        catalogue: Catalogue = CATALOGUE,
    ) -> None:
        super().__init__(store, clock, states, catalogue)
        #: each command of the catalogue the store answers, by the method named like it: those
        #: answered by the store, and those another service leaves to it at times (``/scorers``
        #: of a team, ``/subscribe`` of a team the bot knows)
        self.handlers = {
            c.name: getattr(self, c.name)
            for c in catalogue
            if c.answered_by == "commands" or callable(getattr(self, c.name, None))
        }
        self.check_setters()

    def start(self, ctx: CommandContext, args: str) -> Message:
        return templates.help_text(welcome=True, catalogue=self.catalogue)

    def help(self, ctx: CommandContext, args: str) -> Message:
        return templates.help_text(catalogue=self.catalogue)
