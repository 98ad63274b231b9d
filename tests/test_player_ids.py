"""Players a data provider identifies (``player_id``, from API-Football's ``player.id``) are
kept under that id and followed by it, whatever the spelling of the name or the team."""

from __future__ import annotations

import copy

import pytest

from adapters.providers.api_football import translate_fixture
from bot.commands import Commands
from bot.engine import Engine
from bot.feed_format import FeedEvent, parse_object
from storage.store import Store
from tests.support.fakes.provider_api import load_fixture
from tests.support.following import FAN, NOON, feed, match, say, texts


@pytest.fixture
def commands(store: Store) -> Commands:
    return Commands(store, clock=lambda: NOON)


def test_api_football_events_carry_the_players_ids() -> None:
    fx = copy.deepcopy(load_fixture("af_life_03_1h.json")["response"][0])
    snap = translate_fixture(fx, fx["events"])
    goals = [e for e in snap.events if e["type"] == "goal"]
    assert goals[0]["player"] == "Lautaro Martínez" and goals[0]["player_id"] == "af:217"
    cards = [e for e in snap.events if e["type"] == "card"]
    assert all(str(c["player_id"]).startswith("af:") for c in cards)
    for event in snap.events:  # the feed accepts them
        parse_object(event)


def goal(mid: str, gid: str, minute: int, team: str, player: str, ref: str | None) -> FeedEvent:
    event: FeedEvent = {
        "type": "goal",
        "match": mid,
        "id": gid,
        "minute": minute,
        "team": team,
        "player": player,
    }
    if ref:
        event["player_id"] = ref
    return event


def test_a_player_is_followed_by_his_provider_id(
    engine: Engine, store: Store, commands: Commands
) -> None:
    feed(engine, match("af:1", "Inter", "Atalanta"))
    engine.ingest(parse_object(goal("af:1", "g1", 9, "Inter", "Lautaro Martínez", "af:217")))
    row = next(r for r in store.players() if r["name"] == "Lautaro Martínez")
    assert say(commands, "/subscribe player Lautaro Martínez").startswith("✅")
    # the provider spells him otherwise later, and another match has him in another team:
    # the same id is the same player; a namesake without the id is someone else
    feed(engine, match("af:2", "Roma", "Inter", at="20:45"))
    engine.ingest(parse_object(goal("af:2", "g1", 30, "Inter", "L. Martínez", "af:217")))
    feed(engine, match("af:3", "Napoli", "Genoa", at="18:00"))
    engine.ingest(parse_object(goal("af:3", "g1", 5, "Genoa", "Lautaro Martínez", None)))
    engine.ingest(parse_object(goal("af:3", "g2", 6, "Napoli", "Martínez", "af:999")))
    got = texts(store, FAN.chat_id)
    assert len(got) == 1 and "Roma 0-1 Inter" in got[0]  # not the namesake of Genoa
    ids = {r["id"] for r in store.players() if "Mart" in r["name"]}
    assert row["id"] in ids and len(ids) == 3  # the spelling kept under one id; two others
