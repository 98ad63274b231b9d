"""Feed files as sources: read a whole file, or follow files and folders as lines are appended.

Nothing a feed file holds stops the reading: a bad line is rejected with its number and the
next line is read; an unreadable file is reported once and tried again at every poll.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.feed_format import (
    LINE_TOO_LONG,
    MAX_LINE_BYTES,
    EventBase,
    Item,
    MatchDecl,
    Parsed,
    Quote,
    Rejected,
    read_lines,
    split_lines,
)
from bot.match_data import MATCH_DATA_CLASSES, data_key
from bot.safe_text import neutralise

log = logging.getLogger(__name__)

OnLine = Callable[[Path, Parsed | Rejected], Awaitable[None]]
READ_LIMIT = 8 * MAX_LINE_BYTES  # bytes read at a time: a huge file is read in steps
RESTART_DELAY = 1.0
MAX_RESTART_DELAY = 60.0


def feed_files(paths: list[Path]) -> list[Path]:
    """The feed files named: files as given, folders as their ``*.jsonl`` files, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            try:
                files.extend(sorted(path.glob("*.jsonl")))
            except OSError as exc:
                log.warning("feed folder %s cannot be listed: %s", path, exc)
        else:
            files.append(path)
    return files


def read_feed_file(path: Path) -> list[bytes]:
    """A whole feed file as undecoded lines (see :func:`bot.feed_format.split_lines`)."""
    return split_lines(path.read_bytes())


def item_key(item: Item) -> tuple[str, str, str]:
    """What makes a feed object the same object: a match by its id, an event or a quote by
    its match and id, match data by its match and what it is (a team's line-up…)."""
    if isinstance(item, MatchDecl):
        return ("match", item.match, "")
    if isinstance(item, MATCH_DATA_CLASSES):
        return ("data", item.match, data_key(item))
    return ("quote" if isinstance(item, Quote) else "event", item.match, item.id)


class FirstLines:
    """Where each feed object was first read, so a repeat or a conflicting line can name it;
    and the language each match of the feed declared (``match``'s ``lang``)."""

    def __init__(self) -> None:
        self._lines: dict[tuple[str, str, str], int] = {}
        self._languages: dict[str, str] = {}

    def in_declared_language(self, item: Item) -> Item:
        """``item`` with its match's declared language when it does not say its own: a feed
        written in Italian declares ``"lang": "it"`` once, on its ``match`` line."""
        if isinstance(item, MatchDecl):
            if item.lang:
                self._languages[item.match] = item.lang
            return item
        declared = self._languages.get(item.match)
        if declared and isinstance(item, EventBase | Quote) and item.lang is None:
            return item.model_copy(update={"lang": declared})
        return item

    def note(self, parsed: Parsed) -> None:
        self._lines.setdefault(item_key(parsed.item), parsed.line)

    def first(self, item: Item) -> int | None:
        return self._lines.get(item_key(item))


@dataclass
class _Position:
    offset: int = 0  # bytes of the file already read
    line: int = 0  # complete lines already read
    identity: tuple[int, int] | None = None  # (device, inode): a new one is a new file
    skipping: bool = False  # inside a line too long to keep: read on to its end


@dataclass(frozen=True)
class _Line:
    number: int
    data: bytes | None  # None: longer than MAX_LINE_BYTES (not kept in memory)


