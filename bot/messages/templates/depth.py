"""What the bot says about a match's depth: line-ups, grouped substitutions, added time,
braces and hat-tricks, the shoot-out kick by kick, statistics, the player of the match and the
table after the result.

Sentences are English inside ``_()`` like :mod:`bot.messages.templates`; their Italian is in the
same gettext catalogue. Nothing here is said from a figure the source did not give.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.feed_format import (
    AddedTimeEvent,
    GoalEvent,
    PeriodEvent,
    ShootoutKickEvent,
    SubstitutionEvent,
)
from bot.match import Fixture, MatchState, Score, StoredEvent
from bot.match_data import (
    Lineup,
    LineupPlayer,
    MatchStats,
    Move,
    PlayerRating,
    StoredData,
    TeamFigures,
)
from bot.messages.i18n import N_, _, and_list, current, italian_al, ngettext, ordinal
from bot.messages.model import Line, Message, Section, bold, line
from bot.messages.names import team_name

# --- line-ups -----------------------------------------------------------------------------------

POSITION_GROUPS: tuple[tuple[str, str], ...] = (
    ("G", N_("Goalkeeper")),
    ("D", N_("Defenders")),
    ("M", N_("Midfielders")),
    ("F", N_("Forwards")),
)
_POSITION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("G", ("goal", "keeper", "portiere", "gk")),
    ("D", ("back", "defen", "difens", "sweeper", "libero")),
    ("M", ("midfield", "centrocamp", "mediano", "regista", "dm", "cm", "am")),
    ("F", ("forward", "offence", "attack", "striker", "wing", "attacc", "punta", "cf", "st")),
)


def position_group(position: str | None) -> str | None:
    """``G``, ``D``, ``M`` or ``F`` for a provider's position (API-Football's letters,
    football-data.org's words such as ``Centre-Back`` or ``Offence``); None when unknown."""
    if not position:
        return None
    word = position.strip().casefold()
    if word.upper() in ("G", "D", "M", "F"):
        return word.upper()
    for group, stems in _POSITION_WORDS:
        if any(word == stem or (len(stem) > 2 and stem in word) for stem in stems):
            return group
    return None


def _player(player: LineupPlayer, marked: set[str]) -> str:
    name = f"{player.number} {player.name}" if player.number is not None else player.name
    return f"⭐ {name}" if player.name.casefold() in marked else name


def _xi_lines(lineup: Lineup, marked: set[str]) -> list[Line]:
    groups: dict[str | None, list[str]] = {}
    for player in lineup.start:
        groups.setdefault(position_group(player.position), []).append(_player(player, marked))
    rows: list[Line] = []
    for group, label in POSITION_GROUPS:
        if group in groups:
            rows.append(line(_(label), ": ", ", ".join(groups[group])))
    if None in groups:
        rows.append(line(", ".join(groups[None])))
    return rows


def lineup_section(lineup: Lineup, marked: set[str]) -> Section:
    team = team_name(lineup.team)
    title = f"{team} ({lineup.formation})" if lineup.formation else f"{team}"
    rows = _xi_lines(lineup, marked)
    if lineup.bench:
        rows.append(line(_("Bench: "), ", ".join(_player(p, marked) for p in lineup.bench)))
    if lineup.coach:
        rows.append(line(_("Coach: "), lineup.coach))
    return Section(title=title, lines=tuple(rows))


def lineups(
    fixture: Fixture,
    home: Lineup | None,
    away: Lineup | None,
    fixture_text: str,
    marked: Iterable[str] = (),
    followed: str | None = None,
) -> Message:
    """The line-ups message: each team's formation, XI by position with shirt numbers, bench
    and coach; ``marked`` players (folded names) get a star; ``followed``: a followed
    player's name for the line that says he starts or is on the bench."""
    names = {m.casefold() for m in marked}
    sections = [Section(lines=(line(fixture_text),))]
    if followed is not None:
        sections.append(Section(lines=(line(followed_in_lineup(followed, home, away)),)))
    for lineup in (home, away):
        if lineup is not None:
            sections.append(lineup_section(lineup, names))
    missing = fixture.away if home is not None and away is None else None
    if home is None and away is not None:
        missing = fixture.home
    if missing is not None:
        sections.append(Section(lines=(line(_("{team}: line-up not out yet.", team=missing)),)))
    return Message(
        kind="lineups",
        headline=line(
            bold(_("📋 Line-ups: {home} v {away}", home=fixture.home, away=fixture.away))
        ),
        sections=tuple(sections),
    )


