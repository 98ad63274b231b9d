"""Quotes in what a fan types: round the whole of a command's arguments (``"AC Milan"``) and
round a run of words inside them (``player "Lautaro Martínez" goals``), straight or as phones
write them (``“…”``, ``«…»``, ``„…“``, ``‘…’``). Never an error: a quote that does not open or
close a word is a letter.
"""

from __future__ import annotations

#: Each opening quote and the quote that closes it.
_QUOTES = {'"': '"', "'": "'", "“": "”", "„": "“", "«": "»", "‘": "’"}


def unquote(args: str) -> str:
    """The arguments without the quotes around the whole of them (``"AC Milan"``)."""
    args = args.strip()
    closing = _QUOTES.get(args[:1])
    if len(args) >= 2 and args[-1] == closing and closing not in args[1:-1]:
        return args[1:-1].strip()
    return args


def split_arguments(args: str) -> list[str]:
    """The words of ``args``, a quoted run of them one word without its quotes:
    ``player "Lautaro Martínez" goals`` → ``player``, ``Lautaro Martínez``, ``goals``.

    A quote opens only at the start of a word and closes only at the end of one, so an
    apostrophe inside a name (``Nott'm Forest``, ``M'gladbach``) is a letter; a quote never
    closed is a letter too (``"Inter`` is the word ``"Inter``). Empty quotes give no word."""
    words: list[str] = []
    rest = args.strip()
    while rest:
        closing = _QUOTES.get(rest[0])
        end = _closing_at(rest, closing) if closing else -1
        if end > 0:
            quoted = rest[1:end].strip()
            words += [quoted] if quoted else []
            rest = rest[end + 1 :].lstrip()
            continue
        word, *after = rest.split(maxsplit=1)
        words.append(word)
        rest = after[0] if after else ""
    return [w for w in words if w]


def _closing_at(text: str, closing: str) -> int:
    """Where the quote opened at ``text[0]`` closes at the end of a word; -1 if nowhere."""
    at = text.find(closing, 1)
    while at > 0:
        if at + 1 == len(text) or text[at + 1].isspace():
            return at
        at = text.find(closing, at + 1)
    return -1
