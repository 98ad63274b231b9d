"""The contracts between the core and the outside: chat adapters and the errors they report.

Adapters translate their platform's exceptions into the :class:`DeliveryError` family below,
so the delivery loop handles every platform's failures the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from bot.messages.model import Message

if TYPE_CHECKING:
    from bot.store_contract import DatabaseThread


class StartupError(Exception):
    """A problem found while starting (a rejected token, an unreachable endpoint); the message
    is written for the operator and never contains a secret."""


class Fatal(Exception):
    """The bot cannot go on (a token the platform rejects while running): ``matchbot run``
    stops and exits non-zero with this message, written for the operator, never a secret."""


@runtime_checkable
class FatalSink(Protocol):
    """What an adapter tells of a fault that must stop the bot (:class:`Fatal`)."""

    def fatal(self, reason: str) -> None: ...


class DeliveryError(Exception):
    """A send or edit that did not happen."""


class TokenRejected(DeliveryError):
    """The platform rejected the bot's own token (401): nothing can be sent until the operator
    sets a new one in ``variable``."""

    def __init__(self, reason: str, variable: str) -> None:
        super().__init__(reason)
        self.variable = variable


class RetryAfter(DeliveryError):
    """The platform asked us to wait ``seconds`` before sending to this chat again."""

    def __init__(self, seconds: float, reason: str = "rate limited") -> None:
        super().__init__(f"{reason}; retry in {seconds:g}s")
        self.seconds = seconds


class ChatUnreachable(DeliveryError):
    """Blocked, kicked, deleted or never existed: stop sending to this chat.

    ``why`` is one word for the operator's metrics (``blocked``, ``kicked``, ``deleted`` or
    ``other``); when the adapter does not say, it is read from the platform's description."""

    def __init__(self, description: str, why: str | None = None) -> None:
        super().__init__(description)
        self.why = why or chat_gone_reason(description)


def chat_gone_reason(description: str) -> str:
    """``Forbidden: bot was blocked by the user`` → ``blocked``, and so on."""
    text = description.lower()
    if "blocked" in text:
        return "blocked"
    if any(w in text for w in ("kicked", "not a member", "removed", "forbidden", "rights")):
        return "kicked"
    if any(w in text for w in ("deleted", "deactivated", "not found", "unknown", "invalid")):
        return "deleted"
    return "other"


class ChatMoved(DeliveryError):
    """The chat has a new id (a Telegram group became a supergroup)."""

    def __init__(self, new_chat_id: str) -> None:
        super().__init__(f"chat moved to {new_chat_id}")
        self.new_chat_id = new_chat_id


class TemporaryFailure(DeliveryError):
    """Network trouble, timeouts, 5xx: try again later."""


class PermanentFailure(DeliveryError):
    """The platform refused this message for good (a bad request): do not retry it."""


class CannotEdit(DeliveryError):
    """The message to correct cannot be edited: send the correction as a new message."""


@dataclass(frozen=True)
class Pacing:
    """How fast a platform lets a bot send (the delivery loop's :class:`bot.pacer.Pacer`
    keeps under these, as the platform counts them)."""

    #: requests the platform takes in any one second, counted at its end (None: no limit)
    per_second: float | None = None
    #: seconds from the answer to one request to a chat until the next one to it is sent
    per_chat_interval: float = 0.0
    group_per_minute: int | None = None  # messages in any minute to one group chat
    max_in_flight: int = 16  # sends awaiting an answer at once
    #: requests that may start at once after a pause; then they are spaced ``1/per_second``
    #: apart (1: evenly spaced, so a new alert never waits long for the next free turn)
    burst: int = 1


class RequestPacer(Protocol):
    """The delivery loop's pacer (:class:`bot.pacer.Pacer`), the one place the bot keeps
    to a platform's limits. An adapter that makes requests of its own while delivering (the
    extra parts of a long message, the edits of a correction, a library's retries) holds one
    :meth:`request` around each; the first request of a send the loop started finds its turn
    already taken by the loop."""

    def request(
        self, chat_id: str | None, *, chat_limits: bool = True
    ) -> AbstractAsyncContextManager[None]:
        """Around one request to ``chat_id`` (None: to no chat in particular): waits until
        the chat and the platform's overall limit allow it, and counts it until answered.
        ``chat_limits`` False: only the overall limit (the chat's own limits are kept by the
        platform's library, as discord.py keeps Discord's per-route buckets)."""
        ...


@runtime_checkable
class PacedAdapter(Protocol):
    """Optional :class:`ChatAdapter` capability: an adapter whose send or edit may make more
    than one request gets the delivery loop's pacer to hold around each of them."""

    def bind_pacer(self, pacer: RequestPacer) -> None: ...


@dataclass(frozen=True)
class CommandContext:
    """Who typed a command, where: everything the core needs, nothing platform-specific."""

    platform: str
    chat_id: str
    user_id: str
    chat_kind: str = "private"  # private, group or channel
    chat_title: str | None = None
    can_manage: bool = True  # may change this chat's subscriptions and settings
    place: str = "chat"  # what fans call it: "chat" (Telegram, console) or "channel" (Discord)
    user_language: str | None = None  # the user's app language (Telegram's language_code)
    message_id: str | None = None  # the platform's id of the message that carried it, if any


class ChatAdapter(Protocol):
    """One chat platform. ``send`` and ``edit`` take the neutral message and write it in the
    platform's own format (each adapter's ``render`` module); ``send`` returns the platform's
    ids of the messages it posted."""

    platform: str
    pacing: Pacing

    def is_group(self, chat_id: str) -> bool: ...

    async def start(self, core: CoreAPI) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, chat_id: str, message: Message) -> list[str]: ...

    async def edit(self, chat_id: str, message_ids: list[str], message: Message) -> None: ...


