"""A platform-neutral message: styled spans in lines, grouped in sections, optional buttons."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Style = Literal["plain", "bold", "italic", "strike", "quote"]


class Span(BaseModel):
    model_config = ConfigDict(frozen=True)
    text: str
    style: Style = "plain"


Line = tuple[Span, ...]


class Section(BaseModel):
    model_config = ConfigDict(frozen=True)
    title: str | None = None
    lines: tuple[Line, ...] = ()


class Button(BaseModel):
    """A choice offered under a reply; ``action`` is what pressing it runs (``subscribe:inter``)."""

    model_config = ConfigDict(frozen=True)
    label: str
    action: str


class Message(BaseModel):
    """What the bot wants to say, before any platform's formatting.

    ``kind`` tells adapters what it is: an alert kind (``goal``, ``recap``, ``correction`` …),
    ``reply`` / ``help`` / ``suggestions`` for answers, ``error`` for a refused command
    (Discord shows those only to the user who typed it).
    """

    model_config = ConfigDict(frozen=True)
    kind: str
    headline: Line
    sections: tuple[Section, ...] = ()
    buttons: tuple[Button, ...] = ()

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str) -> Message:
        return cls.model_validate_json(text)


def plain(text: str) -> Span:
    return Span(text=text)


def bold(text: str) -> Span:
    return Span(text=text, style="bold")


def italic(text: str) -> Span:
    return Span(text=text, style="italic")


def strike(text: str) -> Span:
    return Span(text=text, style="strike")


def quoted(text: str) -> Span:
    """Words someone said; each format adds its own quotation marks."""
    return Span(text=text, style="quote")


def line(*parts: Span | str) -> Line:
    return tuple(plain(p) if isinstance(p, str) else p for p in parts)
