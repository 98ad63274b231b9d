"""What the bot says about the teams on the pitch: the line-ups (by position group, with the
followed players marked), the substitutions made at once, and the added time announced.

Sentences are English inside ``_()`` like :mod:`bot.messages.templates`; their Italian is in the
same gettext catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.feed_format import (
    AddedTimeEvent,
    SubstitutionEvent,
)
from bot.match import Fixture
from bot.match_data import (
    Lineup,
    LineupPlayer,
)
from bot.messages.i18n import N_, _, ngettext
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


def lineup_of(lineups: Sequence[Lineup], fixture: Fixture, side: str) -> Lineup | None:
    name = fixture.home if side == "home" else fixture.away
    for lineup in lineups:
        if lineup.team.casefold() == name.casefold():
            return lineup
    return None
