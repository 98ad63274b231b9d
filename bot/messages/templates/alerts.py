"""Live alerts: a goal, a card, a period; corrections; a followed player's moment."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.feed_format import (
    CardEvent,
    Event,
    GoalCancelledEvent,
    GoalDisallowedEvent,
    GoalEvent,
    MissEvent,
    NoteEvent,
    PenaltyMissedEvent,
    PeriodEvent,
    SaveEvent,
    ShootoutKickEvent,
    SubstitutionEvent,
    VarCheckEvent,
)
from bot.match import MatchState, Score, StoredEvent, is_known_scorer
from bot.messages.i18n import N_, _
from bot.messages.model import Line, Message, Section, Span, bold, italic, line, quoted, strike
from bot.messages.templates.goal_context import goal_context, var_line, var_status
from bot.messages.templates.storylines import storyline_text
from bot.messages.templates.vocabulary import (
    PENALTY_OUTCOMES,
    REASONS,
    competition_name,
    fixture_line,
    foreign_language,
    goal_name,
    in_language,
    minute,
    result_line,
    ruled_out_text,
    scoreline,
    scorer_name,
    team_of,
    tie_sentence,
    with_team,
)
from bot.messages.who_and_when import named_scorer
from bot.storylines import PlayerStreak
from bot.ties import TieResult

ALERT_CATEGORY = {
    "goal": "goal",
    "goal_update": "goal",
    "goal_disallowed": "disallowed",
    "goal_cancelled": "cancelled",
    "penalty_missed": "penalty",
    "substitution": "substitution",
    "save": "save",
    "miss": "miss",
    "note": "note",
    "shootout_kick": "shootout",
    "var_check": "goal",
    "added_time": "added_time",
}


PERIOD_CATEGORY = {
    "first_half": "kickoff",
    "second_half": "kickoff",
    "half_time": "half_time",
    "extra_time": "period",
    "penalties": "period",
    "full_time": "full_time",
}


def alert_category(event: Event) -> str:
    """The kind of alert an event is, for the chats' alert filters."""
    if isinstance(event, PeriodEvent):
        return PERIOD_CATEGORY[event.period]
    if isinstance(event, CardEvent):
        return "card" if event.card == "yellow" else "red_card"
    return ALERT_CATEGORY[event.type]


def _period_alert(
    state: MatchState,
    event: PeriodEvent,
    score: Score,
    tz: ZoneInfo | None,
    tie: TieResult | None = None,
) -> Message:
    fx = state.fixture
    now = scoreline(fx, score)
    if event.period == "first_half":
        return Message(
            kind="kickoff",
            headline=line(bold(_("🟢 Kick-off: {home} v {away}", home=fx.home, away=fx.away))),
            sections=(Section(lines=(line(fixture_line(fx, tz)),)),),
        )
    headline = {
        "second_half": N_("▶️ Second half under way: {score}"),
        "half_time": N_("⏸ Half-time: {score}"),
        "extra_time": N_("⏱ Extra time: {score}"),
        "penalties": N_("🎯 Penalty shoot-out: {score}"),
        "full_time": N_("🏁 Full-time: {result}"),
    }[event.period]
    headline = _(headline, score=now, result=result_line(state) if state.finished else now)
    if tie is not None and event.period == "full_time":  # who went through, and how
        return Message(
            kind=event.period,
            headline=line(bold(headline)),
            sections=(Section(lines=(line(tie_sentence(tie)),)),),
        )
    return Message(kind=event.period, headline=line(bold(headline)))


