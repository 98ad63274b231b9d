"""One splitter for every format: a message too long for one platform message, cut into parts.

Every format (Telegram's HTML, Discord's markdown, in texts, embed descriptions and fields)
splits here, on the neutral message rather than on its rendered text, so a cut can never fall
inside a tag, an entity, an escape or a markdown span:

* lines are kept whole while a line fits in a part; a part ends between two lines;
* a line longer than what is left of a part is cut between its spans, and a span between its
  words: each piece of a span is written as a span of its own, so the part before the cut
  closes the span's tag (``</b>``, ``**``) and the part after opens it again;
* a word longer than a whole part (one 5,000-character word) is cut, never inside a character
  Telegram or Discord would show as one (an accent, a flag, an emoji with its skin tone), and
  ends with an ellipsis; the rest of that word is left out.

What a part may hold is counted as each platform counts it (:class:`TextFormat`): Telegram the
UTF-16 code units of the text it shows once it parsed the HTML, Discord the characters of the
markdown it receives. Nothing here knows a platform: the formats come from
``adapters/<platform>/render.py``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from bot.messages.model import Line, Message, Span, bold
from bot.safe_text import neutralise

ELLIPSIS = "…"

_WORDS = re.compile(r"\s+|\S+")
#: how many characters' sizes a format keeps (far more than a match's texts use)
_KEPT_CHAR_SIZES = 4096


def utf16_len(text: str) -> int:
    """The length of ``text`` in UTF-16 code units, as Telegram and Discord's clients count it
    (an emoji outside the Basic Multilingual Plane counts two)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass(frozen=True)
class TextFormat:
    """How a format writes a span (escaped, with its style's marks) and what the platform
    counts of it against its limit."""

    write: Callable[[Span], str]
    size: Callable[[Span], int]
    #: what each style adds to a span's size (its marks, a quote's quotation marks)
    _overhead: dict[str, int] = field(default_factory=dict, compare=False)
    #: what one character counts, written alone (a word longer than a part is measured
    #: character by character: each character is written and measured once, not once a time)
    _char_sizes: dict[str, int] = field(default_factory=dict, compare=False)

    def overhead(self, style: str) -> int:
        if style not in self._overhead:
            probe = Span.model_validate({"text": "x", "style": style})
            self._overhead[style] = self.size(probe) - self.size(Span(text="x"))
        return self._overhead[style]

    def char_size(self, ch: str) -> int:
        """What the one character ``ch`` counts, written alone as plain text."""
        size = self._char_sizes.get(ch)
        if size is None:
            size = self.size(Span(text=ch))
            if len(self._char_sizes) < _KEPT_CHAR_SIZES:
                self._char_sizes[ch] = size
        return size

    def line(self, row: Line) -> str:
        return "".join(self.write(span) for span in row)

    def line_size(self, row: Line) -> int:
        return sum(self.size(span) for span in row)


def message_lines(message: Message) -> list[Line]:
    """The layout every text format shares (see :func:`bot.messages.model.message_text`):
    the headline, then each section — its title in bold, then its lines — a blank line
    (an empty line) between."""
    rows: list[Line] = [message.headline]
    for section in message.sections:
        block: list[Line] = [(bold(neutralise(section.title)),)] if section.title else []
        block += section.lines
        if block:
            rows += [(), *block]
    return rows


def cut_into_parts(
    rows: Sequence[Line], fmt: TextFormat, limit: int, first: int | None = None
) -> list[str]:
    """``rows`` written in ``fmt`` as parts of at most ``limit`` (the first part: ``first``,
    when given: a photo's caption is shorter than a text), as the module explains."""
    packer = _Packer(fmt, limit, limit if first is None else first)
    for row in rows:
        packer.add_line(row)
    packer.close()
    return packer.parts


def shorten(row: Line, fmt: TextFormat, limit: int) -> str:
    """One line written in ``fmt`` within ``limit``: cut between words (the last one cut if it
    must be) and ended with an ellipsis when it is longer."""
    if fmt.line_size(row) <= limit:
        return fmt.line(row)
    packer = _Packer(fmt, limit, limit, room_for_ellipsis=True)
    packer.add_line(row)
    packer.close()
    return packer.parts[0] + ELLIPSIS if packer.parts else ELLIPSIS


