"""The match card picture: what it says, drawn the same everywhere (a golden picture with a
tolerance), once per match and language, and sent as a Telegram photo uploaded once."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from adapters.card.cache import CardCache
from adapters.card.render import render_card
from bot.depth import DepthFanOut
from bot.engine import Engine
from bot.feed_format import parse_object
from bot.messages import i18n
from bot.messages.model import MatchCard
from storage.store import Store
from tests.support.core import DATA

GOLDEN = Path(__file__).parent / "golden" / "depth"
SAMPLE = Path(__file__).parent.parent / "bot" / "data" / "sample-depth.jsonl"


def card_of(feed: Path, match: str, lang: str) -> MatchCard:
    engine = Engine(Store.open(":memory:"))
    for raw in feed.read_text("utf-8").splitlines():
        if raw.strip():
            engine.ingest(parse_object(json.loads(raw)))
    state = engine.state(match)
    assert state is not None
    with i18n.use(lang):
        return DepthFanOut(engine, state.fixture).card(state, engine.stored_data(match), None)


def difference(a: bytes, b: bytes) -> float:
    """The mean difference of two pictures' pixels, 0 (the same) to 255."""
    with Image.open(io.BytesIO(a)) as first, Image.open(io.BytesIO(b)) as second:
        assert first.size == second.size
        diff = ImageChops.difference(first.convert("RGB"), second.convert("RGB"))
        return sum(ImageStat.Stat(diff).mean) / 3


@pytest.mark.parametrize(
    ("name", "feed", "match", "lang"),
    [
        ("sample-en", SAMPLE, "sample-riverside-harbor", "en"),
        ("sample-it", SAMPLE, "sample-riverside-harbor", "it"),
        ("world-cup-final-en", DATA / "world-cup-final.jsonl", "wc22-final", "en"),
    ],
)
def test_the_card_looks_as_it_did(name: str, feed: Path, match: str, lang: str) -> None:
    png = render_card(card_of(feed, match, lang))
    path = GOLDEN / f"card-{name}.png"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_bytes(png)
    assert difference(png, path.read_bytes()) < 1.0  # anti-aliasing may differ, not content


def test_the_card_says_what_happened_and_nothing_else() -> None:
    card = card_of(DATA / "world-cup-final.jsonl", "wc22-final", "en")
    assert card.score == "3 - 3"
    assert card.note == "after extra time · Argentina win 4-2 on penalties"
    assert card.home.scorers == ("Lionel Messi 23' (pen), 108'", "Ángel Di María 36'")
    assert card.away.kicks == (True, False, False, True)
    assert card.away.red_cards == ("Dayot Upamecano 116'",)
    assert card.stats == ()  # the feed gives none: none invented
    italian = card_of(SAMPLE, "sample-riverside-harbor", "it")
    assert [s.label for s in italian.stats][:2] == ["Possesso palla", "Tiri"]
    assert italian.stats[3].home == "2,71"
    assert "None" not in italian.model_dump_json()


def test_a_card_is_drawn_once_per_match_and_language() -> None:
    cache = CardCache()
    english = card_of(SAMPLE, "sample-riverside-harbor", "en")
    italian = card_of(SAMPLE, "sample-riverside-harbor", "it")
    for _ in range(3):
        cache(english)
        cache(italian)
    assert cache.drawn == 2
    assert english.key != italian.key
