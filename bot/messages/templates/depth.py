"""What the bot says about a match's depth: braces and hat-tricks, statistics, the player of
the match and the table after the result, and the alerts and the recap with all of it (the
line-ups, substitutions and added time are in :mod:`~bot.messages.templates.lineups`, the
shoot-out in :mod:`~bot.messages.templates.shootout`).

Sentences are English inside ``_()`` like :mod:`bot.messages.templates`; their Italian is in the
same gettext catalogue. Nothing here is said from a figure the source did not give.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.feed_format import (
    AddedTimeEvent,
    GoalEvent,
    PeriodEvent,
    ShootoutKickEvent,
    SubstitutionEvent,
)
from bot.match import Fixture, MatchState, Score, StoredEvent
from bot.match_data import (
    MatchStats,
    Move,
    PlayerRating,
    StoredData,
    TeamFigures,
)
from bot.messages.i18n import N_, _, and_list, current, italian_al, ngettext, ordinal
from bot.messages.model import Line, Message, Section, line
from bot.messages.templates.lineups import added_time, substitutions
from bot.messages.templates.shootout import kicks, shootout_sequence, shootout_standing
from bot.messages.templates.vocabulary import minute

# --- braces and hat-tricks ----------------------------------------------------------------------


def same_scorer(a: GoalEvent, b: GoalEvent) -> bool:
    """Whether two goals have the same scorer: by the provider's id, else by name and team."""
    if a.player_id and b.player_id:
        return a.player_id == b.player_id
    if a.player is None or b.player is None:
        return False
    return a.team.casefold() == b.team.casefold() and a.player.casefold() == b.player.casefold()


def multi_scorers(state: MatchState) -> list[Line]:
    """For the recap: each player with two goals or more (own goals aside)."""
    tallies: list[tuple[GoalEvent, int]] = []
    for scored in state.goals:
        goal = scored.goal
        if goal.kind == "own_goal" or goal.player is None:
            continue
        for i, (first, n) in enumerate(tallies):
            if same_scorer(first, goal):
                tallies[i] = (first, n + 1)
                break
        else:
            tallies.append((goal, 1))
    rows: list[Line] = []
    for goal, n in tallies:
        if n == 2:
            rows.append(
                line(_("⚽⚽ Brace: {player} ({team})", player=goal.player, team=goal.team))
            )
        elif n == 3:
            rows.append(
                line(_("🎩 Hat-trick: {player} ({team})", player=goal.player, team=goal.team))
            )
        elif n > 3:
            rows.append(
                line(
                    _(
                        "🔥 {n} goals: {player} ({team})",
                        n=n,
                        player=goal.player,
                        team=goal.team,
                    )
                )
            )
    return rows


# --- statistics ---------------------------------------------------------------------------------


def _number(value: float | int) -> str:
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    return text.replace(".", ",") if current() == "it" else text


def _pair(
    home: TeamFigures, away: TeamFigures, figure: str
) -> tuple[float | int, float | int] | None:
    h, a = getattr(home, figure), getattr(away, figure)
    return None if h is None or a is None else (h, a)


def stats_lines(stats: MatchStats) -> list[Line]:
    """The statistics, one compact line each; a figure missing for either side is left out."""
    home, away = stats.home, stats.away
    rows: list[Line] = []
    possession = _pair(home, away, "possession")
    if possession:
        rows.append(line(_("Possession"), f": {possession[0]}% – {possession[1]}%"))
    shots, on_target = _pair(home, away, "shots"), _pair(home, away, "shots_on_target")
    if shots and on_target:
        rows.append(
            line(
                _("Shots (on target)"),
                f": {shots[0]} ({on_target[0]}) – {shots[1]} ({on_target[1]})",
            )
        )
    elif shots:
        rows.append(line(_("Shots"), f": {shots[0]} – {shots[1]}"))
    elif on_target:
        rows.append(line(_("Shots on target"), f": {on_target[0]} – {on_target[1]}"))
    labels = (
        ("xg", N_("Expected goals (xG)")),
        ("corners", N_("Corners")),
        ("fouls", N_("Fouls")),
        ("yellow_cards", N_("Yellow cards")),
        ("red_cards", N_("Red cards")),
        ("saves", N_("Saves")),
    )
    for figure, label in labels:
        pair = _pair(home, away, figure)
        if pair is None or (figure == "red_cards" and pair == (0, 0)):
            continue
        rows.append(line(_(label), f": {_number(pair[0])} – {_number(pair[1])}"))
    return rows


def stats_section(fixture: Fixture, stats: MatchStats) -> Section | None:
    rows = stats_lines(stats)
    if not rows:
        return None
    title = (
        _("📊 Half-time stats ({home} – {away})", home=fixture.home, away=fixture.away)
        if stats.period == "half_time"
        else _("📊 Stats ({home} – {away})", home=fixture.home, away=fixture.away)
    )
    return Section(title=title, lines=tuple(rows))


def with_section(message: Message, section: Section | None, at: int | None = None) -> Message:
    if section is None:
        return message
    sections = list(message.sections)
    sections.insert(len(sections) if at is None else at, section)
    return message.model_copy(update={"sections": tuple(sections)})


def no_stats(fixture: Fixture) -> Message:
    return Message(
        kind="reply",
        headline=line(
            _("No statistics for {home} v {away} yet.", home=fixture.home, away=fixture.away)
        ),
    )


# --- player of the match ------------------------------------------------------------------------


def rating_text(rating: float | int) -> str:
    text = f"{float(rating):.1f}"
    return text.replace(".", ",") if current() == "it" else text


