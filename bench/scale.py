"""Scale benchmark: one goal to N chats (default 100,000) with a full season in the database.

Builds its own data in a temporary directory: a 20-team league, a full season (380 matches,
25 events each: 9,500 events, played and finished), one live match whose goal fans out to
``--chats`` chats following one team, and a second live match followed by one chat. The bot
(``MatchBot`` with the Telegram adapter) runs against the project's fake Telegram
(``tests/support/fakes/telegram_api/``, Telegram's limits, 30 messages/s), the fake in its own
process. Prints ONE JSON object:

* ``p3_seconds``: ingesting the goal, until every chat's outbox row is committed;
  ``p3_ratio_to_insert_all``: that ÷ sqlite-utils ``insert_all`` of the same rows into an
  empty table of a fresh database (same pragmas), measured in the same run.
* ``p4_score_p99_ms`` / ``p4_scorers_p99_ms``: ``/score`` and ``/scorers`` (no team) answered
  through ``MatchBot.command`` (as the adapters call it), back to back from the moment the
  goal is ingested until the fan-out has been delivering for a few seconds; ``*_idle_*``: the
  same before the goal.
* ``p5_peak_rss_mb``: peak resident memory of the process running the bot (this benchmark's
  bot process, data building included; the fake server runs elsewhere). ``--subscriptions``
  adds chats following four other teams and competitions each, up to that many subscriptions
  in all (``subscriptions`` in the output).
* ``p2_seconds``: a goal of the other match, ingested while the big fan-out is being
  delivered, until the fake server accepted it in its chat.
* ``ingest_5000_events_seconds``: one match of 5,000 events ingested one by one through the
  engine (null when ``--ingest-budget`` seconds ran out first; ``ingest_events_in_budget``
  then says how far it got).
* ``p1_ratio``: messages delivered per second ÷ Telegram's 30/s for one goal to each of
  ``--p1-chats`` chats (``bench/fanout.py``'s ``limits`` run), the lowest of them;
  ``p1_violations``: flood-limit violations the fake counted.

Run from the repository root::

    python bench/scale.py                 # 100,000 chats
    python bench/scale.py --chats 2000 --p1-chats 300   # quick
    python bench/scale.py --subscriptions 1000000 --p1-chats ""   # P5 at 1M subscriptions
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlite_utils import Database  # noqa: E402

from adapters.assemble import build_bot  # noqa: E402
from adapters.telegram import TelegramAdapter  # noqa: E402
from bot.app import MatchBot  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.feed_format import Event, MatchDecl, parse_object  # noqa: E402
from bot.ports import CommandContext  # noqa: E402
from storage.store import Store  # noqa: E402
from tests.support.fakes.telegram_api import JSON, FakeTelegram  # noqa: E402

TOKEN = "100000:SCALE-token"
FIRST_CHAT = 10_000_000
OTHER_CHAT = 9_000_000
TEAMS = [
    "Inter",
    "Atalanta",
    "Milan",
    "Juventus",
    "Napoli",
    "Roma",
    "Lazio",
    "Fiorentina",
    "Bologna",
    "Torino",
    "Genoa",
    "Udinese",
    "Cagliari",
    "Lecce",
    "Verona",
    "Parma",
    "Como",
    "Empoli",
    "Monza",
    "Venezia",
]
COMPETITION = "Serie A"
EVENTS_PER_MATCH = 25
SEASON_START = datetime(2025, 8, 23, 12, tzinfo=UTC)

# --- the fake server, in its own process ------------------------------------------------------


class ChatTimedFakeTelegram(FakeTelegram):
    """The fake Bot API noting when each chat's first message was accepted (monotonic clock,
    the same in every process of the machine)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first_arrival: dict[str, float] = {}
        self.accepted = 0

    async def _m_sendmessage(self, params: JSON) -> JSON:
        message = await super()._m_sendmessage(params)
        self.accepted += 1
        self.first_arrival.setdefault(str(params.get("chat_id")), time.monotonic())
        return message


def _serve(conn: Connection) -> None:
    asyncio.run(_serve_async(conn))


