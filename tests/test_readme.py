"""What the README shows a new user is what the program does: its recap samples are the recap
of the bundled match, word for word, and its `matchbot doctor` sample names the schema version
this code writes."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

import pytest

from adapters.console.replay import recaps_of_feed, seed_lines
from storage import schema

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def readme_block_after(marker: str) -> str:
    """The first fenced block after ``marker`` in the README."""
    start = README.index("```\n", README.index(marker)) + len("```\n")
    return README[start : README.index("```", start)].strip()


def bundled_recap(lang: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    rejected, found = asyncio.run(recaps_of_feed(seed_lines(), None, "text", out, err, lang))
    assert (rejected, found) == (0, True), err.getvalue()
    return out.getvalue().strip().rsplit("\n", 1)[0].strip()  # the closing rule left out


@pytest.mark.parametrize(
    ("lang", "marker"),
    [
        ("it", "`matchbot recap bot/data/atalanta-inter.jsonl --lang it`"),
        ("en", "and in English (`matchbot recap bot/data/atalanta-inter.jsonl`"),
    ],
)
def test_the_readme_recap_samples_are_the_bundled_matchs_recap(lang: str, marker: str) -> None:
    assert readme_block_after(marker) == bundled_recap(lang)


def test_the_readme_doctor_sample_shows_the_current_schema_version() -> None:
    sample = readme_block_after("### `matchbot doctor`")
    shown = re.search(r"^schema\s+ok\s+version (\d+) \(current\)$", sample, re.MULTILINE)
    assert shown is not None
    assert int(shown.group(1)) == len(schema.names())
