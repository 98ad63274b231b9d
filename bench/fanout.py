"""Fan-out benchmark: one goal, N chats following the team, against a fake chat server that
enforces the platform's flood limits.

Telegram runs (the default platform), each with the fake Bot API server in its own process
(``tests/support/fakes/telegram_api/``, strict sliding windows) and the bot side in another,
so the peak memory is the bot's alone:

* ``limits``: matchbot (engine → outbox → delivery → TelegramAdapter → python-telegram-bot)
  against Telegram's limits: 30 messages/s overall, 1/s per chat.
* ``paid``: the same with ``TELEGRAM_PAID_BROADCAST`` against the paid limit (1,000/s): the
  ceiling of the bot itself.
* ``baseline`` / ``baseline-paid``: python-telegram-bot's plain ``AIORateLimiter`` path doing
  the same sends (``asyncio.gather`` of ``send_message``; defaults: no retries), no outbox.

Run from the repository root::

    python bench/fanout.py                      # 2,000 chats, every Telegram run
    python bench/fanout.py --chats 300 --runs limits,baseline
    python bench/fanout.py --platform discord   # bench/fanout_discord.py's measure()
    python bench/fanout.py --feed               # feed line written → first send, and P2

* ``feed`` / ``feed-polling``: a goal line appended to a followed feed file, to 300 chats at
  Telegram's limits: seconds from the write to the first send the fake accepts, and P2 — while
  that fan-out runs, another match's goal line, from its write to its one chat's alert; with
  file-system notifications (``watchfiles``), and with the follower looking once a second.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import inspect
import json
import logging
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from telegram import LinkPreviewOptions  # noqa: E402
from telegram.constants import ParseMode  # noqa: E402
from telegram.ext import AIORateLimiter, ApplicationBuilder  # noqa: E402

from adapters.assemble import build_bot  # noqa: E402
from adapters.telegram import TelegramAdapter  # noqa: E402
from adapters.telegram.render import telegram_html  # noqa: E402
from bench.scenario import goal_feed  # noqa: E402
from bot.messages.model import Message, bold, line  # noqa: E402
from storage.store import Store  # noqa: E402
from tests.support.fakes.telegram_api import JSON, FakeTelegram  # noqa: E402

TOKEN = "100000:BENCH-token"
FIRST_CHAT = 10_000_000
Figures = dict[str, float]

# --- the fake server, in its own process ------------------------------------------------------


class TimedFakeTelegram(FakeTelegram):
    """The fake Bot API, noting when each message was accepted (``time.monotonic``, which is
    the same clock in every process of the machine)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrivals: list[float] = []
        self.first_at: dict[int, float] = {}  # chat → when its first message was accepted
        self.per_chat: Counter[int] = Counter()
        self.cpu_started = time.process_time()

    async def _m_sendmessage(self, params: JSON) -> JSON:
        message = await super()._m_sendmessage(params)
        now = time.monotonic()
        self.arrivals.append(now)
        self.first_at.setdefault(int(params["chat_id"]), now)
        self.per_chat[params["chat_id"]] += 1
        return message


def _serve(
    conn: Connection, global_per_second: int | None, paid_per_second: int | None, latency: float
) -> None:
    asyncio.run(_serve_async(conn, global_per_second, paid_per_second, latency))


async def _serve_async(
    conn: Connection, global_per_second: int | None, paid_per_second: int | None, latency: float
) -> None:
    loop = asyncio.get_running_loop()
    async with TimedFakeTelegram(
        TOKEN,
        global_per_second=global_per_second,
        paid_global_per_second=paid_per_second,
        latency=latency,
    ) as fake:
        conn.send(fake.base_url)
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if command[0] == "start":  # the bot is about to ingest: count CPU from here
                fake.cpu_started = time.process_time()
                conn.send("ok")
                continue
            if command[0] != "wait":
                return
            _, wanted, timeout = command
            deadline = time.monotonic() + timeout
            while len(fake.arrivals) < wanted and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.02)  # cheaper than the fake's O(n) wait_for_messages
            cpu = time.process_time() - fake.cpu_started
            await asyncio.sleep(0.5)  # anything more (a duplicate) would show up now
            conn.send(
                {
                    "arrivals": list(fake.arrivals),
                    "violations": len(fake.violations),
                    "kinds": fake.violation_counts(),
                    "doubled": sum(n - 1 for n in fake.per_chat.values() if n > 1),
                    "chats": len(fake.per_chat),
                    "fake_cpu": cpu,
                    "first_at": dict(fake.first_at),
                }
            )


