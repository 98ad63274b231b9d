"""Following feed files as they grow."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from bot.feed_files import FeedFollower
from bot.feed_format import Parsed, Rejected
from tests.support.core import until

DECL = (
    '{"type":"match","match":"m1","competition":"Serie A","home":"Atalanta",'
    '"away":"Inter","kickoff":"2025-12-28T19:45:00Z"}'
)
KICKOFF = '{"type":"period","match":"m1","id":"p1","minute":0,"period":"first_half"}'


class Collected:
    def __init__(self) -> None:
        self.items: list[tuple[str, int, str]] = []

    async def __call__(self, path: Path, item: Parsed | Rejected) -> None:
        kind = item.item.type if isinstance(item, Parsed) else f"rejected: {item.reason}"
        self.items.append((path.name, item.line, kind))


async def test_appended_lines_are_read_and_half_lines_wait(tmp_path: Path) -> None:
    feed = tmp_path / "live.jsonl"
    feed.write_text(DECL + "\n")
    seen = Collected()
    follower = FeedFollower([feed], seen)
    await follower.poll_once()
    assert seen.items == [("live.jsonl", 1, "match")]
    with feed.open("a") as handle:
        handle.write(KICKOFF[:20])  # a writer is half-way through a line
    await follower.poll_once()
    assert len(seen.items) == 1
    with feed.open("a") as handle:
        handle.write(KICKOFF[20:] + "\nnot json\n")
    await follower.poll_once()
    assert seen.items[1:] == [
        ("live.jsonl", 2, "period"),
        ("live.jsonl", 3, "rejected: not valid JSON (Expecting value at column 1)"),
    ]


async def test_a_replaced_file_is_read_again_and_folders_are_followed(tmp_path: Path) -> None:
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "a.jsonl").write_text(DECL + "\n" + KICKOFF + "\n")
    seen = Collected()
    follower = FeedFollower([folder, tmp_path / "missing.jsonl"], seen)
    await follower.poll_once()
    assert [i[:2] for i in seen.items] == [("a.jsonl", 1), ("a.jsonl", 2)]
    (folder / "a.jsonl").write_text(DECL + "\n")  # shorter: replaced
    (folder / "b.jsonl").write_text(DECL + "\n")
    await follower.poll_once()
    assert [i[:2] for i in seen.items[2:]] == [("a.jsonl", 1), ("b.jsonl", 1)]


# --- following by file-system notifications (watchfiles) -----------------------------------

GOAL = (
    '{"type":"goal","match":"m1","id":"g1","minute":65,"team":"Inter","player":"Lautaro Martínez"}'
)


@contextlib.asynccontextmanager
async def following(paths: list[Path], seen: Collected) -> AsyncIterator[FeedFollower]:
    """A follower that never looks by itself (an hour between looks): whatever it reads
    came through a file-system notification."""
    follower = FeedFollower(paths, seen, interval=3600.0)
    task = asyncio.create_task(follower.run())
    try:
        await until(lambda: follower.mode == "notifications")
        await asyncio.sleep(0.2)  # the watcher is set up
        yield follower
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_written_line_is_picked_up_by_notification_and_half_lines_wait(
    tmp_path: Path,
) -> None:
    feed = tmp_path / "live.jsonl"
    feed.write_text(DECL + "\n")
    seen = Collected()
    async with following([feed], seen):
        await until(lambda: len(seen.items) == 1)
        with feed.open("a") as handle:
            handle.write(GOAL[:30])  # half a line: it waits for its newline
        await asyncio.sleep(0.3)
        assert len(seen.items) == 1
        with feed.open("a") as handle:
            handle.write(GOAL[30:] + "\n")
        await until(lambda: len(seen.items) == 2)
        assert seen.items[1] == ("live.jsonl", 2, "goal")


async def test_truncated_rotated_and_new_files_are_followed_by_notification(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "feeds"
    folder.mkdir()
    feed = folder / "a.jsonl"
    feed.write_text(DECL + "\n" + KICKOFF + "\n")
    seen = Collected()
    async with following([folder], seen):
        await until(lambda: len(seen.items) == 2)
        feed.write_text(DECL + "\n")  # truncated and rewritten: read again from the start
        await until(lambda: len(seen.items) == 3)
        rotated = folder / "a.jsonl.tmp"
        rotated.write_text(DECL + "\n" + GOAL + "\n")
        rotated.replace(feed)  # rotated: another file under the same name
        await until(lambda: len(seen.items) == 5)
        (folder / "b.jsonl").write_text(DECL + "\n")  # a new feed in the folder
        await until(lambda: len(seen.items) == 6)
    assert [i[:2] for i in seen.items] == [
        ("a.jsonl", 1),
        ("a.jsonl", 2),
        ("a.jsonl", 1),
        ("a.jsonl", 1),
        ("a.jsonl", 2),
        ("b.jsonl", 1),
    ]


async def test_without_notifications_polling_goes_on(tmp_path: Path) -> None:
    feed = tmp_path / "live.jsonl"
    feed.write_text(DECL + "\n")
    seen = Collected()
    follower = FeedFollower([feed], seen, interval=0.05, watch=False)
    task = asyncio.create_task(follower.run())
    try:
        with feed.open("a") as handle:
            handle.write(GOAL + "\n")
        await until(lambda: len(seen.items) == 2)
        assert follower.mode == "polling"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
