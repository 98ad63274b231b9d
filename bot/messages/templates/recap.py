"""The full-time recap: its key moments, quotes and storylines."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
    Quote,
    SaveEvent,
    ShootoutKickEvent,
    SubstitutionEvent,
)
from bot.match import MatchState, Score, StoredEvent, is_known_scorer
from bot.messages.i18n import N_, _
from bot.messages.lead import lead
from bot.messages.model import Line, Message, Section, bold, line, quoted
from bot.messages.names import team_name
from bot.messages.templates.alerts import goal_for, moment_text, note_text
from bot.messages.templates.storylines import storyline_text
from bot.messages.templates.vocabulary import (
    PENALTY_OUTCOMES,
    REASONS,
    fixture_line,
    foreign_language,
    goal_name,
    in_language,
    language_name,
    minute,
    result_line,
    ruled_out_text,
    scorer_name,
    team_of,
    tie_sentence,
    with_team,
)
from bot.messages.who_and_when import named_scorer
from bot.storylines import Storyline
from bot.ties import TieResult


def _key_moment(
    state: MatchState, stored: StoredEvent, scores: Mapping[str, Score], made_a_difference: bool
) -> Line | None:
    """``stored`` as a line of the recap's key moments, or None when it is not one.

    ``scores``: each counted goal's score right after it, in match order; ``made_a_difference``:
    for a substitution, whether the player who came on later scored or assisted."""
    event = stored.event
    team = team_of(event)
    at = f"{minute(event)} "
    if isinstance(event, GoalEvent):
        if event.id in state.cancelled:
            return None
        return _goal_moment(event, team, at, scores.get(event.id, Score()))
    if isinstance(event, GoalDisallowedEvent):
        if event.player:
            who = _("{player}'s goal for {team}", player=event.player, team=team)
        else:
            who = _("{team} goal", team=team)
        return line(at, f"❌ {who} {ruled_out_text(event)}")
    if isinstance(event, GoalCancelledEvent):
        goal = state.goal_by_id(event.ref)
        what = goal_name(goal) if goal else _("a goal")
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
            return line(at, _("🟥 Second yellow: {player}", player=with_team(event.player, team)))
        return line(at, _("🟥 Red card: {player}", player=with_team(event.player, team)))
    if isinstance(event, PenaltyMissedEvent):
        return line(
            at,
            _(
                "🚫 Penalty missed: {player}, {outcome}",
                player=with_team(event.player, team),
                outcome=_(PENALTY_OUTCOMES[event.outcome]),
            ),
        )
    return _minor_moment(event, team, at, made_a_difference)


def _minor_moment(event: Event, team: str, at: str, made_a_difference: bool) -> Line | None:
    """A save, a miss, a note, or a substitution that made a difference."""
    if isinstance(event, SaveEvent):
        return line(at, "🧤 ", *moment_text(event, team))
    if isinstance(event, MissEvent):
        return line(at, "😱 ", *moment_text(event, team))
    if isinstance(event, NoteEvent):
        return line(at, "📝 ", *note_text(event))
    if isinstance(event, SubstitutionEvent) and made_a_difference:
        return line(at, "🔄 ", *moment_text(event, team))
    return None


def _goal_moment(event: GoalEvent, team: str, at: str, now: Score) -> Line:
    score = f"{now.home}-{now.away}"
    if event.kind == "own_goal":
        return line(
            at,
            _("⚽ Own goal by "),
            bold(named_scorer(event)),
            _(", for {team}, {score}", team=team, score=score),
        )
    if not is_known_scorer(event):
        return line(at, "⚽ ", goal_for(event, team), f", {score} (", named_scorer(event), ")")
    return line(
        at,
        "⚽ ",
        bold(scorer_name(event)),
        _(" scores for {team}, {score}", team=team, score=score),
    )


def _substitutions_that_mattered(state: MatchState) -> set[str]:
    """The substitutions that are key moments: the player who came on later scored or assisted
    (one pass over the events, from the last)."""
    involved: set[tuple[str, str]] = set()  # (team, player) of every goal after this point
    mattered: set[str] = set()
    for stored in reversed(state.events):
        event = stored.event
        if isinstance(event, GoalEvent) and event.id not in state.cancelled:
            involved.add((event.team, event.player or ""))
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
    variant: int | None = None,
    tie: TieResult | None = None,
) -> Message:
    """The full-time recap: result, the lead paragraph, scorers, storylines, key moments in
    match order, and what was said. ``variant``: which way of telling its shape the lead takes
    (the match's place in its round; see :func:`bot.messages.lead.lead`)."""
    fx = state.fixture
    sections = [Section(lines=(line(fixture_line(fx, tz)),))]
    paragraph = lead(state, variant)
    if tie is not None:  # a second leg: who went through, and how, leads
        paragraph = " ".join(p for p in (tie_sentence(tie), paragraph) if p)
    if paragraph:
        sections.append(Section(lines=(line(paragraph),)))
    goal_lines: list[Line] = []
    for scored in state.goals:
        goal = scored.goal
        assist = _(" (assist: {player})", player=goal.assist) if goal.assist else ""
        goal_lines.append(
            line(f"{minute(goal)} ", bold(scorer_name(goal)), f" — {team_of(goal)}{assist}")
        )
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
                lines=tuple(line(*moment_text(k.event, team_of(k.event))) for k in kicks),
            )
        )
    said = list(quotes)
    if said:
        sections.append(Section(title=_quotes_title(said), lines=tuple(map(quote_line, said))))
    return Message(
        kind="recap", headline=line(bold(f"🏁 {result_line(state)}")), sections=tuple(sections)
    )