async def _serve_async(conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    async with ChatTimedFakeTelegram(TOKEN) as fake:
        conn.send(fake.base_url)
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if command[0] == "arrival":
                _, chat, timeout = command
                deadline = time.monotonic() + timeout
                while chat not in fake.first_arrival and time.monotonic() < deadline:  # noqa: ASYNC110
                    await asyncio.sleep(0.005)
                conn.send(fake.first_arrival.get(chat))
            elif command[0] == "stats":
                conn.send({"accepted": fake.accepted, "violations": len(fake.violations)})
            else:
                return


class FakeServer:
    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        self.base_url: str = self._conn.recv()

    async def ask(self, *command: Any) -> Any:
        self._conn.send(command)
        return await asyncio.get_running_loop().run_in_executor(None, self._conn.recv)

    def close(self) -> None:
        self._conn.send(("stop",))
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()


# --- the data -----------------------------------------------------------------------------


def _decl(match: str, home: str, away: str, kickoff: str) -> MatchDecl:
    item = parse_object(
        {
            "type": "match",
            "match": match,
            "competition": COMPETITION,
            "home": home,
            "away": away,
            "kickoff": kickoff,
        }
    )
    assert isinstance(item, MatchDecl)
    return item


def _event(data: dict[str, Any]) -> Event:
    item = parse_object(data)
    assert isinstance(item, Event)
    return item


def match_events(match: str, home: str, away: str, rng: random.Random, n: int) -> list[Event]:
    """``n`` plausible events of one match: periods, goals, cards, substitutions, saves."""
    played: list[dict[str, Any]] = []
    for i in range(n - 4):
        team = rng.choice((home, away))
        player = f"{team} Player {rng.randint(1, 6)}"
        minute = rng.randint(1, 89)
        roll = rng.random()
        if roll < 0.12:
            played.append({"type": "goal", "player": player})
        elif roll < 0.35:
            played.append({"type": "card", "player": player, "card": "yellow"})
        elif roll < 0.6:
            played.append({"type": "substitution", "player_in": f"{player} {i}"})
        else:
            played.append({"type": "save", "player": player})
        played[-1] |= {"team": team, "minute": minute}
    played.sort(key=lambda e: e["minute"])
    raw: list[dict[str, Any]] = [{"type": "period", "period": "first_half", "minute": 0}]
    raw += [e for e in played if e["minute"] < 45]
    raw += [
        {"type": "period", "period": "half_time", "minute": 45},
        {"type": "period", "period": "second_half", "minute": 46},
    ]
    raw += [e for e in played if e["minute"] >= 45]
    raw.append({"type": "period", "period": "full_time", "minute": 90, "stoppage": 4})
    return [_event({**e, "match": match, "id": f"{match}-e{i}"}) for i, e in enumerate(raw)]


def build_season(store: Store, engine: Engine, rng: random.Random) -> int:
    """A double round robin of :data:`TEAMS`, every match played; returns the event count."""
    events = 0
    pairs = [(h, a) for h in TEAMS for a in TEAMS if h != a]
    with store.atomic():
        for n, (home, away) in enumerate(pairs):
            match = f"season-{n:03d}"
            kickoff = SEASON_START + timedelta(days=3 * (n // 10), hours=n % 10)
            engine.ingest(_decl(match, home, away, kickoff.isoformat()))
            for event in match_events(match, home, away, rng, EVENTS_PER_MATCH):
                engine.ingest(event)
                events += 1
            store.mark_recap_queued(match, 0)
    return events


#: what the chats beyond ``--chats`` follow (none of it plays in the two live matches)
OTHER_FOLLOWS = [("team", t.lower()) for t in TEAMS[4:]] + [
    ("competition", c) for c in ("premier-league", "la-liga", "bundesliga", "ligue-1")
]
#: subscriptions of each chat beyond ``--chats``
FOLLOWS_PER_OTHER_CHAT = 4


def subscribe_chats(store: Store, chats: int, subscriptions: int) -> int:
    """``chats`` chats following Inter, one following Milan, and up to ``subscriptions`` in all
    from more chats, each following :data:`FOLLOWS_PER_OTHER_CHAT` other teams and
    competitions. Returns the subscriptions made."""
    made = 0
    with store.atomic():
        for chat in range(FIRST_CHAT, FIRST_CHAT + chats):
            store.ensure_chat("telegram", str(chat), None, "private")
            store.subscribe("telegram", str(chat), "inter")
        store.ensure_chat("telegram", str(OTHER_CHAT), None, "private")
        store.subscribe("telegram", str(OTHER_CHAT), "milan")
        made = chats + 1
    chat = FIRST_CHAT + chats
    while made < subscriptions:
        with store.atomic():  # a transaction per 100,000 chats
            for _ in range(100_000):
                if made >= subscriptions:
                    break
                store.ensure_chat("telegram", str(chat), None, "private")
                first = chat % len(OTHER_FOLLOWS)
                for i in range(min(FOLLOWS_PER_OTHER_CHAT, subscriptions - made)):
                    kind, target = OTHER_FOLLOWS[(first + i * 3) % len(OTHER_FOLLOWS)]
                    store.subscribe("telegram", str(chat), target, kind)
                    made += 1
                chat += 1
    return made


# --- measuring ----------------------------------------------------------------------------


def p99(samples: list[float]) -> float | None:
    if not samples:
        return None
    if len(samples) < 2:
        return round(samples[0] * 1000, 1)
    return round(statistics.quantiles(samples, n=100, method="inclusive")[98] * 1000, 1)


async def sample_commands(
    bot: MatchBot, ctx: CommandContext, stop: asyncio.Event, out: dict[str, list[float]]
) -> None:
    """``/score`` and ``/scorers`` back to back (a user every 20 ms) until ``stop``."""
    while not stop.is_set():
        for name in ("score", "scorers"):
            started = time.perf_counter()
            await bot.command(ctx, name, "")
            out[name].append(time.perf_counter() - started)
            await asyncio.sleep(0.02)


async def measure_bot(chats: int, subscriptions: int, tmp: Path) -> dict[str, Any]:
    rng = random.Random(2026)
    path = tmp / "scale.db"
    store = Store.open(path)
    engine = Engine(store)
    started = time.perf_counter()
    season_events = build_season(store, engine, rng)
    for decl in (
        _decl("live-inter", "Inter", "Atalanta", "2026-01-20T20:00:00Z"),
        _decl("live-milan", "Milan", "Juventus", "2026-01-20T20:00:00Z"),
    ):
        engine.ingest(decl)
        engine.ingest(
            _event(
                {
                    "type": "period",
                    "period": "first_half",
                    "minute": 0,
                    "match": decl.match,
                    "id": "ko",
                }
            )
        )
    made = subscribe_chats(store, chats, subscriptions)
    store.close()
    build_seconds = time.perf_counter() - started

    server = FakeServer()
    figures: dict[str, Any] = {
        "season_events": season_events,
        "subscriptions": made,
        "build_seconds": round(build_seconds, 1),
    }
    try:
        adapter = TelegramAdapter(TOKEN, base_url=server.base_url)
        bot = build_bot(path, [adapter], recap_delay=None, reminder_lead=None)
        await bot.start()
        try:
            ctx = CommandContext("telegram", str(FIRST_CHAT + chats // 2), "user")
            idle: dict[str, list[float]] = {"score": [], "scorers": []}
            for _ in range(15):
                for name in ("score", "scorers"):
                    t = time.perf_counter()
                    await bot.command(ctx, name, "")
                    idle[name].append(time.perf_counter() - t)
            busy: dict[str, list[float]] = {"score": [], "scorers": []}
            stop = asyncio.Event()
            sampler = asyncio.create_task(sample_commands(bot, ctx, stop, busy))
            goal = _event(
                {
                    "type": "goal",
                    "match": "live-inter",
                    "id": "g1",
                    "minute": 65,
                    "team": "Inter",
                    "player": "Lautaro Martínez",
                    "assist": "Francesco Pio Esposito",
                }
            )
            t = time.perf_counter()
            result = await bot.ingest(goal)
            figures["p3_seconds"] = round(time.perf_counter() - t, 3)
            figures["p3_rows"] = result.queued
            await asyncio.sleep(2.0)  # the fan-out is being delivered
            other = _event(
                {
                    "type": "goal",
                    "match": "live-milan",
                    "id": "g1",
                    "minute": 66,
                    "team": "Milan",
                    "player": "Rafael Leão",
                }
            )
            t_mono = time.monotonic()
            await bot.ingest(other)
            arrived = await server.ask("arrival", str(OTHER_CHAT), 60.0)
            figures["p2_seconds"] = round(arrived - t_mono, 3) if arrived else None
            await asyncio.sleep(2.0)
            stop.set()
            await sampler
            figures["p4_score_p99_ms"] = p99(busy["score"])
            figures["p4_scorers_p99_ms"] = p99(busy["scorers"])
            figures["p4_samples"] = len(busy["score"]) + len(busy["scorers"])
            figures["p4_score_idle_p99_ms"] = p99(idle["score"])
            figures["p4_scorers_idle_p99_ms"] = p99(idle["scorers"])
        finally:
            await bot.stop()
        figures["p5_peak_rss_mb"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        )
        stats = await server.ask("stats")
        figures["fanout_sent_during_run"] = stats["accepted"]
        figures["fanout_violations"] = stats["violations"]
    finally:
        server.close()

    # The reference: sqlite-utils insert_all of the same rows into a fresh database.
    # The rows as a row-per-chat outbox stores them: each with its text and payload.
    db = Database(path)
    table = "outbox_view" if db["outbox_view"].exists() else "outbox"
    rows = [
        {k: v for k, v in row.items() if k not in ("id", "message_id")}
        for row in db.query(f"SELECT * FROM {table} WHERE key LIKE 'event:live-inter:g1:%'")
    ]
    db.close()
    ref = Database(tmp / "reference.db")
    ref.enable_wal()
    ref.execute("PRAGMA synchronous=NORMAL")
    t = time.perf_counter()
    ref["outbox"].insert_all(rows)
    ref_seconds = time.perf_counter() - t
    ref.close()
    figures["insert_all_seconds"] = round(ref_seconds, 3)
    figures["p3_ratio_to_insert_all"] = round(figures["p3_seconds"] / ref_seconds, 2)
    return figures


def measure_ingest(events: int, budget: float, tmp: Path) -> dict[str, Any]:
    """One long match, ingested event by event through the engine (no subscribers)."""
    store = Store.open(tmp / "ingest.db")
    engine = Engine(store)
    engine.ingest(_decl("long", "Inter", "Milan", "2026-01-20T20:00:00Z"))
    rng = random.Random(5)
    items = [
        _event({"type": "period", "period": "first_half", "minute": 0, "match": "long", "id": "ko"})
    ]
    for i in range(1, events):
        team = rng.choice(("Inter", "Milan"))
        kind = rng.random()
        minute = min(89, 1 + i * 89 // events)
        data: dict[str, Any] = {"match": "long", "id": f"e{i}", "minute": minute, "team": team}
        if kind < 0.05:
            data |= {"type": "goal", "player": f"{team} {rng.randint(1, 9)}"}
        elif kind < 0.5:
            data |= {"type": "save", "player": f"{team} keeper"}
        else:
            data |= {"type": "note", "text": f"pressure {i}"}
        items.append(_event(data))
    started = time.perf_counter()
    done = 0
    for item in items:
        engine.ingest(item)
        done += 1
        if time.perf_counter() - started > budget:
            break
    seconds = time.perf_counter() - started
    store.close()
    if done < len(items):
        return {"ingest_5000_events_seconds": None, "ingest_events_in_budget": done}
    return {"ingest_5000_events_seconds": round(seconds, 2)}


def run_scale(chats: int, subscriptions: int, ingest_budget: float) -> dict[str, Any]:
    logging.basicConfig(level=logging.CRITICAL)
    with tempfile.TemporaryDirectory() as tmp:
        figures = asyncio.run(measure_bot(chats, subscriptions, Path(tmp)))
        figures.update(measure_ingest(5000, ingest_budget, Path(tmp)))
    return figures


def run_p1(chats: int) -> dict[str, float]:
    logging.basicConfig(level=logging.CRITICAL)
    from bench.fanout import measure_matchbot

    return asyncio.run(measure_matchbot(chats, paid=False))


def in_child(fn: Callable[..., Any], *args: Any) -> Any:
    """Each part in a fresh process, so its peak memory is its own."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=100_000, help="chats following the team")
    parser.add_argument(
        "--subscriptions",
        type=int,
        default=0,
        help="subscriptions in all (more chats, each following 4 other teams and competitions);"
        " default: only the chats following the team",
    )
    parser.add_argument(
        "--p1-chats", default="300,2000", help="comma-separated chat counts for p1 (empty: skip)"
    )
    parser.add_argument(
        "--ingest-budget", type=float, default=60.0, help="seconds allowed for the 5,000 events"
    )
    args = parser.parse_args()
    figures: dict[str, Any] = {
        "chats": args.chats,
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
    }
    figures.update(in_child(run_scale, args.chats, args.subscriptions, args.ingest_budget))
    p1: dict[str, Any] = {}
    for chats in [int(c) for c in args.p1_chats.split(",") if c.strip()]:
        result = in_child(run_p1, chats)
        p1[str(chats)] = {"ratio": result.get("rate_ratio"), "violations": result["violations"]}
    if p1:
        figures["p1_ratio"] = min(r["ratio"] or 0.0 for r in p1.values())
        figures["p1_violations"] = sum(r["violations"] for r in p1.values())
        figures["p1_by_chats"] = p1
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
