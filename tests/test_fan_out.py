"""Set-based fan-out: each distinct message stored once, one outbox row per chat referring to
it, the chat settings it needs read from columns; and the migration that brings an existing
database there."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from bot.engine import Engine
from bot.feed_format import parse_line
from storage import schema
from storage.store import Audience, FanOut, Store
from tests.support.core import outbox_text

NOW = 1_800_000_000.0


def line(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False)


MATCH = line(
    type="match",
    match="m1",
    competition="Serie A",
    home="Atalanta",
    away="Inter",
    kickoff="2026-02-01T19:45:00Z",
)
GOAL = line(type="goal", match="m1", id="g1", minute=5, team="Inter", player="Lautaro Martínez")


def feed(engine: Engine, *lines: str) -> None:
    for text in lines:
        engine.ingest(parse_line(text))  # type: ignore[arg-type]


def follow(store: Store, chat: str, settings: dict[str, object] | None = None) -> None:
    store.ensure_chat("telegram", chat, None, "private")
    store.subscribe("telegram", chat, "inter")
    if settings is not None:
        store.set_chat_settings("telegram", chat, settings)


def test_one_goal_stores_each_distinct_message_once(any_store: Store) -> None:
    store = any_store
    engine = Engine(store, clock=lambda: NOW)
    feed(engine, MATCH)
    for chat in range(1, 51):
        follow(store, str(chat))
    follow(store, "rome", {"timezone": "Europe/Rome", "language": "it", "spoiler_delay": 90})
    feed(engine, GOAL)
    raw = list(store.db.query("SELECT * FROM outbox ORDER BY id"))
    assert len(raw) == 51
    assert all(r["body"] is None and r["payload"] is None and r["message_id"] for r in raw)
    messages = list(store.db.query("SELECT * FROM messages"))
    assert len(messages) == 2  # English in UTC; Italian in Rome
    assert all(m["body"] is None for m in messages)  # neutral: the adapter renders it
    rows = {r["chat_id"]: r for r in store.outbox_rows("telegram")}
    assert "GOAL" in outbox_text(rows["1"]) and outbox_text(rows["1"]) == outbox_text(rows["50"])
    assert outbox_text(rows["rome"]) != outbox_text(rows["1"])
    assert rows["rome"]["next_attempt_at"] == NOW + 90  # the chat's spoiler delay
    assert rows["1"]["next_attempt_at"] == NOW
    assert [rows[str(c)]["fanout_pos"] for c in (1, 2, 50)] == [0, 1, 49]  # oldest first
    assert rows["1"]["key"] == "event:m1:g1:telegram:1"
    # the same goal again queues nothing
    assert Engine(store, clock=lambda: NOW).ingest(parse_line(GOAL)).queued == 0  # type: ignore[arg-type]


def test_a_goal_cancelled_before_its_alert_went_out_rewrites_it(any_store: Store) -> None:
    store = any_store
    engine = Engine(store, clock=lambda: NOW)
    feed(engine, MATCH)
    follow(store, "1")
    follow(store, "2")
    feed(engine, GOAL)
    first = store.outbox_rows("telegram", "1")[0]
    store.mark_sent(first["id"], first["key"], "telegram", "1", ["100"])
    cancel = line(
        type="goal_cancelled", match="m1", id="c1", minute=7, team="Inter", ref="g1", reason="var"
    )
    feed(engine, cancel)
    one = store.outbox_rows("telegram", "1")
    two = store.outbox_rows("telegram", "2")
    # chat 1 already had the goal: a correction editing it; chat 2 had not: rewritten in place
    assert [r["kind"] for r in one] == ["alert", "correction"]
    assert one[1]["edit_key"] == "event:m1:g1:telegram:1"
    assert len(two) == 1 and two[0]["kind"] == "correction"
    assert outbox_text(two[0]) == outbox_text(one[1])


def test_a_goal_cancelled_while_its_alert_is_being_sent_is_corrected_after_it(
    any_store: Store,
) -> None:
    """The original row is claimed by a sender (the request may be on its way): rewriting it
    would be lost when the send completes with the old text, so it is left as it is and the
    correction is queued behind it, to edit it once sent."""
    store = any_store
    engine = Engine(store, clock=lambda: NOW)
    feed(engine, MATCH)
    follow(store, "1")
    feed(engine, GOAL)
    [claimed] = store.due_heads("telegram", NOW, 10, owner="sender", lease=60.0)
    goal_text = outbox_text(store.outbox_rows("telegram", "1")[0])
    cancel = line(
        type="goal_cancelled", match="m1", id="c1", minute=7, team="Inter", ref="g1", reason="var"
    )
    feed(engine, cancel)
    rows = store.outbox_rows("telegram", "1")
    assert [r["kind"] for r in rows] == ["alert", "correction"]
    assert rows[0]["id"] == claimed.id and outbox_text(rows[0]) == goal_text
    assert rows[1]["edit_key"] == "event:m1:g1:telegram:1"


def test_the_migration_keeps_queued_rows_and_reads_settings_into_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Migrations("matchbot")
    old._migrations = [m for m in schema.migrations._migrations if m.name < "m009"]  # type: ignore[attr-defined]
    db = Database(sqlite3.connect(path))
    old.apply(db)
    settings = {"timezone": "Europe/Rome", "language": "it", "spoiler_delay": 60, "level": "all"}
    db.execute(
        "INSERT INTO chats (platform, chat_id, settings, active, created_at)"
        " VALUES ('telegram', '1', ?, 1, 1.0)",
        [json.dumps(settings)],
    )
    db.execute(
        "INSERT INTO outbox (key, platform, chat_id, kind, body, payload, status, attempts,"
        " next_attempt_at, created_at) VALUES ('k', 'telegram', '1', 'alert', 'old text', '{}',"
        " 'pending', 0, 0, 1.0)"
    )
    db.conn.commit()
    db.close()

    store = Store.open(path)  # migrates
    chat = store.chat("telegram", "1")
    assert chat is not None
    assert (chat["tz"], chat["lang"], chat["spoiler"], chat["level"]) == (
        "Europe/Rome",
        "it",
        60,
        "all",
    )
    [row] = store.outbox_rows("telegram", "1")
    assert (row["body"], row["payload"], row["status"]) == ("old text", "{}", "pending")
    [head] = store.due_heads("telegram", NOW, limit=10)
    assert head.payload == "{}"
    store.close()


def test_prune_forgets_a_message_once_no_row_refers_to_it(any_store: Store) -> None:
    store = any_store
    engine = Engine(store, clock=lambda: NOW)
    feed(engine, MATCH)
    follow(store, "1")
    follow(store, "2")
    feed(engine, GOAL)
    first, second = store.outbox_rows("telegram")
    store.mark_sent(first["id"], first["key"], "telegram", "1", ["100"])
    later = NOW * 2
    store.prune(before=later)
    assert store.db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 1  # still pending
    [row] = store.outbox_rows("telegram")
    assert outbox_text(row) == outbox_text(second)
    store.mark_sent(row["id"], row["key"], "telegram", "2", ["101"])
    store.prune(before=later)
    assert store.db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0


def test_a_chat_reached_several_ways_gets_one_row_with_the_match_message(any_store: Store) -> None:
    store = any_store
    engine = Engine(store, clock=lambda: NOW)
    feed(engine, MATCH)
    feed(
        engine,
        line(type="goal", match="m1", id="g0", minute=2, team="Inter", player="Lautaro Martínez"),
    )
    [lautaro] = store.player_ids([("inter", "lautaro martinez")])
    for chat, targets in {
        "both-teams": [("team", "inter"), ("team", "atalanta")],
        "team-and-player": [("player", str(lautaro)), ("team", "inter")],
        "player-only": [("player", str(lautaro))],
    }.items():
        store.ensure_chat("telegram", chat, None, "private")
        for kind, target in targets:
            store.subscribe("telegram", chat, target, kind)
    feed(engine, GOAL)
    rows = {
        r["chat_id"]: r
        for r in store.outbox_rows("telegram")
        if r["key"].startswith("event:m1:g1:")
    }
    assert sorted(rows) == ["both-teams", "player-only", "team-and-player"]
    assert rows["team-and-player"]["payload"] == rows["both-teams"]["payload"]  # the match's alert
    assert (
        rows["player-only"]["payload"] != rows["both-teams"]["payload"]
    )  # with the match and score


def test_fan_out_positions_follow_subscription_age_not_chat_ids(any_store: Store) -> None:
    store = any_store
    engine = Engine(store, clock=lambda: NOW)
    feed(engine, MATCH)
    for chat in ("a", "b", "c"):
        follow(store, chat)
    ages = {"a": 30.0, "b": 10.0, "c": 20.0}
    for chat, age in ages.items():
        store.db.execute("UPDATE subscriptions SET created_at = ? WHERE chat_id = ?", [age, chat])
    feed(engine, GOAL)
    rows = {r["chat_id"]: r["fanout_pos"] for r in store.outbox_rows("telegram")}
    assert rows == {"b": 0, "c": 1, "a": 2}


def fan_out(
    store: Store, audience: Audience, fan: FanOut, message: Callable[[str, str, bool], str]
) -> int:
    """A fan-out as the engine runs it: staged, its messages made, queued."""
    plan = store.plan_fan_out(audience, fan)
    payloads = {v: message(v.zone, v.language, v.via_match) for v in plan.variants}
    return store.queue_fan_out(audience, fan, plan, payloads)


def test_each_fan_out_numbers_its_own_chats_from_0_even_after_one_failed(any_store: Store) -> None:
    """The scratch table numbering a fan-out's chats starts afresh each time: after another
    fan-out, after one whose message could not be made (rolled back), and for the chats that
    follow only a player (their own positions)."""
    store = any_store
    for chat in ("a", "b", "c"):
        follow(store, chat)
    store.ensure_chat("telegram", "p", None, "private")
    store.subscribe("telegram", "p", "7", "player")
    audience = Audience(["inter"], None, [7])

    def fan(key: str) -> FanOut:
        return FanOut(key=key, kind="alert", match_id="m1", now=NOW)

    assert fan_out(store, audience, fan("first"), lambda zone, lang, via: f"{via}") == 4

    def failing(zone: str, lang: str, via: bool) -> str:
        if not via:
            raise RuntimeError("no message for player fans")
        return "match"

    with pytest.raises(RuntimeError), store.atomic():
        fan_out(store, audience, fan("failed"), failing)
    assert fan_out(store, audience, fan("second"), lambda zone, lang, via: f"second {via}") == 4
    for key in ("first", "second"):
        rows = {r["chat_id"]: r for r in store.outbox_rows_for(f"{key}:")}
        assert {c: r["fanout_pos"] for c, r in rows.items()} == {"a": 0, "b": 1, "c": 2, "p": 0}
    second = {r["chat_id"]: r["payload"] for r in store.outbox_rows_for("second:")}
    assert second == {
        "a": "second True",
        "b": "second True",
        "c": "second True",
        "p": "second False",
    }
    assert store.outbox_rows_for("failed:") == []


def test_a_fan_out_queued_again_adds_only_the_chats_it_lacks(any_store: Store) -> None:
    """The same key queued twice (a retry, a duplicate): the chats already queued keep their
    row, a chat that came since gets its own; a key that merely starts like it is another
    fan-out."""
    store = any_store
    for chat in ("a", "b"):
        follow(store, chat)
    audience = Audience(["inter"])
    fan = FanOut(key="event:m1:g1", kind="alert", match_id="m1", now=NOW)
    assert fan_out(store, audience, fan, lambda zone, lang, via: "first") == 2
    follow(store, "c")
    assert fan_out(store, audience, fan, lambda zone, lang, via: "again") == 1
    longer = FanOut(key="event:m1:g1:x", kind="alert", match_id="m1", now=NOW)
    assert fan_out(store, audience, longer, lambda zone, lang, via: "other") == 3
    rows = store.outbox_rows_for("event:m1:g1:telegram:")
    assert sorted((r["chat_id"], r["payload"]) for r in rows) == [
        ("a", "first"),
        ("b", "first"),
        ("c", "again"),
    ]


def test_two_processes_queuing_one_fan_out_at_once_queue_it_once(postgres_url: str) -> None:
    """Two stores on one PostgreSQL database queue the same fan-out at the same moment: the
    second waits for the first one's transaction, then adds nothing (and fails nothing)."""
    import threading

    from storage.pg_store import PostgresStore
    from tests.support import postgres

    postgres.empty(postgres_url)
    first, second = PostgresStore.open(postgres_url), PostgresStore.open(postgres_url)
    try:
        for chat in ("a", "b", "c"):
            follow(first, chat)
        audience = Audience(["inter"])
        fan = FanOut(key="event:m1:g1", kind="alert", match_id="m1", now=NOW)
        inside = threading.Event()
        results: dict[str, object] = {}

        def later() -> None:
            inside.wait(10)
            try:
                with second.atomic():
                    results["second"] = fan_out(second, audience, fan, lambda z, lang, v: "2")
            except Exception as exc:  # the test reports it below
                results["second"] = exc

        thread = threading.Thread(target=later)
        thread.start()
        with first.atomic():
            results["first"] = fan_out(first, audience, fan, lambda z, lang, v: "1")
            inside.set()
            waiting_on_the_first(first)
        thread.join(10)
        assert results == {"first": 3, "second": 0}
        assert {r["payload"] for r in first.outbox_rows_for("event:m1:g1:")} == {"1"}
    finally:
        first.close()
        second.close()