def alert(
    state: MatchState,
    stored: StoredEvent,
    tz: ZoneInfo | None = None,
    streak: PlayerStreak | None = None,
    tie: TieResult | None = None,
) -> Message:
    """The live alert for one event (dates in ``tz``, the chat's time zone); a goal alert
    carries the scorer's ``streak`` when he has one, the full-time alert of a second leg who
    went through (``tie``)."""
    event = stored.event
    if isinstance(event, VarCheckEvent):  # a VAR check is told on its goal's own alert
        return alert(state, state.by_id[event.ref], tz)
    fx = state.fixture
    score = state.score_at(stored)
    team = team_of(event)
    at = minute(event)
    if isinstance(event, PeriodEvent):
        return _period_alert(state, event, score, tz, tie)
    if isinstance(event, GoalEvent):
        return _goal_alert(state, stored, event, streak)
    if isinstance(event, GoalDisallowedEvent):
        ruled_out = ruled_out_text(event)
        still = scoreline(fx, score)
        if event.player:
            text = _(
                "{minute} {player}'s goal {ruled_out}. Still {score}",
                minute=at,
                player=event.player,
                ruled_out=ruled_out,
                score=still,
            )
        else:
            text = _(
                "{minute} Goal {ruled_out}. Still {score}",
                minute=at,
                ruled_out=ruled_out,
                score=still,
            )
        return Message(
            kind="goal_disallowed",
            headline=line(bold(_("❌ Goal disallowed — {team}", team=team))),
            sections=(Section(lines=(line(text),)),),
        )
    if isinstance(event, CardEvent):
        title = {
            "yellow": N_("🟨 Yellow card — {team}"),
            "second_yellow": N_("🟨🟥 Second yellow, sent off — {team}"),
            "red": N_("🟥 Red card — {team}"),
        }[event.card]
        return Message(
            kind="red_card" if event.card != "yellow" else "card",
            headline=line(bold(_(title, team=team))),
            sections=(Section(lines=(line(f"{at} {event.player}"),)),),
        )
    if isinstance(event, PenaltyMissedEvent):
        return Message(
            kind="penalty_missed",
            headline=line(bold(_("🚫 Penalty missed — {team}", team=team))),
            sections=(
                Section(
                    lines=(
                        line(
                            _(
                                "{minute} {player}, {outcome}. Still {score}",
                                minute=at,
                                player=event.player,
                                outcome=_(PENALTY_OUTCOMES[event.outcome]),
                                score=scoreline(fx, score),
                            )
                        ),
                    )
                ),
            ),
        )
    return Message(
        kind=event.type,
        headline=line(bold(_minor_headline(event, team))),
        sections=(Section(lines=(line(f"{at} ", *moment_text(event, team, brief=True)),)),),
    )


def _goal_alert(
    state: MatchState, stored: StoredEvent, event: GoalEvent, streak: PlayerStreak | None
) -> Message:
    """A goal: who scored, what it means (the score from its side, the scorer's tally), his
    streak, and where its VAR check stands."""
    team = team_of(event)
    at = minute(event)
    if not is_known_scorer(event):
        detail = line(f"{at} ", goal_for(event, team), " — ", italic(named_scorer(event)))
    elif event.kind == "own_goal":
        detail = line(f"{at} ", bold(scorer_name(event)))
        detail += line(_(" — own goal, counts for {team}", team=team))
    else:
        detail = line(f"{at} ", bold(scorer_name(event)))
        detail += line(_(" scores for {team}", team=team))
    if event.assist:
        detail += line(_(" (assist: {player})", player=event.assist))
    rows = [detail]
    context = goal_context(state, stored)
    if context:
        rows.append(line(context))
    if streak is not None:
        rows.append(line(storyline_text(streak)))
    check = var_status(state, event.id)
    if check is not None:
        rows.append(line(italic(var_line(check))))
    return Message(
        kind="goal",
        headline=line(
            bold(_("⚽ GOAL! {score}", score=scoreline(state.fixture, state.score_at(stored))))
        ),
        sections=(Section(lines=tuple(rows)),),
    )


def _minor_headline(event: Event, team: str) -> str:
    if isinstance(event, SubstitutionEvent):
        return _("🔄 Substitution — {team}", team=team)
    if isinstance(event, SaveEvent):
        return _("🧤 Save — {team}", team=team)
    if isinstance(event, MissEvent):
        return _("😱 Big chance missed — {team}", team=team)
    if isinstance(event, ShootoutKickEvent):
        return _("🎯 Shoot-out kick — {team}", team=team)
    return _("📝 Key moment — {team}", team=team)


def moment_text(event: Event, team: str, brief: bool = False) -> tuple[Span | str, ...]:
    """The words for a save, miss, substitution, note or shoot-out kick.

    ``brief`` leaves out what an alert's headline already says (the kind and the team). A
    ``detail`` written in another language than the chat's is left out (the fact is said from
    the event's fields); a note in another language is kept as a quote, with its language."""
    who = (lambda player: player) if brief else (lambda player: with_team(player, team))
    if isinstance(event, SubstitutionEvent):
        if event.player_out:
            text = _("{player} comes on for {off}", player=event.player_in, off=event.player_out)
        else:
            text = _("{player} comes on", player=event.player_in)
        return (text + ("" if brief else f" ({team})"),)
    if isinstance(event, SaveEvent):
        text = ("" if brief else _("Save: ")) + who(event.player)
        if event.shooter:
            text += _(" denies {player}", player=event.shooter)
        if event.detail and not foreign_language(event):
            text += f", {event.detail}"
        return (text,)
    if isinstance(event, MissEvent):
        text = ("" if brief else _("Miss: ")) + who(event.player)
        if event.assist:
            text += _(", set up by {player}", player=event.assist)
        if event.detail and not foreign_language(event):
            text += f", {event.detail}"
        return (text,)
    if isinstance(event, ShootoutKickEvent):
        outcome = _("scores ✅") if event.scored else _("misses ❌")
        return (f"{who(event.player)} {outcome}",)
    if isinstance(event, NoteEvent):
        return note_text(event)
    return (event.type,)


