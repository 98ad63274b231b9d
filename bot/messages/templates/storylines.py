"""Storylines: what the preview and the recap say about form, the table, past meetings and
scorers' seasons.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.messages.i18n import _, date_text, ngettext, ordinal
from bot.messages.templates.vocabulary import competition_name, kickoff_text, result_line
from bot.storylines import (
    LastMeeting,
    NextFixture,
    PlayerStreak,
    SeasonGoals,
    Storyline,
    TablePlace,
    TeamRun,
)


def storyline_text(story: Storyline, tz: ZoneInfo | None = None) -> str:
    """One storyline as a sentence (see :mod:`bot.storylines` for when each is true)."""
    if isinstance(story, PlayerStreak):
        return ngettext(
            "🔥 {player} has scored in {team}'s last {n} {competition} match",
            "🔥 {player} has scored in each of {team}'s last {n} {competition} matches",
            story.matches,
            player=story.player,
            team=story.team,
            competition=competition_name(story.competition),
        )
    if isinstance(story, SeasonGoals):
        return ngettext(
            "🎯 {player}: {n} {competition} goal for {team} this season",
            "🎯 {player}: {n} {competition} goals for {team} this season",
            story.goals,
            player=story.player,
            team=story.team,
            competition=competition_name(story.competition),
        )
    if isinstance(story, TeamRun):
        values = {"team": story.team, "competition": competition_name(story.competition)}
        n = story.matches
        if story.kind == "wins":
            return ngettext(
                "📈 {team} have won their last {n} {competition} match",
                "📈 {team} have won their last {n} {competition} matches",
                n,
                **values,
            )
        if story.kind == "unbeaten":
            return ngettext(
                "📈 {team} are unbeaten in their last {n} {competition} match",
                "📈 {team} are unbeaten in their last {n} {competition} matches",
                n,
                **values,
            )
        if story.kind == "defeats":
            return ngettext(
                "📉 {team} have lost their last {n} {competition} match",
                "📉 {team} have lost their last {n} {competition} matches",
                n,
                **values,
            )
        if story.kind == "winless":
            return ngettext(
                "📉 {team} have not won in their last {n} {competition} match",
                "📉 {team} have not won in their last {n} {competition} matches",
                n,
                **values,
            )
        return ngettext(
            "🧱 {team} have kept a clean sheet in their last {n} {competition} match",
            "🧱 {team} have kept a clean sheet in each of their last {n} {competition} matches",
            n,
            **values,
        )
    if isinstance(story, TablePlace):
        text = ngettext(
            "🏆 {team} are {nth} in {competition} with {n} point",
            "🏆 {team} are {nth} in {competition} with {n} points",
            story.points,
            team=story.team,
            nth=ordinal(story.position),
            competition=competition_name(story.competition),
        )
        if story.source:
            return text + _(" (table: {source})", source=story.source)
        return text
    if isinstance(story, LastMeeting):
        fx = story.state.fixture
        return _(
            "🔁 Last meeting I know of: {result} ({competition}, {date})",
            result=result_line(story.state),
            competition=competition_name(fx.competition),
            date=date_text(fx.kickoff.astimezone(tz) if tz else fx.kickoff),
        )
    assert isinstance(story, NextFixture)
    fx = story.fixture
    return _(
        "📅 {team}'s next {competition} match: {home} v {away}, {when}",
        team=story.team,
        home=fx.home,
        away=fx.away,
        when=kickoff_text(fx.kickoff, tz),
        competition=competition_name(fx.competition),
    )