def _quotes_title(quotes: Sequence[Quote]) -> str:
    """``💬 What they said``; when every quote is in one other language, said once:
    ``💬 Dichiarazioni in inglese``."""
    languages = {foreign_language(q) for q in quotes}
    if len(languages) == 1 and (lang := languages.pop()) is not None:
        return _("💬 What they said (in {language})", language=language_name(lang))
    return _("💬 What they said")


#: Roles said in the chat's language: ``Inter coach`` → ``allenatore dell'Inter``.
ROLES = {
    "coach": N_("coach"),
    "head coach": N_("coach"),
    "manager": N_("coach"),
    "captain": N_("captain"),
    "goalkeeper": N_("goalkeeper"),
    "president": N_("president"),
    "sporting director": N_("sporting director"),
}


def _role(quote: Quote) -> str | None:
    """The speaker's role in the chat's language: a known role after the team (``Inter
    coach``) is said again from its parts; another role in another language is left out."""
    if not quote.role:
        return None
    if foreign_language(quote) is None:
        return quote.role
    words = quote.role.strip()
    team = quote.team
    if team and words.casefold().startswith(team.casefold() + " "):
        words = words[len(team) + 1 :]
    elif team is None or words.casefold() not in ROLES:
        return None
    role = ROLES.get(words.casefold())
    if role is None:
        return None
    name = team_name(team)
    if name.national and role == ROLES["coach"]:
        role = N_("national coach")
    return _("{role} of {team}", role=_(role), team=name)


def quote_line(quote: Quote, marked: bool = False) -> Line:
    """``Cristian Chivu (Inter coach): “…”``. A quote stays in its own words; ``marked`` adds
    its language when that is not the chat's (a quote outside a titled section)."""
    role = _role(quote)
    who = f"{quote.speaker} ({role})" if role else quote.speaker
    lang = foreign_language(quote)
    mark = in_language(lang) if marked and lang else ""
    return line(bold(who), ": ", quoted(quote.text), mark)


def quote_followup(state: MatchState, quote: Quote) -> Message:
    """A quote that arrived after the recap went out."""
    return Message(
        kind="quote",
        headline=line(bold(_("💬 After {result}", result=result_line(state)))),
        sections=(Section(lines=(quote_line(quote, marked=True),)),),
    )
