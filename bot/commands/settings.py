"""/settings: the view, each setting's value checked, one subscription's level."""

from __future__ import annotations

from collections.abc import Callable

from bot.chat_settings import (
    DEPTH_ALIASES,
    DEPTH_SETTINGS,
    LEVEL_NAMES,
    MAX_SPOILER_DELAY,
    ON_OFF,
    SCOREBOARD_NAMES,
    SCOREBOARD_WORDS,
    ChatSettings,
    find_timezone,
    parse_digest_time,
    parse_whole_number,
)
from bot.commands.buttons import BUTTON_KINDS
from bot.commands.resolving import LEVEL_WORDS, NameResolving
from bot.messages import i18n, templates
from bot.messages.model import Message
from bot.ports import CommandContext

Setter = Callable[[ChatSettings, str], Message | None]


def _set_level(changed: ChatSettings, value: str) -> Message | None:
    if value.casefold() not in LEVEL_NAMES:
        return templates.settings_error(templates.bad_level(), "/settings level all")
    changed.level = value.casefold()  # type: ignore[assignment]
    return None


def _set_timezone(changed: ChatSettings, value: str) -> Message | None:
    zone = find_timezone(value)
    if zone is None:
        return templates.settings_error(
            templates.bad_timezone(value), "/settings timezone Europe/Rome"
        )
    changed.timezone = zone
    return None


def _set_digest(changed: ChatSettings, value: str) -> Message | None:
    if value.casefold() in ("off", "no", "none", "0"):
        changed.digest = None
        return None
    at = parse_digest_time(value)
    if at is None:
        return templates.settings_error(templates.bad_digest(), "/settings digest 09:00")
    changed.digest = at
    return None


def _set_spoiler(changed: ChatSettings, value: str) -> Message | None:
    seconds = parse_whole_number(value.removesuffix("s").strip(), 0, MAX_SPOILER_DELAY)
    if seconds is None:
        return templates.settings_error(
            templates.bad_spoiler(MAX_SPOILER_DELAY), "/settings spoiler 60"
        )
    changed.spoiler_delay = seconds
    return None


def _set_language(changed: ChatSettings, value: str) -> Message | None:
    language = i18n.normalize_language(value)
    if language is None:
        return templates.settings_error(templates.bad_language(), "/settings language it")
    changed.language = language
    return None


def _depth_setter(name: str) -> Setter:
    """An on/off switch of the depth settings (line-ups, statistics, pictures, scoreboard)."""

    def set_switch(changed: ChatSettings, value: str) -> Message | None:
        switch = ON_OFF.get(value.casefold())
        if switch is None:
            return templates.settings_error(
                templates.bad_switch(),
                f"/settings {name} {'on' if name == 'pictures' else 'off'}",
            )
        setattr(changed, name, switch)
        return None

    return set_switch


def _set_scoreboard(changed: ChatSettings, value: str) -> Message | None:
    choice = SCOREBOARD_WORDS.get(value.casefold())
    if choice is None:
        return templates.settings_error(templates.bad_scoreboard(), "/settings scoreboard with")
    changed.scoreboard = choice
    return None


#: ``/settings NAME VALUE``: each name a setting answers to, and what checks and sets its value
#: (returning the error to show, or None once set).
SETTERS: dict[str, Setter] = {
    "level": _set_level,
    "alerts": _set_level,
    "timezone": _set_timezone,
    "tz": _set_timezone,
    "zone": _set_timezone,
    "digest": _set_digest,
    "spoiler": _set_spoiler,
    "delay": _set_spoiler,
}
for _word in (*DEPTH_SETTINGS, *DEPTH_ALIASES):
    SETTERS.setdefault(_word, _depth_setter(DEPTH_ALIASES.get(_word, _word)))
for _word in SCOREBOARD_NAMES:
    SETTERS.setdefault(_word, _set_scoreboard)
for _word in ("language", "lang", "lingua"):
    SETTERS.setdefault(_word, _set_language)


class SettingsCommand(NameResolving):
    def settings(self, ctx: CommandContext, args: str) -> Message:
        current = self._zone(ctx)
        if not args:
            return self._settings_view(current, ctx)
        what, _, value = args.partition(" ")
        what, value = what.casefold(), value.strip()
        if what == "follow":
            return self._set_follow_level(ctx, current, value)
        if what == "subscription":
            return self._set_subscription_level(ctx, current, value)
        setter = SETTERS.get(what)
        if setter is None:
            return templates.settings_error(templates.bad_setting(), "/settings level all")
        changed = current.model_copy()
        problem = setter(changed, value)
        if problem is not None:
            return problem
        self.store.set_chat_settings(ctx.platform, ctx.chat_id, changed.as_dict())
        with i18n.use(changed.language):
            return self._settings_view(changed, ctx, note=templates.settings_saved())

    def _set_follow_level(self, ctx: CommandContext, current: ChatSettings, value: str) -> Message:
        """``follow c serie-a goals`` (a /settings button): one subscription's level; ``chat``
        goes back to the chat's level."""
        parts = value.split()
        if len(parts) != 3 or parts[0] not in BUTTON_KINDS:
            return templates.settings_error(
                templates.follow_level_hint(), "/subscribe serie a goals"
            )
        kind, ident, level = BUTTON_KINDS[parts[0]], parts[1], parts[2]
        chosen = LEVEL_WORDS.get(level)
        if chosen is None and level != "chat":
            return templates.button_expired()
        if not self.store.set_follow_level(ctx.platform, ctx.chat_id, kind, ident, chosen):
            return templates.button_expired()
        return self._settings_view(current, ctx, note=templates.settings_saved())

    def _set_subscription_level(
        self, ctx: CommandContext, current: ChatSettings, value: str
    ) -> Message:
        """``/settings subscription serie a goals``: one subscription's level."""
        kind, typed, level = self._parse_follow(value)
        if level is None:
            return templates.settings_error(
                templates.bad_follow_level(),
                "/settings subscription serie a goals",
            )
        target = self._followed_named(ctx, typed, kind)
        if target is None:
            found = self._resolve(typed, kind, "subscribe", level)
            if isinstance(found, Message):
                return found
            target = found
        if not self.store.set_follow_level(
            ctx.platform, ctx.chat_id, target.kind, target.id, level
        ):
            return templates.unsubscribed(target.label, False, ctx.place)
        return self._settings_view(current, ctx, note=templates.settings_saved())

    def _settings_view(
        self, s: ChatSettings, ctx: CommandContext | str, note: str | None = None
    ) -> Message:
        place = ctx if isinstance(ctx, str) else ctx.place
        follows = (
            []
            if isinstance(ctx, str)
            else [
                (str(r["kind"]), str(r["target"]), self._target_of(r).label, r["level"])
                for r in self.store.follows(ctx.platform, ctx.chat_id)
            ]
        )
        return templates.settings_view(
            s.level_name,
            s.level,
            s.timezone,
            s.spoiler_delay,
            note,
            place,
            s.language,
            follows=follows,
            digest=s.digest,
            depth={name: getattr(s, name) for name in DEPTH_SETTINGS},
            scoreboard=s.scoreboard,
        )
