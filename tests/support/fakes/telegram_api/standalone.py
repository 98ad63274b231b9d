"""Run the fake on its own: ``python -m tests.support.fakes.telegram_api --latency-ms 50``."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from tests.support.fakes.telegram_api.fake import FakeTelegram


async def _serve_forever(args: Any) -> None:
    server = FakeTelegram(
        args.token,
        global_per_second=args.global_per_second,
        paid_global_per_second=args.paid_per_second,
        latency=args.latency_ms / 1000.0,
        port=args.port,
    )
    async with server:
        print(f"fake Telegram Bot API at {server.base_url} (token {args.token})", flush=True)
        await asyncio.Event().wait()


def main() -> None:
    """Run the fake on its own: ``python -m tests.support.fakes.telegram_api --latency-ms 50``."""
    import argparse

    parser = argparse.ArgumentParser(description="A fake Telegram Bot API server on 127.0.0.1")
    parser.add_argument("--token", default="123:ABC")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="answer each request after this delay"
    )
    parser.add_argument("--global-per-second", type=int, default=30)
    parser.add_argument("--paid-per-second", type=int, default=1000)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(parser.parse_args()))
