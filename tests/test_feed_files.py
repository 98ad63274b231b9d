"""Following feed files as they grow."""

from __future__ import annotations

from pathlib import Path

from bot.feed_files import FeedFollower
from bot.feed_format import Parsed, Rejected

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
