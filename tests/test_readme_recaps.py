"""The README shows the bundled match's recap in Italian and in English as the bot writes it
today (``matchbot recap bot/data/atalanta-inter.jsonl [--lang it]``): a changed sentence fails
here until the README shows it too."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from adapters.console.replay import recaps_of_feed

ROOT = Path(__file__).parent.parent
SEED = ROOT / "bot" / "data" / "atalanta-inter.jsonl"
MARKERS = {
    "it": "--speed 0 --lang it`) prints:",
    "en": "and in English (`matchbot recap bot/data/atalanta-inter.jsonl`, or `matchbot demo",
}


def readme_block(marker: str) -> str:
    text = (ROOT / "README.md").read_text("utf-8")
    start = text.index("```\n", text.index(marker)) + 4
    return text[start : text.index("\n```", start)]


@pytest.mark.parametrize("lang", ["it", "en"])
def test_the_readme_shows_the_recap_as_written(lang: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    lines = SEED.read_bytes().splitlines()
    rejected, found = asyncio.run(recaps_of_feed(lines, None, "text", out, err, lang=lang))
    assert (rejected, found) == (0, True)
    written = out.getvalue().rstrip("\n").removesuffix("─" * 48).rstrip("\n")
    assert readme_block(MARKERS[lang]) == written
