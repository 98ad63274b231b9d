"""/subscribe, /unsubscribe and /subscriptions: following teams, competitions and players."""

from __future__ import annotations

from bot.chat_settings import LEVEL_NAMES
from bot.commands.resolving import NameResolving, Target
from bot.messages import templates
from bot.messages.model import Message
from bot.ports import CommandContext

#: Teams, competitions and players one chat may follow at most: its /settings keyboard and
#: list stay within one message on every platform (Telegram's 100 buttons, Discord's limits).
MAX_FOLLOWS = 50


class Following(NameResolving):
    def subscribe(self, ctx: CommandContext, args: str) -> Message:
        kind, typed, level = self._parse_follow(args)
        target = self._resolve(typed, kind, "subscribe", level)
        if isinstance(target, Message):
            return target
        return self._follow(ctx, target, level)

    def _follow(self, ctx: CommandContext, target: Target, level: str | None) -> Message:
        follows = self.store.follows(ctx.platform, ctx.chat_id)
        known = any((r["kind"], r["target"]) == (target.kind, target.id) for r in follows)
        if not known and len(follows) >= MAX_FOLLOWS:
            return templates.too_many_follows(MAX_FOLLOWS, ctx.place)
        new = self.store.subscribe(ctx.platform, ctx.chat_id, target.id, target.kind, level)
        settings = self._chat_settings(ctx)
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
            return templates.level_changed(target.label, words, ctx.place, target.kind)
        if target.kind == "team" and level is None:
            return templates.subscribed(target.label, words, not new, ctx.place)
        return templates.followed(target.label, words, not new, ctx.place, target.kind)

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
        return templates.unsubscribed(target.label, was, ctx.place, target.kind)

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
