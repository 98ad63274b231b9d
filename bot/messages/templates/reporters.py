"""What reporters read: /report's forms, its answers and what is wrong with a report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from babel.dates import format_date

from bot.match import Fixture
from bot.messages.i18n import N_, _, current, ngettext
from bot.messages.model import Message, Section, bold, line, line_text, strike
from bot.messages.templates.vocabulary import competition_name, echo, reply


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


def report_help() -> Message:
    """``/report help``: every form of ``/report`` and what it does (or an example)."""
    rows = [line(bold(f"/report {syntax}"), f" — {_(what)}") for syntax, what in REPORT_USAGE]
    return Message(
        kind="help",
        headline=line(bold(_("Reporter commands"))),
        sections=(Section(lines=tuple(rows)),),
    )


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
        typed=echo(typed),
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
    return _("write the kick-off like “at 2026-02-01 20:45”, not “at {typed}”.", typed=echo(typed))


def report_kickoff_year(first: int, last: int) -> str:
    return _("the kick-off year must be between {first} and {last}.", first=first, last=last)


def report_not_a_time(typed: str) -> str:
    return _("“{typed}” is not a time of day.", typed=echo(typed))


def report_not_a_date(typed: str) -> str:
    return _("“{typed}” is not a date (year-month-day).", typed=echo(typed))


def report_which_period() -> str:
    return _("Which period? kickoff, ht, 2h, et, pens or ft.")


def report_period_minute(typed: str) -> str:
    return _("After the period I understand a minute like 90+5, not “{typed}”.", typed=echo(typed))


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
        typed=echo(typed),
    )


def report_after_miss(typed: str) -> str:
    return _(
        "After the minute I understand “assist PLAYER” or “: what happened”, not “{typed}”.",
        typed=echo(typed),
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
    return _("“{typed}” is not a report id (like r1a2b3).", typed=echo(typed))


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
