"""What the bot says: alerts, corrections, recaps and command replies, as neutral messages.

Every sentence a fan reads is written in this module (the recap's lead in ``lead.py``);
each adapter only decides how it looks. Sentences are English inside ``_()`` (or ``N_()`` where
they are listed before use) and come out in the language set by :func:`bot.messages.i18n.use`;
their Italian is in ``locales/it/LC_MESSAGES/matchbot.po`` (see the README's "Languages").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot import command_catalogue
from bot.command_catalogue import ChatCommand
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
    Quote,
    SaveEvent,
    ShootoutKickEvent,
    SubstitutionEvent,
)
from bot.match import Fixture, MatchState, Score, StoredEvent
from bot.messages.i18n import (
    N_,
    _,
    current,
    date_text,
    datetime_text,
    italian_al,
    ngettext,
    ordinal,
)
from bot.messages.lead import lead
from bot.messages.model import (
    Button,
    Line,
    Message,
    Section,
    bold,
    italic,
    line,
    line_text,
    quoted,
    strike,
)
from bot.storylines import (
    LastMeeting,
    NextFixture,
    PlayerStreak,
    SeasonGoals,
    Storyline,
    TablePlace,
    TeamRun,
    matchday,
)

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
#: Competition names said in the chat's language; any other name is shown as the feed has it.
COMPETITIONS = {
    "World Cup": N_("World Cup"),
    "FIFA World Cup": N_("World Cup"),
    "European Championship": N_("European Championship"),
    "Champions League": N_("Champions League"),
    "UEFA Champions League": N_("Champions League"),
    "Europa League": N_("Europa League"),
    "Serie A": N_("Serie A"),
    "Premier League": N_("Premier League"),
    "Coppa Italia": N_("Coppa Italia"),
    "Friendly": N_("Friendly"),
}


#: Cup rounds said in the chat's language (league matchdays are numbered: "Matchday 17").
ROUNDS = {
    "Final": N_("Final"),
    "Semi-finals": N_("Semi-finals"),
    "Quarter-finals": N_("Quarter-finals"),
    "Round of 16": N_("Round of 16"),
    "Third place": N_("Third place"),
}


def round_name(name: str | None) -> str | None:
    """``Matchday 17`` / ``Giornata 17`` (also for ``Regular Season - 17``), known cup rounds
    translated, anything else as the feed has it."""
    if name is None:
        return None
    number = matchday(name)
    if number is not None:
        return _("Matchday {n}", n=number)
    return _(ROUNDS[name]) if name in ROUNDS else name


def competition_name(name: str) -> str:
    """``World Cup`` → ``Coppa del Mondo`` in Italian; unknown names stay as they are."""
    return _(COMPETITIONS[name]) if name in COMPETITIONS else name


def _ruled_out(event: GoalDisallowedEvent) -> str:
    detail = f", {event.detail}" if event.detail else ""
    return f"{_(RULED_OUT[event.reason])}{detail}"


PENALTY_OUTCOMES = {
    "saved": N_("saved"),
    "missed": N_("off target"),
    "woodwork": N_("hits the woodwork"),
}


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


def _scorer(goal: GoalEvent) -> str:
    mark = {"penalty": _(" (pen)"), "own_goal": _(" (og)")}.get(goal.kind, "")
    return f"{goal.player}{mark}"


def _goal_name(goal: GoalEvent) -> str:
    """``Lautaro Martínez's 65' goal``, ``Gonzalo Montiel's 119' own goal``."""
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


def _with_team(player: str, team: str) -> str:
    return f"{player} ({team})"


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
    state: MatchState, event: PeriodEvent, score: Score, tz: ZoneInfo | None
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
    return Message(kind=event.period, headline=line(bold(headline)))


def alert(
    state: MatchState,
    stored: StoredEvent,
    tz: ZoneInfo | None = None,
    streak: PlayerStreak | None = None,
) -> Message:
    """The live alert for one event (dates in ``tz``, the chat's time zone); a goal alert
    carries the scorer's ``streak`` when he has one."""
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
            detail += line(_(" — own goal, counts for {team}", team=team))
        else:
            detail += line(_(" scores for {team}", team=team))
        if event.assist:
            detail += line(_(" (assist: {player})", player=event.assist))
        rows = [detail]
        if streak is not None:
            rows.append(line(storyline_text(streak)))
        return Message(
            kind="goal",
            headline=line(bold(_("⚽ GOAL! {score}", score=scoreline(fx, score)))),
            sections=(Section(lines=tuple(rows)),),
        )
    if isinstance(event, GoalDisallowedEvent):
        ruled_out = _ruled_out(event)
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


def moment_text(event: Event, team: str, brief: bool = False) -> tuple[str, ...]:
    """The words for a save, miss, substitution, note or shoot-out kick.

    ``brief`` leaves out what an alert's headline already says (the kind and the team)."""
    who = (lambda player: player) if brief else (lambda player: _with_team(player, team))
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
        if event.detail:
            text += f", {event.detail}"
        return (text,)
    if isinstance(event, MissEvent):
        text = ("" if brief else _("Miss: ")) + who(event.player)
        if event.assist:
            text += _(", set up by {player}", player=event.assist)
        if event.detail:
            text += f", {event.detail}"
        return (text,)
    if isinstance(event, ShootoutKickEvent):
        outcome = _("scores ✅") if event.scored else _("misses ❌")
        return (f"{who(event.player)} {outcome}",)
    if isinstance(event, NoteEvent):
        return (event.text,)
    return (event.type,)


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
            line(_("{goal} for {team} does not stand.", goal=_goal_name(goal), team=goal.team))
        )
    lines.append(line(_("Score: "), bold(score)))
    return Message(
        kind="correction",
        headline=line("⚽ ", strike(_("GOAL")), bold(f" {why} — {score}")),
        sections=(Section(lines=tuple(lines)),),
    )


