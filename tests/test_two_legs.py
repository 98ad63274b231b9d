"""Two-legged ties: the full-time alert and the recap's lead of a second leg say who went
through and how — on aggregate, on penalties after a level aggregate — and an aggregate only
when both legs are known."""

from __future__ import annotations

import json
from pathlib import Path

from adapters.assemble import build_bot
from adapters.providers import ApiFootball
from adapters.providers.api_football import ApiFootballSource
from bot.engine import Engine
from bot.feed_format import parse_line
from bot.messages import i18n
from bot.messages.model import message_text
from storage.store import Store
from tests.support.af_match import ATALANTA, INTER, goal, poll, soon
from tests.support.core import chat, follow, outbox_text, until
from tests.support.fakes.provider_api import FakeProvider
from tests.support.fakes.recording import RecordingPlatform


def ev(match: str, **fields: object) -> str:
    return json.dumps({"match": match, **fields})


def decl(match: str, home: str, away: str, kickoff: str, round_name: str) -> str:
    return json.dumps(
        {
            "type": "match",
            "match": match,
            "competition": "Champions League",
            "home": home,
            "away": away,
            "kickoff": kickoff,
            "round": round_name,
        }
    )


def feed(engine: Engine, *lines: str) -> None:
    for text in lines:
        engine.ingest(parse_line(text))


def first_leg(engine: Engine, round_name: str = "Round of 16 - 1st Leg") -> None:
    feed(
        engine,
        decl("l1", "Atalanta", "Inter", "2026-02-17T20:00:00Z", round_name),
        ev("l1", type="period", id="k", minute=0, period="first_half"),
        ev("l1", type="goal", id="a", minute=10, team="Atalanta", player="A. Lookman"),
        ev("l1", type="goal", id="b", minute=30, team="Atalanta", player="C. De Ketelaere"),
        ev("l1", type="goal", id="c", minute=80, team="Inter", player="M. Thuram"),
        ev("l1", type="period", id="ft", minute=90, period="full_time"),
    )


def second_leg(engine: Engine, shootout: bool, round_name: str = "Round of 16 - 2nd Leg") -> None:
    lines = [
        decl("l2", "Inter", "Atalanta", "2026-03-11T20:00:00Z", round_name),
        ev("l2", type="period", id="k", minute=0, period="first_half"),
        ev("l2", type="goal", id="g", minute=55, team="Inter", player="Lautaro Martínez"),
        ev("l2", type="period", id="et", minute=90, period="extra_time"),
    ]
    if shootout:
        lines.append(ev("l2", type="period", id="p", minute=120, period="penalties"))
        kicks = [("Inter", True), ("Atalanta", True), ("Inter", True), ("Atalanta", False)]
        kicks += [("Inter", True), ("Atalanta", True), ("Inter", True), ("Atalanta", False)]
        for n, (team, scored) in enumerate(kicks):
            lines.append(
                ev(
                    "l2",
                    type="shootout_kick",
                    id=f"s{n}",
                    minute=120,
                    team=team,
                    player=f"Kicker {n}",
                    scored=scored,
                )
            )
    else:
        lines.append(ev("l2", type="goal", id="g2", minute=104, team="Inter", player="N. Barella"))
    lines.append(ev("l2", type="period", id="ft", minute=120, period="full_time"))
    feed(engine, *lines)


def test_second_leg_on_penalties_names_the_shootout_and_the_aggregate(
    engine: Engine, store: Store
) -> None:
    follow(store, "console", "c", "inter")
    first_leg(engine)
    second_leg(engine, shootout=True)
    full_time = outbox_text(
        next(r for r in store.outbox_rows("console", "c") if r["key"] == "event:l2:ft:console:c")
    )
    said = "Inter go through 4-2 on penalties after 2-2 on aggregate."
    assert said in full_time
    recap = engine.recap_message("l2")
    assert recap is not None
    lead = message_text(recap).split("\n\n")[2]
    assert lead.startswith(said), lead
    with i18n.use("it"):
        italian = message_text(engine.recap_message("l2"))  # type: ignore[arg-type]
    assert "Inter passa il turno ai rigori (4-2) dopo il 2-2 nel doppio confronto." in italian


