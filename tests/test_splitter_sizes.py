"""The splitter measures a word too long for a part character by character, each character's
size kept per format (:meth:`adapters.splitting.TextFormat.char_size`): the parts it cuts are
exactly those of measuring every character anew, in every format."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.render import DISCORD, EMBED_TITLE_FORMAT
from adapters.splitting import TextFormat, cut_into_parts, shorten
from adapters.telegram.render import TELEGRAM
from bot.messages.model import Line, Span

FORMATS = {"telegram": TELEGRAM, "discord": DISCORD, "embed title": EMBED_TITLE_FORMAT}


@dataclass(frozen=True)
class Remeasuring(TextFormat):
    """The splitter as it was: every character of a long word written and measured anew."""

    def char_size(self, ch: str) -> int:
        return self.size(Span(text=ch))


def remeasuring(fmt: TextFormat) -> TextFormat:
    return Remeasuring(write=fmt.write, size=fmt.size)


#: what a long word is made of: letters, markdown and HTML specials, accents that combine,
#: emoji outside the BMP, skin tones, joiners, variation selectors, a flag's letters
CHARACTERS = st.sampled_from(
    [
        "a",
        "Z",
        "é",
        "e\u0301",
        "*",
        "_",
        "<",
        "&",
        "@",
        "#",
        "-",
        "`",
        "\\",
        "⚽",
        "👍🏽",
        "👨\u200d👩\u200d👧",
        "❤\ufe0f",
        "🇮🇹",
        "🇮",
        " ",
        "\n",
    ]
)
WORDS = st.lists(CHARACTERS, max_size=80).map("".join)
SPANS = st.builds(
    Span, text=WORDS, style=st.sampled_from(["plain", "bold", "italic", "strike", "quote"])
)
ROWS = st.lists(st.lists(SPANS, max_size=4).map(tuple), max_size=6)


@settings(database=None)
@given(rows=ROWS, limit=st.integers(min_value=8, max_value=90), fmt=st.sampled_from(list(FORMATS)))
def test_kept_character_sizes_cut_exactly_as_measuring_each_anew(
    rows: list[Line], limit: int, fmt: str
) -> None:
    kept, anew = FORMATS[fmt], remeasuring(FORMATS[fmt])
    assert cut_into_parts(rows, kept, limit) == cut_into_parts(rows, anew, limit)
    assert cut_into_parts(rows, kept, limit, first=limit // 2) == cut_into_parts(
        rows, anew, limit, first=limit // 2
    )
    for row in rows:
        assert shorten(row, kept, limit) == shorten(row, anew, limit)


def test_each_format_keeps_its_own_character_sizes() -> None:
    """A character each format writes differently (escaped in Discord markdown, plain in
    Telegram's shown text) counts as that format counts it, whichever measured it first."""
    for ch in ("*", "_", "<", "🇮", "a"):
        assert TELEGRAM.char_size(ch) == TELEGRAM.size(Span(text=ch))
        assert DISCORD.char_size(ch) == DISCORD.size(Span(text=ch))
    assert DISCORD.char_size("*") == 2 != TELEGRAM.char_size("*")
