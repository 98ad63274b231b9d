"""The write-ahead log is copied into the database file on a connection and thread of its own:
a big commit (a fan-out to many chats) does not wait for that copy, and the copy still happens
without any further write."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage import thread
from storage.store import NewOutboxRow, Store
from storage.thread import StoreThread


def size(path: Path) -> int:
    return path.stat().st_size


def rows(n: int) -> list[NewOutboxRow]:
    return [
        NewOutboxRow(
            key=f"event:m:g:telegram:{i}",
            platform="telegram",
            chat_id=str(i),
            kind="alert",
            payload="x" * 200,
        )
        for i in range(n)
    ]


async def write_many(db: StoreThread, path: Path) -> int:
    """Queue 20,000 rows in one transaction (several MB of log); the database file's size."""
    new = rows(20_000)

    def write(store: Store) -> None:
        with store.atomic():
            store.enqueue(new, now=1.0)

    await db.call(write)
    return size(path)


async def test_a_big_commit_leaves_the_log_to_the_checkpoint_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(thread, "CHECKPOINT_EVERY", 3600.0)
    path = tmp_path / "bot.db"
    db = StoreThread(path)
    await db.open()
    try:
        before = size(path)
        after = await write_many(db, path)
        assert after == before  # SQLite did not copy the log into the file inside the commit
        assert size(tmp_path / "bot.db-wal") > 4_000_000
    finally:
        await db.close()


async def test_the_log_is_copied_into_the_database_file_in_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(thread, "CHECKPOINT_EVERY", 0.05)
    path = tmp_path / "bot.db"
    db = StoreThread(path)
    await db.open()
    try:
        before = await write_many(db, path)
        for _ in range(200):
            if size(path) > before + 2_000_000:
                break
            await asyncio.sleep(0.05)
        assert size(path) > before + 2_000_000
        assert await db.call(lambda s: len(s.outbox_rows())) == 20_000
    finally:
        await db.close()
