"""The one parser of text commands, for every platform where a command is typed (a Telegram
message, a console line): ``/Score@MatchBot  "Inter" `` is ``/score`` with ``Inter``.

It handles the ``@botname`` suffix (a command addressed to another bot is not ours), any
case, the catalogue's aliases and names in every language (``/segui`` is ``/subscribe``),
and quoting (``/subscribe "Inter"``: the quotes a phone may curl, too). What the arguments
mean is the command's own business; this only finds the command and its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.command_catalogue import CATALOGUE
from bot.command_types import Catalogue, ChatCommand
from bot.quoting import split_arguments, unquote

__all__ = ["TypedCommand", "parse_command", "split_arguments", "unquote"]

#: A command: ``/`` then its name, an optional ``@botname``, then its arguments.
_COMMAND = re.compile(r"/(?P<name>[^\s@/]+)(?:@(?P<bot>\S*))?(?:\s+(?P<args>.*))?", re.DOTALL)


@dataclass(frozen=True)
class TypedCommand:
    """A text command understood: the name as typed (folded), the catalogue's command it
    means (None: no command of ours, e.g. ``/frobnicate``), its arguments, and whether it
    named the bot (``/score@MatchBot``)."""

    typed: str
    command: ChatCommand | None
    args: str
    addressed: bool

    @property
    def name(self) -> str:
        """The command's name (``subscribe`` for ``/segui``), or the typed name when the
        catalogue has no such command (the core answers "I don't know /…")."""
        return self.command.name if self.command is not None else self.typed


def parse_command(
    text: str, bot_username: str | None = None, catalogue: Catalogue = CATALOGUE
) -> TypedCommand | None:
    """``text`` as a command, or None when it is not one or is addressed to another bot
    (``bot_username`` None: any ``@name`` is taken as the bot's, as on the console)."""
    found = _COMMAND.fullmatch(text.strip())
    if found is None:
        return None
    target = found["bot"]
    if (
        target is not None
        and bot_username not in (None, target)
        and not _same(target, bot_username)
    ):
        return None
    typed = found["name"].casefold()
    return TypedCommand(
        typed, catalogue.find(typed), unquote(found["args"] or ""), target is not None
    )


def _same(a: str, b: str | None) -> bool:
    return b is not None and a.casefold() == b.casefold()
