"""What the core asks of the store: the rows it gets back and the methods it calls.

The core defines this contract and ``storage/`` implements it (``storage.store.Store``; mypy
strict checks that it does, see ``storage/__init__.py``). Core modules type against the
protocols here, never against the concrete store, so the dependency points inwards: storage
imports the core's types, the core imports no storage module (only the composition root
that opens the database does).

Rows. What a query returns is a :class:`~typing.TypedDict` named after it (``MatchRow``,
``EventRow``…): sqlite-utils hands out plain dicts, a TypedDict types them at no runtime cost
and keeps every ``row["x"]`` call site as it was, while mypy checks the key and its type.
A column is ``X | None`` when the schema allows NULL, unless the store's only writer always
fills it (``home_name``, ``away_name``: every match declaration has them).
``tests/test_store_contract.py`` checks each row type's keys against the columns the real
queries return. The few records built once and read many times, or built by the core and
handed to the store, are frozen dataclasses instead (:class:`OutboxRow`, which the delivery
loop passes around and reads field by field; :class:`NewOutboxRow`, :class:`Audience`,
:class:`FanOut`): immutable, with defaults, and checked at construction.

Protocols, one per concern (a module asks only for the concern it uses):
:class:`CatalogueStore` (teams, competitions, players), :class:`MatchStore` (matches, events,
quotes, recaps, polling), :class:`ChatStore` (chats, settings, subscriptions),
:class:`OutboxStore`, :class:`ReportStore` (reporters' corrections) and
:class:`ProviderStore` (data providers' answers kept), each with ``atomic()`` for a
transaction; :class:`CoreStore` is all of them. :class:`DatabaseThread` is how async code
reaches the store (one thread owns the connection: ``storage.thread.StoreThread``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, NamedTuple, ParamSpec, Protocol, TypeVar

from bot.store_rows import (
    AliasRow as AliasRow,
)
from bot.store_rows import (
    AskedRow as AskedRow,
)
from bot.store_rows import (
    AudienceRow as AudienceRow,
)
from bot.store_rows import (
    CachedAnswerRow as CachedAnswerRow,
)
from bot.store_rows import (
    ChatRow as ChatRow,
)
from bot.store_rows import (
    CompetitionRow as CompetitionRow,
)
from bot.store_rows import (
    DigestChatRow as DigestChatRow,
)
from bot.store_rows import (
    EventRow as EventRow,
)
from bot.store_rows import (
    FollowRow as FollowRow,
)
from bot.store_rows import (
    MatchCompetitionRow as MatchCompetitionRow,
)
from bot.store_rows import (
    MatchDataRow as MatchDataRow,
)
from bot.store_rows import (
    MatchRow as MatchRow,
)
from bot.store_rows import (
    NewMatch as NewMatch,
)
from bot.store_rows import (
    OutboxViewRow as OutboxViewRow,
)
from bot.store_rows import (
    PlayerDetailRow as PlayerDetailRow,
)
from bot.store_rows import (
    PlayerRow as PlayerRow,
)
from bot.store_rows import (
    ProviderTeamRow as ProviderTeamRow,
)
from bot.store_rows import (
    QuestionRow as QuestionRow,
)
from bot.store_rows import (
    QuoteRow as QuoteRow,
)
from bot.store_rows import (
    ReportRow as ReportRow,
)
from bot.store_rows import (
    ScorerCountRow as ScorerCountRow,
)
from bot.store_rows import (
    TeamCandidateRow as TeamCandidateRow,
)
from bot.store_rows import (
    TeamRow as TeamRow,
)

T = TypeVar("T")
P = ParamSpec("P")

# --- rows: bot/store_rows.py -----------------------------------------------------------------


@dataclass(frozen=True)
class OutboxRow:
    """A pending message as the delivery loop gets it."""

    id: int
    key: str
    platform: str
    chat_id: str
    kind: str
    match_id: str | None
    payload: str  # the neutral message (JSON); the adapter renders it when it sends it
    edit_key: str | None
    attempts: int
    next_attempt_at: float

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> OutboxRow:
        return cls(
            id=row["id"],
            key=row["key"],
            platform=row["platform"],
            chat_id=row["chat_id"],
            kind=row["kind"],
            match_id=row["match_id"],
            payload=row["payload"] or "{}",
            edit_key=row["edit_key"],
            attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"] or 0.0,
        )


@dataclass(frozen=True)
class Audience:
    """Who gets a match's message (see :meth:`OutboxStore.plan_fan_out`)."""

    team_ids: Sequence[str]
    competition_id: str | None = None
    player_ids: Sequence[int] = ()
    need: int = 1
    need_player: int = 1
    wants: tuple[str, ...] = ()
    """Chat settings that must not be off for the chat to get the message (``lineups``,
    ``stats``; ``!stats``: that must be off; see :data:`bot.chat_settings.DEPTH_SETTINGS`)."""


