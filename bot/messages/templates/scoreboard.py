"""The live scoreboard: one message per match and chat, edited in place as the match goes on
(score, minute, scorers, red cards, the shoot-out)."""

from __future__ import annotations

from bot.match import MatchState
from bot.messages.i18n import N_, _
from bot.messages.model import Message, Section, bold, line
from bot.messages.templates.card import red_cards_of, scorers_of
from bot.messages.templates.shootout import kicks, shootout_standing
from bot.messages.templates.vocabulary import competition_name, round_name

#: what the board says instead of a minute while the ball is not in play
PAUSES = {
    "half_time": N_("Half-time"),
    "penalties": N_("Penalties"),
    "full_time": N_("Full time"),
}


def board_clock(state: MatchState) -> str:
    """``67'``, ``90+3'`` (the match clock as the latest event, or the provider's latest
    poll, left it), or the pause."""
    if state.period in PAUSES:
        return _(PAUSES[state.period])
    minute, stoppage = state.last_clock
    fx = state.fixture
    if fx.clock_minute is not None and (fx.clock_minute, fx.clock_stoppage or 0) > (
        minute,
        stoppage,
    ):
        minute, stoppage = fx.clock_minute, fx.clock_stoppage or 0
    return f"{minute}+{stoppage}'" if stoppage else f"{minute}'"


def scoreboard(state: MatchState) -> Message:
    """The board as the match stands: what a fan glances at, never a push of its own (the
    first one is sent without a sound; each change edits it)."""
    fx = state.fixture
    live = "🔴 " if state.live and state.period != "half_time" else ""
    headline = line(
        live,
        bold(f"{fx.home} {state.score.home}-{state.score.away} {fx.away}"),
        f" · {board_clock(state)}",
    )
    lines = []
    for side, team in (("home", fx.home), ("away", fx.away)):
        scorers = scorers_of(state, side)
        if scorers:
            lines.append(line(f"⚽ {team}: ", "; ".join(scorers)))
    for side, team in (("home", fx.home), ("away", fx.away)):
        reds = red_cards_of(state, side)
        if reds:
            lines.append(line(f"🟥 {team}: ", "; ".join(reds)))
    taken = kicks(state)
    if taken:
        lines.append(line("🥅 ", shootout_standing(fx, taken)))
    if state.extra_time and not taken:
        lines.append(line(_("after extra time") if state.finished else _("extra time")))
    heading = " · ".join(p for p in (competition_name(fx.competition), round_name(fx.round)) if p)
    footer = line(_("Live scoreboard · {competition}", competition=heading))
    sections = (Section(lines=tuple(lines)),) if lines else ()
    return Message(
        kind="scoreboard",
        headline=headline,
        sections=(*sections, Section(lines=(footer,))),
        quiet=True,
    )