def note_text(event: NoteEvent) -> tuple[Span | str, ...]:
    """A reporter's note: its words in the chat's language; in another, quoted with its
    language and the player it is about, never as if he had said it
    (``Nota su Berat Djimsiti: “…” (in inglese)``)."""
    lang = foreign_language(event)
    if lang is None:
        return (event.text,)
    about = _("Note on {player}: ", player=event.player) if event.player else _("Note: ")
    return (about, quoted(event.text), in_language(lang))


def goal_for(goal: GoalEvent, team: str) -> str:
    """``Goal for Inter`` / ``Own goal, counts for Inter`` (when the scorer is not known)."""
    if goal.kind == "own_goal":
        return _("Own goal, counts for {team}", team=team)
    if goal.kind == "penalty":
        return _("Penalty goal for {team}", team=team)
    return _("Goal for {team}", team=team)


def goal_amended(state: MatchState, goal: StoredEvent, before: GoalEvent) -> Message:
    """The short correction sent when a goal's alert, whose facts changed (scorer named,
    assist, minute, kind, side), cannot be edited in place."""
    assert isinstance(goal.event, GoalEvent)
    now = goal.event
    score = scoreline(state.fixture, state.score_at(goal))
    if is_known_scorer(now) and now.kind == "own_goal":
        what = _(
            "{minute} own goal by {player}, counts for {team}",
            player=now.player,
            minute=minute(now),
            team=now.team,
        )
    elif is_known_scorer(now):
        what = _(
            "{minute} goal for {team}: {player}",
            player=scorer_name(now),
            minute=minute(now),
            team=now.team,
        )
    else:
        what = _("{minute} {goal}", minute=minute(now), goal=goal_for(now, now.team))
    if now.assist and now.kind != "own_goal":
        what += _(" (assist: {player})", player=now.assist)
    return Message(
        kind="correction",
        headline=line(bold(_("✏️ Correction — {score}", score=score))),
        sections=(Section(lines=(line(what),)),),
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def goal_rescored(state: MatchState, goal: StoredEvent) -> Message:
    """The short correction sent when a goal's alert shows a score made wrong by an event
    reported late (and cannot be edited in place)."""
    assert isinstance(goal.event, GoalEvent)
    score = scoreline(state.fixture, state.score_at(goal))
    said = _("{goal} made it {score}.", goal=goal_name(goal.event), score=score)
    return Message(
        kind="correction",
        headline=line(bold(_("✏️ Correction — {score}", score=score))),
        sections=(Section(lines=(line(_capital(said)),)),),
    )


def correction(state: MatchState, cancel: GoalCancelledEvent, goal: GoalEvent | None) -> Message:
    """What a cancelled goal's alert becomes (edited in place, or sent as a correction)."""
    if cancel.reason == "var":
        why = _("cancelled by VAR")
    elif cancel.reason == "other":
        why = _("cancelled")
    else:
        why = _("cancelled by VAR ({reason})", reason=_(REASONS[cancel.reason]))
    score = scoreline(state.fixture, state.score)
    lines: list[Line] = []
    if goal is not None:
        lines.append(
            line(_("{goal} for {team} does not stand.", goal=goal_name(goal), team=team_of(goal)))
        )
    lines.append(line(_("Score: "), bold(score)))
    return Message(
        kind="correction",
        headline=line("⚽ ", strike(_("GOAL")), bold(f" {why} — {score}")),
        sections=(Section(lines=tuple(lines)),),
    )


def player_alert(message: Message, state: MatchState, stored: StoredEvent, score: Score) -> Message:
    """An alert for the fans of a player in it: the same alert, with the match and its score
    (they may not follow either team)."""
    fx = state.fixture
    where = line(
        "⭐ ",
        bold(scoreline(fx, score)),
        f" · {minute(stored.event)} · {competition_name(fx.competition)}",
    )
    return message.model_copy(update={"sections": (*message.sections, Section(lines=(where,)))})
