"""/settings: the view, each setting's value checked, one subscription's level."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rapidfuzz import fuzz, process

from bot import command_catalogue
from bot.chat_settings import (
    DEPTH_SETTINGS,
    LEVEL_NAMES,
    MAX_SPOILER_DELAY,
    ON_OFF,
    SCOREBOARD_WORDS,
    ChatSettings,
    find_timezone,
    parse_digest_time,
    parse_whole_number,
)
from bot.command_text import unquote
from bot.command_types import ChatCommand
from bot.commands.buttons import BUTTON_KINDS, FOLLOW_BUTTON
from bot.commands.resolving import LEVEL_WORDS, NameResolving
from bot.messages import i18n, templates
from bot.messages.model import Message
from bot.messages.templates.vocabulary import slash
from bot.ports import CommandContext

Setter = Callable[[ChatSettings, str], Message | None]


def _set_level(changed: ChatSettings, value: str) -> Message | None:
    """``all``, ``key``, ``goals`` (``everything``; Italian ``tutto``, ``principali``,
    ``gol``); a near miss (``gaols``) gets the level it was meant to be."""
    level = LEVEL_WORDS.get(value.casefold())
    if level is None or level not in LEVEL_NAMES:
        example = f"{settings_command()} {setting_name('level')}"
        near = process.extractOne(
            value.casefold(), list(LEVEL_WORDS), scorer=fuzz.ratio, score_cutoff=65
        )
        if value and near is not None:
            return templates.unknown_value(value, f"{example} {near[0]}")
        return templates.settings_error(templates.bad_level(), f"{example} all")
    changed.level = level  # type: ignore[assignment]
    return None


def _set_timezone(changed: ChatSettings, value: str) -> Message | None:
    zone = find_timezone(value)
    if zone is None:
        return templates.settings_error(
            templates.bad_timezone(value),
            _example("timezone", "Europe/Rome"),
        )
    changed.timezone = zone
    return None


def _set_digest(changed: ChatSettings, value: str) -> Message | None:
    if value.casefold() in ("off", "no", "none", "0"):
        changed.digest = None
        return None
    at = parse_digest_time(value)
    if at is None:
        return templates.settings_error(templates.bad_digest(), _example("digest", "09:00"))
    changed.digest = at
    return None


def _set_spoiler(changed: ChatSettings, value: str) -> Message | None:
    seconds = parse_whole_number(value.removesuffix("s").strip(), 0, MAX_SPOILER_DELAY)
    if seconds is None:
        return templates.settings_error(
            templates.bad_spoiler(MAX_SPOILER_DELAY),
            _example("spoiler", "60"),
        )
    changed.spoiler_delay = seconds
    return None


def _set_language(changed: ChatSettings, value: str) -> Message | None:
    language = i18n.normalize_language(value)
    if language is None:
        return templates.settings_error(templates.bad_language(), _example("language", "it"))
    changed.language = language
    return None


def _depth_setter(name: str) -> Setter:
    """An on/off switch of the depth settings (line-ups, statistics, pictures, scoreboard)."""

    def set_switch(changed: ChatSettings, value: str) -> Message | None:
        switch = ON_OFF.get(value.casefold())
        if switch is None:
            return templates.settings_error(
                templates.bad_switch(),
                _example(name, "on" if name == "pictures" else "off"),
            )
        setattr(changed, name, switch)
        return None

    return set_switch


def _set_scoreboard(changed: ChatSettings, value: str) -> Message | None:
    choice = SCOREBOARD_WORDS.get(value.casefold())
    if choice is None:
        return templates.settings_error(templates.bad_scoreboard(), _example("scoreboard", "with"))
    changed.scoreboard = choice
    return None


#: ``/settings KEY VALUE``: what checks and sets the value of each key of /settings' arguments
#: in the catalogue (returning the error to show, or None once set). A key's names in every
#: language and its aliases are the catalogue's (``Argument.keys``); a key without a setter
#: here fails at start-up (:meth:`SettingsCommand.check_setters`).
SETTERS: dict[str, Setter] = {
    "level": _set_level,
    "timezone": _set_timezone,
    "digest": _set_digest,
    "spoiler": _set_spoiler,
    "language": _set_language,
    "scoreboard": _set_scoreboard,
    **{name: _depth_setter(name) for name in DEPTH_SETTINGS},
}
#: What /settings answers itself, not through a setter: one subscription's level, a page.
VIEW_KEYS = frozenset({"subscription", "page"})


def _settings_entry() -> ChatCommand:
    return command_catalogue.BY_NAME["settings"]


def setting_names(command: ChatCommand) -> dict[str, dict[str, str]]:
    """Each listed key of ``command`` (``level``) and its name in each language."""
    languages = (i18n.DEFAULT_LANGUAGE, *(lang for a in command.arguments for lang in a.names))
    return {
        a.key: {lang: a.key_in(lang) for lang in dict.fromkeys(languages)}
        for a in command.arguments
        if a.key and a.listed and not a.only_looks
    }


def setting_of(command: ChatCommand) -> dict[str, str]:
    """The listed key each name of ``command``'s keys (any language, any alias) belongs to."""
    listed = setting_names(command)
    return {word: a.key for a in command.arguments if a.key in listed for word in a.keys}