@dataclass(frozen=True)
class FanOut:
    """One message queued for an audience (see :meth:`OutboxStore.plan_fan_out`)."""

    key: str
    kind: str
    match_id: str | None
    now: float
    hold: bool = True
    edits: str | None = None
    default_zone: str = "UTC"
    default_language: str = "en"


class MessageVariant(NamedTuple):
    """One distinct message of a fan-out: chats in ``zone`` reading ``language``, following the
    match (a team or the competition) or only one of its players."""

    zone: str
    language: str
    via_match: bool


@dataclass(frozen=True)
class FanOutPlan:
    """A fan-out staged by :meth:`OutboxStore.plan_fan_out`: the messages it needs (the core
    makes one per variant) and, for storage, where its chats are staged."""

    spans: tuple[tuple[int, int, int], ...]
    variants: tuple[MessageVariant, ...]


@dataclass(frozen=True)
class NewOutboxRow:
    key: str
    platform: str
    chat_id: str
    kind: str
    payload: str
    match_id: str | None = None
    edit_key: str | None = None
    fanout_pos: int = 0
    next_attempt_at: float = 0.0


# --- protocols -----------------------------------------------------------------------------


class Transactional(Protocol):
    def atomic(self) -> AbstractContextManager[None]:
        """A transaction: everything done inside is kept together or not at all."""
        ...


class CatalogueStore(Transactional, Protocol):
    """Teams, competitions and players, and the names they are known by."""

    def team_by_alias(self, alias: str) -> TeamRow | None: ...
    def team(self, team_id: str) -> TeamRow | None: ...
    def add_team(self, team_id: str, name: str) -> None: ...
    def add_alias(self, alias: str, team_id: str) -> None: ...
    def team_aliases(self) -> dict[str, str]: ...
    def team_ids(self) -> set[str]: ...
    def add_teams(self, teams: Iterable[tuple[str, str]]) -> None: ...
    def add_aliases(self, aliases: Iterable[tuple[str, str]]) -> None: ...
    def team_names(self) -> list[AliasRow]: ...
    def competition_by_alias(self, alias: str) -> CompetitionRow | None: ...
    def competition(self, competition_id: str) -> CompetitionRow | None: ...
    def add_competition(self, competition_id: str, name: str) -> None: ...
    def add_competition_alias(self, alias: str, competition_id: str) -> None: ...
    def competition_aliases(self) -> dict[str, str]: ...
    def competition_ids(self) -> set[str]: ...
    def add_competitions(self, competitions: Iterable[tuple[str, str]]) -> None: ...
    def add_competition_aliases(self, aliases: Iterable[tuple[str, str]]) -> None: ...
    def competition_names(self) -> list[AliasRow]: ...
    def add_players(self, players: Iterable[tuple[str, str, str]]) -> None: ...
    def player_ids(self, keys: Iterable[tuple[str, str]]) -> list[int]: ...
    def add_provider_player(
        self, name: str, norm: str, team_id: str, provider: str, provider_id: str
    ) -> None: ...
    def player_ids_by_provider(self, refs: Iterable[tuple[str, str]]) -> list[int]: ...
    def player(self, player_id: int) -> PlayerDetailRow | None: ...
    def players(self) -> list[PlayerRow]: ...


class EventsStore(Protocol):
    """A match's stored events (what :class:`bot.match.KeptStates` reads)."""

    def events_version(self, match_id: str) -> int: ...
    def events(self, match_id: str) -> list[EventRow]: ...