def waiting_on_the_first(store: Store) -> None:
    """Return once another transaction waits for a lock (the first one's key), within 10 s."""
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        row = store.db.execute("SELECT COUNT(*) FROM pg_locks WHERE NOT granted").fetchone()
        if row and row[0]:
            return
        time.sleep(0.01)
    raise AssertionError("the second fan-out never waited for the first")


def test_the_next_due_time_counts_held_rows_and_rows_due_at_once(any_store: Store) -> None:
    """A fan-out's rows that are due at once write no entry in the held rows' index; the
    next due time still sees them (a time at or before now), and a held row's own time once
    no other row is pending."""
    store = any_store
    for chat in ("a", "b"):
        follow(store, chat)
    follow(store, "late", {"spoiler_delay": 90})
    assert store.next_due_at("telegram") is None
    audience = Audience(["inter"])
    fan_out(store, audience, FanOut("k", "alert", "m1", now=NOW), lambda z, lang, v: "x")
    due = store.next_due_at("telegram")
    assert due is not None and due <= NOW
    for row in store.outbox_rows("telegram"):
        if row["chat_id"] != "late":
            store.mark_sent(row["id"], row["key"], "telegram", row["chat_id"], ["1"])
    assert store.next_due_at("telegram") == NOW + 90
    assert store.next_due_at("discord") is None