#: Each setting's name as a chat of that language reads it (the others are aliases).
SETTING_NAMES: dict[str, dict[str, str]] = setting_names(_settings_entry())
#: The setting each name (any language, any alias) belongs to.
SETTING_OF: dict[str, str] = setting_of(_settings_entry())


def setting_name(setting: str, command: ChatCommand | None = None) -> str:
    """``level`` / ``livello``: a setting's name in the current language."""
    argument = (command or _settings_entry()).keyed(setting)
    return argument.key_in(i18n.current()) if argument is not None else setting


def _example(setting: str, value: str) -> str:
    """``/settings level all`` / ``/impostazioni livello all``, for an error's example."""
    return f"{settings_command()} {setting_name(setting)} {value}"


def closest_setting(typed: str, command: ChatCommand | None = None) -> str | None:
    """The setting a mistyped name was meant to be (``levle``, ``lingu``), if one is clearly
    near: compared with every name and alias, in every language."""
    names = SETTING_OF if command is None else setting_of(command)
    found = process.extractOne(typed.casefold(), list(names), scorer=fuzz.ratio, score_cutoff=65)
    return None if found is None else names[found[0]]


def settings_command() -> str:
    """``/settings`` / ``/impostazioni``: the command as the chat's language names it."""
    return "/" + _settings_entry().name_in(i18n.current())


def _unknown_setting(entry: ChatCommand, typed: str, value: str) -> Message:
    """``I don't know the setting “levle”. Did you mean /settings level goals?`` in the chat's
    language (``Forse intendevi /impostazioni lingua it?``); the list when nothing is near."""
    meant = closest_setting(typed, entry)
    command = settings_command()
    if meant is None:
        names = [names.get(i18n.current(), key) for key, names in setting_names(entry).items()]
        return templates.settings_error(
            templates.bad_setting(names), f"{command} {setting_name('level')} all"
        )
    suggestion = " ".join(p for p in (command, setting_name(meant, entry), value) if p)
    return templates.unknown_setting(typed, suggestion)


class SettingsCommand(NameResolving):
    #: each key's setter (a subclass may add its own, with the key in its catalogue)
    setters: ClassVar[dict[str, Setter]] = SETTERS

    def check_setters(self) -> None:
        """Every key of /settings in the catalogue has its setter (or /settings answers it
        itself): a key without one fails at start-up, as a command without its handler."""
        command = self.catalogue.by_name.get("settings")
        for argument in command.arguments if command is not None else ():
            if argument.key and argument.key not in self.setters | dict.fromkeys(VIEW_KEYS):
                raise AttributeError(f"/settings has no setter for its key {argument.key!r}")

    def settings(self, ctx: CommandContext, args: str) -> Message:
        current = self._chat_settings(ctx)
        if not args:
            return self._settings_view(current, ctx)
        what, value = _key_and_value(args)
        if what == FOLLOW_BUTTON:  # a subscription's level button (``follow c serie-a goals``)
            return self._set_follow_level(ctx, current, value)
        entry = self.catalogue.by_name["settings"]
        argument = entry.keyed(what)
        key = argument.key if argument is not None else ""
        if key == "page":  # "more…": a page of the subscriptions, anyone may look
            return self._settings_view(current, ctx, page=_page_number(unquote(value)))
        if key == "subscription":
            return self._set_subscription_level(ctx, current, value)
        setter = self.setters.get(key)
        if setter is None:
            return _unknown_setting(entry, what, value)
        changed = current.model_copy()
        problem = setter(changed, unquote(value))
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
                templates.follow_level_hint(), f"{slash('subscribe')} serie a goals"
            )
        kind, ident, level = BUTTON_KINDS[parts[0]], parts[1], parts[2]
        chosen = LEVEL_WORDS.get(level)
        if chosen is None and level != "chat":
            return templates.button_expired()
        if not self.store.set_follow_level(ctx.platform, ctx.chat_id, kind, ident, chosen):
            return templates.button_expired()
        return self._settings_view(
            current, ctx, note=templates.settings_saved(), showing=(kind, ident)
        )

    def _set_subscription_level(
        self, ctx: CommandContext, current: ChatSettings, value: str
    ) -> Message:
        """``/settings subscription serie a goals``: one subscription's level."""
        kind, typed, level = self._parse_follow(value)
        if level is None:
            return templates.settings_error(
                templates.bad_follow_level(),
                _example("subscription", "serie a goals"),
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
            return templates.unsubscribed(target.label, False, ctx.place, target.kind)
        return self._settings_view(current, ctx, note=templates.settings_saved())

    def _settings_view(
        self,
        s: ChatSettings,
        ctx: CommandContext | str,
        note: str | None = None,
        page: int = 1,
        showing: tuple[str, str] | None = None,
    ) -> Message:
        """The settings, on ``page`` of the subscriptions, or on the page ``showing`` the
        subscription (kind, id) whose button was just pressed."""
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
            page=templates.follow_page_of(follows, *showing) if showing else page,
        )


def _key_and_value(args: str) -> tuple[str, str]:
    """``ritardo 60`` → (``ritardo``, ``60``): the key folded, the value as typed."""
    what, _, value = args.strip().partition(" ")
    return unquote(what).casefold(), value.strip()


def _page_number(typed: str) -> int:
    """``/settings page 2``'s page (the first for anything but a number from 1 to 99)."""
    typed = typed.strip()
    return int(typed) if typed.isascii() and typed.isdigit() and 0 < len(typed) < 3 else 1
