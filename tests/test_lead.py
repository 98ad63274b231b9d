"""The recap's lead: the story of each kind of match, and never a fact not in the events."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.match import Fixture, MatchState, derive_state
from bot.messages import i18n, templates
from bot.messages.lead import lead

FIXTURE = Fixture(
    id="m",
    competition="Serie A",
    home="Atalanta",
    away="Inter",
    home_team="atalanta",
    away_team="inter",
    kickoff=datetime(2025, 12, 28, 19, 45, tzinfo=UTC),
)


def state_of(
    *events: dict[str, Any], fixture: Fixture = FIXTURE, finished: bool = True
) -> MatchState:
    """The state of a match made of ``events`` (each gets an id, and full time at the end)."""
    items = list(events)
    if finished:
        items.append({"type": "period", "minute": 90, "stoppage": 4, "period": "full_time"})
    rows = []
    for seq, event in enumerate(items, start=1):
        data = {"match": fixture.id, "id": event.get("id", f"e{seq}"), **event}
        team = data.get("team")
        side = None if team is None else ("home" if team == fixture.home else "away")
        rows.append({"seq": seq, "side": side, "data": json.dumps(data)})
    return derive_state(fixture, rows)


def goal(minute: int, team: str, player: str, **more: Any) -> dict[str, Any]:
    return {"type": "goal", "minute": minute, "team": team, "player": player, **more}


def both(state: MatchState, variant: int = 0) -> tuple[str, str]:
    """The lead in English and Italian, told the first way of its shape (``variant``)."""
    english = lead(state, variant)
    with i18n.use("it"):
        italian = lead(state, variant)
    assert english is not None and italian is not None
    return english, italian


def test_one_nil_with_the_error_before_the_goal() -> None:
    state = state_of(
        {
            "type": "note",
            "minute": 65,
            "team": "Atalanta",
            "player": "Berat Djimsiti",
            "text": "Djimsiti's costly error deep in his own half gifts Inter possession",
        },
        goal(65, "Inter", "Lautaro Martínez", assist="Francesco Pio Esposito"),
    )
    en, it = both(state)
    assert en == (
        "Lautaro Martínez's 65th-minute goal, set up by Francesco Pio Esposito after an error by"
        " Berat Djimsiti, gave Inter a 1-0 win over Atalanta."
    )
    assert it == (
        "Atalanta-Inter 0-1: decide il gol di Lautaro Martínez al 65', su assist di Francesco"
        " Pio Esposito dopo un errore di Berat Djimsiti."
    )


def test_a_note_that_names_no_mistake_is_not_called_an_error() -> None:
    state = state_of(
        {"type": "note", "minute": 64, "team": "Atalanta", "player": "Berat Djimsiti",
         "text": "Djimsiti limps off the pitch for treatment"},
        goal(65, "Inter", "Lautaro Martínez"),
    )  # fmt: skip
    en, _it = both(state)
    assert "error" not in en
    assert en == "Lautaro Martínez's 65th-minute goal gave Inter a 1-0 win over Atalanta."


def test_venue_only_when_the_feed_has_it() -> None:
    city = Fixture(**{**FIXTURE.__dict__, "venue": "Bergamo"})
    stadium = Fixture(**{**FIXTURE.__dict__, "venue": "Gewiss Stadium, Bergamo"})
    en, it = both(state_of(goal(10, "Inter", "Lautaro Martínez"), fixture=city))
    assert "win over Atalanta in Bergamo." in en and it.startswith("Atalanta-Inter 0-1 a Bergamo:")
    en, _it = both(state_of(goal(10, "Inter", "Lautaro Martínez"), fixture=stadium))
    assert en.endswith("win over Atalanta at Gewiss Stadium, Bergamo.")


def test_goalless_draw_with_turning_points() -> None:
    state = state_of(
        {"type": "goal_disallowed", "minute": 50, "team": "Atalanta",
         "player": "Charles De Ketelaere", "reason": "offside"},
        {"type": "card", "minute": 70, "team": "Inter", "player": "Alessandro Bastoni",
         "card": "second_yellow"},
        {"type": "penalty_missed", "minute": 80, "team": "Atalanta", "player": "Ademola Lookman",
         "outcome": "saved"},
        {"type": "miss", "minute": 88, "team": "Inter", "player": "Marcus Thuram"},
    )  # fmt: skip
    en, it = both(state)
    assert en == (
        "Atalanta and Inter drew 0-0. Atalanta had a goal by Charles De Ketelaere ruled out for"
        " offside in the 50th minute, Alessandro Bastoni was sent off for Inter after a second"
        " yellow card in the 70th minute, Ademola Lookman had a penalty saved for Atalanta in the"
        " 80th minute, and Marcus Thuram missed a big chance for Inter in the 88th minute."
    )
    assert it == (
        "Atalanta-Inter finisce 0-0. All'Atalanta viene annullato un gol di Charles De Ketelaere"
        " per fuorigioco al 50', Alessandro Bastoni dell'Inter viene espulso per doppia"
        " ammonizione al 70', Ademola Lookman dell'Atalanta si fa parare un rigore all'80' e"
        " Marcus Thuram dell'Inter spreca una grande occasione all'88'."
    )


def test_a_late_save_that_kept_the_win() -> None:
    state = state_of(
        goal(65, "Inter", "Lautaro Martínez"),
        {"type": "save", "minute": 20, "team": "Atalanta", "player": "Marco Carnesecchi"},
        {"type": "save", "minute": 80, "team": "Atalanta", "player": "Marco Carnesecchi"},
        {"type": "save", "minute": 89, "team": "Inter", "player": "Yann Sommer",
         "shooter": "Ademola Lookman"},
    )  # fmt: skip
    en, it = both(state)
    assert en == (
        "Lautaro Martínez's 65th-minute goal gave Inter a 1-0 win over Atalanta. Yann Sommer"
        " denied Ademola Lookman with a big save for Inter in the 89th minute."
    )
    assert it.endswith(
        "Yann Sommer dell'Inter nega il gol ad Ademola Lookman con una grande parata all'89'."
    )


def test_score_draw_names_every_scorer() -> None:
    state = state_of(
        goal(12, "Inter", "Lautaro Martínez", kind="penalty"),
        goal(45, "Atalanta", "Ademola Lookman", stoppage=2),
    )
    en, it = both(state)
    assert en == (
        "Atalanta and Inter drew 1-1. Goals for Atalanta: Ademola Lookman (45+2'); for Inter:"
        " Lautaro Martínez (12' pen)."
    )
    assert it == (
        "Atalanta-Inter finisce 1-1. Gol dell'Atalanta: Ademola Lookman (45+2'); per l'Inter:"
        " Lautaro Martínez (12' rig.)."
    )


def test_comeback_names_the_winner() -> None:
    state = state_of(
        goal(5, "Atalanta", "Ademola Lookman"),
        goal(40, "Inter", "Marcus Thuram"),
        goal(81, "Inter", "Lautaro Martínez", kind="penalty"),
    )
    en, it = both(state)
    assert en.startswith(
        "Inter came from behind to beat Atalanta 2-1: Lautaro Martínez's 81st-minute penalty"
        " was the winner. Goals for Atalanta: Ademola Lookman (5'); for Inter: Marcus Thuram"
        " (40') and Lautaro Martínez (81' pen)."
    )
    assert it.startswith(
        "L'Inter va sotto e poi ribalta l'Atalanta: 2-1, decide il rigore di Lautaro Martínez"
        " all'81'."
    )


def test_big_win_lists_the_scorers_not_a_decisive_goal() -> None:
    state = state_of(
        goal(10, "Atalanta", "Ademola Lookman"),
        goal(30, "Atalanta", "Ademola Lookman"),
        goal(60, "Atalanta", "Mario Pašalić", assist="Ademola Lookman"),
        goal(75, "Atalanta", "Gianluca Scamacca"),
    )
    en, it = both(state)
    assert it.startswith("L'Atalanta travolge l'Inter 4-0. Gol dell'Atalanta: Ademola Lookman")
    assert en == (
        "Atalanta thrashed Inter 4-0. Goals for Atalanta: Ademola Lookman (10', 30'), Mario Pašalić"
        " (60'), and Gianluca Scamacca (75')."
    )


def test_decisive_own_goal() -> None:
    state = state_of(goal(60, "Atalanta", "Yann Bisseck", kind="own_goal"))
    en, it = both(state)
    assert (
        en == "An own goal by Yann Bisseck in the 60th minute gave Atalanta a 1-0 win over Inter."
    )
    assert it == "Atalanta-Inter 1-0: decide un'autorete di Yann Bisseck al 60'."


def test_a_late_own_goal_is_a_late_winner() -> None:
    state = state_of(goal(90, "Atalanta", "Yann Bisseck", kind="own_goal", stoppage=3))
    en, it = both(state)
    assert en == (
        "An own goal by Yann Bisseck in stoppage time (90+3') won it late: Atalanta beat Inter 1-0."
    )
    assert it == (
        "Decide nel finale un'autorete di Yann Bisseck al 90+3': l'Atalanta batte l'Inter 1-0."
    )


def test_unknown_scorers_are_never_described() -> None:
    """Goals a score-only provider synthesised: the result, no scorer, no minute."""
    state = state_of(
        goal(30, "Inter", "Unknown scorer", id="score:away:1"),
        goal(70, "Inter", "Unknown scorer", id="score:away:2"),
        goal(80, "Atalanta", "Unknown scorer", id="score:home:1"),
    )
    en, it = both(state)
    assert en == "Inter beat Atalanta 2-1."
    assert it == "L'Inter batte l'Atalanta 2-1."
    # one scorer known, one not: no list that would look complete
    state = state_of(
        goal(30, "Inter", "Lautaro Martínez"),
        goal(70, "Inter", "Unknown scorer", id="score:away:2"),
    )
    assert both(state) == ("Inter beat Atalanta 2-0.", "L'Inter batte l'Atalanta 2-0.")


def test_extra_time_without_a_shootout() -> None:
    state = state_of(
        goal(20, "Atalanta", "Ademola Lookman"),
        goal(70, "Inter", "Marcus Thuram"),
        {"type": "period", "minute": 91, "period": "extra_time"},
        goal(115, "Inter", "Lautaro Martínez"),
    )
    en, it = both(state)
    assert en.startswith(
        "Inter came from behind to beat Atalanta 2-1 after extra time: Lautaro Martínez's"
        " 115th-minute goal was the winner."
    )
    assert it.startswith(
        "L'Inter va sotto e poi ribalta l'Atalanta: 2-1 dopo i tempi supplementari, decide il gol"
        " di Lautaro Martínez al 115'."
    )


def test_straight_to_penalties_is_not_extra_time() -> None:
    state = state_of(
        {"type": "period", "minute": 90, "stoppage": 4, "period": "penalties"},
        {"type": "shootout_kick", "minute": 90, "team": "Inter", "player": "A B",
         "scored": True},
        {"type": "shootout_kick", "minute": 90, "team": "Atalanta", "player": "C D",
         "scored": False},
    )  # fmt: skip
    en, it = both(state)
    assert en == "Atalanta and Inter drew 0-0, and Inter won the shoot-out 1-0."
    assert templates.result_line(state) == "Atalanta 0-0 Inter, Inter win 1-0 on penalties"
    assert it == "Atalanta-Inter finisce 0-0; ai rigori vince l'Inter 1-0."


def test_no_lead_before_full_time() -> None:
    assert lead(state_of(goal(10, "Inter", "Lautaro Martínez"), finished=False)) is None


# --- the property: only names and minutes from the events ------------------------------------

PLAYERS = ["Ada Uno", "Bruno Due", "Carla Tre", "Dario Quattro", "Elena Cinque", "Fabio Sei"]
NOT_IN_ANY_EVENT = "Zed Nobody"


@st.composite
def match_events(draw: st.DrawFn) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    minute = 0
    goals: list[str] = []
    pool = draw(st.lists(st.sampled_from(PLAYERS), min_size=1, max_size=4, unique=True))
    for n in range(draw(st.integers(0, 14))):
        minute = min(130, minute + draw(st.integers(0, 15)))
        team = draw(st.sampled_from(["Atalanta", "Inter"]))
        player = draw(st.sampled_from(pool))
        stoppage = draw(st.one_of(st.none(), st.integers(1, 8)))
        kind = draw(
            st.sampled_from(
                ["goal", "goal", "goal", "disallowed", "cancel", "card", "pen", "miss", "save",
                 "note", "sub", "extra"]
            )
        )  # fmt: skip
        base = {"id": f"x{n}", "minute": minute, "team": team}
        if stoppage and minute in (45, 90, 105, 120):
            base["stoppage"] = stoppage
        if kind == "goal" and draw(st.integers(0, 5)) == 0:  # a score-only provider's goal
            gid = f"score:{'home' if team == 'Atalanta' else 'away'}:{n}"
            events.append({**base, "id": gid, "type": "goal", "player": "Unknown scorer"})
            goals.append(gid)
        elif kind == "goal":
            gid = f"g{n}"
            assist = draw(st.one_of(st.none(), st.sampled_from(pool)))
            more = {"assist": assist} if assist and assist != player else {}
            events.append(
                {**base, "id": gid, "type": "goal", "player": player,
                 "kind": draw(st.sampled_from(["normal", "penalty", "own_goal"])), **more}
            )  # fmt: skip
            goals.append(gid)
        elif kind == "cancel" and goals:
            ref = goals.pop(0)
            scorer_team = next(e["team"] for e in events if e["id"] == ref)
            events.append(
                {**base, "type": "goal_cancelled", "team": scorer_team, "ref": ref,
                 "reason": "handball"}
            )  # fmt: skip
        elif kind == "disallowed":
            who = {"player": player} if draw(st.booleans()) else {}
            events.append({**base, "type": "goal_disallowed", "reason": "offside", **who})
        elif kind == "card":
            card = draw(st.sampled_from(["yellow", "second_yellow", "red"]))
            events.append({**base, "type": "card", "player": player, "card": card})
        elif kind == "pen":
            outcome = draw(st.sampled_from(["saved", "missed", "woodwork"]))
            events.append({**base, "type": "penalty_missed", "player": player, "outcome": outcome})
        elif kind == "miss":
            events.append({**base, "type": "miss", "player": player})
        elif kind == "save":
            events.append({**base, "type": "save", "player": player, "shooter": player})
        elif kind == "note":
            text = draw(st.sampled_from(["a costly error", "a fine move", "loses the ball"]))
            events.append({**base, "type": "note", "player": player, "text": text})
        elif kind == "sub":
            events.append({**base, "type": "substitution", "player_in": player})
        elif kind == "extra":
            events.append({"id": f"x{n}", "minute": 91, "type": "period", "period": "extra_time"})
            minute = max(minute, 91)
    if draw(st.booleans()):
        events.append({"id": "pp", "minute": 120, "type": "period", "period": "penalties"})
        for k in range(draw(st.integers(1, 10))):
            events.append(
                {"id": f"k{k}", "minute": 120, "type": "shootout_kick",
                 "team": ["Atalanta", "Inter"][k % 2], "player": draw(st.sampled_from(pool)),
                 "scored": draw(st.booleans())}
            )  # fmt: skip
    return events


def allowed_numbers(state: MatchState) -> set[str]:
    numbers = set()
    for stored in state.events:
        numbers.add(str(stored.event.minute))
        if stored.event.stoppage:
            numbers.add(str(stored.event.stoppage))
    numbers |= {str(state.score.home), str(state.score.away)}
    if state.shootout:
        numbers |= {str(state.shootout.home), str(state.shootout.away)}
    return numbers


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=match_events(), lang=st.sampled_from(["en", "it"]), variant=st.integers(0, 20))
def test_lead_says_only_what_the_events_say(
    events: list[dict[str, Any]], lang: str, variant: int
) -> None:
    state = state_of(*events)
    with i18n.use(lang):
        text = lead(state, variant)
    assert text is not None
    named = {
        value
        for e in events
        for key in ("player", "assist", "player_in", "shooter")
        if (value := e.get(key))
    }
    for person in [*PLAYERS, NOT_IN_ANY_EVENT]:
        if person in text:
            assert person in named, (person, text)
    assert "Unknown scorer" not in text
    numbers = set(re.findall(r"\d+", text))
    assert numbers <= allowed_numbers(state), (numbers - allowed_numbers(state), text)
    # the result the lead states is the derived one
    assert f"{state.score.home}-{state.score.away}" in text or (
        f"{state.score.away}-{state.score.home}" in text
        or (
            state.score.home == state.score.away == 0
            and any(w in text for w in ("goalless", "Reti bianche", "reti inviolate"))
        )
    )
