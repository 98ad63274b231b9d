"""The fan-out on each database, in the same run: SQLite (the default) and PostgreSQL
(``MATCHBOT_DATABASE_URL``), with a PostgreSQL server started on 127.0.0.1 from the pgserver
package (as the tests do). Prints ONE JSON object, one entry per backend:

* ``p3_seconds``: one goal ingested through the bot (``MatchBot.ingest``, on its database
  thread) until every chat's outbox row is committed, ``--chats`` chats following the team
  (``p3_rows``: the rows queued); ``p3_bot_cpu_seconds``: the CPU time this process spent on
  it, and on PostgreSQL ``p3_server_cpu_seconds``: the server's (steadier than the wall time
  when the machine is shared);
* ``p1_ratio``: messages delivered per second ÷ Telegram's 30/s for one goal to ``--p1-chats``
  chats against the fake Telegram in its own process (``bench/fanout.py``'s matchbot run), and
  ``p1_violations``: flood-limit violations the fake counted.

Run from the repository root::

    python bench/database.py                          # 100,000 chats, P1 on 300
    python bench/database.py --chats 10000 --p1-chats 150   # quicker
    python bench/database.py --database postgresql    # PostgreSQL only
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from adapters.assemble import build_bot  # noqa: E402
from bench.scenario import goal_feed  # noqa: E402
from bot.teams import seed_known_teams  # noqa: E402
from storage.store import Store  # noqa: E402

FIRST_CHAT = 10_000_000


def subscribe_sqlite(path: Path, chats: int) -> None:
    store = Store.open(path)
    try:
        seed_known_teams(store)
        now = time.time()
        with store.atomic():
            store.db.conn.executemany(
                "INSERT INTO chats (platform, chat_id, kind, settings, active, created_at)"
                " VALUES ('telegram', ?, 'private', '{}', 1, ?)",
                [(str(c), now) for c in range(FIRST_CHAT, FIRST_CHAT + chats)],
            )
            store.db.conn.executemany(
                "INSERT INTO subscriptions (platform, chat_id, kind, target, created_at)"
                " VALUES ('telegram', ?, 'team', 'inter', ?)",
                [
                    (str(c), now + i * 1e-6)
                    for i, c in enumerate(range(FIRST_CHAT, FIRST_CHAT + chats))
                ],
            )
    finally:
        store.close()


def subscribe_postgres(url: str, chats: int) -> None:
    from storage.pg_store import PostgresStore

    store = PostgresStore.open(url)
    try:
        seed_known_teams(store)
        now = time.time()
        conn = store.pg.connection()
        with conn.transaction(), conn.cursor() as cur:
            with cur.copy(
                "COPY chats (platform, chat_id, kind, settings, active, created_at) FROM STDIN"
            ) as copy:
                for c in range(FIRST_CHAT, FIRST_CHAT + chats):
                    copy.write_row(("telegram", str(c), "private", "{}", 1, now))
            with cur.copy(
                "COPY subscriptions (platform, chat_id, kind, target, created_at) FROM STDIN"
            ) as copy:
                for i, c in enumerate(range(FIRST_CHAT, FIRST_CHAT + chats)):
                    copy.write_row(("telegram", str(c), "team", "inter", now + i * 1e-6))
        conn.execute("ANALYZE")
    finally:
        store.close()


def _cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds of a process: its own, and its children's that it has reaped."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def server_cpu_seconds(postmaster: int) -> float:
    """CPU seconds the PostgreSQL server has spent: the postmaster, its live backends, and
    those that have ended (reaped by it). Linux only."""
    own, reaped = _cpu_seconds(postmaster)
    total = own + reaped
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[1]) == postmaster:
                    total += _cpu_seconds(int(entry.name))[0]
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
    return total


async def measure_p3(target: str | Path, postmaster: int | None = None) -> dict[str, Any]:
    """P3, in wall seconds and in CPU seconds: this process's (the bot, every thread) and,
    given the server's ``postmaster`` process id, PostgreSQL's (far steadier than the wall
    time on a loaded machine)."""
    bot = build_bot(target, [], recap_delay=None, reminder_lead=None)
    await bot.start()
    try:
        decl, goal = goal_feed()
        await bot.ingest(decl)
        server_before = server_cpu_seconds(postmaster) if postmaster else 0.0
        cpu_before = time.process_time()
        started = time.perf_counter()
        result = await bot.ingest(goal)
        figures = {
            "p3_seconds": round(time.perf_counter() - started, 3),
            "p3_rows": result.queued,
            "p3_bot_cpu_seconds": round(time.process_time() - cpu_before, 3),
        }
        if postmaster:
            server = server_cpu_seconds(postmaster) - server_before
            figures["p3_server_cpu_seconds"] = round(server, 3)
        return figures
    finally:
        await bot.stop()


def run_backend(backend: str, chats: int, p1_chats: int) -> dict[str, Any]:
    logging.basicConfig(level=logging.CRITICAL)
    from bench.fanout import measure_matchbot

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if backend == "sqlite":
            path = Path(tmp) / "p3.db"
            t = time.perf_counter()
            subscribe_sqlite(path, chats)
            figures["build_seconds"] = round(time.perf_counter() - t, 1)
            figures.update(asyncio.run(measure_p3(path)))
            if p1_chats:
                p1 = asyncio.run(measure_matchbot(p1_chats, paid=False))
                figures |= {"p1_ratio": p1.get("rate_ratio"), "p1_violations": p1["violations"]}
            return figures
        from tests.support import postgres

        server = postgres.start()
        try:
            url = server.new_database("p3")
            t = time.perf_counter()
            subscribe_postgres(url, chats)
            figures["build_seconds"] = round(time.perf_counter() - t, 1)
            postmaster = int((server.data / "postmaster.pid").read_text().split()[0])
            figures.update(asyncio.run(measure_p3(url, postmaster)))
            if p1_chats:
                p1 = asyncio.run(
                    measure_matchbot(p1_chats, paid=False, store=server.new_database("p1"))
                )
                figures |= {"p1_ratio": p1.get("rate_ratio"), "p1_violations": p1["violations"]}
            figures["server"] = "PostgreSQL (pgserver), 127.0.0.1, fsync off"
        finally:
            server.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--chats", type=int, default=100_000, help="chats following the team")
    parser.add_argument("--p1-chats", type=int, default=300, help="chats for P1 (0: skip)")
    args = parser.parse_args()
    figures: dict[str, Any] = {
        "chats": args.chats,
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    backends = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for backend in backends:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            figures[backend] = pool.submit(run_backend, backend, args.chats, args.p1_chats).result()
    figures["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
