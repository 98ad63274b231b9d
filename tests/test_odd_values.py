"""Robust parsing of every argument: odd values get a clear answer and change nothing, and
nothing raises (odd digits, exponents, negative numbers, impossible times, paths, SQL)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import Commands
from bot.messages.model import message_text
from bot.ports import CommandContext
from storage.store import Store

FAN = CommandContext(platform="telegram", chat_id="1", user_id="u1")

ODD = [
    "²",
    "٣",
    "٣٠",
    "１５",  # fullwidth digits
    "1e9",
    "10^26",
    "-1",
    "+5",
    "0x10",
    "1_0",
    "3.5",
    "NaN",
    "inf",
    "25:61",
    "24:00",
    "23:60",
    "9:5",
    "٠٩:٣٠",
    "99999999999999999999999999",
    "../../../etc/passwd",
    "/usr/share/zoneinfo/Europe/Rome",
    "Europe/../../etc/passwd",
    "C:\\Windows\\System32",
    "localtime",
    "all; DROP TABLE chats; --",
    "goals' OR '1'='1",
    "key\n/settings level all",
    "\u202eall",
    "",
    " ",
    "x" * 5000,
]
SETTINGS = ["spoiler", "digest", "timezone", "level", "language", "subscription", "follow"]


@pytest.fixture
def commands(store: Store) -> Commands:
    now = datetime.fromisoformat("2026-01-01T12:00:00+00:00").timestamp()
    return Commands(store, clock=lambda: now)


def snapshot(store: Store) -> tuple[object, ...]:
    chat = store.chat("telegram", "1")
    return (
        json.loads(chat["settings"]) if chat else None,
        [dict(r) for r in store.follows("telegram", "1")],
    )


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("value", ODD)
def test_an_odd_value_is_answered_and_changes_nothing(
    commands: Commands, store: Store, setting: str, value: str
) -> None:
    commands.run(FAN, "subscribe", "inter")
    commands.run(FAN, "settings", "spoiler 30")
    before = snapshot(store)
    answer = commands.run(FAN, "settings", f"{setting} {value}")
    text = message_text(answer)
    assert answer.kind in ("error", "suggestions"), text
    assert len(text) < 600  # a long value is shortened in the answer
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("spoiler 45", 45), ("spoiler 45s", 45), ("spoiler 0", 0), ("spoiler 300", 300)],
)
def test_plain_values_still_work(commands: Commands, store: Store, typed: str, stored: int) -> None:
    assert commands.run(FAN, "settings", typed).kind != "error"
    assert ChatSpoiler.of(store) == stored


@pytest.mark.parametrize(
    ("typed", "stored"), [("9", "09:00"), ("09:30", "09:30"), ("23.59", "23:59")]
)
def test_plain_digest_times_still_work(
    commands: Commands, store: Store, typed: str, stored: str
) -> None:
    assert commands.run(FAN, "settings", f"digest {typed}").kind != "error"
    chat = store.chat("telegram", "1")
    assert chat is not None and json.loads(chat["settings"])["digest"] == stored


class ChatSpoiler:
    @staticmethod
    def of(store: Store) -> int:
        chat = store.chat("telegram", "1")
        assert chat is not None
        return int(json.loads(chat["settings"]).get("spoiler_delay", 0))


COMMANDS = ["settings", "subscribe", "unsubscribe", "score", "next", "last", "scorers", "today"]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(COMMANDS), args=st.text(max_size=300))
def test_no_argument_makes_a_command_raise(store: Store, name: str, args: str) -> None:
    commands = Commands(store, clock=lambda: 1.7e9)
    answer = commands.run(FAN, name, args)
    assert message_text(answer).strip()


# --- sizes ---------------------------------------------------------------------------------


def test_a_chat_follows_at_most_fifty_and_is_told_so(commands: Commands, store: Store) -> None:
    from bot.commands.following import MAX_FOLLOWS

    teams = [r["id"] for r in store.db.query("SELECT id FROM teams ORDER BY id")]
    assert len(teams) > MAX_FOLLOWS
    for team in teams[:MAX_FOLLOWS]:
        assert commands.press(FAN, f"subscribe:{team}").kind != "error"
    before = snapshot(store)
    answer = commands.press(FAN, f"subscribe:{teams[MAX_FOLLOWS]}")
    assert answer.kind == "error"
    assert "50" in message_text(answer) and "Unsubscribe" in message_text(answer)
    assert snapshot(store) == before
    # one it already follows is still answered as usual, and its level can change
    assert commands.run(FAN, "settings", f"subscription {teams[0]} goals").kind != "error"
    view = commands.run(FAN, "settings", "")
    assert len(view.buttons) <= 100
    assert len(message_text(view)) < 4096
