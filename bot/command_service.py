"""How a service answers the catalogue's commands: with a method named like the command,
``async def score(self, ctx, args) -> Message``. :meth:`bot.app.MatchBot.command` finds the
service from the command's ``answered_by`` and calls :meth:`AnswersByName.answer`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import cast

from bot.command_types import ChatCommand, Service
from bot.messages.model import Message
from bot.ports import CommandContext

#: One command's answer, as a service gives it.
Answer = Callable[[CommandContext, ChatCommand, str], Awaitable[Message]]


class AnswersByName:
    """A service answering commands with async methods named like them."""

    async def answer(self, ctx: CommandContext, command: ChatCommand, args: str) -> Message:
        handler = cast(Callable[[CommandContext, str], Awaitable[Message]], self.handler(command))
        return await handler(ctx, args)

    def handler(self, command: ChatCommand) -> Callable[..., object]:
        """The method that answers ``command``; AttributeError when the service has none."""
        found = getattr(self, command.name, None)
        if not callable(found):
            raise AttributeError(f"{type(self).__name__} has no handler for /{command.name}")
        return cast(Callable[..., object], found)


def check_handlers(
    commands: Iterable[ChatCommand], services: Mapping[Service, AnswersByName]
) -> None:
    """Fail at start-up, not at a fan's command, when a command of the catalogue answered by
    one of ``services`` has no handler there (AttributeError naming it)."""
    for command in commands:
        service = services.get(command.answered_by)
        if service is not None:
            service.handler(command)