def player_of_the_match(top: Sequence[PlayerRating]) -> Section | None:
    """``⭐ Player of the match: Lautaro Martínez (Inter), rated 8.4``; None without ratings."""
    if not top:
        return None
    who = and_list([f"{p.name} ({p.team})" for p in top])
    text = ngettext(
        "⭐ Player of the match: {who}, rated {rating}",
        "⭐ Players of the match: {who}, rated {rating}",
        len(top),
        who=who,
        rating=rating_text(top[0].rating),
    )
    return Section(lines=(line(text),))


def best_rated(players: Iterable[PlayerRating]) -> list[PlayerRating]:
    ranked = [p for p in players if p.rating > 0]
    if not ranked:
        return []
    best = max(p.rating for p in ranked)
    return [p for p in ranked if p.rating == best]


# --- the table after the result -----------------------------------------------------------------


def table_move_text(move: Move) -> str:
    if move.after == 1 and not move.level:
        assert move.gap is not None
        if move.before == 1:
            return ngettext(
                "{team} stay top, {n} point clear",
                "{team} stay top, {n} points clear",
                move.gap,
                team=move.team,
            )
        return ngettext(
            "{team} go top, {n} point clear",
            "{team} go top, {n} points clear",
            move.gap,
            team=move.team,
        )
    if move.after == 1:
        return _(
            "{team} are level on points at the top with {others}",
            team=move.team,
            others=and_list(list(move.level)),
        )
    place = ordinal(move.after)
    values: dict[str, object] = {
        "team": move.team,
        "place": place,
        "points": move.points,
        "al": italian_al(move.after),
    }
    if move.after < move.before:
        text = _("{team} move up to {place} ({points} pts)", **values)
    elif move.after > move.before:
        text = _("{team} drop to {place} ({points} pts)", **values)
    else:
        text = _("{team} stay {place} ({points} pts)", **values)
    if move.level:
        text += _(", level on points with {others}", others=and_list(list(move.level[:2])))
    return text


def table_section(moves: Sequence[Move]) -> Section | None:
    if not moves:
        return None
    return Section(title=_("📊 The table"), lines=tuple(line(table_move_text(m)) for m in moves))


# --- alerts and the recap, with the match's depth -----------------------------------------------


def _score_text(fixture: Fixture, score: Score) -> str:
    return f"{fixture.home} {score.home}-{score.away} {fixture.away}"


def enrich_alert(
    message: Message,
    state: MatchState,
    stored: StoredEvent,
    data: StoredData | None,
    stats: bool = False,
) -> Message:
    """An event's alert with what the match's depth adds: the scorer's tally (a brace, a
    hat-trick), the shoot-out's running score, the other substitutions made at once, the
    added time, and (``stats``) the statistics in the half-time and full-time alerts."""
    event = stored.event
    fx = state.fixture
    if isinstance(event, GoalEvent):
        return message  # its tally is in the alert's own context line (kept through edits)
    if isinstance(event, ShootoutKickEvent):
        taken = kicks(state, stored.seq)
        if not taken:
            return message
        return with_section(message, Section(lines=(line(shootout_standing(fx, taken)),)))
    if isinstance(event, SubstitutionEvent):
        group = [
            s
            for s in state.events
            if isinstance(s.event, SubstitutionEvent)
            and s.event.team == event.team
            and s.clock == stored.clock
            and s.seq <= stored.seq
        ]
        subs = [
            (s.event, minute(s.event))
            for s in sorted(group, key=lambda s: s.seq)
            if isinstance(s.event, SubstitutionEvent)
        ]
        return substitutions(event.team, subs)
    if isinstance(event, AddedTimeEvent):
        return added_time(event, _score_text(fx, state.score_at(stored)))
    if stats and data is not None and isinstance(event, PeriodEvent):
        figures = data.stats.get(event.period)
        if figures is not None:
            return with_section(message, stats_section(fx, figures))
    return message


def _section_titled(message: Message, title: str) -> int | None:
    for i, section in enumerate(message.sections):
        if section.title == title:
            return i
    return None


def enrich_recap(
    message: Message,
    state: MatchState,
    data: StoredData,
    table: Sequence[Move],
    stats: bool = True,
) -> Message:
    """The recap with braces and hat-tricks under the goals, the player of the match, the
    table after the result, the full-time statistics (``stats``) and the shoot-out kick by
    kick with its running score."""
    sections = list(message.sections)
    goals_at = _section_titled(message, _("⚽ Goals"))
    after = len(sections) if goals_at is None else goals_at + 1
    extra = multi_scorers(state)
    if extra and goals_at is not None:
        goals = sections[goals_at]
        sections[goals_at] = goals.model_copy(update={"lines": (*goals.lines, *extra)})
    added: list[Section] = []
    if data.ratings is not None:
        best = player_of_the_match(best_rated(data.ratings.players))
        if best is not None:
            added.append(best)
    figures = data.stats.get("full_time") if stats else None
    section = stats_section(state.fixture, figures) if figures is not None else None
    if section is not None:
        added.append(section)
    moved = table_section(table)
    if moved is not None:
        added.append(moved)
    sections[after:after] = added
    shootout_at = next(
        (i for i, s in enumerate(sections) if s.title == _("🎯 Penalty shoot-out")), None
    )
    if shootout_at is not None:
        sections[shootout_at] = sections[shootout_at].model_copy(
            update={"lines": tuple(shootout_sequence(state))}
        )
    return message.model_copy(update={"sections": tuple(sections)})