class MatchStore(EventsStore, Transactional, Protocol):
    """Matches, their events and quotes, recaps and what polling needs."""

    def upsert_match(self, row: NewMatch) -> None: ...
    def match(self, match_id: str) -> MatchRow | None: ...
    def update_match_state(
        self,
        match_id: str,
        *,
        period: str | None,
        finished_at: float | None,
    ) -> None: ...
    def matches_of_team(self, team_id: str) -> list[MatchRow]: ...
    def matches(self, competition: str | None = None) -> list[MatchRow]: ...
    def competitions_played(self, team_ids: Iterable[str] | None = None) -> list[str]: ...
    def matches_between(self, start_iso: str, end_iso: str) -> list[MatchRow]: ...
    def upcoming_matches(self, after_iso: str) -> list[MatchRow]: ...
    def finished_matches_without_recap(self) -> list[MatchRow]: ...
    def matches_without_competition_id(self) -> list[MatchCompetitionRow]: ...
    def set_match_competition(self, match_id: str, competition_id: str) -> None: ...
    def pollable_matches(
        self, prefix: str, kicked_off_by_iso: str, kicked_off_since_iso: str
    ) -> list[MatchRow]: ...
    def mark_final_poll(self, match_id: str) -> None: ...
    def competition_only_matches(self, match_ids: Iterable[str]) -> set[str]: ...
    def add_event(
        self,
        match_id: str,
        event_id: str,
        kind: str,
        minute: int,
        stoppage: int | None,
        side: str | None,
        data: str,
    ) -> int: ...
    def has_event(self, match_id: str, event_id: str) -> bool: ...
    def scorer_counts(self, competition: str, limit: int) -> list[ScorerCountRow]: ...
    def competition_events_version(self, competition: str) -> tuple[int, int]: ...
    def add_quote(
        self,
        match_id: str,
        quote_id: str,
        speaker: str,
        role: str | None,
        team: str | None,
        text: str,
        lang: str | None = None,
    ) -> bool: ...
    def quotes(self, match_id: str) -> list[QuoteRow]: ...
    def recap_queued(self, match_id: str) -> bool: ...
    def mark_recap_queued(self, match_id: str, chats: int) -> None: ...


class ChatStore(Transactional, Protocol):
    """Chats, their settings and what they follow."""

    def ensure_chat(
        self, platform: str, chat_id: str, title: str | None = None, kind: str | None = None
    ) -> None: ...
    def chat(self, platform: str, chat_id: str) -> ChatRow | None: ...
    def chat_settings(self, platform: str, chat_id: str) -> dict[str, Any]: ...
    def set_chat_settings(self, platform: str, chat_id: str, settings: dict[str, Any]) -> None: ...
    def deactivate_chat(self, platform: str, chat_id: str, reason: str) -> None: ...
    def forget_chat(self, platform: str, chat_id: str) -> int: ...
    def migrate_chat(self, platform: str, old_id: str, new_id: str) -> None: ...
    def subscribe(
        self,
        platform: str,
        chat_id: str,
        target: str,
        kind: str = "team",
        level: str | None = None,
    ) -> bool: ...
    def set_follow_level(
        self, platform: str, chat_id: str, kind: str, target: str, level: str | None
    ) -> bool: ...
    def unsubscribe(self, platform: str, chat_id: str, target: str, kind: str = "team") -> bool: ...
    def followed_teams(self, platform: str, chat_id: str) -> list[TeamRow]: ...
    def follows(self, platform: str, chat_id: str) -> list[FollowRow]: ...
    def chats_with_digest(self) -> list[DigestChatRow]: ...
    def followed_team_names(self) -> list[str]: ...
    def followed_competitions(self) -> list[CompetitionRow]: ...


class OutboxStore(Transactional, Protocol):
    """The durable outbox: messages queued, offered to the delivery loop, marked."""

    def enqueue(self, rows: Iterable[NewOutboxRow], *, now: float) -> int: ...
    def plan_fan_out(self, audience: Audience, fan: FanOut) -> FanOutPlan: ...
    def queue_fan_out(
        self,
        audience: Audience,
        fan: FanOut,
        plan: FanOutPlan,
        payloads: Mapping[MessageVariant, str],
    ) -> int: ...
    def queue_scoreboard(
        self,
        audience: Audience,
        fan: FanOut,
        plan: FanOutPlan,
        payloads: Mapping[MessageVariant, str],
        interval: float,
    ) -> int: ...
    def due_heads(
        self,
        platform: str,
        now: float,
        limit: int,
        busy_chats: Iterable[str] = (),
        *,
        owner: str | None = None,
        lease: float = 0.0,
    ) -> list[OutboxRow]: ...
    def next_due_at(self, platform: str) -> float | None: ...
    def pending_reply_keys(self, platform: str, chat_id: str) -> list[str]: ...
    def recent_sends(self, platform: str, since: float) -> list[tuple[str, float]]: ...
    def claimed_elsewhere(self, platform: str, owner: str, leased_past: float) -> list[str]: ...
    def mark_many_sent(
        self, platform: str, marks: Iterable[tuple[int, str, str, list[str]]]
    ) -> None: ...
    def mark_retry(self, row_id: int, at: float, error: str, *, count: bool = True) -> None: ...
    def mark_failed(self, row_id: int, error: str) -> None: ...
    def delay_chat(self, platform: str, chat_id: str, until: float) -> None: ...
    def deactivate_chat(self, platform: str, chat_id: str, reason: str) -> None: ...
    def migrate_chat(self, platform: str, old_id: str, new_id: str) -> None: ...
    def sent_message_ids(self, key: str) -> list[str]: ...
    def sent_key(self, platform: str, chat_id: str, message_id: str) -> str | None: ...
    def outbox_counts(self) -> dict[str, int]: ...
    def outbox_rows_for(self, key_prefix: str) -> list[OutboxViewRow]: ...
    def drop_pending(self, key: str, reason: str) -> bool: ...
    def prune(self, before: float) -> int: ...


