"""The match card: its render time per match and language, and the recap's fan-out to Telegram
with pictures on against off.

    python bench/card.py                 # render times, then 150 chats each way (~25 s)
    python bench/card.py --chats 300     # a longer fan-out
    python bench/card.py --renders 50    # more renders per card

Render time: each card drawn from scratch (no cache) ``--renders`` times; the median and the
slowest, in milliseconds (the goal: under 150 ms per match and language). Fan-out: ``--chats``
private chats follow the bundled sample's home team; the recap (with its picture for the
chats that turned pictures on) goes through matchbot's whole path (engine → SQLite outbox →
delivery → ``TelegramAdapter`` → python-telegram-bot) to the fake Bot API in this process,
which enforces Telegram's 30 messages/s. Printed: messages delivered (a recap with a picture is
a photo plus the rest of its text), seconds, the steady rate after the first second (Telegram's
window lets the first 30 through at once) ÷ 30/s, uploads (a picture sent as a file, not by its
``file_id``), limit violations, and the ratio of the two rates (the goal: the same, since the
picture is uploaded once).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from adapters.assemble import build_bot  # noqa: E402
from adapters.card.render import render_card  # noqa: E402
from adapters.telegram import TelegramAdapter  # noqa: E402
from bot.depth import DepthFanOut  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.feed_format import parse_object  # noqa: E402
from bot.messages import i18n  # noqa: E402
from bot.messages.model import MatchCard  # noqa: E402
from storage.store import Store  # noqa: E402
from tests.support.fakes.telegram_api import FakeTelegram  # noqa: E402

TOKEN = "100000:BENCH-token"
FIRST_CHAT = 20_000_000
SAMPLE = ROOT / "bot" / "data" / "sample-depth.jsonl"
FINAL = ROOT / "tests" / "data" / "world-cup-final.jsonl"
MATCHES = ((SAMPLE, "sample-riverside-harbor"), (FINAL, "wc22-final"))


def cards() -> list[tuple[str, MatchCard]]:
    out = []
    for feed, match in MATCHES:
        engine = Engine(Store.open(":memory:"))
        for raw in feed.read_text("utf-8").splitlines():
            if raw.strip():
                engine.ingest(parse_object(json.loads(raw)))
        state = engine.state(match)
        assert state is not None
        for lang in ("en", "it"):
            with i18n.use(lang):
                card = DepthFanOut(engine, state.fixture).card(
                    state, engine.stored_data(match), None
                )
            out.append((f"{match} ({lang})", card))
    return out


def render_times(renders: int) -> None:
    for name, card in cards():
        render_card(card)  # fonts loaded once, as in a running bot
        times = []
        for _ in range(renders):
            started = time.perf_counter()
            render_card(card)
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"render {name}: median {statistics.median(times):.1f} ms,"
            f" slowest {max(times):.1f} ms ({renders} renders)"
        )


async def fan_out(chats: int, pictures: bool) -> dict[str, float]:
    lines = SAMPLE.read_text("utf-8").splitlines()
    async with FakeTelegram(token=TOKEN) as fake:
        with tempfile.TemporaryDirectory() as tmp:
            adapter = TelegramAdapter(TOKEN, base_url=fake.base_url)
            bot = build_bot(Path(tmp) / "bench.db", [adapter], recap_delay=None)
            await bot.start()
            try:
                await bot.ingest(parse_object(json.loads(lines[0])))

                def subscribe(store: Store) -> None:
                    row = store.match("sample-riverside-harbor")
                    assert row is not None
                    settings = {"pictures": "on" if pictures else "off"}
                    with store.atomic():
                        for chat in range(FIRST_CHAT, FIRST_CHAT + chats):
                            store.ensure_chat("telegram", str(chat), None, "private")
                            store.set_chat_settings("telegram", str(chat), settings)
                            store.subscribe("telegram", str(chat), row["home_team"])

                for raw in lines[1:]:  # the match, before anyone follows it
                    await bot.ingest(parse_object(json.loads(raw)))
                await bot.db.call(subscribe)
                before = len(fake.messages())
                started = time.monotonic()
                await bot.db.call(lambda s: bot.engine.queue_recap("sample-riverside-harbor"))
                bot.wake()
                per_chat = 2 if pictures else 1
                wanted = before + chats * per_chat
                await fake.wait_for_messages(wanted, timeout=chats * per_chat / 30 * 2 + 30)
                seconds = time.monotonic() - started
            finally:
                await bot.stop()
        recaps = fake.messages()[before:]
        uploads = sum(1 for m in recaps if m.get("uploaded"))
        violations = len(fake.violations)
    # the steady rate: Telegram's window lets the first second's 30 through at once
    arrivals = sorted(m["received_at"] for m in recaps)
    steady = [t for t in arrivals if t >= arrivals[0] + 1.0]
    rate = len(steady) / (arrivals[-1] - arrivals[0] - 1.0) if len(steady) > 1 else 0.0
    return {
        "delivered": len(recaps),
        "seconds": round(seconds, 2),
        "rate/limit": round(rate / 30, 3),
        "uploads": uploads,
        "violations": violations,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=150)
    parser.add_argument("--renders", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    render_times(args.renders)
    off = asyncio.run(fan_out(args.chats, pictures=False))
    print(f"recap to {args.chats} chats, pictures off: {off}")
    on = asyncio.run(fan_out(args.chats, pictures=True))
    print(f"recap to {args.chats} chats, pictures on:  {on}")
    print(f"fan-out ratio, pictures on ÷ off: {on['rate/limit'] / off['rate/limit']:.3f}")


if __name__ == "__main__":
    main()
