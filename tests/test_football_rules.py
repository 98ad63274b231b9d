"""The football rules of bot/football_rules.py, one by one."""

from __future__ import annotations

from typing import Any

from bot.football_rules import (
    REMATCH_WINDOW,
    corrected_goal,
    goal_allowance,
    goals_to_withdraw,
    is_new_goal,
    retimed,
    same_event,
    var_cancelled_goal,
)


def goal(gid: str, team: str, player: str, minute: int, kind: str = "normal") -> dict[str, Any]:
    return {
        "type": "goal",
        "match": "m",
        "id": gid,
        "team": team,
        "player": player,
        "minute": minute,
        "kind": kind,
    }


def card(cid: str, team: str, player: str, minute: int, colour: str) -> dict[str, Any]:
    return {"type": "card", "id": cid, "team": team, "player": player, "minute": minute,
            "card": colour}  # fmt: skip


def test_a_retimed_goal_is_the_same_event_within_the_window() -> None:
    old = goal("g1", "Inter", "Lautaro", 9)
    assert same_event(old, goal("g2", "Inter", "Lautaro", 10))
    assert same_event(old, goal("g2", "Inter", "Lautaro", 9 + REMATCH_WINDOW, "penalty"))
    assert not same_event(old, goal("g2", "Inter", "Lautaro", 10 + REMATCH_WINDOW))
    assert not same_event(old, goal("g2", "Inter", "Thuram", 10))
    assert not same_event(old, goal("g2", "Inter", "Lautaro", 10, "own_goal"))
    assert not same_event(card("c1", "Inter", "Bastoni", 29, "yellow"),
                          card("c2", "Inter", "Bastoni", 30, "red"))  # fmt: skip


def test_retimed_picks_the_closest_vanished_event() -> None:
    far = goal("g1", "Inter", "Lautaro", 5)
    near = goal("g2", "Inter", "Lautaro", 12)
    assert retimed(goal("g3", "Inter", "Lautaro", 10), [far, near]) is near
    assert retimed(goal("g3", "Inter", "Lautaro", 30), [far, near]) is None


def test_a_corrected_scorer_is_the_vanished_goal_of_the_same_team() -> None:
    announced = goal("g1", "Inter", "Thuram", 40)
    corrected = goal("g2", "Inter", "Lautaro", 41)
    assert corrected_goal(corrected, [announced], set()) is announced
    assert corrected_goal(corrected, [announced], {"g1"}) is None  # cancelled: not that one
    assert corrected_goal(goal("g3", "Atalanta", "Lookman", 41), [announced], set()) is None


def test_var_cancel_finds_the_latest_goal_of_that_player_before_it() -> None:
    early = goal("g1", "Atalanta", "Lookman", 20)
    late = goal("g2", "Atalanta", "Lookman", 27)
    cancel = {"type": "goal_cancelled", "team": "Atalanta", "player": "Lookman", "minute": 29}
    assert var_cancelled_goal([early, late], cancel, listed=set()) is late
    assert var_cancelled_goal([early, late], cancel, listed={"g2"}) is early  # g2 still listed
    before = {**cancel, "minute": 19}
    assert var_cancelled_goal([early, late], before, listed=set()) is None
    # an own goal: the VAR event may name either side
    own = goal("g3", "Inter", "Hien", 41, "own_goal")
    assert var_cancelled_goal([own], {**cancel, "player": "Hien", "minute": 43}, set()) is own


def test_vanished_goals_are_withdrawn_only_when_the_score_went_down() -> None:
    g1, g2 = goal("g1", "Inter", "A", 10), goal("g2", "Inter", "B", 30)
    assert goals_to_withdraw([g1, g2], [g1, g2], "Inter", 2) == []  # score agrees: kept
    assert goals_to_withdraw([g1, g2], [g1, g2], "Inter", 1) == [g2]  # latest first
    assert goals_to_withdraw([g1, g2], [g1], "Inter", 1) == [g1]
    assert goals_to_withdraw([g1, g2], [], "Inter", 0) == []  # nothing vanished


def test_the_score_guard_allows_goals_up_to_the_providers_score() -> None:
    announced = [goal("g1", "Inter", "A", 10), goal("g2", "Atalanta", "B", 20, "own_goal")]
    allowance = goal_allowance((2, 1), ("Inter", "Atalanta"), announced)
    assert allowance == [1, 0]
    assert is_new_goal(allowance[0]) and not is_new_goal(allowance[1])
    assert goal_allowance(None, ("Inter", "Atalanta"), announced) == [None, None]
    assert is_new_goal(None)  # no score given: no guard
