"""Text from outside (feed names, quotes, typed commands) made safe to show on a terminal.

A name holding a newline could forge a line that looks like an alert of its own; one holding
an escape sequence could recolour, move the cursor or retitle the terminal; a bidi override
could make a line read backwards. :func:`neutralise` turns every such character into something
harmless and visible, and keeps all other text (accents, emoji, right-to-left scripts) intact.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"  # �: shows that something was there

# Line and paragraph breaks of every kind, and tabs: read as a space.
_BREAKS = "\n\r\t\v\f\x1c\x1d\x1e\x1f\x85\u2028\u2029"
# C0 and C1 controls (ESC, BEL, backspace, CSI …) and DEL, minus the breaks above.
_CONTROLS = "".join(
    chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if chr(c) not in _BREAKS
)
# Bidi embeddings, overrides and isolates (not the harmless LRM/RLM marks), and the
# interlinear annotation and object replacement characters.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\ufff9\ufffa\ufffb"

_UNSAFE = re.compile(f"[{re.escape(_BREAKS + _CONTROLS + _BIDI)}]")
_UNSAFE_BUT_NEWLINE = re.compile(
    f"[{re.escape(_BREAKS.replace(chr(10), ''))}{re.escape(_CONTROLS + _BIDI)}]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _replace(match: re.Match[str]) -> str:
    return " " if match.group() in _BREAKS else REPLACEMENT


def neutralise(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with no character that could act on a terminal or break a line.

    Breaks (newline, carriage return, tab, U+2028 …) become a space, other controls and bidi
    overrides become U+FFFD, and so do lone surrogates (which no output could encode).
    With ``keep_newlines``, ``\\n`` is kept: for a text whose lines the bot itself laid out.
    """
    pattern = _UNSAFE_BUT_NEWLINE if keep_newlines else _UNSAFE
    text = pattern.sub(_replace, text)
    return _SURROGATE.sub(REPLACEMENT, text)