# --- the full-time recap ----------------------------------------------------------------------


def _key_moment(
    state: MatchState, stored: StoredEvent, scores: Mapping[str, Score], made_a_difference: bool
) -> Line | None:
    """``stored`` as a line of the recap's key moments, or None when it is not one.

    ``scores``: each counted goal's score right after it, in match order; ``made_a_difference``:
    for a substitution, whether the player who came on later scored or assisted."""
    event = stored.event
    team = getattr(event, "team", None) or ""
    at = f"{minute(event)} "
    if isinstance(event, GoalEvent):
        if event.id in state.cancelled:
            return None
        now = scores.get(event.id, Score())
        score = f"{now.home}-{now.away}"
        if event.kind == "own_goal":
            return line(
                at,
                _("⚽ Own goal by "),
                bold(event.player),
                _(", for {team}, {score}", team=team, score=score),
            )
        return line(
            at,
            "⚽ ",
            bold(_scorer(event)),
            _(" scores for {team}, {score}", team=team, score=score),
        )
    if isinstance(event, GoalDisallowedEvent):
        if event.player:
            who = _("{player}'s goal for {team}", player=event.player, team=team)
        else:
            who = _("{team} goal", team=team)
        return line(at, f"❌ {who} {_ruled_out(event)}")
    if isinstance(event, GoalCancelledEvent):
        goal = state.goal_by_id(event.ref)
        what = _goal_name(goal) if goal else _("a goal")
        return line(
            at,
            _(
                "❌ VAR cancels {goal} for {team} ({reason})",
                goal=what,
                team=team,
                reason=_(REASONS[event.reason]),
            ),
        )
    if isinstance(event, CardEvent) and event.card != "yellow":
        if event.card == "second_yellow":
            return line(at, _("🟥 Second yellow: {player}", player=_with_team(event.player, team)))
        return line(at, _("🟥 Red card: {player}", player=_with_team(event.player, team)))
    if isinstance(event, PenaltyMissedEvent):
        return line(
            at,
            _(
                "🚫 Penalty missed: {player}, {outcome}",
                player=_with_team(event.player, team),
                outcome=_(PENALTY_OUTCOMES[event.outcome]),
            ),
        )
    if isinstance(event, SaveEvent):
        return line(at, "🧤 ", *moment_text(event, team))
    if isinstance(event, MissEvent):
        return line(at, "😱 ", *moment_text(event, team))
    if isinstance(event, NoteEvent):
        return line(at, "📝 ", event.text)
    if isinstance(event, SubstitutionEvent) and made_a_difference:
        return line(at, "🔄 ", *moment_text(event, team))
    return None


def _substitutions_that_mattered(state: MatchState) -> set[str]:
    """The substitutions that are key moments: the player who came on later scored or assisted
    (one pass over the events, from the last)."""
    involved: set[tuple[str, str]] = set()  # (team, player) of every goal after this point
    mattered: set[str] = set()
    for stored in reversed(state.events):
        event = stored.event
        if isinstance(event, GoalEvent) and event.id not in state.cancelled:
            involved.add((event.team, event.player))
            if event.assist:
                involved.add((event.team, event.assist))
        elif isinstance(event, SubstitutionEvent) and (event.team, event.player_in) in involved:
            mattered.add(event.id)
    return mattered


def recap(
    state: MatchState,
    quotes: Iterable[Quote],
    tz: ZoneInfo | None = None,
    stories: Sequence[Storyline] = (),
) -> Message:
    """The full-time recap: result, the lead paragraph, scorers, storylines, key moments in
    match order, and what was said."""
    fx = state.fixture
    sections = [Section(lines=(line(fixture_line(fx, tz)),))]
    paragraph = lead(state)
    if paragraph:
        sections.append(Section(lines=(line(paragraph),)))
    goal_lines: list[Line] = []
    for scored in state.goals:
        goal = scored.goal
        assist = _(" (assist: {player})", player=goal.assist) if goal.assist else ""
        goal_lines.append(line(f"{minute(goal)} ", bold(_scorer(goal)), f" — {goal.team}{assist}"))
    sections.append(
        Section(title=_("⚽ Goals"), lines=tuple(goal_lines) or (line(_("No goals.")),))
    )
    if stories:
        sections.append(
            Section(
                title=_("📈 Storylines"),
                lines=tuple(line(storyline_text(s, tz)) for s in stories),
            )
        )
    moments: list[Line] = []
    scores = {scored.goal.id: scored.score_after for scored in state.goals}
    mattered = _substitutions_that_mattered(state)
    for stored in state.events:
        moment = _key_moment(state, stored, scores, stored.event.id in mattered)
        if moment is not None:
            moments.append(moment)
    if moments:
        sections.append(Section(title=_("📋 Key moments"), lines=tuple(moments)))
    kicks = [s for s in state.events if isinstance(s.event, ShootoutKickEvent)]
    if kicks:
        sections.append(
            Section(
                title=_("🎯 Penalty shoot-out"),
                lines=tuple(line(*moment_text(k.event, k.event.team or "")) for k in kicks),
            )
        )
    said = [quote_line(q) for q in quotes]
    if said:
        sections.append(Section(title=_("💬 What they said"), lines=tuple(said)))
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
        headline=line(bold(_("💬 After {result}", result=result_line(state)))),
        sections=(Section(lines=(quote_line(quote),)),),
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


