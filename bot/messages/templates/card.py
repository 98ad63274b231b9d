"""The match card: what the full-time picture says, in the chat's language (the adapters draw
it, see ``adapters/card``)."""

from __future__ import annotations

import hashlib
from zoneinfo import ZoneInfo

from bot.feed_format import CardEvent, GoalEvent
from bot.match import MatchState, is_known_scorer
from bot.match_data import StoredData
from bot.messages.i18n import N_, _, current, date_text
from bot.messages.model import CardSide, CardStat, MatchCard
from bot.messages.templates.depth import _number, _pair
from bot.messages.templates.shootout import kicks, shootout_standing
from bot.messages.templates.vocabulary import competition_name, minute, round_name

CARD_STATS: tuple[tuple[str, str], ...] = (
    ("possession", N_("Possession")),
    ("shots", N_("Shots")),
    ("shots_on_target", N_("Shots on target")),
    ("xg", N_("Expected goals (xG)")),
    ("corners", N_("Corners")),
)


def scorers_of(state: MatchState, side: str) -> tuple[str, ...]:
    order: list[str] = []
    minutes: dict[str, list[str]] = {}
    for scored in state.goals:
        goal: GoalEvent = scored.goal
        if scored.side != side or not is_known_scorer(goal) or goal.player is None:
            continue
        mark = {"penalty": _(" (pen)"), "own_goal": _(" (og)")}.get(goal.kind, "")
        if goal.player not in minutes:
            order.append(goal.player)
            minutes[goal.player] = []
        minutes[goal.player].append(f"{minute(goal)}{mark}")
    return tuple(f"{name} {', '.join(minutes[name])}" for name in order)


def red_cards_of(state: MatchState, side: str) -> tuple[str, ...]:
    return tuple(
        f"{s.event.player} {minute(s.event)}"
        for s in state.events
        if isinstance(s.event, CardEvent) and s.event.card != "yellow" and s.side == side
    )


def _stats(data: StoredData) -> tuple[CardStat, ...]:
    figures = data.stats.get("full_time")
    if figures is None:
        return ()
    rows = []
    for name, label in CARD_STATS:
        pair = _pair(figures.home, figures.away, name)
        if pair is None:
            continue
        if name == "possession":
            total = pair[0] + pair[1]
            share = pair[0] / total if total else None
            rows.append(
                CardStat(label=_(label), home=f"{pair[0]}%", away=f"{pair[1]}%", share=share)
            )
        else:
            rows.append(CardStat(label=_(label), home=_number(pair[0]), away=_number(pair[1])))
    return tuple(rows)


def match_card(
    state: MatchState,
    data: StoredData,
    colours: tuple[str | None, str | None] = (None, None),
    tz: ZoneInfo | None = None,
) -> MatchCard:
    """The full-time picture's words: competition, date, score, scorers with minutes, red
    cards, the shoot-out and a few key statistics (only those the source gave)."""
    fx = state.fixture
    when = fx.kickoff.astimezone(tz) if tz else fx.kickoff
    heading = " · ".join(p for p in (competition_name(fx.competition), round_name(fx.round)) if p)
    taken = kicks(state)
    sides = {}
    for side, name, colour in (("home", fx.home, colours[0]), ("away", fx.away, colours[1])):
        sides[side] = CardSide(
            name=name,
            colour=colour,
            scorers=scorers_of(state, side),
            red_cards=red_cards_of(state, side),
            kicks=tuple(
                k.event.scored for k in taken if k.event.team.casefold() == name.casefold()
            ),
        )
    notes = []
    if state.extra_time:
        notes.append(_("after extra time"))
    if taken:
        notes.append(shootout_standing(fx, taken))
    card = MatchCard(
        key="",
        heading=heading,
        date=date_text(when),
        status=_("Full time") if state.finished else _("Live"),
        home=sides["home"],
        away=sides["away"],
        score=f"{state.score.home} - {state.score.away}",
        note=" · ".join(notes) or None,
        stats=_stats(data),
        shootout_label=_("Penalties") if taken else None,
    )
    digest = hashlib.sha256(card.model_dump_json().encode()).hexdigest()[:16]
    return card.model_copy(update={"key": f"card:{fx.id}:{current()}:{digest}"})
