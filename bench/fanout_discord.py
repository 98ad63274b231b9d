"""Fan-out benchmark, Discord mode: one goal to N channels through the real engine, outbox,
delivery loop, DiscordAdapter and discord.py client, against the fake Discord enforcing its
global limit (50 requests/s by default) and its per-channel buckets.

Run from the repository root::

    python -m bench.fanout_discord --chats 500

Discord counts *every* REST request against the global limit, not only messages, and discord.py
only reacts once Discord answered a global 429; the adapter therefore never has more than the
limit in flight or answered within the last second, every REST request of its client counted
(:mod:`adapters.discord.window`). ``violations`` counts the 429s the fake had to give (it
should be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import tempfile
import time
from pathlib import Path

from adapters.assemble import build_bot
from adapters.discord import DiscordAdapter
from bench.scenario import goal_feed
from storage.store import Store
from tests.support.fakes.discord_api import FakeChannel, FakeDiscord, FakeGuild

#: Discord allows 500 channels in a server.
CHANNELS_PER_GUILD = 500


def _guilds(chats: int) -> list[FakeGuild]:
    guilds = []
    base = 700_000_000_000_000_000
    for g in range(0, chats, CHANNELS_PER_GUILD):
        gid = base + g * 1000
        count = min(CHANNELS_PER_GUILD, chats - g)
        channels = [FakeChannel(id=gid + 1 + i, name=f"alerts-{g + i}") for i in range(count)]
        guilds.append(FakeGuild(id=gid, name=f"bench {g // CHANNELS_PER_GUILD}", channels=channels))
    return guilds


async def measure(chats: int, per_second: float = 50.0) -> dict[str, float]:
    """Deliver one goal alert to ``chats`` channels; return the figures.

    ``delivered`` messages, ``seconds`` from ingest to the last message, ``rate_ratio`` (achieved
    messages/s ÷ ``per_second``), ``first_s`` / ``last_s`` (ingest → first / last message),
    ``violations`` (429s the fake gave) and ``peak_mem_mb`` (the process's peak RSS, fake
    included).
    """
    guilds = _guilds(chats)
    channel_ids = [c.id for g in guilds for c in g.channels]
    async with FakeDiscord(guilds=guilds, global_rate_limit=int(per_second)) as dc:
        with tempfile.TemporaryDirectory() as tmp:
            adapter = DiscordAdapter(dc.token, requests_per_second=int(per_second))
            adapter.guild_ready_timeout = 0.1
            bot = build_bot(Path(tmp) / "bench.db", [adapter], recap_delay=None)
            await bot.start()
            try:
                decl, goal = goal_feed()
                await bot.ingest(decl)

                def subscribe(store: Store) -> None:
                    with store.atomic():
                        for cid in channel_ids:
                            store.ensure_chat("discord", str(cid), f"alerts {cid}", "group")
                            store.subscribe("discord", str(cid), "inter")

                await bot.db.call(subscribe)
                started = time.time()
                await bot.ingest(goal)
                limit = chats / per_second * 3 + 30
                await dc.wait_for(chats, timeout=limit)
                sent = dc.messages()
                first = min(m.created_at for m in sent) - started
                last = max(m.created_at for m in sent) - started
                delivered = len(sent)
                return {
                    "delivered": float(delivered),
                    "seconds": round(last, 3),
                    "rate_ratio": round(delivered / last / per_second, 3) if last > 0 else 0.0,
                    "first_s": round(first, 3),
                    "last_s": round(last, 3),
                    "violations": float(len(dc.violations)),
                    "peak_mem_mb": round(
                        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                    ),
                }
            finally:
                await bot.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=500, help="channels following the team")
    parser.add_argument(
        "--per-second", type=float, default=50.0, help="the fake's global limit (requests/s)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    figures = asyncio.run(measure(args.chats, args.per_second))
    print(f"discord fan-out to {args.chats} channels (global limit {args.per_second:g}/s)")
    for name, value in figures.items():
        print(f"  {name:12} {value:g}")


if __name__ == "__main__":
    main()
