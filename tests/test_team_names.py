"""Teams by the names fans type: aliases, case and accents, ambiguity asked with buttons,
letters of another script never silently another team; with API-Football, the provider's team
(``Tottenham``, id 47) is the team followed as ``spurs`` or ``tottenham hotspur``."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.assemble import build_bot
from adapters.providers import ApiFootball
from adapters.providers.api_football import ApiFootballSource
from bot.commands import Commands
from bot.messages.model import message_text
from bot.ports import CommandContext
from storage.store import Store
from tests.support.af_match import poll, soon
from tests.support.core import chat, until
from tests.support.fakes.provider_api import FakeProvider
from tests.support.fakes.recording import RecordingPlatform

FAN = CommandContext(platform="telegram", chat_id="1", user_id="u1")
SPURS = {"id": 47, "name": "Tottenham", "logo": "https://media.api-sports.io/football/teams/47.png"}
CITY = {
    "id": 50,
    "name": "Manchester City",
    "logo": "https://media.api-sports.io/football/teams/50.png",
}


@pytest.fixture
def commands(store: Store) -> Commands:
    return Commands(store)


def follow(commands: Commands, typed: str) -> tuple[str, list[str]]:
    said = commands.run(FAN, "subscribe", typed)
    commands.run(FAN, "unsubscribe", typed)
    return message_text(said), [b.label for b in said.buttons]


@pytest.mark.parametrize(
    ("typed", "team"),
    [
        ("spurs", "Tottenham Hotspur"),
        ("Tottenham Hotspur", "Tottenham Hotspur"),
        ("TOTTENHAM", "Tottenham Hotspur"),
        ("man utd", "Manchester United"),
        ("Barça", "Barcelona"),
        ("barca", "Barcelona"),
        ("Bayern Munich", "Bayern Munich"),
        ("bayern münchen", "Bayern Munich"),
        ("BAYERN MUNCHEN", "Bayern Munich"),
        ("Internazionale", "Inter"),
        ("inter", "Inter"),
        ("Іnter", "Inter"),  # a Cyrillic І drawn like the Latin I: the same name
        ("Mіlan", "Milan"),  # a Cyrillic і
    ],
)
def test_the_names_fans_type_find_the_team(commands: Commands, typed: str, team: str) -> None:
    said, _ = follow(commands, typed)
    assert said.startswith(f"✅ This chat now follows {team}.")


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("Интер Milan", {"Milan", "Inter"}),  # Cyrillic "Inter" + Milan: asked, never Milan
        ("Manchester", {"Manchester City", "Manchester United"}),
        ("Real", {"Real Madrid", "Real Sociedad", "Real Betis"}),
    ],
)
def test_a_name_that_fits_several_or_another_script_asks_with_buttons(
    commands: Commands, typed: str, offered: set[str]
) -> None:
    said, buttons = follow(commands, typed)
    assert not said.startswith("✅"), said
    assert offered <= set(buttons), buttons


@pytest.mark.parametrize("typed", ["Интер", "Ювентус", "Ελλάδα", "Інтер Мілан"])
def test_another_script_never_silently_becomes_a_team(commands: Commands, typed: str) -> None:
    said, _ = follow(commands, typed)
    assert not said.startswith("✅"), said


async def test_spurs_follows_the_providers_tottenham(tmp_path: Path) -> None:
    """``/subscribe spurs`` and ``/subscribe tottenham hotspur``: the provider's team 47,
    ``Tottenham``, whose fixture then reaches both chats."""
    k = soon()
    search = {
        "get": "teams",
        "errors": [],
        "results": 1,
        "paging": {"current": 1, "total": 1},
        "response": [
            {"team": {"id": 47, "name": "Tottenham", "code": "TOT", "country": "England"}}
        ],
    }
    fixture = poll(k, "NS", None, None, [], fid=4747, home=SPURS, away=CITY)
    async with FakeProvider.api_football(key="k") as fake:
        for query in ("Tottenham Hotspur", "Tottenham", "spurs"):
            fake.script("/teams", {"search": query}, search)
        fake.script("/fixtures", {"team": 47, "next": 5}, fixture)
        fake.script(
            "/fixtures",
            {"ids": "4747"},
            poll(k, "1H", 3, (0, 0), [], fid=4747, home=SPURS, away=CITY),
        )
        src = ApiFootballSource(ApiFootball("k", base_url=fake.base_url), min_interval=0.05)
        platform = RecordingPlatform()
        bot = build_bot(
            tmp_path / "bot.db", [platform], recap_delay=0.0, reminder_lead=None, sources=[src]
        )
        await bot.open()
        first = await bot.command(chat("a"), "subscribe", "spurs")
        second = await bot.command(chat("b"), "subscribe", "tottenham hotspur")
        assert message_text(first).startswith("✅ This chat now follows Tottenham Hotspur.")
        assert message_text(second).startswith("✅ This chat now follows Tottenham Hotspur.")
        await bot.start()
        try:
            for c in ("a", "b"):
                await until(
                    lambda c=c: any(
                        "Kick-off: Tottenham v Manchester City" in t for t in platform.texts(c)
                    ),
                    timeout=10,
                )
        finally:
            await bot.stop()
            await src.aclose()
    assert next(r.query for r in fake.requests if r.path.endswith("/fixtures")) == {
        "team": "47",
        "next": "5",
    }
