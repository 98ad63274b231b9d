"""What the bot says: alerts, corrections, recaps and command replies, as neutral messages.

Every sentence a fan reads is written in this module; ``render`` only decides how it looks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.feed import (
    CardEvent,
    Event,
    GoalCancelledEvent,
    GoalDisallowedEvent,
    GoalEvent,
    MissEvent,
    NoteEvent,
    PenaltyMissedEvent,
    PeriodEvent,
    Quote,
    SaveEvent,
    ShootoutKickEvent,
    SubstitutionEvent,
)
from bot.match import Fixture, MatchState, Score, StoredEvent
from bot.messages.model import (
    Button,
    Line,
    Message,
    Section,
    bold,
    italic,
    line,
    quoted,
    strike,
)
from bot.messages.render import render_line

REASONS = {
    "offside": "offside",
    "foul": "foul",
    "handball": "handball",
    "var": "VAR review",
    "other": "other reasons",
}
RULED_OUT = {
    "offside": "ruled out for offside",
    "foul": "ruled out for a foul",
    "handball": "ruled out for handball",
    "var": "ruled out after a VAR review",
    "other": "ruled out",
}


def _ruled_out(event: GoalDisallowedEvent) -> str:
    detail = f", {event.detail}" if event.detail else ""
    return f"{RULED_OUT[event.reason]}{detail}"


PENALTY_OUTCOMES = {"saved": "saved", "missed": "off target", "woodwork": "hits the woodwork"}


def minute(event: Event) -> str:
    """The match clock as fans write it: ``65'``, ``45+2'``."""
    extra = f"+{event.stoppage}" if event.stoppage else ""
    return f"{event.minute}{extra}'"


def scoreline(fixture: Fixture, score: Score) -> str:
    return f"{fixture.home} {score.home}-{score.away} {fixture.away}"


def result_line(state: MatchState) -> str:
    """``Atalanta 0-1 Inter``, with ``(a.e.t.)`` and the shoot-out where they apply."""
    text = scoreline(state.fixture, state.score)
    if state.extra_time:
        text += " (a.e.t.)"
    if state.shootout is not None:
        s = state.shootout
        if s.home != s.away:
            winner = state.fixture.home if s.home > s.away else state.fixture.away
            text += f", {winner} win {max(s.home, s.away)}-{min(s.home, s.away)} on penalties"
        else:
            text += f", {s.home}-{s.away} on penalties so far"
    return text


def _scorer(goal: GoalEvent) -> str:
    mark = {"penalty": " (pen)", "own_goal": " (og)"}.get(goal.kind, "")
    return f"{goal.player}{mark}"


def _goal_name(goal: GoalEvent) -> str:
    """``Lautaro Martínez's 65' goal``, ``Gonzalo Montiel's 119' own goal``."""
    what = "own goal" if goal.kind == "own_goal" else "goal"
    return f"{goal.player}'s {minute(goal)} {what}"


def _with_team(player: str, team: str) -> str:
    return f"{player} ({team})"


def fixture_line(fixture: Fixture, tz: ZoneInfo | None = None) -> str:
    """``Serie A · Matchday 17 · Bergamo · 28 Dec 2025``."""
    when = fixture.kickoff.astimezone(tz) if tz else fixture.kickoff
    parts = [fixture.competition, fixture.round, fixture.venue, f"{when:%-d %b %Y}"]
    return " · ".join(p for p in parts if p)


# --- live alerts ----------------------------------------------------------------------------

ALERT_CATEGORY = {
    "goal": "goal",
    "goal_disallowed": "disallowed",
    "goal_cancelled": "cancelled",
    "penalty_missed": "penalty",
    "substitution": "substitution",
    "save": "save",
    "miss": "miss",
    "note": "note",
    "shootout_kick": "shootout",
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
    state: MatchState, event: PeriodEvent, score: Score, tz: ZoneInfo | None
) -> Message:
    fx = state.fixture
    now = scoreline(fx, score)
    if event.period == "first_half":
        return Message(
            kind="kickoff",
            headline=line(bold(f"🟢 Kick-off: {fx.home} v {fx.away}")),
            sections=(Section(lines=(line(fixture_line(fx, tz)),)),),
        )
    headline = {
        "second_half": f"▶️ Second half under way: {now}",
        "half_time": f"⏸ Half-time: {now}",
        "extra_time": f"⏱ Extra time: {now}",
        "penalties": f"🎯 Penalty shoot-out: {now}",
        "full_time": f"🏁 Full-time: {result_line(state)}",
    }[event.period]
    return Message(kind=event.period, headline=line(bold(headline)))


def alert(state: MatchState, stored: StoredEvent, tz: ZoneInfo | None = None) -> Message:
    """The live alert for one event (dates in ``tz``, the chat's time zone)."""
    event = stored.event
    fx = state.fixture
    score = state.score_at(stored.seq)
    team = getattr(event, "team", None) or ""
    at = minute(event)
    if isinstance(event, PeriodEvent):
        return _period_alert(state, event, score, tz)
    if isinstance(event, GoalEvent):
        detail = line(f"{at} ", bold(_scorer(event)))
        if event.kind == "own_goal":
            detail += line(f" — own goal, counts for {team}")
        else:
            detail += line(f" scores for {team}")
        if event.assist:
            detail += line(f" (assist: {event.assist})")
        return Message(
            kind="goal",
            headline=line(bold(f"⚽ GOAL! {scoreline(fx, score)}")),
            sections=(Section(lines=(detail,)),),
        )
    if isinstance(event, GoalDisallowedEvent):
        who = f"{event.player}'s goal" if event.player else "Goal"
        text = f"{at} {who} {_ruled_out(event)}. Still {scoreline(fx, score)}"
        return Message(
            kind="goal_disallowed",
            headline=line(bold(f"❌ Goal disallowed — {team}")),
            sections=(Section(lines=(line(text),)),),
        )
    if isinstance(event, CardEvent):
        title = {
            "yellow": "🟨 Yellow card",
            "second_yellow": "🟨🟥 Second yellow, sent off",
            "red": "🟥 Red card",
        }[event.card]
        return Message(
            kind="red_card" if event.card != "yellow" else "card",
            headline=line(bold(f"{title} — {team}")),
            sections=(Section(lines=(line(f"{at} {event.player}"),)),),
        )
    if isinstance(event, PenaltyMissedEvent):
        return Message(
            kind="penalty_missed",
            headline=line(bold(f"🚫 Penalty missed — {team}")),
            sections=(
                Section(
                    lines=(
                        line(
                            f"{at} {event.player}, {PENALTY_OUTCOMES[event.outcome]}."
                            f" Still {scoreline(fx, score)}"
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


def _minor_headline(event: Event, team: str) -> str:
    if isinstance(event, SubstitutionEvent):
        return f"🔄 Substitution — {team}"
    if isinstance(event, SaveEvent):
        return f"🧤 Save — {team}"
    if isinstance(event, MissEvent):
        return f"😱 Big chance missed — {team}"
    if isinstance(event, ShootoutKickEvent):
        return f"🎯 Shoot-out kick — {team}"
    return f"📝 Key moment — {team}"


def moment_text(event: Event, team: str, brief: bool = False) -> tuple[str, ...]:
    """The words for a save, miss, substitution, note or shoot-out kick.

    ``brief`` leaves out what an alert's headline already says (the kind and the team)."""
    who = (lambda player: player) if brief else (lambda player: _with_team(player, team))
    if isinstance(event, SubstitutionEvent):
        out = f" for {event.player_out}" if event.player_out else ""
        return (f"{event.player_in} comes on{out}" + ("" if brief else f" ({team})"),)
    if isinstance(event, SaveEvent):
        text = ("" if brief else "Save: ") + who(event.player)
        if event.shooter:
            text += f" denies {event.shooter}"
        if event.detail:
            text += f", {event.detail}"
        return (text,)
    if isinstance(event, MissEvent):
        text = ("" if brief else "Miss: ") + who(event.player)
        if event.assist:
            text += f", set up by {event.assist}"
        if event.detail:
            text += f", {event.detail}"
        return (text,)
    if isinstance(event, ShootoutKickEvent):
        outcome = "scores ✅" if event.scored else "misses ❌"
        return (f"{who(event.player)} {outcome}",)
    if isinstance(event, NoteEvent):
        return (event.text,)
    return (event.type,)


def correction(state: MatchState, cancel: GoalCancelledEvent, goal: GoalEvent | None) -> Message:
    """What a cancelled goal's alert becomes (edited in place, or sent as a correction)."""
    why = {"var": "cancelled by VAR", "other": "cancelled"}.get(
        cancel.reason, f"cancelled by VAR ({cancel.reason})"
    )
    score = scoreline(state.fixture, state.score)
    lines: list[Line] = []
    if goal is not None:
        lines.append(line(f"{_goal_name(goal)} for {goal.team} does not stand."))
    lines.append(line("Score: ", bold(score)))
    return Message(
        kind="correction",
        headline=line("⚽ ", strike("GOAL"), bold(f" {why} — {score}")),
        sections=(Section(lines=tuple(lines)),),
    )


# --- the full-time recap ----------------------------------------------------------------------


def _key_moment(
    state: MatchState, stored: StoredEvent, later: Sequence[StoredEvent]
) -> Line | None:
    event = stored.event
    team = getattr(event, "team", None) or ""
    at = f"{minute(event)} "
    if isinstance(event, GoalEvent):
        if event.id in state.cancelled:
            return None
        now = state.score_at(stored.seq)
        score = f"{now.home}-{now.away}"
        if event.kind == "own_goal":
            return line(at, "⚽ Own goal by ", bold(event.player), f", for {team}, {score}")
        return line(at, "⚽ ", bold(_scorer(event)), f" scores for {team}, {score}")
    if isinstance(event, GoalDisallowedEvent):
        who = f"{event.player}'s goal for {team}" if event.player else f"{team} goal"
        return line(at, f"❌ {who} {_ruled_out(event)}")
    if isinstance(event, GoalCancelledEvent):
        goal = state.goal_by_id(event.ref)
        what = _goal_name(goal) if goal else "a goal"
        return line(at, f"❌ VAR cancels {what} for {team} ({REASONS[event.reason]})")
    if isinstance(event, CardEvent) and event.card != "yellow":
        title = "Second yellow" if event.card == "second_yellow" else "Red card"
        return line(at, f"🟥 {title}: {_with_team(event.player, team)}")
    if isinstance(event, PenaltyMissedEvent):
        return line(
            at,
            f"🚫 Penalty missed: {_with_team(event.player, team)},"
            f" {PENALTY_OUTCOMES[event.outcome]}",
        )
    if isinstance(event, SaveEvent):
        return line(at, "🧤 ", *moment_text(event, team))
    if isinstance(event, MissEvent):
        return line(at, "😱 ", *moment_text(event, team))
    if isinstance(event, NoteEvent):
        return line(at, "📝 ", event.text)
    if isinstance(event, SubstitutionEvent) and _made_a_difference(state, event, later):
        return line(at, "🔄 ", *moment_text(event, team))
    return None


def _made_a_difference(
    state: MatchState, sub: SubstitutionEvent, later: Sequence[StoredEvent]
) -> bool:
    """A substitution is a key moment when the player who came on scores or assists."""
    for stored in later:
        goal = stored.event
        if (
            isinstance(goal, GoalEvent)
            and goal.id not in state.cancelled
            and goal.team == sub.team
            and sub.player_in in (goal.player, goal.assist)
        ):
            return True
    return False


def recap(state: MatchState, quotes: Iterable[Quote], tz: ZoneInfo | None = None) -> Message:
    """The full-time recap: result, scorers, key moments in match order, and what was said."""
    fx = state.fixture
    sections = [Section(lines=(line(fixture_line(fx, tz)),))]
    goal_lines: list[Line] = []
    for scored in state.goals:
        goal = scored.goal
        assist = f" (assist: {goal.assist})" if goal.assist else ""
        goal_lines.append(line(f"{minute(goal)} ", bold(_scorer(goal)), f" — {goal.team}{assist}"))
    sections.append(Section(title="⚽ Goals", lines=tuple(goal_lines) or (line("No goals."),)))
    moments: list[Line] = []
    for i, stored in enumerate(state.events):
        moment = _key_moment(state, stored, state.events[i + 1 :])
        if moment is not None:
            moments.append(moment)
    if moments:
        sections.append(Section(title="📋 Key moments", lines=tuple(moments)))
    kicks = [s for s in state.events if isinstance(s.event, ShootoutKickEvent)]
    if kicks:
        sections.append(
            Section(
                title="🎯 Penalty shoot-out",
                lines=tuple(line(*moment_text(k.event, k.event.team or "")) for k in kicks),
            )
        )
    said = [quote_line(q) for q in quotes]
    if said:
        sections.append(Section(title="💬 What they said", lines=tuple(said)))
    return Message(
        kind="recap", headline=line(bold(f"🏁 {result_line(state)}")), sections=tuple(sections)
    )


def quote_line(quote: Quote) -> Line:
    who = f"{quote.speaker} ({quote.role})" if quote.role else quote.speaker
    return line(bold(who), ": ", quoted(quote.text))


def quote_followup(state: MatchState, quote: Quote) -> Message:
    """A quote that arrived after the recap went out."""
    return Message(
        kind="quote",
        headline=line(bold(f"💬 After {result_line(state)}")),
        sections=(Section(lines=(quote_line(quote),)),),
    )


# --- replies to commands -----------------------------------------------------------------------

COMMAND_HELP: tuple[tuple[str, str], ...] = (
    ("subscribe", "TEAM: follow a team's matches in this chat"),
    ("unsubscribe", "TEAM: stop following a team"),
    ("subscriptions", "the teams this chat follows"),
    ("score", "[TEAM]: live or latest score"),
    ("scorers", "[TEAM]: scorers of the match, or the top scorers"),
    ("next", "[TEAM]: the next fixture"),
    ("last", "[TEAM]: the latest result"),
    ("table", "[COMPETITION]: the league table"),
    ("settings", "alert level, time zone, spoiler delay"),
    ("help", "what I can do"),
)


def reply(*lines: Line | str, kind: str = "reply", buttons: Sequence[Button] = ()) -> Message:
    """A short answer: the first line is the headline, the rest one section."""
    rows = [line(x) if isinstance(x, str) else x for x in lines]
    body = (Section(lines=tuple(rows[1:])),) if len(rows) > 1 else ()
    return Message(kind=kind, headline=rows[0], sections=body, buttons=tuple(buttons))


def help_text(extra: Sequence[tuple[str, str]] = (), welcome: bool = False) -> Message:
    rows = [_help_row(name, what) for name, what in (*COMMAND_HELP, *extra)]
    head = (
        "👋 I post live match alerts and full-time recaps for the teams this chat follows."
        if welcome
        else "What I can do"
    )
    sections = [Section(lines=tuple(rows))]
    if welcome:
        sections.append(Section(lines=(line("Start with ", bold("/subscribe inter"), "."),)))
    return Message(kind="help", headline=line(bold(head)), sections=tuple(sections))


def _help_row(name: str, what: str) -> Line:
    """``/subscribe TEAM — follow a team's matches in this chat``."""
    args, sep, description = what.partition(": ")
    if sep and args.strip("[]").isupper():
        return line(bold(f"/{name} {args}"), f" — {description}")
    return line(bold(f"/{name}"), f" — {what}")


def unknown_command(name: str) -> Message:
    return reply(f"I don't know /{name}. Try /help.", kind="error")


def need_team(command: str) -> Message:
    return reply(line("Which team? For example: ", bold(f"/{command} inter")), kind="error")


def unknown_team(typed: str, suggestions: Sequence[tuple[str, str]], command: str) -> Message:
    """No team matched ``typed``: offer the closest (``(team id, name)`` pairs) as buttons."""
    if not suggestions:
        return reply(
            line("I don't know a team called ", quoted(typed), "."),
            "Check the spelling, or try the club's usual short name (inter, milan, juve).",
            kind="error",
        )
    names = ", ".join(name for _, name in suggestions)
    return reply(
        line("I don't know a team called ", quoted(typed), "."),
        line("Did you mean: ", bold(names), "?"),
        kind="suggestions",
        buttons=[
            Button(label=name, action=f"{command}:{team_id}") for team_id, name in suggestions
        ],
    )


def team_choices(typed: str, choices: Sequence[tuple[str, str]], command: str) -> Message:
    """A provider search found teams for ``typed``: ``(candidate key, label)`` pairs as buttons
    (the labels tell similar teams apart: ``Inter (Italy)``, ``Inter Miami CF (USA)``)."""
    return reply(
        line("Which team do you mean by ", quoted(typed), "?"),
        "\n".join(label for _, label in choices),
        kind="suggestions",
        buttons=[Button(label=label, action=f"{command}:pick:{key}") for key, label in choices],
    )


def team_search_unavailable(typed: str) -> Message:
    return reply(
        line("I don't know a team called ", quoted(typed), " and can't ask my data provider now."),
        "Try again in a few minutes, or use the club's usual short name.",
        kind="error",
    )


def admins_only_in(place: str) -> Message:
    if place == "channel":
        return reply(
            "Only members who can manage this server or channel can change what it follows.",
            kind="error",
        )
    return reply(f"Only the {place}'s admins can change what this {place} follows.", kind="error")


def subscribed(team: str, level: str, already: bool, place: str = "chat") -> Message:
    if already:
        return reply(f"This {place} already follows {team}.")
    return reply(f"✅ This {place} now follows {team}. Alerts: {level}.")


def unsubscribed(team: str, was: bool, place: str = "chat") -> Message:
    if not was:
        return reply(f"This {place} doesn't follow {team}.")
    return reply(f"🔕 This {place} no longer follows {team}.")


def subscriptions(teams: Sequence[str], place: str = "chat") -> Message:
    if not teams:
        return follows_nothing(place, "subscribe")
    return reply(line(f"This {place} follows: ", bold(", ".join(teams))))


def follows_nothing(place: str, command: str) -> Message:
    hint = "Try " if command == "subscribe" else "Ask for one: "
    return reply(f"This {place} follows no team yet.", line(hint, bold(f"/{command} inter"), "."))


def score_line(state: MatchState, tz: ZoneInfo | None = None) -> Line:
    """One match for /score: live with the minute, final, or upcoming."""
    fx = state.fixture
    if state.live:
        phase = {"half_time": "HT", "penalties": "PENS"}.get(state.period or "")
        minute_now = phase or f"{state.last_clock[0]}'"
        if not phase and state.last_clock[1]:
            minute_now = f"{state.last_clock[0]}+{state.last_clock[1]}'"
        return line(f"🔴 LIVE {minute_now}  ", bold(result_line(state)))
    if state.finished:
        return line("FT  ", bold(result_line(state)), f", {fixture_line(fx, tz)}")
    return line("Next: ", bold(f"{fx.home} v {fx.away}"), f", {kickoff_text(fx.kickoff, tz)}")


def kickoff_text(kickoff: datetime, tz: ZoneInfo | None) -> str:
    zone = tz or ZoneInfo("UTC")
    local = kickoff.astimezone(zone)
    return f"{local:%a %-d %b %H:%M} {local.tzname() or zone.key}"


def scores(rows: Sequence[Line]) -> Message:
    return reply(*rows) if rows else reply("No match in my data yet.")


def no_match(team: str) -> Message:
    return reply(f"I have no match of {team} yet.")


def match_scorers(state: MatchState) -> Message:
    if not state.goals:
        status = "no goals yet" if not state.finished else "no goals"
        return reply(line(bold(result_line(state)), f": {status}."))
    names = ", ".join(f"{_scorer(g.goal)} {minute(g.goal)}" for g in state.goals)
    return reply(line(bold(result_line(state)), f": {names}"))


def top_scorers(
    competition: str, table: Sequence[tuple[str, str, int]], source: str | None = None
) -> Message:
    """``table`` rows are (player, team, goals), best first."""
    if not table:
        return reply(f"No goals in {competition} in my data yet.")
    rows = [line(f"{i}. ", bold(p), f" ({t}) {g}") for i, (p, t, g) in enumerate(table, start=1)]
    origin = f"From {source}." if source else "From the matches I know."
    return reply(line(bold(f"{competition} top scorers")), *rows, line(italic(origin)))


# --- settings, fixtures and reminders -----------------------------------------------------------

SPOILER_CHOICES = (0, 30, 60, 120, 300)


def delay_text(seconds: int) -> str:
    if not seconds:
        return "off"
    return f"{seconds} s" if seconds < 60 or seconds % 60 else f"{seconds // 60} min"


def settings_view(
    level_name: str,
    level: str,
    timezone: str,
    spoiler_delay: int,
    note: str | None = None,
    place: str = "chat",
) -> Message:
    """The chat's settings, with a button for each choice."""
    rows = [
        line("Alerts: ", bold(level_name)),
        line("Time zone: ", bold(timezone)),
        line("Spoiler delay: ", bold(delay_text(spoiler_delay))),
    ]
    how = [
        line(bold("/settings level goals|key|all")),
        line(bold("/settings timezone Europe/Rome")),
        line(
            bold("/settings spoiler 0-300"),
            " (seconds to hold live alerts back, for fans watching a delayed stream)",
        ),
    ]
    buttons = [
        Button(label=("✓ " if level == value else "") + label, action=f"settings:level:{value}")
        for value, label in (("goals", "Goals only"), ("key", "Key events"), ("all", "Everything"))
    ] + [
        Button(
            label=("✓ " if spoiler_delay == s else "") + f"Delay {delay_text(s)}",
            action=f"settings:spoiler:{s}",
        )
        for s in SPOILER_CHOICES
    ]
    sections = [Section(lines=tuple(rows)), Section(title="Change", lines=tuple(how))]
    head = note or f"⚙️ Settings for this {place}"
    return Message(
        kind="settings", headline=line(bold(head)), sections=tuple(sections), buttons=tuple(buttons)
    )


def settings_error(text: str, example: str) -> Message:
    return reply(text, line("For example: ", bold(example)), kind="error")


def next_fixture(fixture: Fixture, tz: ZoneInfo | None) -> Line:
    parts = [fixture.competition, fixture.round, fixture.venue]
    where = " · ".join(p for p in parts if p)
    return line(
        "📅 ",
        bold(f"{fixture.home} v {fixture.away}"),
        f", {kickoff_text(fixture.kickoff, tz)} · {where}",
    )


def last_result(state: MatchState, tz: ZoneInfo | None) -> Line:
    return line("🏁 ", bold(result_line(state)), f", {fixture_line(state.fixture, tz)}")


def reminder(fixture: Fixture, minutes_before: int, tz: ZoneInfo | None) -> Message:
    lead = f"{minutes_before} minutes" if minutes_before != 1 else "1 minute"
    return Message(
        kind="reminder",
        headline=line(bold(f"⏰ Kick-off in {lead}: {fixture.home} v {fixture.away}")),
        sections=(
            Section(
                lines=(line(kickoff_text(fixture.kickoff, tz)), line(fixture_line(fixture, tz)))
            ),
        ),
    )


# --- reporters -----------------------------------------------------------------------------------


def plain_headline(message: Message) -> str:
    """A message's headline and first line as plain words (for acknowledgements)."""
    first = message.sections[0].lines[0] if message.sections and message.sections[0].lines else ()
    head = render_line(message.headline, "text")
    return f"{head} — {render_line(first, 'text')}" if first else head


def reported(what: str, report_id: str | None, where: str) -> Message:
    """The acknowledgement of a report: the event as understood, and how to take it back."""
    rows = [line("✅ Reported: ", bold(what)), line(where)]
    if report_id:
        rows.append(line("Wrong? ", bold(f"/report undo {report_id}")))
    return reply(*rows)


def report_undone(what: str) -> Message:
    return reply(line("↩️ Taken back: ", bold(what)))


def report_refused() -> Message:
    return reply(
        "Only the bot's reporters can use /report.",
        "The operator names them in MATCHBOT_REPORTERS.",
        kind="error",
    )


def report_problem(problem: str, usage: Sequence[tuple[str, str]]) -> Message:
    rows = [line(bold(f"/report {syntax}"), f" — {what}") for syntax, what in usage]
    return Message(
        kind="error",
        headline=line(problem),
        sections=(Section(title="Reporter commands", lines=tuple(rows)),),
    )


def retracted(original: Message) -> Message:
    """What a reporter's taken-back alert becomes."""
    return Message(
        kind="correction",
        headline=line("↩️ ", strike(render_line(original.headline, "text"))),
        sections=(Section(lines=(line("This was reported by mistake and has been taken back."),)),),
    )


def league_table(
    competition: str, rows: Sequence[tuple[int, str, int, int, int, int, int, int]]
) -> Message:
    """``rows``: (position, team, played, won, drawn, lost, goal difference, points)."""
    if not rows:
        return reply(f"No table for {competition} yet.")
    lines = [
        line(f"{pos}. ", bold(team), f" {pts} pts · P{p} W{w} D{d} L{lost} · GD {gd:+d}")
        for pos, team, p, w, d, lost, gd, pts in rows
    ]
    return Message(
        kind="table",
        headline=line(bold(f"🏆 {competition} table")),
        sections=(Section(lines=tuple(lines)),),
    )


def table_unavailable(reason: str) -> Message:
    return reply(reason, kind="error")
