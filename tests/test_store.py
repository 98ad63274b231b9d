"""The SQLite store: migrations, WAL, outbox states, chat moves."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage import schema
from storage.store import NewOutboxRow, Store
from tests.support import stores


def row(
    key: str,
    chat: str = "1",
    kind: str = "alert",
    pos: int = 0,
    at: float = 0.0,
    platform: str = "telegram",
) -> NewOutboxRow:
    return NewOutboxRow(
        key=key,
        platform=platform,
        chat_id=chat,
        kind=kind,
        payload="{}",
        fanout_pos=pos,
        next_attempt_at=at,
    )


def test_migrations_apply_once_and_twice_is_harmless(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    first = Store.open(path)
    first.add_team("inter", "Inter")
    tables = first.db.table_names()
    first.close()
    again = Store.open(path)
    schema.apply(again.db)
    assert again.db.table_names() == tables
    assert again.team("inter") == {"id": "inter", "name": "Inter"}
    applied = [r["name"] for r in again.db.query("select name from _sqlite_migrations")]
    assert applied[:2] == ["m001_initial", "m002_polling"]
    assert len(applied) == len(set(applied))  # each applied exactly once
    assert schema.migrations.pending(again.db) == []
    assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_schema_has_every_table_the_bot_needs() -> None:
    db = Database(sqlite3.connect(":memory:"))
    schema.apply(db)
    assert set(db.table_names()) >= {
        "teams",
        "team_aliases",
        "matches",
        "events",
        "quotes",
        "chats",
        "subscriptions",
        "outbox",
        "sent_messages",
        "recaps",
        "reports",
    }


def _m006_reports(db: Database) -> None:
    """The reports table as its first migration, ``m006_reports``, made it."""
    db.table("reports").create(
        {
            "id": str,
            "platform": str,
            "user_id": str,
            "match_id": str,
            "kind": str,
            "created_at": float,
            "undone_at": float,
        },
        pk="id",
        not_null={"platform", "user_id", "match_id", "kind"},
    )


@pytest.mark.parametrize("made_by", ["m006_follow_competitions_and_players", "m006_reports"])
def test_a_database_from_before_m007_reports_upgrades(tmp_path: Path, made_by: str) -> None:
    """Databases whose last migration is either m006 (following competitions and players,
    or the reports table under its first name) reach the current schema, keeping their rows."""
    path = tmp_path / "old.db"
    old = Migrations("matchbot")
    old._migrations = [m for m in schema.migrations._migrations if m.name < "m006"]  # type: ignore[attr-defined]
    if made_by == "m006_reports":
        old(name="m006_reports")(_m006_reports)
    else:
        old._migrations += [m for m in schema.migrations._migrations if m.name == made_by]  # type: ignore[attr-defined]
    db = Database(sqlite3.connect(path))
    old.apply(db)
    db.execute("INSERT INTO teams (id, name) VALUES ('inter', 'Inter')")
    db.execute(
        "INSERT INTO chats (platform, chat_id, settings, active, created_at)"
        " VALUES ('telegram', '1', '{}', 1, 1.0)"
    )
    columns = (
        "platform, chat_id, target" if made_by != "m006_reports" else "platform, chat_id, team_id"
    )
    db.execute(
        f"INSERT INTO subscriptions ({columns}, created_at) VALUES ('telegram', '1', 'inter', 2.0)"
    )
    if made_by == "m006_reports":
        db.execute(
            "INSERT INTO reports (id, platform, user_id, match_id, kind, created_at)"
            " VALUES ('r0a0b0c', 'telegram', '7', 'm1', 'event', 3.0)"
        )
    db.conn.commit()
    db.close()

    store = Store.open(path)  # migrates
    assert schema.migrations.pending(store.db) == []
    applied = [r["name"] for r in store.db.query("SELECT name FROM _sqlite_migrations")]
    assert {made_by, "m006_follow_competitions_and_players", "m007_reports"} <= set(applied)
    assert [(r["kind"], r["target"]) for r in store.follows("telegram", "1")] == [("team", "inter")]
    if made_by == "m006_reports":
        assert store.report("r0a0b0c")["user_id"] == "7"  # type: ignore[index]
    store.add_report("r1a1b1c", "discord", "9", "m2", "match", 4.0)
    assert store.report("r1a1b1c")["platform"] == "discord"  # type: ignore[index]
    store.close()


def test_the_store_fixture_is_a_store_opened_and_seeded_and_each_copy_is_its_own() -> None:
    """The ``store`` fixture copies one template (tests/support/stores.py): the copy must be
    what opening and seeding give, the same schema, rows and connection settings."""

    def dump(store: Store) -> dict[str, object]:
        db = store.db
        pragmas = ("synchronous", "temp_store", "foreign_keys", "journal_mode", "user_version")
        return {
            "pragmas": {p: db.execute(f"PRAGMA {p}").fetchone()[0] for p in pragmas},
            "schema": sorted(db.execute("SELECT type, name, sql FROM sqlite_master").fetchall()),
            "rows": {
                t: sorted(
                    repr({k: v for k, v in r.items() if k != "applied_at"}) for r in db[t].rows
                )
                for t in db.table_names()
            },
        }

    made = stores.opened_and_seeded()
    first, second = stores.seeded_memory_store(), stores.seeded_memory_store()
    try:
        assert dump(first) == dump(made)
        assert dump(first)["rows"]["teams"]  # type: ignore[index]
        first.db["teams"].delete_where()
        assert not first.db["teams"].count
        assert dump(second) == dump(made)
    finally:
        for s in (made, first, second):
            s.close()


def test_enqueue_is_idempotent_per_key(store: Store) -> None:
    assert store.enqueue([row("a"), row("b")], now=0.0) == 2
    assert store.enqueue([row("a"), row("c")], now=0.0) == 1
    assert [r["key"] for r in store.outbox_rows()] == ["a", "b", "c"]


def test_only_each_chats_oldest_due_row_is_offered(store: Store) -> None:
    store.enqueue(
        [row("a1", "A"), row("a2", "A"), row("b1", "B", at=50.0), row("b2", "B")], now=0.0
    )
    heads = store.due_heads("telegram", now=10.0, limit=10)
    assert [h.key for h in heads] == ["a1"]  # b1 holds B's queue until it is due
    assert [h.key for h in store.due_heads("telegram", now=60.0, limit=10)] == ["a1", "b1"]
    assert store.due_heads("telegram", now=60.0, limit=10, busy_chats=["A"])[0].key == "b1"
    assert store.due_heads("discord", now=60.0, limit=10) == []


def test_replies_have_their_own_lane(store: Store) -> None:
    store.enqueue([row("held-alert", "A", at=500.0), row("reply", "A", kind="reply")], now=0.0)
    assert [h.key for h in store.due_heads("telegram", now=1.0, limit=10)] == ["reply"]


def test_heads_interleave_fanouts_fairly(store: Store) -> None:
    store.enqueue([row(f"big{i}", f"c{i}", pos=i) for i in range(100)], now=0.0)
    store.enqueue([row("urgent", "x", pos=0)], now=0.0)
    keys = [h.key for h in store.due_heads("telegram", now=1.0, limit=3)]
    assert keys == ["big0", "urgent", "big1"]


def test_outbox_states(store: Store) -> None:
    store.enqueue([row("a"), row("b"), row("c")], now=0.0)
    a, b, c = (r["id"] for r in store.outbox_rows())
    store.mark_sent(a, "a", "telegram", "1", ["11", "12"])
    store.mark_retry(b, 99.0, "timeout")
    store.mark_failed(c, "bad request")
    states = {r["key"]: (r["status"], r["attempts"]) for r in store.outbox_rows()}
    assert states == {"a": ("sent", 1), "b": ("pending", 1), "c": ("failed", 1)}
    assert store.sent_message_ids("a") == ["11", "12"]
    store.mark_retry(b, 120.0, "rate limited", count=False)
    assert store.outbox_rows()[1]["attempts"] == 1
    assert store.next_due_at("telegram") == 120.0
    assert store.outbox_counts() == {"sent": 1, "pending": 1, "failed": 1}


def test_delay_chat_holds_all_its_rows(store: Store) -> None:
    store.enqueue([row("a1", "A"), row("a2", "A"), row("b1", "B")], now=0.0)
    store.delay_chat("telegram", "A", 300.0)
    assert [h.key for h in store.due_heads("telegram", 299.0, 10)] == ["b1"]


def test_deactivated_chat_drops_its_queue_and_gets_no_fanout(store: Store) -> None:
    store.add_team("inter", "Inter")
    store.ensure_chat("telegram", "1")
    store.subscribe("telegram", "1", "inter")
    store.enqueue([row("a", "1")], now=0.0)
    store.deactivate_chat("telegram", "1", "blocked")
    assert store.subscribers(["inter"]) == []
    assert store.outbox_rows()[0]["status"] == "dropped"
    store.ensure_chat("telegram", "1")  # the chat talks to the bot again
    assert [c["chat_id"] for c in store.subscribers(["inter"])] == ["1"]


def test_migrated_chat_takes_its_subscriptions_and_queue(store: Store) -> None:
    store.add_team("inter", "Inter")
    store.ensure_chat("telegram", "-5", "Fans", "group")
    store.set_chat_settings("telegram", "-5", {"level": "all"})
    store.subscribe("telegram", "-5", "inter")
    store.enqueue([row("event:m:g:telegram:-5", "-5")], now=0.0)
    store.migrate_chat("telegram", "-5", "-1005")
    assert [c["chat_id"] for c in store.subscribers(["inter"])] == ["-1005"]
    assert store.chat_settings("telegram", "-1005") == {"level": "all"}
    moved = store.outbox_rows()[0]
    assert (moved["chat_id"], moved["key"]) == ("-1005", "event:m:g:telegram:-1005")


def test_forget_chat_removes_subscriptions(store: Store) -> None:
    store.add_team("inter", "Inter")
    store.ensure_chat("discord", "42")
    store.subscribe("discord", "42", "inter")
    assert store.forget_chat("discord", "42") == 1
    assert store.subscriptions("discord", "42") == []


def test_a_platform_message_id_leads_back_to_its_outbox_key(store: Store) -> None:
    store.enqueue([row("reply:telegram:7:1", "1", kind="reply")], now=0.0)
    (sent,) = store.outbox_rows()
    store.mark_sent(sent["id"], sent["key"], "telegram", "1", ["41", "42"])
    assert store.sent_key("telegram", "1", "42") == "reply:telegram:7:1"
    assert store.sent_key("telegram", "2", "42") is None
    assert store.sent_key("telegram", "1", "43") is None


def test_prune_forgets_old_delivered_messages_but_never_pending_ones(store: Store) -> None:
    # queued at the caller's clock (100, then 1000), not the wall clock
    store.enqueue([row("old-sent"), row("old-pending", "2"), row("old-failed", "3")], now=100.0)
    rows = {r["key"]: r["id"] for r in store.outbox_rows()}
    store.mark_sent(rows["old-sent"], "old-sent", "telegram", "1", ["9"])
    store.mark_failed(rows["old-failed"], "bad request")
    store.db.execute("UPDATE sent_messages SET sent_at = 100")
    store.enqueue([row("new", "4")], now=1000.0)
    new_id = store.outbox_rows()[-1]["id"]
    store.mark_sent(new_id, "new", "telegram", "4", ["10"])
    assert store.prune(before=50.0) == 0  # nothing is that old
    assert store.prune(before=200.0) == 2
    assert [r["key"] for r in store.outbox_rows()] == ["old-pending", "new"]
    assert store.sent_message_ids("old-sent") == []
    assert store.sent_message_ids("new") == ["10"]
