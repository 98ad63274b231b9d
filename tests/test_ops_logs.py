"""``MATCHBOT_LOG_FORMAT=json``: a real ``matchbot run`` process against the fake Bot API, its
stderr read line by line: every line one JSON object with the time, level, logger and message,
the fields of the send and of the match where they apply, and never the token."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.support import prestarted
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import event

pytestmark = pytest.mark.timeout(120)

TOKEN = "424242:JSON-logs-secret-token"
MATCHBOT = [sys.executable, "-m", "adapters.cli", "run"]
CHAT = 4242


def environment(tmp_path: Path, fake: FakeTelegram, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=fake.base_url,
        MATCHBOT_DB=str(tmp_path / "bot.db"),
        MATCHBOT_FEEDS=str(tmp_path / "feed.jsonl"),
        MATCHBOT_RECAP_DELAY="0",
        PTB_TIMEDELTA="true",
        **extra,
    )
    return env


async def test_json_logs_are_one_object_a_line_without_the_token(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.touch()
    log_file = tmp_path / "bot.log"
    async with FakeTelegram(token=TOKEN) as fake:
        env = environment(tmp_path, fake, MATCHBOT_LOG_FORMAT="json", MATCHBOT_LOG_LEVEL="DEBUG")
        with log_file.open("wb") as log:
            proc = await prestarted.start(*MATCHBOT, env=env, cwd=tmp_path, stdout=log, stderr=log)
        try:
            await fake.wait_for_call("setMyCommands", timeout=60)
            fake.user_sends(CHAT, "/subscribe Inter")
            await fake.wait_for_messages(1, CHAT, timeout=30)
            fake.fail_next(CHAT, "server_error", status=502)  # a retry: a warning with fields
            match = "json-m1"
            lines = [
                event(
                    type="match",
                    match=match,
                    competition="Serie A",
                    home="Atalanta",
                    away="Inter",
                    kickoff="2026-01-20T20:00:00Z",
                ),
                event(type="goal", match=match, id="g1", minute=9, team="Inter", player="Lautaro"),
            ]
            feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
            await fake.wait_for_messages(2, CHAT, timeout=30)
        finally:
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), 30) == 0
    text = log_file.read_text(encoding="utf-8")
    assert TOKEN not in text
    records = [json.loads(line) for line in text.splitlines()]  # every line parses
    assert len(records) > 5
    for record in records:
        assert {"time", "level", "logger", "message"} <= record.keys(), record
    goal = [r for r in records if r.get("match_id") == match and r.get("event_id") == "g1"]
    assert goal, "the ingest's line carries the match and event ids"
    failing = [r for r in records if r["level"] == "WARNING" and r.get("chat_id") == str(CHAT)]
    assert failing and failing[0]["platform"] == "telegram" and "outbox_id" in failing[0]
