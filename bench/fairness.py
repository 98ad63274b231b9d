"""Fairness figures: a group's messages per minute, and another chat's alert during a flood.

    python bench/fairness.py                 # both (about 40 s)
    python bench/fairness.py --runs 5        # more flood runs

1. **Group rate.** 60 alerts are queued for each of 3 groups; ``matchbot run``'s own code
   path (run_bot) sends them to the fake Bot API, both on a clock ``--speed`` times faster
   (the fake's limits scaled alike, so every limit is enforced). Printed per group: messages
   in the first minute from its first message, the most in any 60 s, and the fake's
   violations. Goal: 20 (Telegram's limit), no violation.
2. **Flood.** On the real clock: a group and a private chat follow Inter; a member sends 40
   commands into the group in one burst; a goal is appended to the feed at once; another chat
   asks /score. Printed: seconds from the goal line to its alert in the private chat and in
   the flooded group, and from /score to its answer, with and without the flood (the
   reference, same run). Goal: the other chat's alert under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import FastClock
from bot.messages.model import Message, line
from bot.store_contract import NewOutboxRow
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import TOKEN, Bot, derby_feed, event

GROUPS = (-100501, -100502, -100503)
ALERTS = 60
FLOODED, PRIVATE, ASKER, ADMIN, MEMBER = -100600, 601, 602, 7, 8


def queue(bot: Bot) -> None:
    store = bot.store()
    payload = Message(kind="goal", headline=line("alert")).to_json()
    rows = [
        NewOutboxRow(
            key=f"bench:{g}:{i}", platform="telegram", chat_id=str(g), kind="event", payload=payload
        )
        for g in GROUPS
        for i in range(ALERTS)
    ]
    store.enqueue(rows, now=time.time())
    store.db.close()


async def group_rate(speed: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeTelegram(token=TOKEN, hold_after_429=True, time_scale=1 / speed) as fake:
            bot = Bot(fake, Path(tmp), delivery_clock=FastClock(speed))
            queue(bot)
            async with bot.running():
                for g in GROUPS:
                    await fake.wait_for_messages(41, g, timeout=600)
            print(f"group rate (clock {speed:g}x, times on the fake's scaled clock):")
            for g in GROUPS:
                at = [m["received_at"] / fake.time_scale for m in fake.messages(g)]
                first_minute = sum(1 for t in at if t < at[0] + 60.0)
                busiest = max(sum(1 for t in at if s <= t < s + 60.0) for s in at)
                print(
                    f"  group {g}: {first_minute} in its first minute, at most {busiest} in any"
                    f" 60 s ({busiest / 20:.2f} of the limit)"
                )
            print(f"  violations: {len(fake.violations)}")


async def flood_once(tmp: Path, commands: int) -> tuple[float, float, float]:
    async with FakeTelegram(token=TOKEN, hold_after_429=True) as fake:
        bot = Bot(fake, tmp)
        fake.set_member_status(FLOODED, ADMIN, "administrator")
        async with bot.running():
            await bot.subscribe(FLOODED, user_id=ADMIN)
            await bot.subscribe(PRIVATE)
            bot.append(*derby_feed())
            await fake.wait_for_messages(2, PRIVATE, timeout=30)
            await fake.wait_for_messages(2, FLOODED, timeout=30)
            await asyncio.sleep(1.5)  # past each chat's one message a second
            for i in range(commands):
                fake.user_sends(FLOODED, "/score inter" if i % 2 else "/next", user_id=MEMBER)
            start = time.monotonic()
            bot.append(
                event(type="goal", match="inter-milan", id="g1", minute=9, team="Inter", player="X")
            )
            fake.user_sends(ASKER, "/score inter")
            await fake.wait_for_messages(3, PRIVATE, timeout=60)
            await fake.wait_for_messages(1, ASKER, timeout=60)
            while not any("GOAL" in m["text"] for m in fake.messages(FLOODED)):
                await fake.wait_for_messages(len(fake.messages(FLOODED)) + 1, FLOODED, timeout=60)

            def arrival(chat: int, marker: str) -> float:
                return next(m["received_at"] for m in fake.messages(chat) if marker in m["text"])

            private = arrival(PRIVATE, "GOAL") - start
            group = arrival(FLOODED, "GOAL") - start
            asked = fake.messages(ASKER)[0]["received_at"] - start
        if fake.violations:
            print(f"  violations: {fake.violation_counts()}")
    return private, group, asked


async def flood(runs: int) -> None:
    print("flood (real clock, seconds from the goal line / the question):")
    results: dict[int, list[tuple[float, float, float]]] = {0: [], 40: []}
    for i in range(runs):
        for commands in (0, 40):  # the same without a flood: the reference
            with tempfile.TemporaryDirectory() as tmp:
                private, group, asked = await flood_once(Path(tmp), commands)
            results[commands].append((private, group, asked))
            print(
                f"  run {i + 1}, {commands:2d} commands: other chat's alert {private:.3f} s,"
                f" flooded group's alert {group:.3f} s, another chat's /score {asked:.3f} s"
            )
    for commands, rows in results.items():
        print(
            f"  median, {commands:2d} commands: other chat's alert"
            f" {statistics.median(r[0] for r in rows):.3f} s, the group's alert"
            f" {statistics.median(r[1] for r in rows):.3f} s, /score"
            f" {statistics.median(r[2] for r in rows):.3f} s"
        )
    ratio = statistics.median(r[0] for r in results[40]) / statistics.median(
        r[0] for r in results[0]
    )
    print(f"  other chat's alert, flood ÷ no flood: {ratio:.2f} (goal: under 1 s absolute)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--speed", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    asyncio.run(group_rate(args.speed))
    asyncio.run(flood(args.runs))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