class FakeServer:
    """A :class:`TimedFakeTelegram` running in a child process."""

    def __init__(
        self,
        global_per_second: int | None = 30,
        paid_per_second: int | None = 1000,
        latency: float = 0.0,
    ) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(
            target=_serve,
            args=(child, global_per_second, paid_per_second, latency),
            daemon=True,
        )
        self._process.start()
        self.base_url: str = self._conn.recv()

    def start(self) -> None:
        """The measured part begins (the fake's CPU is counted from here)."""
        self._conn.send(("start",))
        self._conn.recv()

    async def wait(self, messages: int, within: float) -> dict[str, Any]:
        """Wait until the server accepted ``messages`` messages (at most ``within`` seconds);
        return its records."""
        self._conn.send(("wait", messages, within))
        loop = asyncio.get_running_loop()
        result: dict[str, Any] = await loop.run_in_executor(None, self._conn.recv)
        return result

    def close(self) -> None:
        self._conn.send(("stop",))
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()


def _figures(
    record: dict[str, Any], started: float, limit: float, bot_cpu: float, **extra: float
) -> Figures:
    arrivals = record["arrivals"]
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if not arrivals:
        return {"delivered": 0.0, "violations": float(record["violations"]), **extra}
    last = max(arrivals) - started
    count = len(arrivals)
    return {
        "delivered": float(count),
        "seconds": round(last, 2),
        "per_second": round(count / last, 1),
        "rate_ratio": round(count / last / limit, 3),
        "first_s": round(min(arrivals) - started, 3),
        "last_s": round(last, 2),
        "violations": float(record["violations"]),
        "doubled": float(record["doubled"]),
        "bot_cpu_ms": round(bot_cpu / count * 1000, 3),
        "fake_cpu_ms": round(record["fake_cpu"] / count * 1000, 3),
        "per_cpu_s": round(count / bot_cpu, 0) if bot_cpu > 0 else 0.0,
        "peak_mem_mb": round(peak_kb / 1024, 1),
        **extra,
    }


def _timeout(chats: int, limit: float) -> float:
    return chats / limit * 2 + 30


# --- matchbot ---------------------------------------------------------------------------------


