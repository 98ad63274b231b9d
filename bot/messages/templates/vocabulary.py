"""Words every audience shares: competitions, rounds, reasons, minutes, scorelines, a
fixture's line and the short reply every answer is built from.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError

from bot.command_catalogue import CATALOGUE
from bot.feed_format import (
    FEED_LANGUAGE,
    Event,
    GoalDisallowedEvent,
    GoalEvent,
    Quote,
)
from bot.match import Fixture, MatchState, Score, is_known_scorer
from bot.messages.grammar import TeamName
from bot.messages.i18n import N_, _, current, date_text, datetime_text, italian_al
from bot.messages.model import Button, Line, Message, MessageKind, Section, line
from bot.messages.names import competition_text, round_text, team_name
from bot.messages.who_and_when import named_scorer
from bot.ties import TieResult


def slash(command: str) -> str:
    """``/subscribe`` as the current language names it (``/segui``): a hint names the command
    the chat can type. A name the catalogue does not know is written as it is."""
    found = CATALOGUE.find(command)
    return "/" + (found.name_in(current()) if found is not None else command)


def setting_key(key: str) -> str:
    """``level`` as the current language names the setting (``livello``): what the chat types
    after ``/settings``. A key the catalogue does not know is written as it is."""
    settings = CATALOGUE.find("settings")
    argument = settings.keyed(key) if settings is not None else None
    return argument.key_in(current()) if argument is not None else key


REASONS = {
    "offside": N_("offside"),
    "foul": N_("foul"),
    "handball": N_("handball"),
    "var": N_("VAR review"),
    "other": N_("other reasons"),
}


RULED_OUT = {
    "offside": N_("ruled out for offside"),
    "foul": N_("ruled out for a foul"),
    "handball": N_("ruled out for handball"),
    "var": N_("ruled out after a VAR review"),
    "other": N_("ruled out"),
}


def round_name(name: str | None) -> str | None:
    """``Matchday 17`` / ``17ª giornata``, ``Round of 16, first leg`` / ``ottavi di finale,
    andata`` (see :func:`bot.messages.names.round_text`); anything else as the feed has it."""
    return round_text(name)


def competition_name(name: str) -> str:
    """``World Cup`` → ``Mondiali`` in Italian; unknown names stay as they are."""
    return competition_text(name)


def ruled_out_text(event: GoalDisallowedEvent) -> str:
    """``ruled out for offside, in the build-up``: the feed's detail only in its language."""
    detail = f", {event.detail}" if event.detail and not foreign_language(event) else ""
    return f"{_(RULED_OUT[event.reason])}{detail}"


PENALTY_OUTCOMES = {
    "saved": N_("saved"),
    "missed": N_("off target"),
    "woodwork": N_("hits the woodwork"),
}


def minute(event: Event) -> str:
    """The match clock as fans write it: ``65'``, ``45+2'``; an estimated minute ``~34'``."""
    extra = f"+{event.stoppage}" if event.stoppage else ""
    return f"{'~' if event.minute_estimated else ''}{event.minute}{extra}'"


def language_name(code: str) -> str:
    """``en`` → ``English`` / ``inglese`` in the current language (Babel's names)."""
    try:
        name: str = Locale(current()).languages.get(code, code)
    except (UnknownLocaleError, ValueError):
        return code
    return name


def foreign_language(item: Event | Quote) -> str | None:
    """The language of an item's own words (``text``, ``detail``, ``role``) when it is not the
    chat's: those words are not pasted into the chat's sentences. None when it is."""
    lang = item.lang or FEED_LANGUAGE
    return None if lang == current() else lang


def in_language(code: str) -> str:
    """`` (in English)`` / `` (in inglese)``: the mark after words kept as they were written."""
    return _(" (in {language})", language=language_name(code))


def scoreline(fixture: Fixture, score: Score) -> str:
    return f"{fixture.home} {score.home}-{score.away} {fixture.away}"


def result_line(state: MatchState) -> str:
    """``Atalanta 0-1 Inter``, with ``(a.e.t.)`` and the shoot-out where they apply."""
    text = scoreline(state.fixture, state.score)
    if state.extra_time:
        text += _(" (a.e.t.)")
    if state.shootout is not None:
        s = state.shootout
        if s.home != s.away:
            winner = state.fixture.home if s.home > s.away else state.fixture.away
            kicks = f"{max(s.home, s.away)}-{min(s.home, s.away)}"
            text += _(", {winner} win {score} on penalties", winner=winner, score=kicks)
        else:
            kicks = f"{s.home}-{s.away}"
            text += _(", {score} on penalties so far", score=kicks)
    return text


