"""Bad feed input never stops or fools the bot: the reader, replay/recap and the live follower."""

from __future__ import annotations

import asyncio
import io
import logging
from pathlib import Path

import pytest

from adapters.assemble import build_bot
from adapters.console import ConsoleAdapter
from adapters.console.replay import recaps_of_feed, replay_feed
from bot.app import MatchBot
from bot.feed_files import FeedFollower, keep_running
from bot.feed_format import Parsed, Rejected, read_lines, split_lines
from bot.messages.model import Message, Section, bold, line
from tests.support.core import until
from tests.support.hostile import (
    BREAK_RULES,
    DECL,
    FULL_TIME,
    GOAL,
    KICKOFF,
    QUOTE,
    dumps,
    unreadable,
)

CONTROLS = ["\x1b", "\x07", "\x08", "\x9b", "\x00", "\r", "\u202e", "\u2066", "\u0085"]


def as_bytes(line: str | bytes) -> bytes:
    return line if isinstance(line, bytes) else line.encode("utf-8")


def feed_bytes(lines: list[str | bytes]) -> bytes:
    return b"".join(as_bytes(x) + b"\n" for x in lines)


def stderr_lines(err: io.StringIO) -> list[str]:
    return err.getvalue().splitlines()


def replay(lines: list[str | bytes]) -> tuple[int, str, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    rejected = asyncio.run(replay_feed(split_lines(feed_bytes(lines)), out=out, err=err))
    return rejected, out.getvalue(), stderr_lines(err)


def recap(lines: list[str | bytes]) -> tuple[int, str, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    rejected, _ = asyncio.run(
        recaps_of_feed(split_lines(feed_bytes(lines)), None, "text", out, err)
    )
    return rejected, out.getvalue(), stderr_lines(err)


# --- the reader: every class of bad line is one Rejected, with a readable reason -----------------


@pytest.mark.parametrize("name", sorted(unreadable()))
def test_every_bad_line_is_rejected_alone_with_a_readable_reason(name: str) -> None:
    bad = unreadable()[name]
    results = list(read_lines([as_bytes(dumps(DECL)), bad, as_bytes(dumps(KICKOFF))]))
    assert [type(r) for r in results] == [Parsed, Rejected, Parsed], name
    assert [r.line for r in results] == [1, 2, 3]
    text = str(results[1])
    assert text.startswith("line 2: ") and len(text) < 400, text
    assert text.isprintable(), text  # one line, nothing a terminal would act on


def test_blank_lines_crlf_and_a_truncated_last_line() -> None:
    data = (
        as_bytes(dumps(DECL)) + b"\r\n" + b"\n   \t\r\n\n" + as_bytes(dumps(KICKOFF)) + b"\r\n"
    ) + as_bytes(dumps(GOAL))[:30]
    results = list(read_lines(split_lines(data)))
    assert [(type(r).__name__, r.line) for r in results] == [
        ("Parsed", 1),
        ("Parsed", 5),
        ("Rejected", 6),
    ]


# --- 1 + 2: replay and recap go on after every bad line, without a traceback ---------------------


def mixed_feed() -> tuple[list[str | bytes], set[int]]:
    """A good match with every bad line (reader and engine level) between its lines."""
    lines: list[str | bytes] = [dumps(DECL), dumps(KICKOFF)]
    bad: set[int] = set()
    for line_ in [*unreadable().values(), *BREAK_RULES.values()]:
        lines.append(line_)
        bad.add(len(lines))
    lines += [dumps(GOAL), dumps(FULL_TIME), dumps(QUOTE)]
    return lines, bad


def test_replay_rejects_each_bad_line_by_number_and_plays_the_rest() -> None:
    lines, bad = mixed_feed()
    rejected, out, err = replay(lines)
    assert rejected == len(bad)
    assert [int(e.split(":")[0].removeprefix("line ")) for e in err] == sorted(bad)
    assert "⚽ GOAL! Atalanta 0-1 Inter" in out
    assert "🏁 Full-time: Atalanta 0-1 Inter" in out
    assert "A great night." in out  # the quote, in the recap


def test_recap_rejects_the_same_lines_and_prints_the_recap() -> None:
    lines, bad = mixed_feed()
    rejected, out, err = recap(lines)
    assert rejected == len(bad)
    assert [int(e.split(":")[0].removeprefix("line ")) for e in err] == sorted(bad)
    assert out.startswith("🏁 Atalanta 0-1 Inter")


@pytest.mark.parametrize("match_id", ["5", "[1]", '{"a": 1}', "null", "true", '""'])
def test_recap_survives_a_match_line_whose_id_is_not_a_string(match_id: str) -> None:
    decl = dumps({k: v for k, v in DECL.items() if k != "match"})[:-1] + f', "match": {match_id}}}'
    rejected, out, err = recap([decl, dumps(DECL), dumps(KICKOFF), dumps(GOAL), dumps(FULL_TIME)])
    assert rejected == 1 and err[0].startswith("line 1: ")
    assert out.startswith("🏁 Atalanta 0-1 Inter")


def test_the_command_line_never_shows_a_traceback(tmp_path: Path) -> None:
    from tests.support.cli import matchbot_here  # an exception let out is a traceback on stderr

    lines, bad = mixed_feed()
    feed = tmp_path / "hostile.jsonl"
    feed.write_bytes(feed_bytes(lines))
    for command in (["replay", str(feed), "--speed", "0"], ["recap", str(feed)]):
        done = matchbot_here(*command)
        assert done.returncode == 1, done.stderr[-2000:]
        assert "Traceback" not in done.stderr
        numbers = [int(e.split(":")[0].removeprefix("line ")) for e in done.stderr.splitlines()]
        assert numbers == sorted(bad)
        assert "Atalanta 0-1 Inter" in done.stdout


# --- 3: lines are split on \n only ---------------------------------------------------------------


def test_unicode_line_separators_inside_strings_do_not_split_lines() -> None:
    player = "Lautaro\u2028Martínez\u2029Jr\x85 II\x1c"
    goal = dumps({**GOAL, "player": player})
    lines: list[str | bytes] = [dumps(DECL), dumps(KICKOFF), goal, "oops", dumps(FULL_TIME)]
    results = list(read_lines(split_lines(feed_bytes(lines))))
    assert [(type(r).__name__, r.line) for r in results] == [
        ("Parsed", 1),
        ("Parsed", 2),
        ("Parsed", 3),
        ("Rejected", 4),
        ("Parsed", 5),
    ]
    rejected, out, err = replay(lines)
    assert rejected == 1 and err == ["line 4: not valid JSON (Expecting value at column 1)"]
    assert "Atalanta 0-1 Inter" in out
    assert "Lautaro Martínez Jr  II " in out  # the separators shown as spaces, on one line


# --- 4 + 5: bytes decoded per line; a byte-order mark is fine ------------------------------------


def test_a_non_utf8_byte_rejects_only_its_line() -> None:
    lines: list[str | bytes] = [
        dumps(DECL),
        dumps(KICKOFF),
        dumps({**GOAL, "id": "g0", "player": "Martínez"}).encode("latin-1"),
        dumps(GOAL),
        dumps(FULL_TIME),
    ]
    for run in (replay, recap):
        rejected, out, err = run(lines)
        assert rejected == 1
        assert len(err) == 1 and err[0].startswith("line 3: not UTF-8 text (byte 0xed")
        assert "Atalanta 0-1 Inter" in out


def test_a_byte_order_mark_at_the_start_is_accepted() -> None:
    lines: list[str | bytes] = ["\ufeff" + dumps(DECL), dumps(KICKOFF), dumps(GOAL)]
    lines.append(dumps(FULL_TIME))
    for run in (replay, recap):
        rejected, out, err = run(lines)
        assert (rejected, err) == (0, [])
        assert "Atalanta 0-1 Inter" in out


# --- 6: an exact repeat is harmless, a conflicting one is rejected, by replay and recap alike ----


def test_repeats_and_conflicts_are_treated_alike_by_replay_and_recap() -> None:
    lines: list[str | bytes] = [
        dumps(DECL),
        dumps(KICKOFF),
        dumps(GOAL),
        dumps(GOAL),  # 4: the same again
        dumps({**GOAL, "player": "Somebody Else"}),  # 5: same id, other goal
        dumps(FULL_TIME),
        dumps(QUOTE),
        dumps({**QUOTE, "text": "Words never said."}),  # 8
        dumps({**DECL, "away": "Juventus"}),  # 9: the match, other teams
        dumps(QUOTE),  # 10
    ]
    expected = [
        "line 4: repeats line 3 (ignored)",
        "line 5: id 'g1' conflicts with line 3 (same id, different content)",
        "line 8: id 'q1' conflicts with line 7 (same id, different content)",
        "line 9: match 'm1' conflicts with line 1 (already declared as Atalanta v Inter)",
        "line 10: repeats line 7 (ignored)",
    ]
    for run in (replay, recap):
        rejected, out, err = run(lines)
        assert (rejected, err) == (3, expected), run.__name__
        assert "Somebody Else" not in out and "Words never said" not in out


def test_an_exact_repeat_alone_exits_0(tmp_path: Path) -> None:
    from tests.support.cli import matchbot_here

    feed = tmp_path / "twice.jsonl"
    feed.write_bytes(feed_bytes([dumps(x) for x in (DECL, KICKOFF, GOAL, GOAL, FULL_TIME)]))
    for command in (["replay", str(feed), "--speed", "0"], ["recap", str(feed)]):
        done = matchbot_here(*command)
        assert done.returncode == 0, done.stderr
        assert done.stderr.splitlines() == ["line 4: repeats line 3 (ignored)"]


# --- 7: control characters never reach the terminal raw ------------------------------------------


FORGERY = "Evil\n⚽ GOAL! Atalanta 9-0 Inter\n\x1b[2J\x1b]0;pwned\x07\u202eretni"


def test_names_cannot_forge_lines_or_send_escape_sequences() -> None:
    lines: list[str | bytes] = [
        dumps({**DECL, "venue": "Bergamo\x1b[31m"}),
        dumps(KICKOFF),
        dumps({**GOAL, "player": FORGERY, "assist": "Pio Esposito 🔥 Ñ"}),
        dumps({**FULL_TIME}),
        dumps({**QUOTE, "text": "line one\nline two\x9b31m"}),
        dumps({**GOAL, "id": "g2", "team": "Juventus\x1b[2J\nline 99: forged"}),
    ]
    for run in (replay, recap):
        _, out, err = run(lines)
        for text in (out, "\n".join(err)):
            for control in CONTROLS:
                assert control not in text, (run.__name__, control)
        for row in [*out.splitlines(), *err]:
            assert not row.startswith("⚽ GOAL! Atalanta 9-0"), row
            assert not row.startswith("line 99"), row
        assert "Pio Esposito 🔥 Ñ" in out  # legitimate text intact
        assert "Evil ⚽ GOAL! Atalanta 9-0 Inter" in out  # on the scorer's line, not its own


async def test_the_console_adapter_neutralises_what_it_prints() -> None:
    out = io.StringIO()
    console = ConsoleAdapter(out)
    message = Message(
        kind="goal",
        headline=line(bold("Bad\x1b[2J name\u202e"), " Ça va 👍"),
        sections=(Section(title="x\x1b]0;title\x07", lines=(line("second\nline"),)),),
    )
    await console.send("local", message)
    printed = out.getvalue()
    assert "\x1b" not in printed and "\x07" not in printed and "\u202e" not in printed
    assert printed.startswith(
        "Bad\ufffd[2J name\ufffd Ça va 👍\n\nx\ufffd]0;title\ufffd\nsecond line\n"
    )


# --- 1: the live follower (matchbot run) keeps following, whatever a line holds ------------------


async def live_bot() -> MatchBot:
    bot = build_bot(":memory:", recap_delay=None, reminder_lead=None)
    await bot.open()
    return bot


async def test_the_live_bot_logs_each_bad_line_and_follows_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    feed = tmp_path / "live.jsonl"
    lines, bad = mixed_feed()
    lines = lines[:-2]  # full time and the quote come later
    feed.write_bytes(feed_bytes(lines))
    bot = await live_bot()
    try:
        bot.follow_feeds([feed], interval=0.01)

        async def state_has(event_id: str) -> bool:
            # read on the database thread: the store's connection belongs to it
            state = await bot.db.call(lambda s: bot.engine.state("m1"))
            return state is not None and any(e.event.id == event_id for e in state.events)

        await until(lambda: state_has("g1"), timeout=60)
        logged = [r.getMessage() for r in caplog.records if r.name == "bot.app"]
        prefix = f"feed {feed} line "
        assert sorted(int(m.removeprefix(prefix).split(":")[0]) for m in logged) == sorted(bad)
        assert all(m.startswith(prefix) for m in logged)
        with feed.open("ab") as handle:  # still following afterwards
            handle.write(feed_bytes([dumps(FULL_TIME), b"\xff\xfe", dumps(QUOTE)]))
        await until(lambda: state_has("p4"))

        async def quoted() -> bool:
            return bool(await bot.db.call(lambda s: bot.engine.quotes("m1")))

        await until(quoted)
        assert f"{prefix}{len(lines) + 2}: not UTF-8 text" in caplog.text
    finally:
        await bot.stop()


async def test_the_live_bot_rejects_conflicting_ids_and_ignores_repeats(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    feed = tmp_path / "live.jsonl"
    other = dumps({**GOAL, "player": "Somebody Else"})
    feed.write_bytes(feed_bytes([dumps(DECL), dumps(GOAL), dumps(GOAL), other]))
    bot = await live_bot()
    try:
        bot.follow_feeds([feed], interval=0.01)
        await until(lambda: "conflicts" in caplog.text)
        logged = [r.getMessage() for r in caplog.records if r.name == "bot.app"]
        assert logged == [
            f"feed {feed} line 4: id 'g1' conflicts with line 2 (same id, different content)"
        ]
        state = await bot.db.call(lambda s: bot.engine.state("m1"))
        assert state is not None and [g.goal.player for g in state.goals] == ["Lautaro Martínez"]
    finally:
        await bot.stop()


async def test_a_failing_follower_is_logged_and_started_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    feed = tmp_path / "live.jsonl"
    feed.write_bytes(feed_bytes([dumps(DECL)]))
    seen: list[Parsed | Rejected] = []

    async def on_line(path: Path, item: Parsed | Rejected) -> None:
        seen.append(item)

    follower = FeedFollower(None, on_line, interval=0.01)  # type: ignore[arg-type]  # broken
    task = asyncio.create_task(keep_running(follower.run, "following feeds", delay=0.01))
    try:
        await until(lambda: "following feeds failed; starting it again" in caplog.text)
        follower.paths = [feed]  # the trouble goes away: the restarted follower follows
        await until(lambda: len(seen) == 1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert isinstance(seen[0], Parsed)


async def test_a_line_whose_handling_fails_costs_only_that_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    feed = tmp_path / "live.jsonl"
    feed.write_bytes(feed_bytes([dumps(DECL), dumps(KICKOFF), dumps(GOAL)]))
    seen: list[int] = []

    async def on_line(path: Path, item: Parsed | Rejected) -> None:
        if item.line == 2:
            raise OverflowError("date value out of range")
        seen.append(item.line)

    await FeedFollower([feed], on_line).poll_once()
    assert seen == [1, 3]
    assert f"feed {feed} line 2: could not be handled (OverflowError: date value" in caplog.text


class Seen:
    def __init__(self) -> None:
        self.items: list[tuple[int, str]] = []

    async def __call__(self, path: Path, item: Parsed | Rejected) -> None:
        self.items.append((item.line, item.item.type if isinstance(item, Parsed) else "rejected"))


async def test_the_follower_reads_bom_crlf_bad_bytes_and_waits_for_a_half_line(
    tmp_path: Path,
) -> None:
    feed = tmp_path / "live.jsonl"
    feed.write_bytes(
        b"\xef\xbb\xbf" + as_bytes(dumps(DECL)) + b"\r\n\xff\n" + as_bytes(dumps(GOAL))[:10]
    )
    seen = Seen()
    follower = FeedFollower([feed], seen)
    await follower.poll_once()
    assert seen.items == [(1, "match"), (2, "rejected")]
    with feed.open("ab") as handle:
        handle.write(as_bytes(dumps(GOAL))[10:] + b"\r\n")
    await follower.poll_once()
    assert seen.items[2:] == [(3, "goal")]


async def test_the_follower_skips_a_line_too_long_without_losing_count(tmp_path: Path) -> None:
    feed = tmp_path / "live.jsonl"
    feed.write_bytes(feed_bytes([dumps(DECL)]) + b'{"type": "' + b"x" * (3 << 20))
    seen = Seen()
    follower = FeedFollower([feed], seen)
    await follower.poll_once()  # the unfinished line is already too long: skipped as it comes
    assert seen.items == [(1, "match")]
    with feed.open("ab") as handle:
        handle.write(b"x" * (1 << 20) + b'"}\n' + feed_bytes([dumps(KICKOFF)]))
    await follower.poll_once()
    assert seen.items[1:] == [(2, "rejected"), (3, "period")]


async def test_the_follower_rereads_a_replaced_or_rewritten_file(tmp_path: Path) -> None:
    feed = tmp_path / "live.jsonl"
    feed.write_bytes(feed_bytes([dumps(DECL), dumps(KICKOFF)]))
    seen = Seen()
    follower = FeedFollower([feed], seen)
    await follower.poll_once()
    new = tmp_path / "new.tmp"  # replaced by a rename, bigger than before
    new.write_bytes(feed_bytes([dumps(DECL), dumps(GOAL), dumps(KICKOFF), dumps(FULL_TIME)]))
    new.replace(feed)
    await follower.poll_once()
    assert seen.items[2:] == [(1, "match"), (2, "goal"), (3, "period"), (4, "period")]
    size = feed.stat().st_size
    with feed.open("r+b") as handle:  # rewritten in place, longer
        handle.write(as_bytes(dumps(GOAL)) + b" " * size + b"\n")
    await follower.poll_once()
    assert seen.items[6:] == [(1, "goal")]


async def test_an_unreadable_feed_is_reported_once_and_others_followed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    loop = tmp_path / "loop.jsonl"
    loop.symlink_to(loop)  # reading it fails (too many levels of symbolic links)
    feed = tmp_path / "good.jsonl"
    feed.write_bytes(feed_bytes([dumps(DECL)]))
    seen = Seen()
    follower = FeedFollower([loop, feed, tmp_path / "not-yet.jsonl"], seen)
    for _ in range(3):
        await follower.poll_once()
    assert seen.items == [(1, "match")]
    assert caplog.text.count(f"feed {loop} cannot be read") == 1
    assert caplog.text.count("not-yet.jsonl cannot be read") == 1


# `matchbot run` itself following on after the bad lines (each logged with its line
# number, no traceback): tests/test_cli.py::test_run_without_tokens_is_a_console_chat, on the
# same console run that checks the chat.


def test_log_lines_hold_no_control_characters(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.logs import setup_logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    setup_logging("INFO")
    try:
        logging.getLogger("bot.engine").info("m1: goal %s", "g1\n12:00:00 ERROR forged\x1b[2J")
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("bot.app").exception("failed")
    finally:
        root.handlers[:], root.level = handlers, level
    err = capsys.readouterr().err
    assert "m1: goal g1 12:00:00 ERROR forged\ufffd[2J" in err
    assert "\x1b" not in err
    assert "Traceback (most recent call last):\n" in err  # a traceback keeps its lines