def test_second_leg_won_on_aggregate_after_extra_time(engine: Engine) -> None:
    first_leg(engine)
    second_leg(engine, shootout=False)
    recap = message_text(engine.recap_message("l2"))  # type: ignore[arg-type]
    assert "Inter go through 3-2 on aggregate after extra time." in recap


def test_no_aggregate_is_guessed_without_the_first_leg(engine: Engine) -> None:
    second_leg(engine, shootout=True)
    recap = message_text(engine.recap_message("l2"))  # type: ignore[arg-type]
    assert "Inter go through 4-2 on penalties." in recap
    assert "aggregate" not in recap


def test_a_one_off_match_is_no_tie(engine: Engine) -> None:
    first_leg(engine, "Quarter-finals")
    second_leg(engine, shootout=False, round_name="Semi-finals")
    recap = message_text(engine.recap_message("l2"))  # type: ignore[arg-type]
    assert "go through" not in recap and "aggregate" not in recap


async def test_api_football_second_leg_decided_on_penalties(tmp_path: Path) -> None:
    """Both legs from the fake API-Football (``league.round``, ``score.penalty``)."""
    k1, k2 = soon(-60 * 24 * 7), soon()
    leg1 = poll(
        k1,
        "FT",
        90,
        (2, 1),
        [
            goal(10, ATALANTA, (1, "A. Lookman")),
            goal(30, ATALANTA, (2, "C. De Ketelaere")),
            goal(80, INTER, (3, "M. Thuram")),
        ],
        fid=1001,
        home=ATALANTA,
        away=INTER,
        round_name="Round of 16",
    )
    leg1["response"][0]["league"]["name"] = "UEFA Champions League"
    kicks = []
    for n, (team, scored) in enumerate(
        [(INTER, True), (ATALANTA, True), (INTER, True), (ATALANTA, False)] * 2
    ):
        kick = goal(120, team, (900 + n, f"Kicker {n}"), "Penalty" if scored else "Missed Penalty")
        kick["comments"] = "Penalty Shootout"
        kicks.append(kick)
    ended = poll(
        k2,
        "PEN",
        120,
        (1, 0),
        [goal(55, INTER, (217, "Lautaro Martínez")), *kicks],
        fid=1002,
        round_name="Round of 16",
        penalty=(4, 2),
        extratime=(0, 0),
    )
    ended["response"][0]["league"]["name"] = "UEFA Champions League"
    async with FakeProvider.api_football(key="k") as fake:
        fake.script(
            "/teams",
            {"search": "Inter"},
            {
                "response": [{"team": {"id": 505, "name": "Inter", "country": "Italy"}}],
                "errors": [],
            },
        )
        nxt = poll(k2, "NS", None, None, [], fid=1002, round_name="Round of 16")
        nxt["response"][0]["league"]["name"] = "UEFA Champions League"
        fake.script("/fixtures", {"team": 505, "next": 5}, nxt)
        fake.script("/fixtures", {"ids": "1002"}, ended)
        src = ApiFootballSource(ApiFootball("k", base_url=fake.base_url), min_interval=0.05)
        platform = RecordingPlatform()
        bot = build_bot(
            tmp_path / "bot.db", [platform], recap_delay=0.0, reminder_lead=None, sources=[src]
        )
        await bot.open()
        # the first leg, as the provider answered it a week ago (translated the same way)
        from adapters.providers.api_football.translation import translate_fixture
        from bot.feed_format import parse_object

        snap = translate_fixture(leg1["response"][0], leg1["response"][0]["events"])
        for item in [snap.match, *snap.events]:
            await bot.ingest(parse_object(item))
        await bot.command(chat("a"), "subscribe", "inter")
        await bot.start()
        try:
            await until(lambda: any(t.startswith("🏁 Inter 1-0") for t in platform.texts("a")))
        finally:
            await bot.stop()
            await src.aclose()
    said = "Inter go through 4-2 on penalties after 2-2 on aggregate."
    full_time = next(t for t in platform.texts("a") if t.startswith("🏁 Full-time"))
    assert said in full_time
    recap = next(t for t in platform.texts("a") if t.startswith("🏁 Inter 1-0"))
    assert recap.split("\n\n")[2].startswith(said)
