"""/settings: the view, its choices, saved and refused values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.chat_settings import (
    DEPTH_SETTINGS,
    LEVEL_LABELS,
    LEVEL_NAMES,
    LEVEL_RANK,
    MAX_SPOILER_DELAY,
    SCOREBOARD_CHOICES,
    SPOILER_PRESETS,
)
from bot.messages.i18n import LANGUAGES, N_, _, or_list
from bot.messages.model import Button, Line, Message, Section, bold, line
from bot.messages.templates.vocabulary import echo, place_name, reply, setting_key, slash

#: the delays /settings offers as buttons, up to the longest a chat may choose
SPOILER_CHOICES = SPOILER_PRESETS


def delay_text(seconds: int) -> str:
    if not seconds:
        return _("off")
    if seconds < 60 or seconds % 60:
        return _("{seconds} s", seconds=seconds)
    return _("{minutes} min", minutes=seconds // 60)


#: Each depth switch's button: (to turn it off, to turn it on).
SWITCH_LABELS: dict[str, tuple[str, str]] = {
    "lineups": (N_("Line-ups: turn off"), N_("Line-ups: turn on")),
    "stats": (N_("Stats: turn off"), N_("Stats: turn on")),
    "pictures": (N_("Match card: turn off"), N_("Match card: turn on")),
}


#: Each scoreboard choice's button
SCOREBOARD_LABELS: dict[str, str] = {
    "off": N_("Live board off"),
    "with": N_("Live board + alerts"),
    "instead": N_("Live board only"),
}


def bad_scoreboard() -> str:
    return _("The live scoreboard is off, with (the alerts) or instead (of the live alerts).")


def bad_switch() -> str:
    return _("That setting is on or off.")


#: The languages a chat can choose, as each language calls itself.
LANGUAGE_CHOICES = tuple(LANGUAGES.items())


def settings_view(
    level_name: str,
    level: str,
    timezone: str,
    spoiler_delay: int,
    note: str | None = None,
    place: str = "chat",
    language: str = "en",
    follows: Sequence[tuple[str, str, str, str | None]] = (),
    digest: str | None = None,
    depth: Mapping[str, str] | None = None,
    scoreboard: str = "off",
    page: int = 1,
) -> Message:
    """The chat's settings, with a button for each choice. ``follows`` are the chat's
    subscriptions as (kind, target id, label, level or None for the chat's level): each gets
    a line and a button that moves it to the next level, :data:`FOLLOWS_PER_PAGE` of them a
    page (``page``, from 1), with "more…" and "back" buttons between the pages."""
    rows = [
        line(_("Alerts: "), bold(_(level_name))),
        line(_("Time zone: "), bold(timezone)),
        line(_("Spoiler delay: "), bold(delay_text(spoiler_delay))),
        line(_("Language: "), bold(dict(LANGUAGE_CHOICES).get(language, language))),
        line(
            _("Daily digest: "),
            bold(_("at {time}", time=digest) if digest else _("off")),
        ),
    ]
    switches = depth or {}
    for name, value in switches.items():
        label = DEPTH_SETTINGS[name][1]
        rows.append(
            line(_(label).capitalize() + ": ", bold(_("on") if value == "on" else _("off")))
        )
    rows.append(line(_("Live scoreboard: "), bold(_(SCOREBOARD_CHOICES[scoreboard]))))
    how = _how_to_change(bool(follows), page_count(len(follows)) > 1)
    buttons = (
        [
            Button(
                label=("✓ " if level == value else "") + _(label), action=f"settings:level:{value}"
            )
            for value, label in LEVEL_LABELS.items()
        ]
        + [
            Button(
                label=("✓ " if spoiler_delay == s else "")
                + _("Delay {delay}", delay=delay_text(s)),
                action=f"settings:spoiler:{s}",
            )
            for s in SPOILER_CHOICES
        ]
        + [
            Button(
                label=("✓ " if language == code else "") + name,
                action=f"settings:language:{code}",
            )
            for code, name in LANGUAGE_CHOICES
        ]
    )
    for name, value in switches.items():
        other = "off" if value == "on" else "on"
        buttons.append(
            Button(label=_(SWITCH_LABELS[name][other == "on"]), action=f"settings:{name}:{other}")
        )
    buttons += [
        Button(label=_(SCOREBOARD_LABELS[choice]), action=f"settings:scoreboard:{choice}")
        for choice in SCOREBOARD_CHOICES
        if choice != scoreboard
    ]
    shown, title, turns = follows_page(follows, page)
    for kind, target, label, lvl in shown:
        following = FOLLOW_CYCLE[(FOLLOW_CYCLE.index(lvl) + 1) % len(FOLLOW_CYCLE)]
        buttons.append(
            Button(
                label=f"{label}: {follow_level_text(lvl)} → {follow_level_text(following)}",
                action=f"settings:follow:{kind[0]}:{target}:{following or 'chat'}",
            )
        )
    buttons += turns
    sections = [Section(lines=tuple(rows))]
    if shown:
        sections.append(
            Section(
                title=title,
                lines=tuple(
                    line(f"{label}: ", bold(follow_level_text(lvl)))
                    for _kind, _target, label, lvl in shown
                ),
            )
        )
    sections.append(Section(title=_("Change"), lines=tuple(how)))
    head = note or _("⚙️ Settings for this {place}", place=place_name(place))
    return Message(
        kind="settings", headline=line(bold(head)), sections=tuple(sections), buttons=tuple(buttons)
    )


#: Subscriptions shown (a line and a button each) on one page of /settings: with the other
#: buttons, a keyboard stays far inside Telegram's 100 buttons and Discord's 25 components.
FOLLOWS_PER_PAGE = 10

Follow = tuple[str, str, str, str | None]


def page_count(follows: int) -> int:
    return max(1, -(-follows // FOLLOWS_PER_PAGE))


def follows_page(
    follows: Sequence[Follow], page: int
) -> tuple[Sequence[Follow], str, list[Button]]:
    """The subscriptions on ``page`` (a page past the last shows the last), the section's
    title ("Alerts per subscription (11–20 of 34)" when there are several pages), and the
    buttons that turn the pages."""
    pages = page_count(len(follows))
    page = min(max(page, 1), pages)
    start = (page - 1) * FOLLOWS_PER_PAGE
    shown = follows[start : start + FOLLOWS_PER_PAGE]
    title = _("Alerts per subscription")
    if pages == 1:
        return shown, title, []
    title += _(
        " ({first}–{last} of {count})", first=start + 1, last=start + len(shown), count=len(follows)
    )
    turns = []
    if page > 1:
        turns.append(Button(label=_("« back"), action=f"settings:page:{page - 1}"))
    if page < pages:
        turns.append(Button(label=_("more…"), action=f"settings:page:{page + 1}"))
    return shown, title, turns


def follow_page_of(follows: Sequence[Follow], kind: str, target: str) -> int:
    """The page of /settings that shows the subscription to ``target`` (1 if none does)."""
    for i, (k, t, _label, _level) in enumerate(follows):
        if (k, t) == (kind, target):
            return i // FOLLOWS_PER_PAGE + 1
    return 1


#: The levels a subscription's button steps through (None: the chat's own level).
FOLLOW_CYCLE: tuple[str | None, ...] = (None, *LEVEL_RANK)


def follow_level_text(level: str | None) -> str:
    return _(LEVEL_NAMES[level]) if level else _("chat's level")


def settings_saved() -> str:
    return _("✅ Settings saved")


def bad_level() -> str:
    return _("The alert level is {levels}.", levels=or_list(list(LEVEL_RANK)))


def bad_timezone(typed: str) -> str:
    return _("I don't know the time zone “{typed}”.", typed=echo(typed))


def bad_spoiler(most: int) -> str:
    return _("The spoiler delay is 0 to {most} seconds.", most=most)


def bad_language() -> str:
    return _(
        "The language is {languages}.",
        languages=or_list([f"{code} ({name})" for code, name in LANGUAGES.items()]),
    )


def _how_to_change(follows: bool, pages: bool) -> list[Line]:
    """The view's "Change" lines, typed as the chat's language types them (``/impostazioni
    livello gol|principali|tutto``): the command and its keys from the catalogue, the values
    in words the setting takes in that language."""
    cmd, key = slash("settings"), setting_key
    every_level = "|".join(LEVEL_RANK)
    levels = _(every_level)  # in Italian the words the level setting takes there (the .po)
    how = [
        line(bold(f"{cmd} {key('level')} {levels}")),
        line(bold(f"{cmd} {key('timezone')} Europe/Rome")),
        line(
            bold(f"{cmd} {key('spoiler')} 0-{MAX_SPOILER_DELAY}"),
            _(" (seconds to hold live alerts back, for fans watching a delayed stream)"),
        ),
        line(bold(f"{cmd} {key('language')} {'|'.join(LANGUAGES)}")),
        line(
            bold(f"{cmd} {key('lineups')}|{key('stats')}|{key('pictures')} {_('on|off')}"),
            _(" (line-ups, statistics, the match card picture)"),
        ),
        line(
            bold(f"{cmd} {key('scoreboard')} {_('off|with|instead')}"),
            _(" (one message per match, edited as it goes: with the alerts or instead of them)"),
        ),
        line(
            bold(f"{cmd} {key('digest')} 09:00"),
            _(" (today's matches every day at that time; off)"),
        ),
    ]
    if follows:
        example = f"{slash('subscribe')} serie a {levels.split('|')[0]}"
        how.append(line(bold(example), _(" (one subscription's level)")))
    if pages:
        how.append(line(bold(f"{cmd} {key('page')} 2"), _(" (more subscriptions, 10 a page)")))
    return how


def bad_setting(names: list[str]) -> str:
    """The settings there are, by their names in the chat's language."""
    return _("I can change: {names}.", names=", ".join(names))


def unknown_setting(typed: str, suggestion: str) -> Message:
    """``I don't know the setting “levle”. Did you mean /settings level goals?``"""
    return reply(
        _(
            "I don't know the setting “{typed}”. Did you mean {suggestion}?",
            typed=echo(typed),
            suggestion=suggestion,
        ),
        kind="error",
    )


def unknown_value(typed: str, suggestion: str) -> Message:
    """``I don't know “gaols”. Did you mean /settings level goals?``"""
    return reply(
        _("I don't know “{typed}”. Did you mean {suggestion}?", typed=echo(typed),
          suggestion=suggestion),
        kind="error",
    )  # fmt: skip


def bad_digest() -> str:
    return _("The digest time is a time of day, like 09:00 (or off).")


def bad_follow_level() -> str:
    return _("Name a subscription and a level: {levels}.", levels=or_list(list(LEVEL_RANK)))


def follow_level_hint() -> str:
    return _("Change a subscription's level with /subscribe.")


def button_expired() -> Message:
    return reply(_("That button has expired. Type the command again."))


def settings_error(text: str, example: str) -> Message:
    return reply(text, line(_("For example: "), bold(example)), kind="error")