@pytest.mark.parametrize(
    ("wants", "reached"),
    [
        (("lineups",), {"plain", "with", "instead", "stats-off"}),  # on unless turned off
        (("!lineups",), {"lineups-off", "digest-on"}),
        (("+digest",), {"digest-on"}),
        (("-digest",), {"plain", "with", "instead", "lineups-off", "stats-off"}),
        (("scoreboard!=instead",), {"plain", "with", "lineups-off", "digest-on", "stats-off"}),
        (("scoreboard=with|instead",), {"with", "instead"}),
        (("scoreboard!=instead", "!stats"), {"stats-off"}),
    ],
)
def test_a_fan_out_reaches_the_chats_whose_settings_want_it(
    any_store: Store, wants: tuple[str, ...], reached: set[str]
) -> None:
    """Chats that never set a setting have its default (their settings do not name it);
    the others are read from their settings."""
    store = any_store
    for chat, settings in {
        "plain": None,
        "with": {"scoreboard": "with"},
        "instead": {"scoreboard": "instead", "lineups": "on"},
        "lineups-off": {"lineups": "off"},
        "digest-on": {"digest": "on", "lineups": "off"},
        "stats-off": {"stats": "off", "scoreboard": "off"},
    }.items():
        follow(store, chat)
        if settings is not None:  # as stored, whatever the commands accept
            store.db.execute(
                "UPDATE chats SET settings = ? WHERE chat_id = ?", [json.dumps(settings), chat]
            )
    audience = Audience(["inter"], wants=wants)
    fan_out(store, audience, FanOut("k", "alert", "m1", now=NOW), lambda z, lang, v: "x")
    assert {r["chat_id"] for r in store.outbox_rows("telegram")} == reached
