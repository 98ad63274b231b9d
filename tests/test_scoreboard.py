"""The live scoreboard through the engine and the store: off by default; with the alerts or
instead of them; one message per match and chat, each change an edit of it; a change while the
chat's board waits replaces it (coalesced); an edit is due no sooner than a few seconds after
the last; a change that leaves the board as it was queues nothing; both languages."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from bot.engine import Engine
from bot.feed_format import parse_object
from bot.messages.model import Message, message_text
from bot.scoreboard import EDIT_INTERVAL
from storage.store import Store

SAMPLE = Path(__file__).parent.parent / "bot" / "data" / "sample-depth.jsonl"
LINES = SAMPLE.read_text("utf-8").splitlines()
MATCH = "sample-riverside-harbor"


def by_id(event_id: str) -> str:
    return next(line for line in LINES if f'"id": "{event_id}"' in line)


def chat_follows(store: Store, chat_id: str, **settings: Any) -> None:
    store.ensure_chat("test", chat_id)
    store.set_chat_settings("test", chat_id, {"level": "all", **settings})
    store.subscribe("test", chat_id, "riverside-fc")


def ingest(engine: Engine, *lines: str) -> None:
    for line in lines:
        engine.ingest(parse_object(json.loads(line)))


def rows(store: Store, chat_id: str, kind: str | None = None) -> list[dict[str, Any]]:
    return [
        r
        for r in store.outbox_rows("test", chat_id)
        if kind is None or (r["kind"] == "scoreboard") == (kind == "scoreboard")
    ]


def pending_boards(store: Store, chat_id: str) -> list[dict[str, Any]]:
    return [r for r in rows(store, chat_id, "scoreboard") if r["status"] == "pending"]


def text(row: dict[str, Any]) -> str:
    return message_text(Message.from_json(row["payload"]))


def send_boards(store: Store, chat_id: str) -> None:
    """The chat's waiting board sent, as delivery records it (under its row's key and the
    board's own key, which the next change edits)."""
    for row in pending_boards(store, chat_id):
        store.mark_sent(row["id"], row["key"], "test", chat_id, ["77"])
        store.mark_sent(row["id"], row["edit_key"], "test", chat_id, ["77"])


def sent_at(store: Store, key: str) -> float:
    found = store.db.execute("SELECT sent_at FROM sent_messages WHERE key = ?", [key]).fetchone()
    assert found is not None
    return float(found[0])


def test_off_by_default_and_with_or_instead_of_the_alerts(store: Store) -> None:
    engine = Engine(store)
    chat_follows(store, "plain")
    chat_follows(store, "with", scoreboard="with")
    chat_follows(store, "instead", scoreboard="instead")
    ingest(engine, LINES[0], *LINES[2:4], by_id("e0"), by_id("e1"))
    assert pending_boards(store, "plain") == []
    kinds = {chat: [r["kind"] for r in rows(store, chat)] for chat in ("with", "instead")}
    # the line-ups still come; the alerts only to the chat that keeps them
    assert kinds["with"] == ["lineups", "alert", "alert", "scoreboard"]
    assert kinds["instead"] == ["lineups", "scoreboard"]
    board = pending_boards(store, "instead")[0]
    assert board["edit_key"] == f"scoreboard:{MATCH}:test:instead"
    assert text(board) == (
        "🔴 Riverside FC 1-0 Harbor United · 12'\n\n"
        "⚽ Riverside FC: Dan Price 12'\n\n"
        "Live scoreboard · Sample League · Matchday 27"
    )
    assert Message.from_json(board["payload"]).quiet


def test_a_change_replaces_the_board_still_waiting(store: Store) -> None:
    engine = Engine(store)
    chat_follows(store, "c", scoreboard="instead")
    ingest(engine, LINES[0], by_id("e0"), by_id("e1"), by_id("e2"))
    waiting = pending_boards(store, "c")
    assert len(waiting) == 1  # one board, saying the latest
    assert text(waiting[0]).startswith("🔴 Riverside FC 1-1 Harbor United · 30'")
    assert "⚽ Harbor United: Ali Haddad 30'" in text(waiting[0])