# --- replies to commands -----------------------------------------------------------------------


def reply(*lines: Line | str, kind: str = "reply", buttons: Sequence[Button] = ()) -> Message:
    """A short answer: the first line is the headline, the rest one section."""
    rows = [line(x) if isinstance(x, str) else x for x in lines]
    body = (Section(lines=tuple(rows[1:])),) if len(rows) > 1 else ()
    return Message(kind=kind, headline=rows[0], sections=body, buttons=tuple(buttons))


def help_text(welcome: bool = False) -> Message:
    """``/help`` (``/start``: with a welcome): every command of the catalogue it lists."""
    rows = [_help_row(command) for command in command_catalogue.in_help()]
    head = (
        _(
            "👋 I post live match alerts and full-time recaps for the teams, competitions and"
            " players this chat follows."
        )
        if welcome
        else _("What I can do")
    )
    sections = [Section(lines=tuple(rows))]
    if welcome:
        sections.append(Section(lines=(line(_("Start with "), bold("/subscribe inter"), "."),)))
    return Message(kind="help", headline=line(bold(head)), sections=tuple(sections))


def _help_row(command: ChatCommand) -> Line:
    """``/score [TEAM] — live or latest score``."""
    if command.args:
        return line(bold(f"/{command.name} {_(command.args)}"), f" — {_(command.help)}")
    return line(bold(f"/{command.name}"), f" — {_(command.help)}")


def command_menu(platform: str) -> list[tuple[str, str]]:
    """A platform's command menu (Telegram's ``setMyCommands``) in the current language:
    (name, description) pairs, the description ``[TEAM]: live or latest score``."""
    return [
        (c.name, f"{_(c.args)}: {_(c.help)}" if c.args else _(c.help))
        for c in command_catalogue.menu(platform)
    ]


def unknown_command(name: str) -> Message:
    return reply(_("I don't know /{name}. Try /help.", name=name), kind="error")


def need_team(command: str) -> Message:
    return reply(line(_("Which team? For example: "), bold(f"/{command} inter")), kind="error")


def unknown_team(typed: str, suggestions: Sequence[tuple[str, str]], command: str) -> Message:
    """No team matched ``typed``: offer the closest (``(team id, name)`` pairs) as buttons."""
    if not suggestions:
        return reply(
            line(_("I don't know a team called "), quoted(typed), "."),
            _("Check the spelling, or try the club's usual short name (inter, milan, juve)."),
            kind="error",
        )
    names = ", ".join(name for _id, name in suggestions)
    return reply(
        line(_("I don't know a team called "), quoted(typed), "."),
        line(_("Did you mean: "), bold(names), "?"),
        kind="suggestions",
        buttons=[
            Button(label=name, action=f"{command}:{team_id}") for team_id, name in suggestions
        ],
    )


def team_choices(typed: str, choices: Sequence[tuple[str, str]], command: str) -> Message:
    """A provider search found teams for ``typed``: ``(candidate key, label)`` pairs as buttons
    (the labels tell similar teams apart: ``Inter (Italy)``, ``Inter Miami CF (USA)``)."""
    return reply(
        line(_("Which team do you mean by "), quoted(typed), "?"),
        "\n".join(label for _key, label in choices),
        kind="suggestions",
        buttons=[Button(label=label, action=f"{command}:pick:{key}") for key, label in choices],
    )


def team_search_unavailable(typed: str) -> Message:
    return reply(
        line(
            _("I don't know a team called "),
            quoted(typed),
            _(" and can't ask my data provider now."),
        ),
        _("Try again in a few minutes, or use the club's usual short name."),
        kind="error",
    )


def _place(place: str) -> str:
    """``chat`` or ``channel`` in the chat's language."""
    return _("channel") if place == "channel" else _("chat")


def _this_place(place: str) -> str:
    """``This chat`` / ``This channel`` (``Questa chat`` / ``Questo canale``)."""
    return _("This channel") if place == "channel" else _("This chat")


def button_expired_text() -> str:
    """The short alert for a button the bot never offered (forged, or from an old version)."""
    return _("That button has expired. Type the command again.")


def button_refused(chat_kind: str, place: str = "chat") -> str:
    """The short alert shown to someone who pressed a button only admins may press."""
    if place == "channel":
        return _("Only members who can manage this server or channel can change its settings.")
    if chat_kind == "channel":
        return _("Only the channel's administrators can change what it follows and its settings.")
    if chat_kind == "private":
        return _("This button belongs to someone else's chat.")
    return _("Only the chat's admins can change what this chat follows and its settings.")


