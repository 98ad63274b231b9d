"""What every command shares: running one in a chat's language, the read-only path, the
chat's settings. The commands themselves are the mixins next to it; :class:`bot.commands.Commands`
puts them together. Runs on the database thread, like the engine.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from bot.chat_settings import ChatSettings
from bot.command_catalogue import CATALOGUE
from bot.command_types import Catalogue
from bot.match import KeptStates
from bot.messages import i18n, templates
from bot.messages.model import Message
from bot.ports import CommandContext
from bot.store_contract import CoreStore
from bot.teams import Team

Handler = Callable[[CommandContext, str], Message]


class CommandsBase:
    """The store, the clock and the kept match states every command answers from; ``handlers``
    (name → method) is filled by :class:`bot.commands.Commands`."""

    handlers: dict[str, Handler]

    def __init__(
        self,
        store: CoreStore,
        clock: Callable[[], float] = time.time,
        states: KeptStates | None = None,
        catalogue: Catalogue = CATALOGUE,
    ) -> None:
        self.store = store
        self.clock = clock
        #: the states of the matches asked about, where live matches grow event by event: the
        #: one cache of the running bot (:class:`bot.app.MatchBot` hands the same one to the
        #: engine and the commands)
        self.states = states if states is not None else KeptStates()
        #: the commands, their names and rights (the bot's own catalogue but in tests)
        self.catalogue = catalogue
        #: competition → (its events' version and the limit, the ranking then)
        self._scorers: dict[
            str, tuple[tuple[tuple[int, int], int], list[tuple[str, str, int]]]
        ] = {}

    def run(self, ctx: CommandContext, name: str, args: str) -> Message:
        """Answer ``/name args`` typed in ``ctx``'s chat, in the chat's language."""
        self.store.ensure_chat(ctx.platform, ctx.chat_id, ctx.chat_title, ctx.chat_kind)
        with i18n.use(self.language(ctx)):
            command = self.catalogue.find(name)
            handler = self.handlers.get(command.name) if command is not None else None
            if command is None or handler is None:
                return templates.unknown_command(name.casefold())
            if command.needs_rights(args) and not ctx.can_manage:
                return templates.admins_only_in(ctx.place)
            return handler(ctx, args.strip())

    def answer_read_only(self, ctx: CommandContext, name: str, args: str) -> Message | None:
        """:meth:`run` for a command that only reads, on a read-only connection; None when
        the answer needs a write (not such a command, a chat new, inactive or renamed, a
        language to remember): then :meth:`run` it on the writing connection."""
        command = self.catalogue.find(name)
        if command is None or not command.read_only or command.name not in self.handlers:
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
            return self.handlers[command.name](ctx, args.strip())

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

    def _chat_settings(
        self, ctx: CommandContext | None = None, platform_chat: tuple[str, str] | None = None
    ) -> ChatSettings:
        platform, chat_id = platform_chat or (ctx.platform, ctx.chat_id)  # type: ignore[union-attr]
        return ChatSettings.model_validate(self.store.chat_settings(platform, chat_id))

    def _chat_teams(self, ctx: CommandContext) -> list[Team]:
        return [
            Team(r["id"], r["name"]) for r in self.store.followed_teams(ctx.platform, ctx.chat_id)
        ]