def test_edits_are_coalesced_and_spaced(store: Store) -> None:
    engine = Engine(store)
    chat_follows(store, "c", scoreboard="instead")
    ingest(engine, LINES[0], by_id("e0"), by_id("e1"))
    send_boards(store, "c")
    last = sent_at(store, f"scoreboard:{MATCH}:test:c")
    ingest(engine, by_id("e2"), by_id("e3"), by_id("e4"))
    waiting = pending_boards(store, "c")
    assert len(waiting) == 1  # three changes, one edit
    edit = waiting[0]
    assert edit["edit_key"] == f"scoreboard:{MATCH}:test:c"
    assert edit["next_attempt_at"] >= last + EDIT_INTERVAL - 0.001
    assert text(edit).startswith("Riverside FC 1-1 Harbor United · Half-time")


def test_an_unchanged_board_is_not_sent_again(store: Store) -> None:
    engine = Engine(store)
    chat_follows(store, "c", scoreboard="with")
    ingest(engine, LINES[0], *[by_id(f"e{i}") for i in range(0, 7)])
    send_boards(store, "c")
    before = len(rows(store, "c", "scoreboard"))
    ingest(engine, by_id("e7"))  # a second change at the same minute: the board is the same
    assert len(rows(store, "c", "scoreboard")) == before


def test_red_cards_added_time_full_time_and_italian(store: Store) -> None:
    engine = Engine(store)
    chat_follows(store, "en", scoreboard="instead")
    chat_follows(store, "it", scoreboard="instead", language="it")
    ingest(engine, *[line for line in LINES if '"type": "stats"' not in line])
    boards = {chat: pending_boards(store, chat) for chat in ("en", "it")}
    assert [len(b) for b in boards.values()] == [1, 1]
    assert text(boards["en"][0]) == (
        "Riverside FC 3-1 Harbor United · Full time\n\n"
        "⚽ Riverside FC: Dan Price 12', 70' (pen), 90+3'\n"
        "⚽ Harbor United: Ali Haddad 30'\n"
        "🟥 Harbor United: Jan Kovač 71'\n\n"
        "Live scoreboard · Sample League · Matchday 27"
    )
    assert text(boards["it"][0]) == (
        "Riverside FC 3-1 Harbor United · Finale\n\n"
        "⚽ Riverside FC: Dan Price 12', 70' (rig.), 90+3'\n"
        "⚽ Harbor United: Ali Haddad 30'\n"
        "🟥 Harbor United: Jan Kovač 71'\n\n"
        "Tabellone in diretta · Sample League · 27ª giornata"
    )


def test_a_retracted_goal_edits_the_board(store: Store) -> None:
    engine = Engine(store)
    chat_follows(store, "c", scoreboard="with")
    ingest(engine, LINES[0], by_id("e0"), by_id("e1"), by_id("e2"))
    send_boards(store, "c")
    engine.retract("e2", MATCH)
    (edit,) = pending_boards(store, "c")
    assert text(edit).startswith("🔴 Riverside FC 1-0 Harbor United")


def test_coalesced_and_spaced_on_each_backend(any_store: Store) -> None:
    store = any_store
    engine = Engine(store)
    chat_follows(store, "c", scoreboard="instead")
    chat_follows(store, "d", scoreboard="with")
    ingest(engine, LINES[0], by_id("e0"), by_id("e1"), by_id("e2"))
    assert [len(pending_boards(store, c)) for c in ("c", "d")] == [1, 1]
    assert not [r for r in rows(store, "c") if r["kind"] == "alert"]
    sent = time.time()
    send_boards(store, "c")
    ingest(engine, by_id("e3"), by_id("e4"))
    (edit,) = pending_boards(store, "c")
    assert edit["edit_key"] == f"scoreboard:{MATCH}:test:c"
    assert edit["next_attempt_at"] >= sent + EDIT_INTERVAL - 0.5
    assert text(edit).startswith("Riverside FC 1-1 Harbor United · Half-time")


def test_the_providers_clock_moves_the_board_minute(store: Store) -> None:
    """A provider's poll that only moves the clock (``match`` with ``status`` and
    ``clock_minute``) edits the board's minute; the same clock again queues nothing."""
    engine = Engine(store)
    chat_follows(store, "c", scoreboard="instead")
    ingest(engine, LINES[0], by_id("e0"), by_id("e1"))
    send_boards(store, "c")
    decl = json.loads(LINES[0])
    for minute in (34, 34):
        engine.ingest(parse_object({**decl, "status": "first_half", "clock_minute": minute}))
    (edit,) = pending_boards(store, "c")
    assert text(edit).startswith("🔴 Riverside FC 1-0 Harbor United · 34'")
