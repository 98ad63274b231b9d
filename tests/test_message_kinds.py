"""``Message.kind`` is one of the kinds listed once in :data:`bot.messages.model.MessageKind`
(mypy checks every message the code builds, pydantic every message read back from the outbox)."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from bot.messages.model import Message, MessageKind, line


def test_every_kind_is_listed_once() -> None:
    kinds = get_args(MessageKind)
    assert len(kinds) == len(set(kinds))
    assert {"goal", "full_time", "correction", "recap", "reply", "error"} <= set(kinds)


def test_a_message_of_an_unlisted_kind_is_refused() -> None:
    with pytest.raises(ValidationError):
        Message.model_validate({"kind": "alert", "headline": line("x")})
    stored = Message(kind="goal", headline=line("x")).to_json().replace('"goal"', '"gol"')
    with pytest.raises(ValidationError):
        Message.from_json(stored)


def test_every_event_type_and_period_has_its_alert_kind() -> None:
    """An alert's kind is its event's type or its period: a new event type needs its kind."""
    import bot.feed_format as feed

    kinds = set(get_args(MessageKind))
    types: set[str] = set()
    for name in dir(feed):
        fields = getattr(getattr(feed, name), "model_fields", None)
        if isinstance(fields, dict) and "type" in fields:
            types |= set(get_args(fields["type"].annotation))
    assert types - {"match", "period"} <= kinds, types - kinds
    assert set(get_args(feed.Period)) <= kinds