class _Packer:
    """Parts being filled: whole lines while they fit, a long line cut into pieces."""

    def __init__(
        self, fmt: TextFormat, limit: int, first: int, room_for_ellipsis: bool = False
    ) -> None:
        self.fmt = fmt
        self.limit = limit
        self.first = first
        self.reserve = utf16_len(ELLIPSIS) if room_for_ellipsis else 0
        self.parts: list[str] = []
        self.rows: list[str] = []  # the current part's lines, written
        self.used = 0  # what the platform counts of them, newlines included

    def full(self) -> int:
        return (self.limit if self.parts else self.first) - self.reserve

    def room(self) -> int:
        """What one more line may take in the current part (after its newline)."""
        return self.full() - self.used - (1 if self.rows else 0)

    def put(self, row: Line) -> None:
        self.used += self.fmt.line_size(row) + (1 if self.rows else 0)
        self.rows.append(self.fmt.line(row))

    def close(self) -> None:
        """End the current part (blank lines around it dropped); the next one starts empty."""
        text = "\n".join(self.rows).strip("\n")
        if text.strip():
            self.parts.append(text)
        self.rows, self.used = [], 0

    def add_line(self, row: Line) -> None:
        size = self.fmt.line_size(row)
        if self.room() < size <= self.full():
            self.close()  # a line that fits in a part of its own is never cut
        if size <= self.room():
            self.put(row)
        else:
            _cut_line(row, self)


def _cut_line(row: Line, packer: _Packer) -> None:
    """A line too long for the room left, put as pieces: each fills what is left of a part
    (the first, the current part's), a new part between two pieces."""
    fmt = packer.fmt
    piece: list[Span] = []
    size = 0
    for span, word in _words(row):
        cost = _cost(fmt, piece, span, word)
        if word.isspace():  # no space opens a piece, nor ends one that is full
            if piece and size + cost <= packer.room():
                _append(piece, span, word)
                size += cost
            continue
        if size + cost > packer.room():
            if piece:
                packer.put(_trimmed(piece))
            if piece or packer.rows:
                packer.close()
            piece, size = [], 0
            cost = _cost(fmt, piece, span, word)
        if cost > packer.room():  # one word longer than a whole part: cut it
            room = packer.room() - fmt.overhead(span.style) - utf16_len(ELLIPSIS)
            word = _fit(word, room, fmt) + ELLIPSIS
        _append(piece, span, word)
        size += cost
    if piece:
        packer.put(_trimmed(piece))


def _words(row: Line) -> Iterator[tuple[Span, str]]:
    """Each span's words and spaces, with the span they come from (a quote becomes italics
    holding its quotation marks, which both formats write alike, so a cut quote keeps one
    pair of marks around all of it)."""
    for span in row:
        if span.style == "quote":
            span = Span(text=f"“{neutralise(span.text)}”", style="italic")
        for word in _WORDS.findall(span.text):
            yield span, word


def _cost(fmt: TextFormat, piece: list[Span], span: Span, word: str) -> int:
    """What ``word`` adds to the piece: its size, and its span's marks if it opens the span."""
    return fmt.size(Span(text=word)) + (0 if _goes_on(piece, span) else fmt.overhead(span.style))


def _goes_on(piece: list[Span], span: Span) -> bool:
    return bool(piece) and piece[-1].style == span.style


def _append(piece: list[Span], span: Span, word: str) -> None:
    """``word`` of ``span`` at the end of the piece: in its last span when the style goes on."""
    if _goes_on(piece, span):
        piece[-1] = Span(text=piece[-1].text + word, style=span.style)
    else:
        piece.append(Span(text=word, style=span.style))


def _trimmed(piece: list[Span]) -> Line:
    """The piece without spaces at its end (markdown closes no span after a space)."""
    while piece and not piece[-1].text.rstrip():
        piece = piece[:-1]
    if piece:
        piece = [*piece[:-1], Span(text=piece[-1].text.rstrip(), style=piece[-1].style)]
    return tuple(piece)


def _fit(word: str, room: int, fmt: TextFormat) -> str:
    """The longest start of ``word`` that takes at most ``room``, ending between two
    characters the platform shows apart (never before a combining accent, a joiner, a
    variation selector or a skin tone, nor inside a flag's pair of letters)."""
    end, size = 0, 0
    for ch in word:
        size += fmt.char_size(ch)
        if size > room:
            break
        end += 1
    while 0 < end < len(word) and _joined(word, end):
        end -= 1
    return word[:end]


def _is_flag_letter(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def _joined(word: str, end: int) -> bool:
    """Whether a cut before ``word[end]`` would break what is shown as one character."""
    before, after = word[end - 1], word[end]
    if unicodedata.combining(after) or unicodedata.category(after) in ("Mn", "Me"):
        return True
    if before == "\u200d" or after == "\u200d" or "\ufe00" <= after <= "\ufe0f":
        return True
    if "\U0001f3fb" <= after <= "\U0001f3ff" or "\U000e0020" <= after <= "\U000e007f":
        return True
    if not (_is_flag_letter(before) and _is_flag_letter(after)):
        return False
    letters = 0  # a flag is a pair of letters: cut after an even number of them
    while letters < end and _is_flag_letter(word[end - 1 - letters]):
        letters += 1
    return letters % 2 == 1