def admins_only_in(place: str) -> Message:
    if place == "channel":
        return reply(
            _("Only members who can manage this server or channel can change what it follows."),
            kind="error",
        )
    return reply(_("Only the chat's admins can change what this chat follows."), kind="error")


def subscribed(team: str, level: str, already: bool, place: str = "chat") -> Message:
    if already:
        return reply(_("{place} already follows {team}.", place=_this_place(place), team=team))
    return reply(
        _(
            "✅ {place} now follows {team}. Alerts: {level}.",
            place=_this_place(place),
            team=team,
            level=_(level),
        )
    )


def unsubscribed(team: str, was: bool, place: str = "chat") -> Message:
    if not was:
        return reply(_("{place} doesn't follow {team}.", place=_this_place(place), team=team))
    return reply(_("🔕 {place} no longer follows {team}.", place=_this_place(place), team=team))


def subscriptions(teams: Sequence[str], place: str = "chat") -> Message:
    if not teams:
        return follows_nothing(place, "subscribe")
    return reply(line(_("{place} follows: ", place=_this_place(place)), bold(", ".join(teams))))


def follows_nothing(place: str, command: str) -> Message:
    hint = _("Try ") if command == "subscribe" else _("Ask for one: ")
    return reply(
        _("{place} follows no team yet.", place=_this_place(place)),
        line(hint, bold(f"/{command} inter"), "."),
    )


def score_line(state: MatchState, tz: ZoneInfo | None = None) -> Line:
    """One match for /score: live with the minute, final, or upcoming."""
    fx = state.fixture
    if state.live:
        phase = {"half_time": _("HT"), "penalties": _("PENS")}.get(state.period or "")
        minute_now = phase or f"{state.last_clock[0]}'"
        if not phase and state.last_clock[1]:
            minute_now = f"{state.last_clock[0]}+{state.last_clock[1]}'"
        return line(_("🔴 LIVE {minute}  ", minute=minute_now), bold(result_line(state)))
    if state.finished:
        return line(_("FT  "), bold(result_line(state)), f", {fixture_line(fx, tz)}")
    return line(_("Next: "), bold(versus(fx)), f", {kickoff_text(fx.kickoff, tz)}")


def versus(fixture: Fixture) -> str:
    """``Atalanta v Inter`` / ``Atalanta-Inter``."""
    return _("{home} v {away}", home=fixture.home, away=fixture.away)


def kickoff_text(kickoff: datetime, tz: ZoneInfo | None) -> str:
    """``Sun 28 Dec 20:45 CET`` / ``dom 28 dic 20:45 CET`` in the chat's time zone."""
    zone = tz or ZoneInfo("UTC")
    local = kickoff.astimezone(zone)
    return f"{datetime_text(kickoff, zone)} {local.tzname() or zone.key}"


def no_data(team: str, what: str) -> Line:
    """``Inter: no fixture in my data yet.`` (``what``: fixture, result or match)."""
    if what == "fixture":
        return line(_("{team}: no fixture in my data yet.", team=team))
    if what == "result":
        return line(_("{team}: no result in my data yet.", team=team))
    return line(_("{team}: no match in my data yet.", team=team))


def scores(rows: Sequence[Line]) -> Message:
    return reply(*rows) if rows else reply(_("No match in my data yet."))


def no_match(team: str) -> Message:
    return reply(_("I have no match of {team} yet.", team=team))


def match_scorers(state: MatchState) -> Message:
    if not state.goals:
        status = _("no goals yet") if not state.finished else _("no goals")
        return reply(line(bold(result_line(state)), f": {status}."))
    names = ", ".join(f"{_scorer(g.goal)} {minute(g.goal)}" for g in state.goals)
    return reply(line(bold(result_line(state)), f": {names}"))


def top_scorers(
    competition: str, table: Sequence[tuple[str, str, int]], source: str | None = None
) -> Message:
    """``table`` rows are (player, team, goals), best first."""
    name = competition_name(competition)
    if not table:
        return reply(_("No goals in {competition} in my data yet.", competition=name))
    rows = [line(f"{i}. ", bold(p), f" ({t}) {g}") for i, (p, t, g) in enumerate(table, start=1)]
    origin = _("From {source}.", source=source) if source else _("From the matches I know.")
    return reply(
        line(bold(_("{competition} top scorers", competition=name))), *rows, line(italic(origin))
    )


def no_goals_yet() -> Message:
    return reply(_("No goals in my data yet."))


# --- settings, fixtures and reminders -----------------------------------------------------------

SPOILER_CHOICES = (0, 30, 60, 120, 300)


