"""Following teams, competitions and players: /subscribe, /follow, /unfollow, /following."""

from __future__ import annotations

from collections.abc import Sequence

from bot.messages.grammar import TeamName
from bot.messages.i18n import _
from bot.messages.model import Button, Message, Section, bold, line, quoted
from bot.messages.names import competition_name, team_name
from bot.messages.templates.vocabulary import echo, reply, slash, this_place


def followed_name(label: str, kind: str) -> str | TeamName:
    """What a chat follows, as a sentence names it: a competition with its Italian name and
    article (``segue la Serie A``, ``i Mondiali``), a team with its own (``l'Inter``), a
    player by his label."""
    if kind == "competition":
        return competition_name(label)
    return team_name(label) if kind == "team" else label


def subscribed(team: str, level: str, already: bool, place: str = "chat") -> Message:
    if already:
        return reply(_("{place} already follows {team}.", place=this_place(place), team=team))
    return reply(
        _(
            "✅ {place} now follows {team}. Alerts: {level}.",
            place=this_place(place),
            team=team,
            level=_(level),
        )
    )


def unsubscribed(team: str, was: bool, place: str = "chat", kind: str = "team") -> Message:
    named = followed_name(team, kind)
    if not was:
        return reply(_("{place} doesn't follow {team}.", place=this_place(place), team=named))
    return reply(_("🔕 {place} no longer follows {team}.", place=this_place(place), team=named))


def subscriptions(teams: Sequence[str], place: str = "chat") -> Message:
    if not teams:
        return follows_nothing(place, "subscribe")
    return reply(line(_("{place} follows: ", place=this_place(place)), bold(", ".join(teams))))


def follows_nothing(place: str, command: str) -> Message:
    hint = _("Try ") if command == "subscribe" else _("Ask for one: ")
    return reply(
        _("{place} follows no team yet.", place=this_place(place)),
        line(hint, bold(f"{slash(command)} inter"), "."),
    )


def need_target(command: str) -> Message:
    """``/command`` needs what to follow: a question, whose answer runs it
    (:mod:`bot.questions`)."""
    name = slash(command)
    asked = reply(
        line(
            _("Which team, competition or player? For example: "),
            bold(f"{name} inter"),
            ", ",
            bold(f"{name} serie a"),
        ),
        # a command, not a sentence (an f-string's tail would read as one to the i18n check)
        line(_("or "), bold("/{c} {p} Lautaro Martínez".format(c=name[1:], p=_("player"))), "."),
        kind="error",
    )
    return asked.model_copy(update={"asks": command})


def _unknown_what(kind: str | None) -> str:
    if kind == "team":
        return _("I don't know a team called ")
    if kind == "competition":
        return _("I don't know a competition called ")
    if kind == "player":
        return _("I don't know a player called ")
    return _("I don't know a team, competition or player called ")


def unknown_target(
    typed: str, suggestions: Sequence[tuple[str, str]], command: str, kind: str | None
) -> Message:
    """Nothing matched ``typed``: the closest (action target, label) pairs as buttons.
    ``kind``: what was asked for (None: a team, a competition or a player)."""
    if not suggestions:
        hint = (
            _("Players are known once a match of theirs is in my data; try the full name.")
            if kind == "player"
            else _("Check the spelling, or try the usual short name (inter, serie a, world cup).")
        )
        return reply(line(_unknown_what(kind), quoted(echo(typed)), "."), hint, kind="error")
    names = ", ".join(label for _t, label in suggestions)
    return reply(
        line(_unknown_what(kind), quoted(echo(typed)), "."),
        line(_("Did you mean: "), bold(names), "?"),
        kind="suggestions",
        buttons=[Button(label=label, action=f"{command}:{t}") for t, label in suggestions],
    )


def which_one(typed: str, options: Sequence[tuple[str, str]], command: str) -> Message:
    """``typed`` names several things (a team and a competition, two players): ask which."""
    return reply(
        line(
            quoted(echo(typed)),
            _(" could be: "),
            bold(", ".join(label for _t, label in options)),
            ".",
        ),
        _("Which one?"),
        kind="suggestions",
        buttons=[Button(label=label, action=f"{command}:{t}") for t, label in options],
    )


def kind_label(label: str, kind: str) -> str:
    """``Champions (team)``, ``Champions League (competition)``."""
    words = {"team": _("team"), "competition": _("competition"), "player": _("player")}
    return f"{label} ({words.get(kind, kind)})"


def followed(
    label: str, level: str, already: bool, place: str = "chat", kind: str = "player"
) -> Message:
    """The answer to /subscribe for a competition or a player (``level`` in words)."""
    named = followed_name(label, kind)
    if already:
        return reply(
            _(
                "{place} already follows {what}. Alerts: {level}.",
                place=this_place(place),
                what=named,
                level=_(level),
            )
        )
    return reply(
        _(
            "✅ {place} now follows {team}. Alerts: {level}.",
            place=this_place(place),
            team=named,
            level=_(level),
        )
    )


def level_changed(label: str, level: str, place: str = "chat", kind: str = "team") -> Message:
    return reply(
        _(
            "✅ {place} follows {what} with alerts: {level}.",
            place=this_place(place),
            what=followed_name(label, kind),
            level=_(level),
        )
    )


def follow_list(follows: Sequence[tuple[str, str, str | None]], place: str = "chat") -> Message:
    """/subscriptions: (kind, label, level in words or None for the chat's level)."""
    if not follows:
        return follows_nothing(place, "subscribe")
    titles = {"team": _("Teams"), "competition": _("Competitions"), "player": _("Players")}
    sections = []
    for kind, title in titles.items():
        rows = [
            line(bold(label), f" — {_(level)}" if level else "")
            for k, label, level in follows
            if k == kind
        ]
        if rows:
            sections.append(Section(title=title, lines=tuple(rows)))
    return Message(
        kind="reply",
        headline=line(_("{place} follows:", place=this_place(place))),
        sections=tuple(sections),
    )


def too_many_follows(most: int, place: str = "chat") -> Message:
    """/subscribe beyond the chat's cap: nothing changes."""
    return reply(
        _(
            "{place} already follows {most} teams, competitions and players: the most it can.",
            place=this_place(place),
            most=most,
        ),
        _("Unsubscribe from one first (/subscriptions lists them)."),
        kind="error",
    )
