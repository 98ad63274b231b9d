"""Feed files as sources: read a whole file, or follow files and folders as lines are appended."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.feed import Parsed, Rejected, read_lines

log = logging.getLogger(__name__)

OnLine = Callable[[Path, Parsed | Rejected], Awaitable[None]]


def feed_files(paths: list[Path]) -> list[Path]:
    """The feed files named: files as given, folders as their ``*.jsonl`` files, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.jsonl")))
        else:
            files.append(path)
    return files


@dataclass
class _Position:
    offset: int = 0
    line: int = 0


class FeedFollower:
    """Follows feed files like ``tail -f``: complete lines are parsed as they appear.

    A last line without its newline is a line still being written: it waits. A file that
    shrinks was replaced, and is read again from the start (re-ingesting is harmless).
    New ``*.jsonl`` files in a followed folder are picked up.
    """

    def __init__(self, paths: list[Path], on_line: OnLine, interval: float = 1.0) -> None:
        self.paths = paths
        self.on_line = on_line
        self.interval = interval
        self._positions: dict[Path, _Position] = {}
        self._missing_reported: set[Path] = set()

    async def run(self) -> None:
        while True:
            await self.poll_once()
            await asyncio.sleep(self.interval)

    async def poll_once(self) -> None:
        for path in self._files():
            try:
                await self._read_new(path)
            except OSError as exc:
                if path not in self._missing_reported:
                    log.warning("feed %s cannot be read: %s", path, exc)
                    self._missing_reported.add(path)

    def _files(self) -> Iterator[Path]:
        yield from feed_files(self.paths)

    async def _read_new(self, path: Path) -> None:
        position = self._positions.setdefault(path, _Position())
        lines = await asyncio.to_thread(_read_complete_lines, path, position)
        self._missing_reported.discard(path)
        first = position.line - len(lines) + 1
        for item in read_lines(lines, first_line=first):
            await self.on_line(path, item)


def _read_complete_lines(path: Path, position: _Position) -> list[str]:
    """The complete lines appended since ``position`` (which it moves past them)."""
    size = path.stat().st_size
    if size < position.offset:
        log.info("feed %s shrank: reading it again from the start", path)
        position.offset = position.line = 0
    if size == position.offset:
        return []
    with path.open("rb") as handle:
        handle.seek(position.offset)
        chunk = handle.read(size - position.offset)
    complete = chunk[: chunk.rfind(b"\n") + 1]
    if not complete:
        return []
    position.offset += len(complete)
    lines = complete.decode("utf-8", errors="replace").split("\n")[:-1]
    position.line += len(lines)
    return lines
