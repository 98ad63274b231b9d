"""/today, the daily digest and kick-off reminders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.match import Fixture, MatchState
from bot.messages.i18n import _, current, ngettext
from bot.messages.model import Line, Message, MessageKind, Section, bold, line
from bot.messages.templates.answers import score_line
from bot.messages.templates.vocabulary import (
    competition_name,
    fixture_line,
    kickoff_text,
    reply,
    this_place,
)


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


def weekday_date_text(day: datetime) -> str:
    """``Sun 1 Feb`` / ``dom 1 feb``."""
    return format_date(day, "EEE d MMM", locale=current())


def today_line(state: MatchState, tz: ZoneInfo, now: float | None = None) -> Line:
    """One match of the day: live with the minute, the result, or the kick-off time."""
    fx = state.fixture
    if state.started or fx.status in ("postponed", "cancelled", "abandoned", "awarded"):
        return score_line(state, tz, now)
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
    kind: MessageKind = "digest" if digest else "reply"
    if not by_competition:
        return reply(
            line(bold(head)),
            _("No match today for what {place} follows.", place=this_place(place).lower()),
            kind=kind,
        )
    sections = tuple(
        Section(title=competition_name(name), lines=tuple(rows)) for name, rows in by_competition
    )
    return Message(kind=kind, headline=line(bold(head)), sections=sections)
