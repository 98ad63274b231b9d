"""A platform-neutral message: styled spans in lines, grouped in sections, optional buttons.

Each adapter writes messages in its platform's format (``adapters/*/render.py``); this module
only knows their plain words (:func:`message_text`) and their layout, which every text format
shares: the headline, then each section (its title, then its lines), a blank line between.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.safe_text import neutralise

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


class CardSide(BaseModel):
    """One team on the match card."""

    model_config = ConfigDict(frozen=True)
    name: str
    colour: str | None = None  # ``#0068a8``: the team's colour where known
    scorers: tuple[str, ...] = ()  # ``D. Price 12', 70' (pen)``
    red_cards: tuple[str, ...] = ()  # ``J. Kovač 71'``
    kicks: tuple[bool, ...] = ()  # the shoot-out, kick by kick


class CardStat(BaseModel):
    model_config = ConfigDict(frozen=True)
    label: str
    home: str
    away: str
    share: float | None = None  # the home side's share (possession), for a bar


class MatchCard(BaseModel):
    """The full-time picture, in words already in the chat's language: adapters draw it
    (``adapters/card``). ``key`` names it once per match and language (and its content), so
    it is drawn once and uploaded once per platform."""

    model_config = ConfigDict(frozen=True)
    key: str
    heading: str  # ``Serie A · Matchday 17``
    date: str
    status: str  # ``Full time``
    home: CardSide
    away: CardSide
    score: str  # ``3 - 1``
    note: str | None = None  # ``after extra time · Argentina win 4-2 on penalties``
    stats: tuple[CardStat, ...] = ()
    shootout_label: str | None = None


#: What a message is, each kind listed once. Alerts are named after the feed event or the
#: period they tell (``goal``, ``half_time`` …); then what the bot sends of its own accord;
#: then the answers to commands.
MessageKind = Literal[
    # alerts: one per feed event type and match period
    "kickoff",
    "goal",
    "goal_disallowed",
    "goal_cancelled",
    "goal_update",
    "var_check",
    "red_card",
    "card",
    "substitution",
    "save",
    "miss",
    "penalty_missed",
    "shootout_kick",
    "added_time",
    "note",
    "first_half",
    "half_time",
    "second_half",
    "extra_time",
    "penalties",
    "full_time",
    # sent of the bot's own accord
    "correction",
    "recap",
    "quote",
    "reminder",
    "lineups",
    "scoreboard",
    "digest",
    # answers to commands
    "reply",
    "help",
    "suggestions",
    "settings",
    "team",
    "table",
    "group",
    "admin",
    "error",
]


class Message(BaseModel):
    """What the bot wants to say, before any platform's formatting.

    ``kind`` (a :data:`MessageKind`) tells adapters what it is: an alert kind (``goal``,
    ``recap``, ``correction`` …), ``reply`` / ``help`` / ``suggestions`` for answers, ``error``
    for a refused command (Discord shows those only to the user who typed it).

    A message that edits an earlier one in place (an alert whose facts changed: a scorer
    named, a goal cancelled, a score corrected) may carry ``fallback``, the short correction
    sent instead when the platform refuses the edit (too old, deleted), and ``edit_only``:
    a chat that never got the earlier message gets nothing.
    """

    model_config = ConfigDict(frozen=True)
    kind: MessageKind
    headline: Line
    sections: tuple[Section, ...] = ()
    buttons: tuple[Button, ...] = ()
    card: MatchCard | None = None
    """A picture to send with the message (Telegram: a photo with the message's start as
    its caption; Discord: the embed's image)."""
    fallback: Message | None = None
    edit_only: bool = False
    #: sent without a sound (Telegram's ``disable_notification``): a minor event that comes
    #: right after a goal does not buzz the phone a second time
    quiet: bool = False
    #: the platform's id of the user's message this one answers, shown as a reply to it (a
    #: question in a group: :func:`bot.questions.as_asked`)
    reply_to: str | None = None
    #: a question whose answer must be a reply to it: the platform opens the reply box of the
    #: user it replies to, and only theirs (Telegram's ``ForceReply``, selective)
    wants_reply: bool = False
    #: a question for a command's argument ("Which team…?" after a bare ``/subscribe``): the
    #: command the asked user's next plain words run with (see :mod:`bot.questions`). Known
    #: to the core only: never stored with the message, never shown.
    asks: str | None = Field(default=None, exclude=True)

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


def span_text(span: Span) -> str:
    """A span's words as plain text, on one line: a line break or a control character inside a
    name or a quote must not start a line of its own (a forged alert) nor reach a terminal
    raw. A quote gets its quotation marks here, in every format."""
    text = neutralise(span.text)
    return f"“{text}”" if span.style == "quote" else text


def line_text(parts: Line, write: Callable[[Span], str] = span_text) -> str:
    """A line, each span written by ``write`` (by default: its plain words)."""
    return "".join(write(span) for span in parts)


def message_text(
    message: Message,
    write: Callable[[Span], str] = span_text,
    title: Callable[[str], str] = lambda text: text,
) -> str:
    """The whole message as one text: the headline, then each section (its title, written by
    ``title`` once neutralised, then its lines), a blank line between. By default the plain
    words; an adapter passes its format's writers for spans and titles."""
    blocks = [line_text(message.headline, write)]
    for section in message.sections:
        rows = [title(neutralise(section.title))] if section.title else []
        rows += [line_text(parts, write) for parts in section.lines]
        if rows:
            blocks.append("\n".join(rows))
    return "\n\n".join(blocks)
