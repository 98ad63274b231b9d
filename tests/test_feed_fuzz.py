"""Property-based fuzzing of the feed reader, the ingest path and the live follower.

Whatever lines a feed holds: no exception escapes, every other line is still processed, line
numbers are right, and the live follower still follows the lines written afterwards.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.assemble import build_bot
from bot.app import MatchBot
from bot.feed_files import FeedFollower
from bot.feed_format import MAX_LINE_BYTES, Parsed, Rejected, read_lines, split_lines
from tests.support.hostile import DECL, FULL_TIME, GOAL, KICKOFF, NAMED, QUOTE, dumps

FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@st.composite
def mutated_objects(draw: st.DrawFn) -> str:
    """A good object with fields changed, dropped or added (it may stay valid)."""
    base: dict[str, Any] = dict(draw(st.sampled_from([DECL, GOAL, QUOTE])))
    base["id"] = "z" + draw(st.text(max_size=6))  # never an id of the match's own lines
    base["match"] = "m1" if base["type"] != "match" else "z"
    for field in draw(st.lists(st.sampled_from(sorted(base)), max_size=3)):
        if draw(st.booleans()):
            base.pop(field, None)
        else:
            base[field] = draw(json_values)
    if base.get("type") == "match":
        base["match"] = "z"
    return json.dumps(base, ensure_ascii=draw(st.booleans()))


def no_newline(data: bytes) -> bool:
    return b"\n" not in data


junk_lines = st.one_of(
    st.sampled_from([v if isinstance(v, bytes) else v.encode() for v in NAMED.values()]),
    st.binary(max_size=40).filter(no_newline),
    st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass")).filter(no_newline),
    json_values.map(lambda v: json.dumps(v).encode()),
    mutated_objects().map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"", b"   ", b"\r", b"\t \r", "\u2028".encode(), b"\xef\xbb\xbf"]),
    # about as long as a line may be (1 MiB), or up to twice as long
    st.one_of(st.integers(-3, 3), st.sampled_from([MAX_LINE_BYTES // 2, MAX_LINE_BYTES])).map(
        lambda d: b"[" + b" " * (MAX_LINE_BYTES + d) + b"]"
    ),
)
BOM = b"\xef\xbb\xbf"
GOOD_LINES = [dumps(x).encode() for x in (DECL, KICKOFF, GOAL, FULL_TIME, QUOTE)]


@st.composite
def feeds(draw: st.DrawFn) -> tuple[list[bytes], set[int]]:
    """The good match's lines in order with junk around them; returns (lines, good numbers)."""
    lines: list[bytes] = []
    good: set[int] = set()
    for line in GOOD_LINES:
        lines += draw(st.lists(junk_lines, max_size=3))
        lines.append(line)
        good.add(len(lines))
    lines += draw(st.lists(junk_lines, max_size=3))
    return lines, good


@FUZZ
@given(st.lists(junk_lines | st.sampled_from(GOOD_LINES), max_size=30), st.booleans())
def test_the_reader_yields_one_result_per_line_and_never_raises(
    lines: list[bytes], trailing_newline: bool
) -> None:
    data = b"\n".join(lines) + (b"\n" if trailing_newline and lines else b"")
    results = list(read_lines(split_lines(data)))  # nothing escapes
    expected = [n for n, x in enumerate(lines, 1) if (x.removeprefix(BOM) if n == 1 else x).strip()]
    assert [r.line for r in results] == expected
    for r in results:
        if lines[r.line - 1] in GOOD_LINES:
            assert isinstance(r, Parsed)
        if isinstance(r, Rejected):
            assert str(r).isprintable() and r.reason


@FUZZ
@given(feeds())
def test_ingesting_rejects_only_junk_and_keeps_every_good_line(
    feed: tuple[list[bytes], set[int]],
) -> None:
    lines, good = feed

    async def ingest() -> tuple[list[Rejected], MatchBot]:
        bot = build_bot(":memory:", recap_delay=None, reminder_lead=None)
        await bot.open()
        return await bot.ingest_lines(read_lines(lines)), bot

    async def check() -> None:
        rejected, bot = await ingest()
        try:
            numbers = [r.line for r in rejected]
            assert numbers == sorted(set(numbers))  # one answer per line, in order
            assert not good & set(numbers), [str(r) for r in rejected]
            state = await bot.db.call(lambda s: bot.engine.state("m1"))
            assert state is not None
            ids = {e.event.id for e in state.events}
            assert {"p1", "g1", "p4"} <= ids
            quotes = await bot.db.call(lambda s: bot.engine.quotes("m1"))
            assert "q1" in {q.id for q in quotes}
        finally:
            await bot.db.close()

    asyncio.run(check())


@FUZZ
@given(feeds(), st.lists(st.floats(0, 1) | st.sampled_from([0.3, 0.6, 0.9]), max_size=6))
def test_the_live_follower_reads_any_feed_in_any_pieces_and_follows_on(
    feed: tuple[list[bytes], set[int]], cuts: list[float]
) -> None:
    lines, good = feed
    data = b"".join(line + b"\n" for line in lines)
    pieces = sorted({int(c * len(data)) for c in cuts} | {0, len(data)})
    seen: list[Parsed | Rejected] = []

    async def on_line(path: Path, item: Parsed | Rejected) -> None:
        seen.append(item)

    async def follow(path: Path) -> None:
        follower = FeedFollower([path], on_line)
        for start, end in itertools.pairwise(pieces):
            with path.open("ab") as handle:  # a writer appending, the follower polling
                handle.write(data[start:end])
            await follower.poll_once()
        with path.open("ab") as handle:
            handle.write(dumps({**GOAL, "id": "after"}).encode() + b"\n")
        await follower.poll_once()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "live.jsonl"
        path.write_bytes(b"")
        asyncio.run(follow(path))

    whole = list(read_lines(split_lines(data)))
    assert seen[:-1] == whole  # same answers, same line numbers, however the writes fell
    last = seen[-1]
    assert isinstance(last, Parsed) and last.line == len(lines) + 1
    assert {r.line for r in seen if isinstance(r, Parsed)} >= good
