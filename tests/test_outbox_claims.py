"""Outbox rows claimed by the process about to send them, on both backends (``any_store``):
a head claimed by one process is not offered to another until its lease ends (the process
died), the claim is renewed by its owner, and a sent row is marked the same way on both. On
PostgreSQL, processes claiming at the same moment never get the same row (``FOR UPDATE SKIP
LOCKED``)."""

from __future__ import annotations

import threading
from collections import Counter

from bot.store_contract import NewOutboxRow
from storage.store import Store

LEASE = 10.0


def queue(store: Store, chats: int, per_chat: int = 1) -> None:
    store.enqueue(
        [
            NewOutboxRow(
                key=f"k{n}:telegram:{chat}",
                platform="telegram",
                chat_id=str(chat),
                kind="alert",
                payload="{}",
                fanout_pos=n,
            )
            for chat in range(chats)
            for n in range(per_chat)
        ],
        now=0.0,
    )


def test_a_claimed_head_waits_for_its_lease_to_end(any_store: Store) -> None:
    queue(any_store, chats=3)
    mine = any_store.due_heads("telegram", 100.0, 10, owner="a", lease=LEASE)
    assert len(mine) == 3
    assert any_store.due_heads("telegram", 100.0, 10, owner="b", lease=LEASE) == []
    # the owner fetches them again (and so renews its lease)
    assert [r.id for r in any_store.due_heads("telegram", 105.0, 10, owner="a", lease=LEASE)] == [
        r.id for r in mine
    ]
    assert any_store.due_heads("telegram", 114.0, 10, owner="b", lease=LEASE) == []
    # a lease that ended (its process died): another process takes the rows
    taken = any_store.due_heads("telegram", 115.5, 10, owner="b", lease=LEASE)
    assert sorted(r.id for r in taken) == sorted(r.id for r in mine)
    claims = {(r["claimed_by"], r["lease_until"]) for r in any_store.outbox_rows()}
    assert claims == {("b", 125.5)}


def test_sent_retried_and_failed_rows_are_released_the_same_way(any_store: Store) -> None:
    queue(any_store, chats=3)
    first, second, third = any_store.due_heads("telegram", 1.0, 10, owner="a", lease=LEASE)
    any_store.mark_many_sent("telegram", [(first.id, first.key, first.chat_id, ["m1"])])
    any_store.mark_retry(second.id, 2.0, "timed out")
    any_store.mark_failed(third.id, "refused")
    rows = {r["id"]: r for r in any_store.outbox_rows()}
    assert [rows[r.id]["status"] for r in (first, second, third)] == ["sent", "pending", "failed"]
    assert all(r["claimed_by"] is None and r["lease_until"] is None for r in rows.values())
    assert any_store.sent_message_ids(first.key) == ["m1"]
    # the row to retry is anyone's again
    assert [r.id for r in any_store.due_heads("telegram", 3.0, 10, owner="b")] == [second.id]


def test_only_a_chats_first_row_is_claimed_so_its_order_holds(any_store: Store) -> None:
    queue(any_store, chats=2, per_chat=3)
    heads = any_store.due_heads("telegram", 1.0, 10, owner="a", lease=LEASE)
    assert sorted(r.key for r in heads) == ["k0:telegram:0", "k0:telegram:1"]
    # another process finds nothing to send: each chat's next row waits for its head
    assert any_store.due_heads("telegram", 1.0, 10, owner="b", lease=LEASE) == []


def test_without_an_owner_nothing_is_claimed(any_store: Store) -> None:
    queue(any_store, chats=2)
    assert len(any_store.due_heads("telegram", 1.0, 10)) == 2
    assert {r["claimed_by"] for r in any_store.outbox_rows()} == {None}


def test_processes_claiming_at_once_never_share_a_row(postgres_url: str) -> None:
    """Four connections (as four processes would have) claim and send the same outbox as fast
    as they can: every row is claimed exactly once."""
    from storage.pg_store import PostgresStore
    from tests.support.postgres import empty

    empty(postgres_url)
    setup = PostgresStore.open(postgres_url)
    queue(setup, chats=400)
    setup.close()
    claimed: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        store = PostgresStore.open(postgres_url)
        try:
            while True:
                rows = store.due_heads("telegram", 1.0, 16, owner=name, lease=LEASE)
                if not rows:
                    return
                store.mark_many_sent("telegram", [(r.id, r.key, r.chat_id, ["x"]) for r in rows])
                with lock:
                    claimed.extend(r.id for r in rows)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=worker, args=(f"p{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    counts = Counter(claimed)
    assert len(counts) == 400
    assert max(counts.values()) == 1


def test_a_chat_moved_to_a_new_id_takes_its_pending_rows(any_store: Store) -> None:
    """A Telegram group upgraded to a supergroup: its subscriptions and pending rows move to
    the new id; a row whose new key is already queued there stays behind (one copy each)."""
    any_store.ensure_chat("telegram", "-1", "Fans", "group")
    any_store.subscribe("telegram", "-1", "inter")
    any_store.enqueue(
        [
            NewOutboxRow(
                key=f"{k}:telegram:-1",
                platform="telegram",
                chat_id="-1",
                kind="alert",
                payload="{}",
            )
            for k in ("a", "b")
        ]
        + [
            NewOutboxRow(
                key="b:telegram:-100",
                platform="telegram",
                chat_id="-100",
                kind="alert",
                payload="{}",
            )
        ],
        now=0.0,
    )
    any_store.migrate_chat("telegram", "-1", "-100")
    keys = sorted((r["key"], r["chat_id"]) for r in any_store.outbox_rows())
    assert keys == [
        ("a:telegram:-100", "-100"),
        ("b:telegram:-1", "-1"),
        ("b:telegram:-100", "-100"),
    ]
    assert [f["target"] for f in any_store.follows("telegram", "-100")] == ["inter"]
    assert any_store.follows("telegram", "-1") == []
