"""The match's depth from API-Football end to end through the fake Telegram: ``matchbot run``'s
own code path (:func:`adapters.compose.run_bot`, the real ``TelegramAdapter`` and
``ApiFootballSource``) against the fake Bot API and the fake API-Football serving real-shaped
``/fixtures?ids=`` answers with line-ups, statistics and players. A fan who follows Inter with
every alert and pictures on gets the line-ups before kick-off, the substitution naming both
players, the half-time statistics edited into the half-time alert, and the recap as the match
card photo with the player of the match; nothing says "None", "null" or "nan"."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import adapters.compose
from adapters.providers import sources_from_settings
from bot.clock import FastClock
from bot.settings import Settings
from tests.support.core import until
from tests.support.fakes.provider_api import (
    AMPLE_QUOTA,
    FakeProvider,
    af_players,
    af_squad,
    af_standings,
    af_statistics,
)
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import SPEED, Bot, clean_telegram_env, no_violations
from tests.test_provider_depth import ATALANTA, INTER, lineups, with_depth
from tests.test_provider_polling import IDS, KEY, TEAMS_INTER, af_life, soon

pytestmark = pytest.mark.timeout(90)
FAN = 71
#: How long a wait below may take before the test fails: generous, since the machine may be
#: loaded (each wait ends as soon as its condition holds, so a pass costs no more time).
PATIENCE = 60.0
SERIE_A = {"id": 135, "name": "Serie A", "country": "Italy", "season": 2025}
NAPOLI = {"id": 492, "name": "Napoli", "logo": None}
MILAN = {"id": 489, "name": "AC Milan", "logo": None}
#: Inter's squad: Carboni is in no line-up and no event of the match
SQUAD = af_squad(
    INTER,
    [(217, "Lautaro Martínez", 10, "Attacker"), (1234, "Valentín Carboni", 35, "Midfielder")],
)
TABLE = af_standings(
    SERIE_A,
    [(INTER, 46, 20, 28), (NAPOLI, 44, 20, 15), (MILAN, 40, 20, 12), (ATALANTA, 36, 20, 10)],
)


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    clean_telegram_env(monkeypatch)
    monkeypatch.delenv("API_FOOTBALL_KEY", raising=False)
    monkeypatch.delenv("FOOTBALL_DATA_TOKEN", raising=False)
    yield


def answers() -> list[dict[str, Any]]:
    """``/fixtures?ids=`` poll by poll: before kick-off with the line-ups, half-time with
    statistics, full time with statistics and players (ratings as strings)."""
    kickoff = soon()
    ns = with_depth(af_life("af_life_01_ns.json", kickoff), lineups=lineups())
    ht = with_depth(
        af_life("af_life_06_ht.json", kickoff),
        lineups=lineups(),
        statistics=[
            af_statistics(INTER, possession="58%", shots=7, shots_on_target=3, corners=4),
            af_statistics(ATALANTA, possession="42%", shots=4, shots_on_target=None, corners=1),
        ],
    )
    ft = with_depth(
        af_life("af_life_08_2h.json", kickoff, short="FT", long="Match Finished", elapsed=90),
        lineups=lineups(),
        statistics=[
            af_statistics(INTER, possession="55%", shots=14, shots_on_target=6, xg=1.84),
            af_statistics(ATALANTA, possession="45%", shots=9, shots_on_target=3, xg=0.77),
        ],
        players=[
            af_players(INTER, [(217, "Lautaro Martínez", "8.4"), (6, "N. Barella", "7.1")]),
            af_players(ATALANTA, [(101, "Atalanta 1", "6.9"), (102, "Atalanta 2", None)]),
        ],
    )
    for answer in (ns, ht, ft):  # a league match: its table before it is asked for
        answer["response"][0]["league"] = dict(SERIE_A, round="Regular Season - 21")
    return [ns, ns, ht, ht, ft]


async def test_line_ups_substitution_stats_and_card_reach_telegram(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with (
        FakeTelegram(token="123456:TEST-e2e-token", time_scale=1 / SPEED) as fake,
        # a plan with requests to spare: polled every 0.05 s (a day's budget would space the
        # polls seconds apart, the whole match taking that many seconds)
        FakeProvider.api_football(key=KEY, **AMPLE_QUOTA) as provider,
    ):
        polls = answers()
        provider.script("/teams", {"search": "Inter"}, TEAMS_INTER)
        provider.script("/fixtures", IDS, *polls)
        provider.script("/standings", {"league": 135, "season": 2025}, TABLE)
        provider.script("/players/squads", {"team": 505}, SQUAD)
        upcoming = af_life("af_fixtures_team_505.json", soon())
        upcoming["response"] = [polls[0]["response"][0]]
        provider.script("/fixtures", {"team": 505, "next": 5}, upcoming)

        def fast_sources(settings: Settings) -> list[Any]:
            sources = sources_from_settings(settings)  # the real ones, polled every 0.05 s
            for source in sources:
                source.planner.min_interval = 0.05
            return sources

        monkeypatch.setattr(adapters.compose, "sources_from_settings", fast_sources)
        bot = Bot(
            fake,
            tmp_path,
            delivery_clock=FastClock(SPEED),
            api_football_key=KEY,
            api_football_base_url=provider.base_url,
        )
        async with bot.running():
            for command in ("/settings level all", "/settings pictures on", "/subscribe Inter"):
                await bot.ask(FAN, command)

            async def found_in_the_squad() -> bool:  # once the team's squad is kept
                await bot.ask(FAN, "/subscribe player Carboni")
                return any("now follows Valentín Carboni" in t for t in bot.texts(FAN))

            await until(found_in_the_squad, timeout=PATIENCE)

            def recap_photo() -> list[dict[str, Any]]:
                return [m for m in fake.messages(FAN) if m.get("photo")]

            await until(lambda: bool(recap_photo()), timeout=PATIENCE)
            await until(
                lambda: any("Player of the match" in t for t in bot.texts(FAN)), timeout=PATIENCE
            )
        texts = bot.texts(FAN)
        every = "\n".join(texts)
        # followed before he played, found in the squad, with his team
        assert any(t.startswith("✅") and "Valentín Carboni (Inter)" in t for t in texts), texts
        lineup = next(t for t in texts if t.startswith("📋 Line-ups: Inter v Atalanta"))
        assert "Inter (3-5-2)" in lineup and "Forwards: 10 Lautaro Martínez, 9 M. Thuram" in lineup
        assert len([t for t in texts if t.startswith("📋 Line-ups")]) == 1
        subs = [t for t in texts if t.startswith("🔄")]
        assert subs and " on, " in subs[0] and " off" in subs[0], subs
        half = [t for t in texts if "Half-time stats" in t]
        assert half and "Possession: 58% – 42%" in half[0] and "Shots on target" not in half[0]
        (photo,) = recap_photo()
        assert photo["text"].startswith("🏁 Inter") and len(photo["text"]) <= 1024
        with Image.open(io.BytesIO(fake.photos[photo["photo"]])) as card:
            assert card.format == "PNG" and card.size == (1200, 675)
        assert "⭐ Player of the match: Lautaro Martínez (Inter), rated 8.4" in every
        assert "Expected goals (xG): 1.84 – 0.77" in every
        # the table before the match, from /standings, asked once: what the draw did to it
        assert "Inter stay top, 3 points clear" in every
        assert len([r for r in provider.requests if r.path == "/standings"]) == 1
        for word in ("None", "null", "nan"):
            assert word not in every
        no_violations(fake)