class FeedFollower:
    """Follows feed files like ``tail -f``: complete lines are parsed as they appear.

    A last line without its newline is a line still being written: it waits. A file that
    shrinks, or is replaced by another file, or rewritten in place, is read again from the
    start (re-ingesting is harmless). New ``*.jsonl`` files in a followed folder are picked up.
    A line that cannot be read or handled is passed on (or logged) as rejected, with its
    number; following goes on with the next line.
    """

    def __init__(
        self, paths: list[Path], on_line: OnLine, interval: float = 1.0, *, watch: bool = True
    ) -> None:
        """``interval``: seconds between two looks at the files when the file system gives no
        notifications (and, with them, the longest a change could go unnoticed); ``watch``:
        use the file system's notifications (``watchfiles``) where there are some."""
        self.paths = paths
        self.on_line = on_line
        self.interval = interval
        self.watch = watch
        #: how the files are followed now: "notifications" or "polling"
        self.mode = "polling"
        self._positions: dict[Path, _Position] = {}
        self._missing_reported: set[Path] = set()

    async def run(self) -> None:
        """Read what is there, then follow: on each file-system notification of a change in
        the feeds' folders (a complete line is read within milliseconds of being written),
        else every ``interval`` seconds."""
        await self.poll_once()
        if self.watch:
            await self._follow_notifications()
        self.mode = "polling"
        while True:
            await asyncio.sleep(self.interval)
            await self.poll_once()

    async def _follow_notifications(self) -> None:
        """Look at the files at each change in their folders (and every ``interval`` seconds
        anyway); returns when notifications are not available here, for polling to go on."""
        folders = await asyncio.to_thread(_folders_to_watch, self.paths)
        if not folders:
            return
        try:
            from watchfiles import awatch
        except ImportError:  # pragma: no cover - a dependency, but polling still works
            log.warning("feeds: watchfiles is not installed: looking every %.1fs", self.interval)
            return
        try:
            self.mode = "notifications"
            async for _changes in awatch(
                *folders,
                debounce=50,  # at most this long grouping a burst of changes (ms)
                step=5,  # a change is handed over once nothing more came for this long (ms)
                recursive=False,
                rust_timeout=max(1, int(self.interval * 1000)),
                yield_on_timeout=True,  # a look every interval even without notifications
                ignore_permission_denied=True,
            ):
                await self.poll_once()
        except (OSError, RuntimeError) as exc:  # e.g. no inotify watches left
            log.warning(
                "feeds: no file-system notifications here (%s): looking every %.1fs",
                neutralise(str(exc))[:200],
                self.interval,
            )

    async def poll_once(self) -> None:
        for path in feed_files(self.paths):
            try:
                await self._read_new(path)
            except OSError as exc:
                if path not in self._missing_reported:
                    log.warning("feed %s cannot be read: %s", path, exc)
                    self._missing_reported.add(path)

    async def _read_new(self, path: Path) -> None:
        position = self._positions.setdefault(path, _Position())
        while True:
            lines, more = await asyncio.to_thread(_read_complete_lines, path, position)
            self._missing_reported.discard(path)
            for line in lines:
                await self._handle(path, line)
            if not more:
                return

    async def _handle(self, path: Path, line: _Line) -> None:
        item: Parsed | Rejected | None
        if line.data is None:
            item = Rejected(line.number, LINE_TOO_LONG)
        else:
            item = next(read_lines([line.data], first_line=line.number), None)
        if item is None:  # a blank line
            return
        try:
            await self.on_line(path, item)
        except Exception as exc:  # one line's trouble must not stop the following
            log.warning(
                "feed %s line %d: could not be handled (%s)",
                path,
                line.number,
                neutralise(f"{type(exc).__name__}: {exc}")[:300],
            )
            log.debug("feed %s line %d", path, line.number, exc_info=True)


def _folders_to_watch(paths: list[Path]) -> list[str]:
    """The folders whose changes matter: each followed folder, each followed file's folder
    (a file replaced or rotated is a change of its folder)."""
    folders = {p if p.is_dir() else p.parent for p in paths}
    return sorted(str(f) for f in folders if f.is_dir())


def _read_complete_lines(path: Path, position: _Position) -> tuple[list[_Line], bool]:
    """The complete lines appended since ``position`` (which it moves past them), and whether
    more may be waiting (only part of the file was read)."""
    stat = path.stat()
    identity = (stat.st_dev, stat.st_ino)
    if position.identity is not None and identity != position.identity:
        log.info("feed %s was replaced: reading it again from the start", path)
        _restart(position)
    elif stat.st_size < position.offset:
        log.info("feed %s shrank: reading it again from the start", path)
        _restart(position)
    position.identity = identity
    if stat.st_size == position.offset:
        return [], False
    with path.open("rb") as handle:
        if position.offset and not position.skipping:
            handle.seek(position.offset - 1)
            if handle.read(1) != b"\n":  # what was read is no longer there
                log.info("feed %s was rewritten: reading it again from the start", path)
                _restart(position)
        handle.seek(position.offset)
        chunk = handle.read(READ_LIMIT)
    more = len(chunk) == READ_LIMIT
    lines: list[_Line] = []
    if position.skipping:
        end = chunk.find(b"\n")
        if end < 0:
            position.offset += len(chunk)
            return [], more
        position.skipping = False
        position.offset += end + 1
        position.line += 1
        lines.append(_Line(position.line, None))
        chunk = chunk[end + 1 :]
    cut = chunk.rfind(b"\n") + 1
    for raw in split_lines(chunk[:cut]):
        position.line += 1
        lines.append(_Line(position.line, raw if len(raw) <= MAX_LINE_BYTES else None))
    position.offset += cut
    if len(chunk) - cut > MAX_LINE_BYTES:  # an unfinished line already too long: skip it
        position.skipping = True
        position.offset += len(chunk) - cut
    return lines, more


def _restart(position: _Position) -> None:
    position.offset = position.line = 0
    position.skipping = False


async def keep_running(
    run: Callable[[], Awaitable[None]],
    what: str,
    delay: float = RESTART_DELAY,
    max_delay: float = MAX_RESTART_DELAY,
) -> None:
    """Run ``run`` for ever: when it fails (or returns), say so and start it again after a
    pause that doubles up to ``max_delay`` (back to ``delay`` after a long healthy run)."""
    pause = delay
    while True:
        started = time.monotonic()
        try:
            await run()
            log.error("%s stopped; starting it again in %.0f s", what, pause)
        except Exception:
            log.exception("%s failed; starting it again in %.0f s", what, pause)
        await asyncio.sleep(pause)
        healthy = time.monotonic() - started > max_delay
        pause = delay if healthy else min(pause * 2, max_delay)
