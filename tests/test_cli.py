"""The matchbot command line. What a command prints and its exit status run through the real
command line in this process (``matchbot_here``); what is about the process itself stays a
real ``matchbot`` subprocess: ``run`` as a long-lived console chat, its start-up refusals (the
environment read at start, a rejected token never shown anywhere in its output), and a reader
that closes the pipe (each command, at each moment: the interpreter's exit with a closed
stdout, and the exit status of the real program)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support import prestarted
from tests.support.cli import MATCHBOT, Console, installed_matchbot, matchbot_here
from tests.support.core import DATA, SEED
from tests.support.fakes.telegram_api import parse_telegram_html
from tests.support.hostile import ISSUE_EXAMPLES, issue_example_bytes


def test_demo_prints_every_fact_of_the_match() -> None:
    done = matchbot_here("demo", "--speed", "0")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for fact in [
        "🟢 Kick-off: Atalanta v Inter",
        "🧤 Save — Atalanta\n\n~12' Marco Carnesecchi denies Marcus Thuram",
        "~12' 🧤 Save: Marco Carnesecchi (Atalanta) denies Marcus Thuram",
        "~31' 😱 Miss: Lautaro Martínez (Inter), clear after a superb move past Djimsiti",
        "~38' Goal ruled out for offside, in the build-up. Still Atalanta 0-0 Inter",
        "~48' 🧤 Save: Yann Sommer (Inter), superb reflex save",
        "~50' Charles De Ketelaere's goal ruled out for offside. Still Atalanta 0-0 Inter",
        "~64' 🔄 Francesco Pio Esposito comes on (Inter)",
        "65' Djimsiti's costly error deep in his own half gifts Inter possession",
        "⚽ GOAL! Atalanta 0-1 Inter",
        "65' Lautaro Martínez scores for Inter (assist: Francesco Pio Esposito)",
        "87' 😱 Miss: Lazar Samardžić (Atalanta), set up by Charles De Ketelaere",
        "⏸ Half-time: Atalanta 0-0 Inter",
        "🏁 Full-time: Atalanta 0-1 Inter",
        "🏁 Atalanta 0-1 Inter\n\nSerie A · Matchday 17 · Bergamo",
        "65' Lautaro Martínez — Inter (assist: Francesco Pio Esposito)",
        "Cristian Chivu (Inter coach): “We faced a great Atalanta side in Bergamo",
        "Cristian Chivu (Inter coach): “What Conte says is simply not of interest to me.",
        "Raffaele Palladino (Atalanta coach): “It is difficult to accept",
    ]:
        assert fact in out, fact
    assert out.index("Full-time") < out.index("What they said")
    assert "Karnesecchi" not in out


def test_replay_reports_bad_lines_processes_the_rest_and_exits_1() -> None:
    done = matchbot_here("replay", str(DATA / "bad-lines.jsonl"), "--speed", "0")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "line 3: not valid JSON (Expecting value at column 1)",
        "line 4: unknown type 'corner'",
        "line 6: id 'g1' conflicts with line 5 (same id, different content)",
        "line 8: 'minute': Input should be less than or equal to 130",
        "line 9: team 'Juventus' does not play in Atalanta v Inter",
    ]
    assert "⚽ GOAL! Atalanta 0-1 Inter" in done.stdout
    assert "🏁 Full-time: Atalanta 0-1 Inter" in done.stdout
    assert "Somebody Else" not in done.stdout and "Wrong Team" not in done.stdout


def test_replay_of_a_clean_feed_exits_0_and_can_write_telegram_html() -> None:
    done = matchbot_here("replay", str(SEED), "--speed", "0", "--format", "telegram")
    assert done.returncode == 0, done.stderr
    assert "<b>⚽ GOAL! Atalanta 0-1 Inter</b>" in done.stdout
    for message in done.stdout.split("─" * 48):
        if message.strip():
            parse_telegram_html(message.strip())  # raises on invalid Telegram HTML


def test_recap_after_extra_time_and_penalties() -> None:
    done = matchbot_here("recap", str(DATA / "world-cup-final.jsonl"), "--format", "telegram")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "<b>🏁 Argentina 3-3 France (a.e.t.), Argentina win 4-2 on penalties</b>"
    )
    assert "23' <b>Lionel Messi (pen)</b> — Argentina" in done.stdout
    assert "VAR cancels Gonzalo Montiel's 119' own goal for France (handball)" in done.stdout
    assert "We suffered &lt;a lot&gt; &amp; we won." in done.stdout
    parse_telegram_html(done.stdout.split("─" * 48)[0].strip())


def test_recap_and_demo_in_italian() -> None:
    done = matchbot_here("recap", str(SEED), "--lang", "it", "--format", "telegram")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<b>🏁 Atalanta 0-1 Inter</b>\n\nSerie A · 17ª giornata ·")
    assert "Atalanta-Inter 0-1 a Bergamo: decide il gol di Lautaro Martínez al 65'" in done.stdout
    parse_telegram_html(done.stdout.split("─" * 48)[0].strip())
    demo = matchbot_here("demo", "--speed", "0", "--lang", "it")
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.startswith(
        "matchbot demo: Atalanta-Inter, Serie A, ricostruita dalla cronaca"
    )
    assert "⚽ GOL! Atalanta 0-1 Inter\n\n65' Lautaro Martínez segna per l'Inter" in demo.stdout
    assert "🏁 Fine partita: Atalanta 0-1 Inter" in demo.stdout
    refused = matchbot_here("recap", str(SEED), "--lang", "klingon")
    assert refused.returncode == 2 and "choose en or it" in refused.stderr


def test_recap_reports_rejections_and_unknown_match() -> None:
    assert matchbot_here("recap", str(DATA / "bad-lines.jsonl")).returncode == 1
    missing = matchbot_here("recap", str(SEED), "--match", "nope")
    assert missing.returncode == 2
    assert "no match 'nope' in this feed (matches: serie-a-2025-26-atalanta-inter)" in (
        missing.stderr
    )


def test_helpful_errors_for_bad_arguments(tmp_path: Path) -> None:
    done = matchbot_here("replay", str(tmp_path / "missing.jsonl"))
    assert done.returncode == 2 and "cannot read" in done.stderr
    done = matchbot_here("replay", str(SEED), "--format", "html")
    assert done.returncode == 2 and "choose one of text, telegram, discord" in done.stderr
    for command in ("demo", "replay", "recap", "run"):
        shown = matchbot_here(command, "--help")
        assert shown.returncode == 0 and f" {command} [OPTIONS]" in shown.stdout


def test_run_without_tokens_is_a_console_chat(tmp_path: Path) -> None:
    feed = tmp_path / "live.jsonl"
    feed.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    env.update(
        MATCHBOT_DB=str(tmp_path / "bot.db"), MATCHBOT_FEEDS=str(feed), MATCHBOT_RECAP_DELAY="0"
    )
    console = Console(env, tmp_path)
    try:
        console.type("hello")
        console.expect("Commands start with /")
        console.type("/subscribe intr")
        console.expect("Did you mean: Inter?")
        console.expect("[1] Inter")
        console.type("1")
        console.expect("✅ This chat now follows Inter. Alerts: key events.")
        console.type("/score@MatchBot inter")
        console.expect("Inter: no match in my data yet.")
        with feed.open("ab") as handle:  # the issue's bad lines first: it follows on after them
            handle.write(issue_example_bytes() + SEED.read_bytes())
        console.expect("⚽ GOAL! Atalanta 0-1 Inter")
        console.expect("🏁 Full-time: Atalanta 0-1 Inter")
        console.expect("💬 What they said", timeout=30)
        console.type("/score inter")
        console.expect("FT  Atalanta 0-1 Inter")
        console.type("/quit")
        assert console.proc.wait(timeout=20) == 0
    finally:
        console.close()
    assert "🧤 Save —" not in "\n".join(console.seen)  # key events only by default
    assert "Traceback" not in console.stderr
    for number in range(1, len(ISSUE_EXAMPLES) + 1):
        assert f"feed {feed} line {number}: " in console.stderr, console.stderr[-3000:]


def test_live_seed_is_a_fresh_fixture_each_run() -> None:
    from datetime import UTC, datetime

    from adapters.compose import live_seed_lines

    start = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    lines = [json.loads(line) for line in live_seed_lines(start)]
    assert {d["match"] for d in lines} == {"serie-a-2025-26-atalanta-inter-20261125150000"}
    assert lines[0]["kickoff"] == "2026-11-25T15:00:00+00:00"


@pytest.mark.parametrize("speed", ["-1"])
def test_negative_speed_is_refused(speed: str) -> None:
    refused = matchbot_here("demo", "--speed", speed)
    assert refused.returncode == 2 and "Invalid value for '--speed'" in refused.stderr


async def test_a_rejected_token_is_a_clear_error_that_never_shows_the_token(
    tmp_path: Path,
) -> None:
    from tests.support.fakes.telegram_api import FakeTelegram

    secret = "999:NOT-THE-RIGHT-TOKEN"
    async with FakeTelegram(token="123:ABC") as tg:
        env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
        env.update(
            TELEGRAM_BOT_TOKEN=secret,
            TELEGRAM_BASE_URL=tg.base_url,
            MATCHBOT_DB=str(tmp_path / "bot.db"),
        )
        proc = await asyncio.to_thread(  # the fake answers on this test's event loop
            prestarted.run,
            [*MATCHBOT, "run"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            timeout=60,
        )
        out, err = proc.stdout, proc.stderr
    assert proc.returncode == 2
    assert "cannot start: Telegram rejected TELEGRAM_BOT_TOKEN" in err.decode()
    assert secret not in (out + err).decode()
    assert "NOT-THE-RIGHT" not in (out + err).decode()


def test_a_bad_setting_is_named() -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    env["DISCORD_GUILD_ID"] = "my-server"
    done = subprocess.run(  # the installed program itself: its entry point and exit status
        [*installed_matchbot(), "run"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "the configuration is not valid: DISCORD_GUILD_ID" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["demo", "--speed", "0"],
        ["replay", "bot/data/atalanta-inter.jsonl", "--speed", "0"],
        ["recap", "bot/data/atalanta-inter.jsonl"],
    ],
)
@pytest.mark.parametrize("read_first", [True, False], ids=["after-a-line", "at-once"])
def test_a_closed_pipe_ends_the_command_quietly(args: list[str], read_first: bool) -> None:
    # The reader may go away at any point, even before the first lines were flushed.
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    with prestarted.popen(
        [*MATCHBOT, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        if read_first:
            assert proc.stdout.readline().strip()
        proc.stdout.close()  # like `matchbot demo | head -1` (or `| true`)
        assert proc.wait(timeout=30) == 0
        assert "Traceback" not in proc.stderr.read()
