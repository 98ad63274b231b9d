"""Answers to commands about matches: teams not found, /score, /scorers, /next, /last, /table."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.match import Fixture, MatchState
from bot.messages.i18n import N_, _
from bot.messages.model import Button, Line, Message, Section, bold, italic, line, quoted
from bot.messages.templates.vocabulary import (
    competition_name,
    echo,
    fixture_line,
    kickoff_text,
    minute,
    reply,
    result_line,
    round_name,
    scorer_name,
    slash,
    versus,
)


def need_team(command: str) -> Message:
    """``/command`` needs a team: a question, whose answer runs it (:mod:`bot.questions`)."""
    asked = reply(
        line(_("Which team? For example: "), bold(f"{slash(command)} inter")), kind="error"
    )
    return asked.model_copy(update={"asks": command})


def unknown_team(typed: str, suggestions: Sequence[tuple[str, str]], command: str) -> Message:
    """No team matched ``typed``: offer the closest (``(team id, name)`` pairs) as buttons."""
    if not suggestions:
        return reply(
            line(_("I don't know a team called "), quoted(echo(typed)), "."),
            _("Check the spelling, or try the club's usual short name (inter, milan, juve)."),
            kind="error",
        )
    names = ", ".join(name for _id, name in suggestions)
    return reply(
        line(_("I don't know a team called "), quoted(echo(typed)), "."),
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
        line(_("Which team do you mean by "), quoted(echo(typed)), "?"),
        "\n".join(label for _key, label in choices),
        kind="suggestions",
        buttons=[Button(label=label, action=f"{command}:pick:{key}") for key, label in choices],
    )


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


#: a provider's match status, in words (``/score``, ``/today``)
STATUS_WORDS = {
    "half_time": N_("half-time"),
    "penalties": N_("penalty shoot-out"),
    "suspended": N_("suspended"),
    "interrupted": N_("interrupted"),
}
#: the phase a feed without a clock is in, in words (never a stale minute)
PHASE_WORDS = {
    "first_half": N_("1st half"),
    "second_half": N_("2nd half"),
    "extra_time": N_("extra time"),
    "half_time": N_("half-time"),
    "penalties": N_("penalty shoot-out"),
}
#: the last minute of each running phase: the clock runs on between two polls up to it
PHASE_END = {"first_half": 45, "second_half": 90, "extra_time": 120, "live": 130}
LIVE_STATUSES = frozenset(
    {"first_half", "half_time", "second_half", "break", "extra_time", "penalties", "live"}
    | {"suspended", "interrupted"}
)


def clock_text(minute: int, stoppage: int | None) -> str:
    return f"{minute}+{stoppage}'" if stoppage else f"{minute}'"


def provider_minute(fx: Fixture, now: float | None) -> str | None:
    """The provider's clock as fans write it (``67'``, ``45+2'``), run on since the last poll
    while the ball is in play (never past its phase's last minute); None without a clock."""
    if fx.clock_minute is None:
        return None
    minute, stoppage = fx.clock_minute, fx.clock_stoppage
    end = PHASE_END.get(fx.status or "")
    if end is not None and not stoppage and now is not None and fx.clock_at is not None:
        minute = max(minute, min(end, minute + int((now - fx.clock_at) // 60)))
    return clock_text(minute, stoppage)


def live_minute(state: MatchState, now: float | None = None) -> str:
    """Where a live match stands: the provider's minute, its status in words (half-time, the
    extra-time break, the shoot-out, suspended...), or, for a feed without a clock, the phase
    (``2nd half``), never the minute of the last event."""
    fx = state.fixture
    status = fx.status if fx.status in LIVE_STATUSES else None
    at = provider_minute(fx, now) if status else None
    if status in ("suspended", "interrupted"):
        word = _(STATUS_WORDS[status])
        return _("{status} at {minute}", status=word, minute=at) if at else word
    if status == "break":
        if (fx.clock_minute or 0) > 105:
            return _("extra-time break")
        return _("break before extra time")
    if status in ("half_time", "penalties"):
        return _(STATUS_WORDS[status])
    if at is not None:
        return at
    return _(PHASE_WORDS.get(state.period or "", N_("in play")))


def score_line(state: MatchState, tz: ZoneInfo | None = None, now: float | None = None) -> Line:
    """One match for /score: live with the minute, final, or upcoming; a match postponed,
    cancelled, abandoned or awarded says so."""
    fx = state.fixture
    if fx.status in ("postponed", "cancelled") and not state.started:
        word = _("Postponed: ") if fx.status == "postponed" else _("Cancelled: ")
        return line(word, bold(versus(fx)), f", {kickoff_text(fx.kickoff, tz)}")
    if fx.status == "abandoned" and not state.finished:
        at = provider_minute(fx, None)
        word = _("Abandoned at {minute}  ", minute=at) if at else _("Abandoned  ")
        return line(word, bold(result_line(state)), f", {fixture_line(fx, tz)}")
    if fx.status == "awarded":
        return line(_("Awarded  "), bold(result_line(state)), f", {fixture_line(fx, tz)}")
    if state.live or (fx.status in LIVE_STATUSES and not state.finished):
        minute_now = live_minute(state, now)
        return line(_("🔴 LIVE {minute}  ", minute=minute_now), bold(result_line(state)))
    if state.finished:
        return line(_("FT  "), bold(result_line(state)), f", {fixture_line(fx, tz)}")
    return line(_("Next: "), bold(versus(fx)), f", {kickoff_text(fx.kickoff, tz)}")


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


def match_scorers(state: MatchState, tz: ZoneInfo | None = None) -> Message:
    """The scorers of a match; before kick-off, when it starts (not "no goals yet")."""
    if not state.started and not state.finished:
        return reply(
            line(
                bold(versus(state.fixture)),
                _(
                    " has not started yet: kick-off {when}.",
                    when=kickoff_text(state.fixture.kickoff, tz),
                ),
            )
        )
    if not state.goals:
        status = _("no goals yet") if not state.finished else _("no goals")
        return reply(line(bold(result_line(state)), f": {status}."))
    names = ", ".join(f"{scorer_name(g.goal)} {minute(g.goal)}" for g in state.goals)
    return reply(line(bold(result_line(state)), f": {names}"))


def scorers_answer(
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
    return _("Which competition? For example: /{command} serie a", command=slash(command)[1:])


def no_table_for(competition: str) -> str:
    return _("I have no table for “{competition}”.", competition=competition)


def table_down() -> str:
    return _("The table is not available right now; try later.")


def table_unavailable(reason: str) -> Message:
    return reply(reason, kind="error")
