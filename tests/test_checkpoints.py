"""The write-ahead log is copied into the database file on a connection and thread of its own:
a big commit (a fan-out to many chats) does not wait for that copy, and the copy still happens
without any further write."""

from __future__ import annotations

import asyncio
import threading
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


FDS = Path("/proc/self/fd")


def files_open(prefix: str) -> list[str]:
    """The files this process holds open whose path starts with ``prefix``."""
    found = []
    for fd in FDS.iterdir():
        try:
            target = str(fd.readlink())
        except OSError:  # closed meanwhile (the listing's own)
            continue
        if target.startswith(prefix):
            found.append(target)
    return found


@pytest.mark.skipif(not FDS.is_dir(), reason="needs /proc")
async def test_closed_while_the_checkpoint_connection_opens_leaves_no_file_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store closed at once after it opened (a command that only looks), while the
    checkpoint thread is still opening its connection: that connection is closed too (it
    was left to the garbage collector, open)."""
    real = Store.open_reader.__func__  # type: ignore[attr-defined]
    opening, opened = threading.Event(), threading.Event()

    def open_reader(cls: type[Store], path: str | Path) -> Store:
        store = real(cls, path)
        if threading.current_thread().name.startswith("matchbot-db-checkpoint"):
            opening.set()
            opened.wait(10)  # still opening when the close begins
        return store  # type: ignore[no-any-return]

    monkeypatch.setattr(Store, "open_reader", classmethod(open_reader))
    path = tmp_path / "bot.db"
    db = StoreThread(path)
    await db.open()
    while not opening.is_set():
        await asyncio.sleep(0.001)
    asyncio.get_running_loop().call_soon(opened.set)  # right after close() cancels the thread
    await db.close()
    assert files_open(str(path)) == []