def followed_in_lineup(name: str, home: Lineup | None, away: Lineup | None) -> str:
    folded = name.casefold()
    for lineup in (home, away):
        if lineup is None:
            continue
        if any(p.name.casefold() == folded for p in lineup.start):
            return _("⭐ {player} starts for {team}", player=name, team=lineup.team)
        if any(p.name.casefold() == folded for p in lineup.bench):
            return _("⭐ {player} is on the bench for {team}", player=name, team=lineup.team)
    return _("⭐ {player} is not in the squad", player=name)


def no_lineups(fixture: Fixture) -> Message:
    return Message(
        kind="reply",
        headline=line(
            _(
                "No line-ups for {home} v {away} yet: they usually come out about an hour"
                " before kick-off.",
                home=fixture.home,
                away=fixture.away,
            )
        ),
    )


# --- substitutions and added time -------------------------------------------------------------


def substitution_line(event: SubstitutionEvent, at: str) -> Line:
    if event.player_out:
        return line(
            f"{at} ",
            _("{player} on, {off} off", player=event.player_in, off=event.player_out),
        )
    return line(f"{at} ", _("{player} comes on", player=event.player_in))


def substitutions(team: str, subs: Sequence[tuple[SubstitutionEvent, str]]) -> Message:
    """A team's change, or several made at once in one message (``subs``: event, minute)."""
    headline = (
        _("🔄 Substitution — {team}", team=team)
        if len(subs) == 1
        else _("🔄 Substitutions — {team}", team=team)
    )
    return Message(
        kind="substitution",
        headline=line(bold(headline)),
        sections=(Section(lines=tuple(substitution_line(e, at) for e, at in subs)),),
    )


def added_time(event: AddedTimeEvent, score_text: str) -> Message:
    n = event.minutes
    if event.minute <= 45:
        text = ngettext(
            "+{n} minute of added time in the first half",
            "+{n} minutes of added time in the first half",
            n,
        )
    elif event.minute <= 90:
        text = ngettext(
            "+{n} minute of added time in the second half",
            "+{n} minutes of added time in the second half",
            n,
        )
    else:
        text = ngettext(
            "+{n} minute of added time in extra time",
            "+{n} minutes of added time in extra time",
            n,
        )
    return Message(
        kind="added_time",
        headline=line(bold(f"⏱ {text}")),
        sections=(Section(lines=(line(score_text),)),),
    )


# --- braces and hat-tricks ----------------------------------------------------------------------


def _same_scorer(a: GoalEvent, b: GoalEvent) -> bool:
    if a.player_id and b.player_id:
        return a.player_id == b.player_id
    if a.player is None or b.player is None:
        return False
    return a.team.casefold() == b.team.casefold() and a.player.casefold() == b.player.casefold()


def goals_so_far(state: MatchState, goal: GoalEvent) -> int:
    """How many goals (own goals aside) the scorer of ``goal`` has in the match up to it."""
    if goal.kind == "own_goal" or goal.player is None:
        return 0
    count = 0
    for scored in state.goals:
        if scored.goal.kind != "own_goal" and _same_scorer(scored.goal, goal):
            count += 1
        if scored.goal.id == goal.id:
            return count
    return count


def goal_tally(player: str, n: int) -> str | None:
    """``his second of the match``, ``hat-trick``: None for a first goal."""
    if n == 2:
        return _("⚽⚽ {player}'s second of the match: a brace", player=player)
    if n == 3:
        return _("🎩 Hat-trick for {player}!", player=player)
    if n > 3:
        return _("🔥 {player}'s {nth} goal of the match", player=player, nth=ordinal(n))
    return None


def multi_scorers(state: MatchState) -> list[Line]:
    """For the recap: each player with two goals or more (own goals aside)."""
    tallies: list[tuple[GoalEvent, int]] = []
    for scored in state.goals:
        goal = scored.goal
        if goal.kind == "own_goal" or goal.player is None:
            continue
        for i, (first, n) in enumerate(tallies):
            if _same_scorer(first, goal):
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