async def measure_matchbot(
    chats: int,
    paid: bool,
    latency: float = 0.0,
    unlimited: bool = False,
    with_metrics: bool = False,
    store: str | None = None,
) -> Figures:
    """One goal through matchbot's whole path to ``chats`` private chats; ``unlimited``: no
    overall limit at the fake nor in the bot (the bot's own ceiling); ``with_metrics``: every
    send counted by the Prometheus metrics (``MATCHBOT_METRICS_PORT``), as in production;
    ``store``: an empty PostgreSQL database's URL to use instead of a new SQLite file."""
    limit = 1000.0 if paid else 30.0
    if with_metrics:
        from adapters.ops.prometheus import PrometheusMetrics
        from bot import metrics

        metrics.install(PrometheusMetrics(time.time()))
    server = FakeServer(None, None, latency=latency) if unlimited else FakeServer(latency=latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            adapter = TelegramAdapter(TOKEN, base_url=server.base_url, paid_broadcast=paid)
            if unlimited:
                adapter.pacing = dataclasses.replace(adapter.pacing, per_second=None)
            bot = build_bot(store or Path(tmp) / "bench.db", [adapter], recap_delay=None)
            await bot.start()
            try:
                decl, goal = goal_feed()
                await bot.ingest(decl)

                def subscribe(store: Store) -> None:
                    with store.atomic():
                        for chat in range(FIRST_CHAT, FIRST_CHAT + chats):
                            store.ensure_chat("telegram", str(chat), None, "private")
                            store.subscribe("telegram", str(chat), "inter")

                await bot.db.call(subscribe)
                server.start()
                cpu = time.process_time()
                started = time.monotonic()
                await bot.ingest(goal)  # the fan-out: every chat's row is in the outbox
                send_cpu = time.process_time()
                record = await server.wait(chats, _timeout(chats, limit * 0.9))
                send_cpu = time.process_time() - send_cpu
                cpu = time.process_time() - cpu
            finally:
                await bot.stop()
    finally:
        server.close()
    count = max(1, len(record["arrivals"]))
    return _figures(
        record,
        started,
        limit,
        cpu,
        send_per_cpu_s=round(count / send_cpu, 0) if send_cpu > 0 else 0.0,
    )


# --- from a line written to a feed file to the first send ---------------------------------------

OTHER_CHAT = FIRST_CHAT - 1  # follows the other match's team


def _feed_line(match: str, **fields: Any) -> str:
    return json.dumps({"match": match, **fields}, ensure_ascii=False) + "\n"


def _append(path: Path, text: str) -> float:
    """Write ``text`` at the end of the feed file as a feed writer does; returns when the
    write was done (``time.monotonic``)."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)
    return time.monotonic()


async def measure_feed_pickup(chats: int, latency: float = 0.0, watch: bool = True) -> Figures:
    """A goal line appended to a followed feed file (``MATCHBOT_FEEDS``), through matchbot's
    whole path to ``chats`` Telegram chats at Telegram's limits: the time from the write to
    the first send the fake accepts; then, while that fan-out is under way, another match's
    goal line, and the time from its write to its chat's alert (P2). ``watch``: file-system
    notifications (else the follower looks once a second, as before)."""
    server = FakeServer(latency=latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            feed = Path(tmp) / "live.jsonl"
            decl = {"type": "match", "competition": "Serie A", "kickoff": "2026-01-20T20:00:00Z"}
            feed.write_text(
                _feed_line("a", **decl, home="Atalanta", away="Inter")
                + _feed_line("b", **decl, home="Napoli", away="Roma"),
                encoding="utf-8",
            )
            adapter = TelegramAdapter(TOKEN, base_url=server.base_url)
            bot = build_bot(Path(tmp) / "bench.db", [adapter], recap_delay=None)

            def subscribe(store: Store) -> None:
                with store.atomic():
                    for chat in range(FIRST_CHAT, FIRST_CHAT + chats):
                        store.ensure_chat("telegram", str(chat), None, "private")
                        store.subscribe("telegram", str(chat), "inter")
                    store.ensure_chat("telegram", str(OTHER_CHAT), None, "private")
                    store.subscribe("telegram", str(OTHER_CHAT), "napoli")

            await bot.start()
            follower = bot.follow_feeds([feed], 1.0)
            follower.watch = watch
            try:
                await bot.db.call(subscribe)
                while await bot.db.call(lambda s: s.match("b")) is None:  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
                await asyncio.sleep(0.5)  # the follower waits for the next change
                server.start()
                written = _append(
                    feed,
                    _feed_line(
                        "a", type="goal", id="g1", minute=65, team="Inter", player="Lautaro"
                    ),
                )
                await server.wait(10, 30)  # the fan-out is under way
                other = _append(
                    feed,
                    _feed_line("b", type="goal", id="g1", minute=70, team="Roma", player="Dybala"),
                )
                record = await server.wait(chats + 1, _timeout(chats, 27))
            finally:
                await bot.stop()
    finally:
        server.close()
    first_at = record["first_at"]
    first = min((t for c, t in first_at.items() if c != OTHER_CHAT), default=float("nan"))
    return {
        "delivered": float(len(record["arrivals"])),
        "write_to_first_s": round(first - written, 3),
        "p2_s": round(first_at.get(OTHER_CHAT, float("nan")) - other, 3),
        "violations": float(record["violations"]),
        "doubled": float(record["doubled"]),
    }


def _run_feed(chats: int, latency: float) -> Figures:
    return asyncio.run(measure_feed_pickup(chats, latency))


def _run_feed_polling(chats: int, latency: float) -> Figures:
    return asyncio.run(measure_feed_pickup(chats, latency, watch=False))


# --- the baseline: python-telegram-bot's AIORateLimiter ---------------------------------------


async def measure_baseline(chats: int, paid: bool, latency: float = 0.0) -> Figures:
    """The same sends through ``ApplicationBuilder().rate_limiter(AIORateLimiter())``."""
    limit = 1000.0 if paid else 30.0
    text = telegram_html(Message(kind="goal", headline=line(bold("⚽ GOAL! Atalanta 0-1 Inter"))))
    server = FakeServer(latency=latency)
    try:
        app = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(server.base_url)
            .rate_limiter(AIORateLimiter())
            .job_queue(None)
            .pool_timeout(60.0)
            .build()
        )
        async with app:
            server.start()
            cpu = time.process_time()
            started = time.monotonic()
            results = await asyncio.gather(
                *(
                    app.bot.send_message(
                        chat,
                        text,
                        parse_mode=ParseMode.HTML,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                        allow_paid_broadcast=True if paid else None,
                    )
                    for chat in range(FIRST_CHAT, FIRST_CHAT + chats)
                ),
                return_exceptions=True,
            )
            record = await server.wait(chats, 1.0)
            cpu = time.process_time() - cpu
    finally:
        server.close()
    failed = sum(1 for r in results if isinstance(r, BaseException))
    return _figures(record, started, limit, cpu, failed=float(failed))


# --- running and printing ---------------------------------------------------------------------

Run = Callable[[int, float], Figures]
RUNS: dict[str, tuple[str, Run]] = {}


def _run_limits(chats: int, latency: float) -> Figures:
    return asyncio.run(measure_matchbot(chats, paid=False, latency=latency))


def _run_paid(chats: int, latency: float) -> Figures:
    return asyncio.run(measure_matchbot(chats, paid=True, latency=latency))


def _run_unlimited(chats: int, latency: float) -> Figures:
    return asyncio.run(measure_matchbot(chats, paid=True, latency=latency, unlimited=True))


def _run_unlimited_metrics(chats: int, latency: float) -> Figures:
    return asyncio.run(
        measure_matchbot(chats, paid=True, latency=latency, unlimited=True, with_metrics=True)
    )


def _run_baseline(chats: int, latency: float) -> Figures:
    return asyncio.run(measure_baseline(chats, paid=False, latency=latency))


def _run_baseline_paid(chats: int, latency: float) -> Figures:
    return asyncio.run(measure_baseline(chats, paid=True, latency=latency))


RUNS.update(
    {
        "limits": ("matchbot, Telegram limits (30/s)", _run_limits),
        "paid": ("matchbot, paid broadcast (1000/s)", _run_paid),
        "unlimited": ("matchbot, paid, no limits at all", _run_unlimited),
        "unlimited-metrics": ("the same, Prometheus metrics on", _run_unlimited_metrics),
        "baseline": ("PTB AIORateLimiter (30/s)", _run_baseline),
        "baseline-paid": ("PTB AIORateLimiter, paid (1000/s)", _run_baseline_paid),
        "feed": ("feed line → send (notifications)", _run_feed),
        "feed-polling": ("feed line → send (a look a second)", _run_feed_polling),
    }
)
FEED_RUNS = "feed,feed-polling"
PAID_RUNS = "paid,baseline-paid,unlimited"
COLUMNS = (
    ("delivered", "delivered", "{:.0f}"),
    ("seconds", "seconds", "{:.1f}"),
    ("per_second", "msg/s", "{:.0f}"),
    ("rate_ratio", "rate/limit", "{:.3f}"),
    ("first_s", "ingest→first s", "{:.3f}"),
    ("write_to_first_s", "line written→first send s", "{:.3f}"),
    ("p2_s", "P2: other match's alert s", "{:.3f}"),
    ("violations", "violations", "{:.0f}"),
    ("doubled", "doubled", "{:.0f}"),
    ("bot_cpu_ms", "bot CPU ms/msg", "{:.3f}"),
    ("fake_cpu_ms", "fake CPU ms/msg", "{:.3f}"),
    ("per_cpu_s", "bot msg/CPU-s", "{:.0f}"),
    ("send_per_cpu_s", "send path msg/CPU-s", "{:.0f}"),
    ("peak_mem_mb", "peak MB", "{:.1f}"),
    ("failed", "failed", "{:.0f}"),
)


def print_figures(title: str, figures: Figures) -> None:
    cells = [f"{label} {fmt.format(figures[key])}" for key, label, fmt in COLUMNS if key in figures]
    print(f"{title:36} " + " | ".join(cells), flush=True)


def _quiet() -> None:
    """Only real trouble on stderr (PTB's rate limiter logs every 429 it passes on)."""
    logging.basicConfig(level=logging.CRITICAL)


def run_in_child(fn: Run, chats: int, latency: float) -> Figures:
    """Each run in a fresh process, so its peak memory is its own."""
    with ProcessPoolExecutor(
        1, mp_context=multiprocessing.get_context("spawn"), initializer=_quiet
    ) as pool:
        return pool.submit(fn, chats, latency).result()


def run_discord(chats: int, per_second: float) -> None:
    try:
        from bench.fanout_discord import measure
    except ImportError as exc:
        print(f"the Discord benchmark is not available ({exc}): see bench/fanout_discord.py")
        raise SystemExit(2) from None
    result = measure(chats, per_second)
    figures: Figures = asyncio.run(result) if inspect.isawaitable(result) else result
    print_figures(f"matchbot, Discord ({per_second:g}/s)", figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--chats", type=int, default=None, help="chats following the team (2,000; 3,000 --paid)"
    )
    parser.add_argument(
        "--paid", action="store_true", help=f"the paid-broadcast runs only: --runs {PAID_RUNS}"
    )
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="the fake answers each request this late"
    )
    parser.add_argument("--platform", choices=("telegram", "discord"), default="telegram")
    parser.add_argument(
        "--feed",
        action="store_true",
        help=f"from a feed line written to the first send, and P2 (300 chats): --runs {FEED_RUNS}",
    )
    parser.add_argument(
        "--runs",
        default=",".join(r for r in RUNS if not r.startswith("feed")),
        help=f"Telegram runs, comma-separated, from: {', '.join(RUNS)}",
    )
    parser.add_argument(
        "--per-second", type=float, default=50.0, help="Discord only: the fake's global limit"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.platform == "discord":
        run_discord(args.chats or 500, args.per_second)
        return
    chats = args.chats or (3000 if args.paid else 300 if args.feed else 2000)
    runs = PAID_RUNS if args.paid else FEED_RUNS if args.feed else args.runs
    wanted = [r.strip() for r in runs.split(",") if r.strip()]
    unknown = [r for r in wanted if r not in RUNS]
    if unknown:
        parser.error(f"unknown run(s): {', '.join(unknown)}")
    cores = len(os.sched_getaffinity(0))
    print(
        f"one goal to {chats} Telegram chats, fake answering after {args.latency_ms:g} ms,"
        f" {cores} CPU cores"
    )
    results: dict[str, Figures] = {}
    send_rates: dict[str, list[float]] = {}
    for name in wanted:  # a run named twice runs twice (alternate them to share the load)
        title, fn = RUNS[name]
        results[name] = run_in_child(fn, chats, args.latency_ms / 1000)
        send_rates.setdefault(name, []).append(results[name].get("send_per_cpu_s", 0.0))
        print_figures(title, results[name])
    if send_rates.get("unlimited") and send_rates.get("unlimited-metrics"):
        plain = sum(send_rates["unlimited"]) / len(send_rates["unlimited"])
        counted = sum(send_rates["unlimited-metrics"]) / len(send_rates["unlimited-metrics"])
        print(
            f"send path msg/CPU-s with metrics ÷ without (means, same run): {counted / plain:.3f}"
        )
    for ours, theirs in (("paid", "baseline-paid"), ("limits", "baseline")):
        if ours in results and theirs in results and results[theirs].get("per_second"):
            ratio = results[ours].get("per_second", 0.0) / results[theirs]["per_second"]
            print(f"{ours} ÷ {theirs} (msg/s, same run): {ratio:.2f}×")


if __name__ == "__main__":
    main()
