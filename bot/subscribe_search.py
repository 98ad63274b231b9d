"""``/subscribe`` a team the bot may not know yet: when providers can search teams, the
team's name is looked up there and followed (one team spelled as typed) or offered as
choices. Competitions, players and teams the bot knows go straight to the store's
``/subscribe`` (:class:`bot.commands.following.Following`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.command_service import AnswersByName
from bot.commands import Commands
from bot.messages import templates
from bot.messages.model import Message
from bot.ports import CommandContext, MatchSource
from bot.store_contract import CoreStore, DatabaseThread
from bot.team_choices import (
    TeamSearch,
    adopt,
    catalogue_answers,
    describe,
    offer,
    search_all,
    sure_pick,
)


class SearchingSubscribe(AnswersByName):
    """Answers the catalogue's commands ``answered_by="search"``."""

    def __init__(
        self,
        db: DatabaseThread,
        commands: Commands,
        sources: Iterable[MatchSource],
        clock: Callable[[], float],
    ) -> None:
        self.db = db
        self.commands = commands
        self.sources = sources
        self.clock = clock

    def searchers(self) -> list[TeamSearch]:
        return [s for s in self.sources if isinstance(s, TeamSearch)]

    async def subscribe(self, ctx: CommandContext, args: str) -> Message:
        team_text = None
        if args.strip() and ctx.can_manage and self.searchers():
            # a competition, a player, or a team the bot knows needs no provider search
            team_text = await self.db.run(self.commands.team_to_search, args)
        if team_text is None:
            return await self.db.run(self.commands.run, ctx, "subscribe", args)
        return await self._subscribe_any(ctx, team_text, args.strip())

    async def _subscribe_any(self, ctx: CommandContext, typed: str, args: str) -> Message:
        """``/subscribe`` a team the catalogue may not know: ask the providers, then follow
        the one team spelled as typed, or offer their answers as choices (``args``: all that
        was typed, ``typed`` the team's name in it)."""
        if not await self.db.call(lambda s: catalogue_answers(s, typed)):
            found = await search_all(self.searchers(), typed)
            if found:
                sure = sure_pick(typed, found)

                def choose(store: CoreStore) -> Message:
                    if sure is not None:
                        team = adopt(store, sure, describe(sure), self.clock())
                        return self.commands.run(ctx, "subscribe", team.name)
                    return templates.team_choices(typed, offer(store, found), "subscribe")

                return await self.db.call(choose)
        return await self.db.run(self.commands.run, ctx, "subscribe", args)