# --- the shoot-out ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kick:
    event: ShootoutKickEvent
    score: Score  # the shoot-out score after this kick
    sudden_death: bool  # the kick is past the first five of each side


def kicks(state: MatchState, up_to_seq: int | None = None) -> list[Kick]:
    """The shoot-out's kicks in the order taken, each with the running score."""
    score = Score()
    taken = {"home": 0, "away": 0}
    out: list[Kick] = []
    ordered = sorted(
        (s for s in state.events if isinstance(s.event, ShootoutKickEvent) and s.side),
        key=lambda s: s.seq,
    )
    for stored in ordered:
        if up_to_seq is not None and stored.seq > up_to_seq:
            break
        assert isinstance(stored.event, ShootoutKickEvent) and stored.side is not None
        taken[stored.side] += 1
        if stored.event.scored:
            score = score.plus(stored.side)
        out.append(Kick(stored.event, score, taken[stored.side] > 5))
    return out


def _shootout_winner(fixture: Fixture, taken: Sequence[Kick]) -> str | None:
    """The side that has won the shoot-out after these kicks, when it is decided."""
    if not taken:
        return None
    score = taken[-1].score
    home_kicks = sum(1 for k in taken if k.event.team.casefold() == fixture.home.casefold())
    away_kicks = len(taken) - home_kicks
    if home_kicks <= 5 and away_kicks <= 5:
        if score.home > score.away + (5 - away_kicks):
            return fixture.home
        if score.away > score.home + (5 - home_kicks):
            return fixture.away
        return None
    if home_kicks == away_kicks and score.home != score.away:
        return fixture.home if score.home > score.away else fixture.away
    return None


def shootout_standing(fixture: Fixture, taken: Sequence[Kick]) -> str:
    """``Inter lead 3-2 on penalties``, ``3-3 on penalties``, ``Inter win 4-2 on penalties``."""
    score = taken[-1].score if taken else Score()
    high, low = max(score.home, score.away), min(score.home, score.away)
    winner = _shootout_winner(fixture, taken)
    if winner is not None:
        return _("{team} win {score} on penalties", team=winner, score=f"{high}-{low}")
    if score.home == score.away:
        text = _("{score} on penalties", score=f"{score.home}-{score.away}")
    else:
        leader = fixture.home if score.home > score.away else fixture.away
        text = _("{team} lead {score} on penalties", team=leader, score=f"{high}-{low}")
    if taken and taken[-1].sudden_death:
        text += _(" — sudden death")
    return text


def kick_line(kick: Kick, fixture: Fixture, taken: Sequence[Kick]) -> Line:
    what = (
        _("{player} scores", player=kick.event.player)
        if kick.event.scored
        else _("{player} misses", player=kick.event.player)
    )
    mark = "✅" if kick.event.scored else "❌"
    return line(f"{mark} ", bold(what), " — ", shootout_standing(fixture, taken))


def shootout_sequence(state: MatchState) -> list[Line]:
    """The recap's shoot-out, kick by kick with the running score."""
    taken = kicks(state)
    rows: list[Line] = []
    for i, kick in enumerate(taken):
        score = f"{kick.score.home}-{kick.score.away}"
        mark = "✅" if kick.event.scored else "❌"
        rows.append(
            line(
                f"{i + 1}. {mark} ",
                bold(kick.event.player),
                f" ({team_name(kick.event.team)}) {score}",
            )
        )
    if taken and any(k.sudden_death for k in taken):
        rows.append(line(_("Decided in sudden death.")))
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


def lineup_of(lineups: Sequence[Lineup], fixture: Fixture, side: str) -> Lineup | None:
    name = fixture.home if side == "home" else fixture.away
    for lineup in lineups:
        if lineup.team.casefold() == name.casefold():
            return lineup
    return None


# --- alerts and the recap, with the match's depth -----------------------------------------------


def _clock_text(minute: int, stoppage: int | None) -> str:
    return f"{minute}+{stoppage}'" if stoppage else f"{minute}'"


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
            (s.event, _clock_text(s.event.minute, s.event.stoppage))
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