class ReportStore(Transactional, Protocol):
    """Who reported what, and taking a report back."""

    def add_report(
        self, report_id: str, platform: str, user_id: str, match_id: str, kind: str, at: float
    ) -> None: ...
    def report(self, report_id: str) -> ReportRow | None: ...
    def mark_report_undone(self, report_id: str, at: float) -> None: ...
    def events_with_id(self, event_id: str) -> list[EventRow]: ...
    def quotes_with_id(self, quote_id: str) -> list[QuoteRow]: ...
    def delete_event(self, match_id: str, event_id: str) -> None: ...
    def delete_quote(self, match_id: str, quote_id: str) -> None: ...


class ProviderStore(Transactional, Protocol):
    """Data providers' answers kept: team mappings, cached answers, teams a search offered."""

    def provider_team(self, provider: str, team_name: str) -> ProviderTeamRow | None: ...
    def provider_team_of(self, provider: str, provider_team_id: str) -> ProviderTeamRow | None: ...
    def save_provider_team(
        self,
        provider: str,
        team_name: str,
        provider_team_id: str | None,
        provider_name: str | None,
        checked_at: float,
    ) -> None: ...
    def cached_answer(self, provider: str, key: str) -> CachedAnswerRow | None: ...
    def keep_answer(self, provider: str, key: str, value: str, fetched_at: float) -> None: ...
    def offer_candidate(
        self, key: str, provider: str, provider_id: str, name: str, label: str, data: str
    ) -> None: ...
    def team_candidate(self, key: str) -> TeamCandidateRow | None: ...


class QuestionStore(Protocol):
    """The question the bot asked a user in a chat, waiting for the answer (``bot.questions``)."""

    def ask(
        self, platform: str, chat_id: str, user_id: str, command: str, key: str, now: float
    ) -> None: ...
    def question(self, platform: str, chat_id: str, user_id: str) -> QuestionRow | None: ...
    def drop_question(self, platform: str, chat_id: str, user_id: str) -> None: ...
    def questions_since(self, since: float) -> list[AskedRow]: ...


class MatchDataStore(Protocol):
    """Line-ups, statistics, ratings and tables kept beside a match's events, and the
    pictures uploaded once to a platform."""

    def put_match_data(self, match_id: str, key: str, data: str, now: float) -> int: ...
    def match_data(self, match_id: str) -> list[MatchDataRow]: ...
    def upload_id(self, platform: str, key: str) -> str | None: ...
    def save_upload_id(self, platform: str, key: str, file_id: str, now: float) -> None: ...


class CoreStore(
    CatalogueStore,
    MatchStore,
    ChatStore,
    OutboxStore,
    ReportStore,
    ProviderStore,
    MatchDataStore,
    QuestionStore,
    Protocol,
):
    """Everything the core asks of the store."""


class DatabaseThread(Protocol):
    """Runs store calls on the thread that owns the connection (``storage.thread``). The
    composition root (``adapters/assemble.py``) builds it; the core only opens, uses and closes
    it."""

    async def open(self) -> CoreStore:
        """Open the store (applying migrations) and return the writing connection."""
        ...

    @property
    def reader(self) -> CoreStore | None:
        """The read-only connection, when there is one (see :meth:`read`)."""
        ...

    @property
    def shared(self) -> bool:
        """Whether other processes may use the database at the same time (PostgreSQL)."""
        ...

    async def close(self) -> None:
        """Close every connection and stop the threads."""
        ...

    async def call(self, fn: Callable[[CoreStore], T]) -> T:
        """Run ``fn(store)`` on the database thread and return its result."""
        ...

    async def read(self, fn: Callable[[CoreStore], T]) -> T:
        """Run ``fn(store)``, which only reads, on the read connection when there is one."""
        ...

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn(*args, **kwargs)`` on the database thread (``fn`` holds the store)."""
        ...

    async def run_read(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """:meth:`run` on the read connection's thread."""
        ...
