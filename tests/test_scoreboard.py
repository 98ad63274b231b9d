"""The live scoreboard through the engine and the store: off by default; with the alerts or
instead of them; one message per match and chat, each change an edit of it; a change while the
chat's board waits replaces it (coalesced); an edit is due no sooner than a few seconds after
the last; a change that leaves the board as it was queues nothing; both languages."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from adapters.assemble import build_bot
from bot.engine import Engine
from bot.feed_format import parse_line, parse_object
from bot.messages.model import Message, message_text
from bot.scoreboard import EDIT_INTERVAL
from storage.store import Store
from tests.support.core import chat, until
from tests.support.fakes.recording import RecordingPlatform

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


def test_a_board_on_its_way_stays_and_the_next_change_waits_behind_it(any_store: Store) -> None:
    """A change while the chat's board is claimed by a sender (its request may be on its way,
    from a leader that is perhaps losing the lead that moment, [Several processes] in the
    README): the claimed board is left as it is, so its lease still holds the chat's next
    board behind it (the next leader cannot send a newer board that the old one's late
    request would then overwrite: the chat would show the older score) and the next leader
    counts it against the chat's limits; the newer board waits behind it, still coalesced."""
    store = any_store
    engine = Engine(store)
    chat_follows(store, "c", scoreboard="instead")
    ingest(engine, LINES[0], by_id("e0"), by_id("e1"))
    [claimed] = store.due_heads("test", time.time(), 10, owner="leader", lease=60.0)
    assert claimed.kind == "scoreboard"
    ingest(engine, by_id("e2"), by_id("e3"), by_id("e4"))  # while the 1-0 board is on its way
    boards = pending_boards(store, "c")
    assert [b["id"] for b in boards[:1]] == [claimed.id] and len(boards) == 2
    assert text(boards[0]).startswith("🔴 Riverside FC 1-0 Harbor United · 12'")
    assert text(boards[1]).startswith("Riverside FC 1-1 Harbor United · Half-time")
    now = time.time()
    assert store.due_heads("test", now, 10, owner="next", lease=60.0) == []
    assert store.claimed_elsewhere("test", "next", now) == ["c"]
    # once the lease ended: the claimed board first (it may never have gone), then the newer
    [first] = store.due_heads("test", now + 61.0, 10, owner="next", lease=60.0)
    assert first.id == claimed.id


class BoardOnItsWay(RecordingPlatform):
    """The test platform, whose first board's request stays on its way until :attr:`arrive`
    is set."""

    def __init__(self) -> None:
        super().__init__()
        self.on_its_way = asyncio.Event()
        self.arrive = asyncio.Event()

    async def send(self, chat_id: str, message: Message) -> list[str]:
        if message.kind == "scoreboard" and not self.arrive.is_set():
            self.on_its_way.set()
            await self.arrive.wait()
        return await super().send(chat_id, message)

    def board(self, chat_id: str) -> str:
        """What the chat's board says now (its last edit, else the board as sent)."""
        edits = [text for c, _, text in self.edited if c == chat_id]
        sent = [text for c, text, _ in self.sent if c == chat_id and "Live scoreboard" in text]
        return (edits or sent)[-1]


async def test_a_change_while_the_board_is_on_its_way_is_shown_after_it(tmp_path: Path) -> None:
    """The goal that makes it 1-1 comes while the chat's first board (1-0) is being sent: once
    that board arrives, the chat's board is edited to 1-1. (The waiting board used to be
    deleted even when a sender had it on its way; SQLite gave the newer board the deleted
    row's id, which the finished send then marked sent: the chat kept 1-0.)"""
    platform = BoardOnItsWay()
    bot = build_bot(tmp_path / "db", [platform], recap_delay=None)
    await bot.start()
    try:
        await bot.ingest(parse_line(LINES[0]))
        await bot.command(chat("c"), "subscribe", "Riverside FC")
        await bot.command(chat("c"), "settings", "scoreboard instead")
        await bot.ingest(parse_line(by_id("e0")))
        await bot.ingest(parse_line(by_id("e1")))
        await asyncio.wait_for(platform.on_its_way.wait(), 10)
        await bot.ingest(parse_line(by_id("e2")))  # 1-1, while the 1-0 board is on its way
        platform.arrive.set()

        async def all_sent() -> bool:
            rows = await bot.db.call(lambda s: s.outbox_rows("test", "c"))
            return all(r["status"] == "sent" for r in rows)

        await until(all_sent)
        assert platform.board("c").startswith("🔴 Riverside FC 1-1 Harbor United · 30'")
    finally:
        await bot.stop()