def scorer_name(goal: GoalEvent) -> str:
    """``Lautaro Martínez``, ``Retegui (pen)``; words saying he is not known yet when not."""
    if not is_known_scorer(goal):
        return named_scorer(goal)
    mark = {"penalty": _(" (pen)"), "own_goal": _(" (og)")}.get(goal.kind, "")
    return f"{goal.player}{mark}"


def goal_name(goal: GoalEvent) -> str:
    """``Lautaro Martínez's 65' goal``, ``Gonzalo Montiel's 119' own goal``."""
    if not is_known_scorer(goal):
        return _("the {minute} goal", minute=minute(goal), al=italian_al(goal.minute))
    if goal.kind == "own_goal":
        return _(
            "{player}'s {minute} own goal",
            player=goal.player,
            minute=minute(goal),
            al=italian_al(goal.minute),
        )
    return _(
        "{player}'s {minute} goal",
        player=goal.player,
        minute=minute(goal),
        al=italian_al(goal.minute),
    )


def with_team(player: str, team: str) -> str:
    """``Lautaro Martínez (Inter)``: a player with his team, a shape that needs no article."""
    return f"{player} ({team})"


def team_of(event: Event) -> TeamName:
    """The event's team, ready to be written in the chat's language (``{team:di}``…)."""
    return team_name(getattr(event, "team", None) or "")


def fixture_line(fixture: Fixture, tz: ZoneInfo | None = None) -> str:
    """``Serie A · Matchday 17 · Bergamo · 28 Dec 2025``."""
    when = fixture.kickoff.astimezone(tz) if tz else fixture.kickoff
    parts = [
        competition_name(fixture.competition),
        round_name(fixture.round),
        fixture.venue,
        date_text(when),
    ]
    return " · ".join(p for p in parts if p)


#: What a user typed is shown back at most this long (one line), so an answer always fits.
ECHO_LIMIT = 60


def echo(typed: str) -> str:
    """What a user typed, shown back in an answer: on one line, at most :data:`ECHO_LIMIT`
    characters (a longer text ends with "…")."""
    text = " ".join(typed.split())
    return text if len(text) <= ECHO_LIMIT else text[: ECHO_LIMIT - 1].rstrip() + "…"


def reply(
    *lines: Line | str, kind: MessageKind = "reply", buttons: Sequence[Button] = ()
) -> Message:
    """A short answer: the first line is the headline, the rest one section."""
    rows = [line(x) if isinstance(x, str) else x for x in lines]
    body = (Section(lines=tuple(rows[1:])),) if len(rows) > 1 else ()
    return Message(kind=kind, headline=rows[0], sections=body, buttons=tuple(buttons))


def place_name(place: str) -> str:
    """``chat`` or ``channel`` in the chat's language."""
    return _("channel") if place == "channel" else _("chat")


def this_place(place: str) -> str:
    """``This chat`` / ``This channel`` (``Questa chat`` / ``Questo canale``)."""
    return _("This channel") if place == "channel" else _("This chat")


def versus(fixture: Fixture) -> str:
    """``Atalanta v Inter`` / ``Atalanta-Inter``."""
    return _("{home} v {away}", home=fixture.home, away=fixture.away)


def kickoff_text(kickoff: datetime, tz: ZoneInfo | None) -> str:
    """``Sun 28 Dec 20:45 CET`` / ``dom 28 dic 20:45 CET`` in the chat's time zone."""
    zone = tz or ZoneInfo("UTC")
    local = kickoff.astimezone(zone)
    return f"{datetime_text(kickoff, zone)} {local.tzname() or zone.key}"


def tie_sentence(tie: TieResult) -> str:
    """``Inter go through 4-2 on penalties after 2-2 on aggregate.``"""
    aet = _(" after extra time") if tie.extra_time and tie.shootout is None else ""
    if tie.shootout is not None and tie.aggregate is not None:
        return _(
            "{winner} go through {shootout} on penalties after {aggregate} on aggregate.",
            winner=tie.winner,
            shootout="-".join(map(str, tie.shootout)),
            aggregate="-".join(map(str, tie.aggregate)),
        )
    if tie.shootout is not None:
        return _(
            "{winner} go through {shootout} on penalties.",
            winner=tie.winner,
            shootout="-".join(map(str, tie.shootout)),
        )
    assert tie.aggregate is not None
    return _(
        "{winner} go through {aggregate} on aggregate{aet}.",
        winner=tie.winner,
        aggregate="-".join(map(str, tie.aggregate)),
        aet=aet,
    )
