"""The fan-out on each database, in the same run: SQLite (the default) and PostgreSQL
(``MATCHBOT_DATABASE_URL``), with a PostgreSQL server started on 127.0.0.1 from the pgserver
package (as the tests do). Prints ONE JSON object, one entry per backend:

* ``p3_seconds``: one goal ingested through the bot (``MatchBot.ingest``, on its database
  thread) until every chat's outbox row is committed, ``--chats`` chats following the team
  (``p3_rows``: the rows queued);
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


async def measure_p3(target: str | Path) -> dict[str, Any]:
    bot = build_bot(target, [], recap_delay=None, reminder_lead=None)
    await bot.start()
    try:
        decl, goal = goal_feed()
        await bot.ingest(decl)
        started = time.perf_counter()
        result = await bot.ingest(goal)
        return {"p3_seconds": round(time.perf_counter() - started, 3), "p3_rows": result.queued}
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
            figures.update(asyncio.run(measure_p3(url)))
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
