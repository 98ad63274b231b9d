"""The rows the store returns, one ``TypedDict`` per query shape (so mypy checks every
``row["…"]``); :mod:`bot.store_contract` names them in the store's protocols, and
``tests/test_store_contract.py`` checks each against the columns the real queries return."""

from __future__ import annotations

from typing import NotRequired, TypedDict


class TeamRow(TypedDict):
    id: str
    name: str


class CompetitionRow(TypedDict):
    id: str
    name: str


class AliasRow(TypedDict):
    """One spelling of a team's or a competition's name (the fuzzy look-up's vocabulary)."""

    alias: str
    id: str
    name: str


class MatchRow(TypedDict):
    id: str
    competition: str
    home_team: str
    away_team: str
    home_name: str
    away_name: str
    kickoff: str  # ISO 8601, UTC
    season: str | None
    round: str | None
    venue: str | None
    period: str | None
    finished_at: float | None
    updated_at: float
    final_polled_at: float | None
    competition_id: str | None
    events_version: int
    status: str | None
    clock_minute: int | None
    clock_stoppage: int | None
    clock_at: float | None


class NewMatch(TypedDict):
    """A match declaration as the engine stores it (:meth:`MatchStore.upsert_match`)."""

    id: str
    competition: str
    competition_id: str | None
    home_team: str
    away_team: str
    home_name: str
    away_name: str
    kickoff: str
    season: str | None
    round: str | None
    venue: str | None
    #: the provider's clock, only when the declaration carries one
    status: NotRequired[str | None]
    clock_minute: NotRequired[int | None]
    clock_stoppage: NotRequired[int | None]
    clock_at: NotRequired[float | None]


class MatchCompetitionRow(TypedDict):
    id: str
    competition: str


class EventRow(TypedDict):
    match_id: str
    id: str
    seq: int  # place in feed order
    type: str
    minute: int
    stoppage: int | None
    side: str | None
    data: str  # the feed object, JSON
    ingested_at: float


class QuoteRow(TypedDict):
    match_id: str
    id: str
    seq: int
    speaker: str
    role: str | None
    team: str | None
    text: str
    ingested_at: float
    lang: NotRequired[str | None]  # the language it was said in (absent: English)


class MatchDataRow(TypedDict):
    match_id: str
    key: str
    data: str
    version: int
    updated_at: float


class ScorerCountRow(TypedDict):
    player: str
    team: str
    goals: int


class ChatRow(TypedDict):
    platform: str
    chat_id: str
    title: str | None
    kind: str | None
    settings: str | None  # all the chat's settings, JSON (tz … level: also below)
    active: int
    created_at: float
    tz: str | None
    lang: str | None
    spoiler: float | None
    level: str | None


class DigestChatRow(TypedDict):
    platform: str
    chat_id: str
    settings: str


class QuestionRow(TypedDict):
    """The question the bot asked a user in a chat (see ``bot.questions``)."""

    command: str
    key: str
    asked_at: float


class AskedRow(TypedDict):
    """Who was asked a question, where, and when (see ``bot.questions``)."""

    platform: str
    chat_id: str
    user_id: str
    asked_at: float


class FollowRow(TypedDict):
    """One thing a chat follows: ``kind`` team, competition or player; ``team`` and
    ``team_id`` are a player's team."""

    kind: str
    target: str
    level: str | None
    name: str
    team: str | None
    team_id: str | None


class AudienceRow(TypedDict):
    platform: str
    chat_id: str
    tz: str | None
    lang: str | None
    spoiler: float | None
    since: float
    via_match: int


class PlayerRow(TypedDict):
    id: int
    name: str
    norm: str  # folded name
    team_id: str
    team: str | None


class PlayerDetailRow(PlayerRow):
    provider: str | None
    provider_id: str | None
    seen_at: float


class OutboxViewRow(TypedDict):
    """Every column of a queued message (for the operator and tests; the delivery loop gets
    :class:`OutboxRow`)."""

    id: int
    key: str
    platform: str
    chat_id: str
    kind: str
    match_id: str | None
    body: str | None
    payload: str | None
    edit_key: str | None
    fanout_pos: int
    status: str
    attempts: int
    next_attempt_at: float | None
    created_at: float
    sent_at: float | None
    last_error: str | None
    message_id: int | None
    claimed_by: str | None  # the process about to send it (several processes share a database)
    lease_until: float | None  # … until then; past it, another process may claim it


class ReportRow(TypedDict):
    id: str
    platform: str
    user_id: str
    match_id: str
    kind: str
    created_at: float
    undone_at: float | None


class ProviderTeamRow(TypedDict):
    provider: str
    team_name: str
    provider_team_id: str | None  # None: the provider has no such team
    provider_name: str | None
    checked_at: float


class CachedAnswerRow(TypedDict):
    value: str  # JSON
    fetched_at: float


class TeamCandidateRow(TypedDict):
    key: str
    provider: str
    provider_id: str
    name: str
    label: str
    data: str
    offered_at: float