class CoreAPI(Protocol):
    """What an adapter may ask of the core."""

    async def command(
        self, ctx: CommandContext, name: str, args: str, reply_key: str | None = None
    ) -> Message: ...

    async def answer(
        self, ctx: CommandContext, text: str, reply_key: str, replying_to: str | None = None
    ) -> Message | None:
        """Plain words (no command) as the answer to the question the bot asked this user
        here ("Which team…?" after a bare ``/subscribe``): they run as that command; None when
        they answer no question (see :mod:`bot.questions`). ``replying_to``: the platform's id
        of the bot's message the words reply to (Telegram's reply), if any."""
        ...

    async def asked(self, ctx: CommandContext, replying_to: str | None = None) -> str | None:
        """The command whose question ``ctx``'s user may answer now with plain words
        (replying to ``replying_to``), or None when :meth:`answer` would answer nothing: an
        adapter asks this first, before it spends a request on the user's rights."""
        ...

    async def press(
        self,
        ctx: CommandContext,
        action: str,
        reply_key: str | None = None,
        pressed_message_id: str | None = None,
    ) -> Message:
        """A button was pressed; the answer replaces the message that carried the button
        (``pressed_message_id``) where the platform can edit it."""
        ...

    async def press_refusal(self, ctx: CommandContext, action: str) -> str | None:
        """Why this press must not act (a short alert in the chat's language: a button the
        bot never offered, or rights ``ctx`` lacks), or None when it may."""
        ...

    async def language(self, ctx: CommandContext) -> str:
        """The chat's language (``en``, ``it``), for what an adapter says itself."""
        ...

    async def chat_gone(self, platform: str, chat_id: str) -> None: ...

    async def chat_moved(self, platform: str, old_id: str, new_id: str) -> None:
        """The chat has a new id (a Telegram group upgraded to a supergroup): everything
        it had moves there at once."""
        ...

    async def team_names(self, typed: str, limit: int = 25) -> list[str]: ...

    async def follow_names(self, typed: str, limit: int = 25) -> list[tuple[str, str]]:
        """Autocomplete across teams, competitions and players: (label, text to pass as the
        argument of ``/subscribe``)."""
        ...


class MatchSource(Protocol):
    """A data provider the scheduler polls. Its match ids start with ``name`` + ``:``.

    Optional capabilities, each a protocol below that :class:`~bot.scheduler.LivePolling` checks
    for: :class:`StatefulSource` (keeps state in the store), :class:`TeamFixtures` (one team's
    fixtures, raising on failure so the look-up is retried), :class:`CompetitionFixtures` (the
    same for a followed competition), :class:`DayPlanner` (a daily quota planned over the
    followed matches), :class:`Prioritising` (which matches may get fewer polls) and
    :class:`ProviderNamed` (the provider's name for the log); ``search_teams(typed)`` is
    :class:`bot.team_choices.TeamSearch`."""

    name: str

    def poll_interval(self, live_matches: int) -> float:
        """Seconds until the next poll, given how many matches are being followed live
        (a provider on a daily quota stretches this as the quota runs short)."""
        ...

    async def poll(self, match_ids: list[str]) -> list[dict[str, Any]]:
        """Feed-format-v1 objects (``match`` declarations and events) for these matches."""
        ...

    async def fixtures(self, team_names: list[str]) -> list[dict[str, Any]]:
        """``match`` declarations of the upcoming fixtures of these teams."""
        ...


@runtime_checkable
class StatefulSource(Protocol):
    """Optional :class:`MatchSource` capability: a source that keeps state in the store (a
    daily request quota) is given the database when polling starts."""

    def attach(self, db: DatabaseThread) -> None: ...


@runtime_checkable
class TeamFixtures(Protocol):
    """Optional :class:`MatchSource` capability: fixtures looked up one team at a time."""

    async def team_fixtures(self, team: str) -> list[dict[str, Any]]:
        """``match`` declarations of the team's upcoming fixtures; raises on failure."""
        ...


@runtime_checkable
class CompetitionFixtures(Protocol):
    """Optional :class:`MatchSource` capability: a followed competition's fixtures."""

    async def competition_fixtures(self, competition: str) -> list[dict[str, Any]]:
        """``match`` declarations of the competition's upcoming fixtures; raises on failure."""
        ...


@runtime_checkable
class DayPlanner(Protocol):
    """Optional :class:`MatchSource` capability: a source on a daily quota is told the
    followed matches still to come today (id, kick-off timestamp)."""

    def plan_day(self, kickoffs: Sequence[tuple[str, float]]) -> None: ...


@runtime_checkable
class Prioritising(Protocol):
    """Optional :class:`MatchSource` capability: told which matches are followed only
    through a competition (they may get fewer polls when requests run short)."""

    def prioritise(self, secondary: Iterable[str]) -> None: ...


@runtime_checkable
class ProviderNamed(Protocol):
    """Optional :class:`MatchSource` capability: the provider's name, for the log."""

    provider: str


@dataclass(frozen=True)
class TableRow:
    position: int
    team: str
    played: int
    won: int
    drawn: int
    lost: int
    goal_difference: int
    points: int


@dataclass(frozen=True)
class ScorerLine:
    player: str
    team: str
    goals: int


class StatsSource(Protocol):
    """A provider of league tables and top scorers (football-data.org)."""

    def competition_code(self, name: str) -> str | None:
        """The provider's code for a competition name (``Serie A`` → ``SA``), if it has one."""
        ...

    async def table(self, code: str) -> list[TableRow]: ...

    async def top_scorers(self, code: str) -> list[ScorerLine]: ...