def delay_text(seconds: int) -> str:
    if not seconds:
        return _("off")
    if seconds < 60 or seconds % 60:
        return _("{seconds} s", seconds=seconds)
    return _("{minutes} min", minutes=seconds // 60)


#: The languages a chat can choose, as each language calls itself.
LANGUAGE_CHOICES = (("en", "English"), ("it", "Italiano"))


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
) -> Message:
    """The chat's settings, with a button for each choice. ``follows`` are the chat's
    subscriptions as (kind, target id, label, level or None for the chat's level): each gets
    a line and a button that moves it to the next level."""
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
    how = [
        line(bold("/settings level goals|key|all")),
        line(bold("/settings timezone Europe/Rome")),
        line(
            bold("/settings spoiler 0-300"),
            _(" (seconds to hold live alerts back, for fans watching a delayed stream)"),
        ),
        line(bold("/settings language en|it")),
        line(
            bold("/settings digest 09:00"),
            _(" (today's matches every day at that time; off)"),
        ),
    ]
    if follows:
        how.append(line(bold("/subscribe serie a goals"), _(" (one subscription's level)")))
    buttons = (
        [
            Button(
                label=("✓ " if level == value else "") + _(label), action=f"settings:level:{value}"
            )
            for value, label in (
                ("goals", N_("Goals only")),
                ("key", N_("Key events")),
                ("all", N_("Everything")),
            )
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
    for kind, target, label, lvl in follows:
        following = FOLLOW_CYCLE[(FOLLOW_CYCLE.index(lvl) + 1) % len(FOLLOW_CYCLE)]
        buttons.append(
            Button(
                label=f"{label}: {follow_level_text(lvl)} → {follow_level_text(following)}",
                action=f"settings:follow:{kind[0]}:{target}:{following or 'chat'}",
            )
        )
    sections = [Section(lines=tuple(rows))]
    if follows:
        sections.append(
            Section(
                title=_("Alerts per subscription"),
                lines=tuple(
                    line(f"{label}: ", bold(follow_level_text(lvl)))
                    for _kind, _target, label, lvl in follows
                ),
            )
        )
    sections.append(Section(title=_("Change"), lines=tuple(how)))
    head = note or _("⚙️ Settings for this {place}", place=_place(place))
    return Message(
        kind="settings", headline=line(bold(head)), sections=tuple(sections), buttons=tuple(buttons)
    )


#: The levels a subscription's button steps through (None: the chat's own level).
FOLLOW_CYCLE: tuple[str | None, ...] = (None, "goals", "key", "all")
LEVEL_WORDS = {"goals": N_("goals only"), "key": N_("key events"), "all": N_("everything")}


def follow_level_text(level: str | None) -> str:
    return _(LEVEL_WORDS[level]) if level else _("chat's level")


def settings_saved() -> str:
    return _("✅ Settings saved")


def bad_level() -> str:
    return _("The alert level is goals, key or all.")


def bad_timezone(typed: str) -> str:
    return _("I don't know the time zone “{typed}”.", typed=typed)


def bad_spoiler(most: int) -> str:
    return _("The spoiler delay is 0 to {most} seconds.", most=most)


def bad_language() -> str:
    return _("The language is en (English) or it (Italiano).")


def bad_setting() -> str:
    return _("I can change: level, timezone, spoiler, language, digest.")


def bad_digest() -> str:
    return _("The digest time is a time of day, like 09:00 (or off).")


def bad_follow_level() -> str:
    return _("Name a subscription and a level: goals, key or all.")


def follow_level_hint() -> str:
    return _("Change a subscription's level with /subscribe.")


def button_expired() -> Message:
    return reply(_("That button has expired. Type the command again."))


def settings_error(text: str, example: str) -> Message:
    return reply(text, line(_("For example: "), bold(example)), kind="error")


def next_fixture(fixture: Fixture, tz: ZoneInfo | None) -> Line:
    parts = [competition_name(fixture.competition), round_name(fixture.round), fixture.venue]
    where = " · ".join(p for p in parts if p)
    return line(
        "📅 ",
        bold(versus(fixture)),
        f", {kickoff_text(fixture.kickoff, tz)} · {where}",
    )


def last_result(state: MatchState, tz: ZoneInfo | None) -> Line:
    return line("🏁 ", bold(result_line(state)), f", {fixture_line(state.fixture, tz)}")


def reminder(fixture: Fixture, minutes_before: int, tz: ZoneInfo | None) -> Message:
    return Message(
        kind="reminder",
        headline=line(
            bold(
                ngettext(
                    "⏰ Kick-off in {n} minute: {home} v {away}",
                    "⏰ Kick-off in {n} minutes: {home} v {away}",
                    minutes_before,
                    home=fixture.home,
                    away=fixture.away,
                )
            )
        ),
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
    head = line_text(message.headline)
    return f"{head} — {line_text(first)}" if first else head


def reported(what: str, report_id: str | None, where: str) -> Message:
    """The acknowledgement of a report: the event as understood, and how to take it back."""
    rows = [line(_("✅ Reported: "), bold(what)), line(where)]
    if report_id:
        rows.append(line(_("Wrong? "), bold(f"/report undo {report_id}")))
    return reply(*rows)


def report_undone(what: str) -> Message:
    return reply(line(_("↩️ Taken back: "), bold(what)))


def report_refused() -> Message:
    return reply(
        _("Only the bot's reporters can use /report."),
        _("The operator names them in MATCHBOT_REPORTERS."),
        kind="error",
    )


def report_problem(problem: str, usage: Sequence[tuple[str, str]] | None = None) -> Message:
    """``Not reported: PROBLEM``, then every form of ``/report`` (``problem`` is one of the
    reporter sentences below, already in the chat's language)."""
    forms = REPORT_USAGE if usage is None else usage
    rows = [line(bold(f"/report {syntax}"), f" — {_(what)}") for syntax, what in forms]
    return Message(
        kind="error",
        headline=line(_("Not reported: {problem}", problem=problem)),
        sections=(Section(title=_("Reporter commands"), lines=tuple(rows)),),
    )


# --- reporters: /report's forms and what is wrong with a report ----------------------------------

#: Every form of ``/report``: how to write it (the words the bot reads stay as they are in every
#: language) and what it does, or an example.
REPORT_FORMS: dict[str, str] = {
    "match HOME v AWAY [at 2026-02-01 20:45] [in Serie A]": N_("declare a match no feed covers"),
    "period TEAM kickoff|ht|2h|et|pens|ft [MINUTE]": N_("the match moves on"),
    "goal TEAM PLAYER MINUTE [pen|og] [assist PLAYER]": (
        "/report goal Inter Lautaro Martínez 65 assist Esposito"
    ),
    "disallowed TEAM [PLAYER] MINUTE offside|foul|handball|var|other": N_(
        "a goal that never stood"
    ),
    "cancel TEAM MINUTE [REASON]": N_("VAR overturns TEAM's latest goal"),
    "card TEAM PLAYER MINUTE yellow|second|red": N_("a booking"),
    "sub TEAM PLAYER MINUTE [for PLAYER]": N_("a substitution"),
    "save TEAM KEEPER MINUTE [from SHOOTER]": "/report save Atalanta Carnesecchi 12 from Thuram",
    "miss TEAM PLAYER MINUTE [assist PLAYER] [: what happened]": N_("a big chance missed"),
    "pen TEAM PLAYER MINUTE saved|missed|woodwork": N_("a penalty that did not go in"),
    "note TEAM MINUTE TEXT": N_("a key moment in your words"),
    "quote TEAM SPEAKER [(ROLE)]: TEXT": (
        "/report quote Inter Cristian Chivu (Inter coach): We faced a great side"
    ),
    "undo ID": N_("take a report back"),
}
REPORT_USAGE: tuple[tuple[str, str], ...] = tuple(REPORT_FORMS.items())


def report_what_happened() -> str:
    return _(
        "What happened? For example: {example}", example="/report goal Inter Lautaro Martínez 65"
    )


def report_which_undo() -> str:
    return _("Which report? For example: {example}", example="/report undo r1a2b3")


def report_unknown_kind(kind: str, kinds: Sequence[str]) -> str:
    return _("I can't report “{kind}”. Try: {kinds}.", kind=kind, kinds=", ".join(kinds))


def report_trailing_words(words: str) -> str:
    return _("I did not understand “{words}” at the end.", words=words)


def report_which_team(typed: str) -> str:
    return _(
        "Which team? I don't know “{typed}”. Start with the team: {example}",
        typed=typed,
        example="/report goal Inter …",
    )


def report_no_match(team: str) -> str:
    return _(
        "{team} has no match in my data. Declare it first: {example}",
        team=team,
        example=f"/report match {team} v OPPONENT",
    )


def report_not_playing(team: str, fixture: Fixture) -> str:
    return _(
        "{team} does not play in {home} v {away}.", team=team, home=fixture.home, away=fixture.away
    )


def report_same_team(home: str, away: str) -> str:
    return _("home and away are the same team ({home} v {away}).", home=home, away=away)


def report_player_and_minute() -> str:
    return _("I need the player and the minute, e.g. “Lautaro Martínez 65” or “45+2”.")


def report_match_example() -> str:
    return _(
        "For example: {example}",
        example="/report match Inter v Milan at 2026-02-01 20:45 in Serie A",
    )


def report_kickoff_format(typed: str) -> str:
    return _("write the kick-off like “at 2026-02-01 20:45”, not “at {typed}”.", typed=typed)


def report_kickoff_year(first: int, last: int) -> str:
    return _("the kick-off year must be between {first} and {last}.", first=first, last=last)


def report_not_a_time(typed: str) -> str:
    return _("“{typed}” is not a time of day.", typed=typed)


def report_not_a_date(typed: str) -> str:
    return _("“{typed}” is not a date (year-month-day).", typed=typed)


def report_which_period() -> str:
    return _("Which period? kickoff, ht, 2h, et, pens or ft.")


def report_period_minute(typed: str) -> str:
    return _("After the period I understand a minute like 90+5, not “{typed}”.", typed=typed)


#: What may follow the minute of a report, by kind (the words the bot reads stay as they are).
AFTER_THE_MINUTE = {
    "goal": N_("pen, og or assist PLAYER"),
    "sub": N_("“for PLAYER”"),
    "save": N_("“from SHOOTER”"),
}


def report_after_minute(kind: str, typed: str) -> str:
    """``kind``: the report (``goal``), whose words after the minute the reporter got wrong."""
    return _(
        "After the minute I understand {expected}, not “{typed}”.",
        expected=_(AFTER_THE_MINUTE[kind]),
        typed=typed,
    )


def report_after_miss(typed: str) -> str:
    return _(
        "After the minute I understand “assist PLAYER” or “: what happened”, not “{typed}”.",
        typed=typed,
    )


def report_disallowed_reason(reasons: Sequence[str]) -> str:
    return _("Why was it disallowed? End with one of: {reasons}.", reasons=", ".join(reasons))


def report_cancel_reason(reasons: Sequence[str]) -> str:
    return _("The reason is one of: {reasons}.", reasons=", ".join(reasons))


def report_no_goal_to_cancel(team: str, fixture: Fixture) -> str:
    return _(
        "{team} has no goal to cancel in {home} v {away}.",
        team=team,
        home=fixture.home,
        away=fixture.away,
    )


def report_which_card() -> str:
    return _("Which card? End with yellow, second or red.")


def report_penalty_outcome() -> str:
    return _("How did it end? End with saved, missed or woodwork.")


def report_note_example() -> str:
    return _("For example: {example}", example="/report note Atalanta 65 Djimsiti loses the ball")


def report_quote_example() -> str:
    return _(
        "For example: {example}",
        example="/report quote Inter Cristian Chivu (Inter coach): We faced a great side",
    )


def report_id_taken() -> str:
    return _("that report id is taken; please send the report again.")


def report_not_understood() -> str:
    return _("I could not understand that report.")


def report_not_an_id(typed: str) -> str:
    return _("“{typed}” is not a report id (like r1a2b3).", typed=typed)


def report_from_a_feed(report_id: str) -> str:
    return _(
        "{id} came from a match feed, not from a reporter; only reports can be undone here.",
        id=report_id,
    )


def report_unknown_id(report_id: str) -> str:
    return _("there is no report '{id}'.", id=report_id)


def report_someone_elses(report_id: str) -> str:
    return _("{id} is another reporter's report; you can undo only your own.", id=report_id)


def report_match_stays(report_id: str) -> str:
    return _("{id} declared a match; a match stays, undo its events instead.", id=report_id)


def report_already_undone(report_id: str) -> str:
    return _("{id} is already taken back.", id=report_id)


def report_refused_by_match(detail: str) -> str:
    """What the match data refused, with the feed's own reason (technical, in English)."""
    return _("the match data does not accept it ({detail}).", detail=detail)


def report_where(fixture: Fixture | None) -> str:
    """Under an acknowledgement: the match the report went to."""
    if fixture is None:
        return _("A new match: report its events with the team's name.")
    return _(
        "{home} v {away}, {competition}",
        home=fixture.home,
        away=fixture.away,
        competition=competition_name(fixture.competition),
    )


def report_match_described(home: str, away: str, competition: str, kickoff: datetime) -> str:
    """A declared match as its acknowledgement shows it (kick-off in its own time zone)."""
    when = f"{format_date(kickoff, 'EEE d MMM', locale=current())} {kickoff:%H:%M %Z}".rstrip()
    return _(
        "{home} v {away}, {competition}, kick-off {when}",
        home=home,
        away=away,
        competition=competition_name(competition),
        when=when,
    )


def report_quote_described(speaker: str, text: str) -> str:
    return _("{speaker}: “{text}”", speaker=speaker, text=text)


def report_quote_taken_back(speaker: str) -> str:
    return _("{speaker}'s quote", speaker=speaker)


#: The fields of a feed object a reporter's words fill, as a reporter would name them.
REPORT_FIELDS = {
    "minute": N_("minute"),
    "stoppage": N_("stoppage time"),
    "player": N_("player's name"),
    "assist": N_("assist's name"),
    "player_in": N_("player's name"),
    "player_out": N_("name of the player going off"),
    "shooter": N_("shooter's name"),
    "team": N_("team's name"),
    "home": N_("home team's name"),
    "away": N_("away team's name"),
    "competition": N_("competition's name"),
    "speaker": N_("speaker's name"),
    "role": N_("role"),
    "text": N_("text"),
    "detail": N_("detail"),
}


def report_field(field: str) -> str:
    return _(REPORT_FIELDS[field]) if field in REPORT_FIELDS else field


def report_out_of_range(field: str, value: object, low: object, high: object) -> str:
    """``minute 200 is outside the range 0–130``."""
    return _(
        "{field} {value} is outside the range {low}–{high}",
        field=report_field(field),
        value=value,
        low=low,
        high=high,
    )


def report_too_long(field: str, limit: int) -> str:
    return ngettext(
        "{field} is too long (at most {n} character)",
        "{field} is too long (at most {n} characters)",
        limit,
        field=report_field(field),
    )


def report_empty(field: str) -> str:
    return _("{field} is empty", field=report_field(field))


def report_invalid(field: str, detail: str) -> str:
    """Any other problem with a field: the validator's own words (technical, in English)."""
    return _("{field} is not valid ({detail})", field=report_field(field), detail=detail)


def retracted(original: Message) -> Message:
    """What a reporter's taken-back alert becomes."""
    return Message(
        kind="correction",
        headline=line("↩️ ", strike(line_text(original.headline))),
        sections=(
            Section(lines=(line(_("This was reported by mistake and has been taken back.")),)),
        ),
    )


def league_table(
    competition: str, rows: Sequence[tuple[int, str, int, int, int, int, int, int]]
) -> Message:
    """``rows``: (position, team, played, won, drawn, lost, goal difference, points)."""
    name = competition_name(competition)
    if not rows:
        return reply(_("No table for {competition} yet.", competition=name))
    lines = [
        line(
            f"{pos}. ",
            bold(team),
            _(
                " {points} pts · P{played} W{won} D{drawn} L{lost} · GD {gd}",
                points=pts,
                played=p,
                won=w,
                drawn=d,
                lost=lost,
                gd=format(gd, "+d"),
            ),
        )
        for pos, team, p, w, d, lost, gd, pts in rows
    ]
    return Message(
        kind="table",
        headline=line(bold(_("🏆 {competition} table", competition=name))),
        sections=(Section(lines=tuple(lines)),),
    )


def table_needs_provider() -> str:
    return _("The league table needs football-data.org: the operator sets FOOTBALL_DATA_TOKEN.")


def which_competition(command: str) -> str:
    return _("Which competition? For example: /{command} serie a", command=command)


def no_table_for(competition: str) -> str:
    return _("I have no table for “{competition}”.", competition=competition)


def table_down() -> str:
    return _("The table is not available right now; try later.")


def table_unavailable(reason: str) -> Message:
    return reply(reason, kind="error")


# --- following competitions and players, /today and the daily digest -----------------------------


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


def need_target(command: str) -> Message:
    return reply(
        line(
            _("Which team, competition or player? For example: "),
            bold(f"/{command} inter"),
            ", ",
            bold(f"/{command} serie a"),
        ),
        # a command, not a sentence (an f-string's tail would read as one to the i18n check)
        line(_("or "), bold("/{c} player Lautaro Martínez".format(c=command)), "."),  # noqa: UP032
        kind="error",
    )


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
        return reply(line(_unknown_what(kind), quoted(typed), "."), hint, kind="error")
    names = ", ".join(label for _t, label in suggestions)
    return reply(
        line(_unknown_what(kind), quoted(typed), "."),
        line(_("Did you mean: "), bold(names), "?"),
        kind="suggestions",
        buttons=[Button(label=label, action=f"{command}:{t}") for t, label in suggestions],
    )


def which_one(typed: str, options: Sequence[tuple[str, str]], command: str) -> Message:
    """``typed`` names several things (a team and a competition, two players): ask which."""
    return reply(
        line(
            quoted(typed),
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


def followed(label: str, level: str, already: bool, place: str = "chat") -> Message:
    """The answer to /subscribe for a competition or a player (``level`` in words)."""
    if already:
        return reply(
            _(
                "{place} already follows {what}. Alerts: {level}.",
                place=_this_place(place),
                what=label,
                level=_(level),
            )
        )
    return reply(
        _(
            "✅ {place} now follows {team}. Alerts: {level}.",
            place=_this_place(place),
            team=label,
            level=_(level),
        )
    )


def level_changed(label: str, level: str, place: str = "chat") -> Message:
    return reply(
        _(
            "✅ {place} follows {what} with alerts: {level}.",
            place=_this_place(place),
            what=label,
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
        headline=line(_("{place} follows:", place=_this_place(place))),
        sections=tuple(sections),
    )


def weekday_date_text(day: datetime) -> str:
    """``Sun 1 Feb`` / ``dom 1 feb``."""
    return format_date(day, "EEE d MMM", locale=current())


def today_line(state: MatchState, tz: ZoneInfo) -> Line:
    """One match of the day: live with the minute, the result, or the kick-off time."""
    fx = state.fixture
    if state.started:
        return score_line(state, tz)
    local = fx.kickoff.astimezone(tz)
    return line(f"{local:%H:%M}  ", bold(f"{fx.home} v {fx.away}"))


def today(
    by_competition: Sequence[tuple[str, Sequence[Line]]],
    day: datetime,
    zone: str,
    place: str = "chat",
    digest: bool = False,
) -> Message:
    """/today and the daily digest: the day's matches of what the chat follows, grouped by
    competition, times in the chat's time zone ``zone``."""
    icon = "☀️" if digest else "📅"
    head = f"{icon} " + _("Today, {day} ({zone})", day=weekday_date_text(day), zone=zone)
    kind = "digest" if digest else "reply"
    if not by_competition:
        return reply(
            line(bold(head)),
            _("No match today for what {place} follows.", place=_this_place(place).lower()),
            kind=kind,
        )
    sections = tuple(
        Section(title=competition_name(name), lines=tuple(rows)) for name, rows in by_competition
    )
    return Message(kind=kind, headline=line(bold(head)), sections=sections)


# --- what the adapters say themselves --------------------------------------------------------


def something_failed() -> str:
    """A command's answer failed on the platform's side (Discord's ephemeral note)."""
    return _("Sorry, that failed. Please try again in a moment.")


def console_failed(detail: str) -> str:
    return _("Sorry, that failed: {detail}", detail=detail)


def console_not_a_command() -> str:
    return _("Commands start with /, for example /subscribe inter. /help lists them.")


def console_choose() -> str:
    """After the numbered buttons of a message in the terminal."""
    return _("(type the number to choose)")


def console_demo_intro(home: str, away: str, competition: str) -> tuple[str, str]:
    """``matchbot demo``'s first two lines."""
    return (
        _(
            "matchbot demo: {home} v {away}, {competition}, replayed from the bundled match"
            " report.",
            home=home,
            away=away,
            competition=competition_name(competition),
        ),
        _("This console chat follows both teams with every alert on. Ctrl+C stops."),
    )


def console_run_intro(home: str, away: str, seconds: int) -> tuple[str, str]:
    """``matchbot run`` without a platform: the terminal is a chat, the bundled match starts."""
    return (
        _("matchbot console: this terminal is a chat. Type /help, or /subscribe inter."),
        ngettext(
            "The bundled match {home} v {away} kicks off in {n} second. /quit ends.",
            "The bundled match {home} v {away} kicks off in {n} seconds. /quit ends.",
            seconds,
            home=home,
            away=away,
        ),
    )
