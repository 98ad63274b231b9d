"""Faults told once: a real ``matchbot run`` process against the fake Bot API when Telegram
rejects the token mid-run (it stops with one line naming the variable, exit status 2), and
when a proxy in front of Telegram answers a burst of HTML 502 pages (one warning line, no
traceback, the failures counted)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.support import prestarted
from tests.support.core import until
from tests.support.fakes.provider_api import FakeProvider
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.outage_proxy import OutageProxy
from tests.support.telegram import TOKEN as E2E_TOKEN
from tests.support.telegram import Bot, clean_telegram_env, event
from tests.test_ops_endpoint import follow_inter, free_port, get

pytestmark = pytest.mark.timeout(120)

TOKEN = "515151:FAULTS-secret-token"
MATCHBOT = [sys.executable, "-m", "adapters.cli", "run"]
CHAT = 5151


def environment(tmp_path: Path, base_url: str, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith(("_TOKEN", "_KEY")) and not k.startswith("MATCHBOT_")
    }
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=base_url,
        MATCHBOT_DB=str(tmp_path / "bot.db"),
        MATCHBOT_FEEDS=str(tmp_path / "feed.jsonl"),
        MATCHBOT_RECAP_DELAY="0",
        PTB_TIMEDELTA="true",
        **extra,
    )
    return env


def goal_lines(match: str, *goals: str) -> str:
    lines = [
        event(
            type="match",
            match=match,
            competition="Serie A",
            home="Atalanta",
            away="Inter",
            kickoff="2026-01-20T20:00:00Z",
        )
    ]
    lines += [
        event(type="goal", match=match, id=g, minute=9 + i, team="Inter", player="Lautaro")
        for i, g in enumerate(goals)
    ]
    return "\n".join(lines) + "\n"


async def start(tmp_path: Path, env: dict[str, str]) -> prestarted.Process:
    (tmp_path / "feed.jsonl").touch()
    with (tmp_path / "bot.log").open("wb") as log:
        return await prestarted.start(*MATCHBOT, env=env, cwd=tmp_path, stdout=log, stderr=log)


def read_log(tmp_path: Path) -> str:
    return (tmp_path / "bot.log").read_text(encoding="utf-8")


async def test_a_token_revoked_mid_run_ends_it_with_one_line_naming_the_variable(
    tmp_path: Path,
) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        proc = await start(tmp_path, environment(tmp_path, fake.base_url))
        try:
            await fake.wait_for_call("setMyCommands", timeout=60)
            fake.user_sends(CHAT, "/subscribe Inter")
            await fake.wait_for_messages(1, CHAT, timeout=30)
            fake.token = "515151:a-new-token-after-a-revoke"  # every request now gets 401
            (tmp_path / "feed.jsonl").write_text(goal_lines("rev-m1", "g1"), encoding="utf-8")
            fake.user_sends(CHAT, "/score")  # the long poll returns; the next one gets 401
            code = await asyncio.wait_for(proc.wait(), 60)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    text = read_log(tmp_path)
    assert code == 2, text
    assert TOKEN not in text
    assert "Traceback" not in text
    errors = [line for line in text.splitlines() if " ERROR " in line or " CRITICAL " in line]
    assert len(errors) == 1, text
    assert "stopped: Telegram rejected TELEGRAM_BOT_TOKEN" in errors[0]


async def test_a_burst_of_html_502_pages_is_one_warning_line_and_counted(tmp_path: Path) -> None:
    chats = range(9_100_000, 9_100_030)
    follow_inter(tmp_path / "bot.db", chats)
    port = free_port()
    async with (
        FakeTelegram(token=TOKEN) as fake,
        OutageProxy(f"http://127.0.0.1:{fake.port}") as proxy,
    ):
        env = environment(
            tmp_path, f"{proxy.url}/bot", MATCHBOT_METRICS_PORT=str(port), MATCHBOT_LOG_LEVEL="INFO"
        )
        proc = await start(tmp_path, env)
        try:
            await until(lambda: bool(fake.calls_to("getUpdates")), timeout=60)  # started
            proxy.mode = "html_502"
            (tmp_path / "feed.jsonl").write_text(goal_lines("html-m1", "g1"), encoding="utf-8")
            deadline = asyncio.get_running_loop().time() + 30
            while proxy.refused < 60 and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.05)
            assert proxy.refused >= 60, "the burst never happened"
            _, metrics_text = await get(port, "/metrics")
            proxy.mode = "pass"
            await fake.wait_for_messages(len(chats), timeout=90)
        finally:
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), 30) == 0
    text = read_log(tmp_path)
    assert "Traceback" not in text
    assert "<html>" not in text
    warnings = [line for line in text.splitlines() if " WARNING " in line]
    failing = [line for line in warnings if "telegram sends failing: Bad Gateway (502)" in line]
    assert len(failing) == 1, "\n".join(warnings)
    assert len(warnings) <= 4, "\n".join(warnings)  # not one a failed send
    assert any("telegram sends work again" in line for line in text.splitlines())
    counted = [
        float(line.rsplit(" ", 1)[1])
        for line in metrics_text.splitlines()
        if line.startswith('matchbot_passing_failures_total{where="telegram sends"}')
    ]
    assert counted and counted[0] >= 10


ADMIN = -1009999


async def test_a_wrong_provider_key_is_told_once_backs_off_and_reaches_the_admin_chat(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_telegram_env(monkeypatch)
    caplog.set_level(logging.DEBUG)
    port = free_port()
    async with (
        FakeTelegram(token=E2E_TOKEN) as fake,
        FakeProvider.api_football(key="the-right-key") as provider,
    ):
        bot = Bot(
            fake,
            tmp_path,
            metrics_port=port,
            admin_chat=str(ADMIN),
            api_football_key="a-wrong-key-123",
            api_football_base_url=provider.base_url,
        )
        async with bot.running():
            started = await fake.wait_for_messages(1, ADMIN, timeout=20)
            assert started[0]["text"] == "🟢 matchbot: started (telegram)"
            await bot.subscribe(31, "Inter")
            await bot.subscribe(32, "Milan")
            told = await fake.wait_for_messages(2, ADMIN, timeout=20)
            assert told[1]["text"].startswith("⚠️ matchbot: API-Football rejected API_FOOTBALL_KEY")
            _, metrics_text = await get(port, "/metrics")
            assert 'matchbot_fault{fault="API_FOOTBALL_KEY"} 1.0' in metrics_text
            assert 'outcome="key_rejected",provider="API-Football"' in metrics_text
        stopped = await fake.wait_for_messages(3, ADMIN, timeout=20)
        assert stopped[2]["text"] == "⏹ matchbot: stopping"
    assert "a-wrong-key-123" not in caplog.text
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].getMessage().startswith("API-Football rejected API_FOOTBALL_KEY (API key")
    retries = [r.getMessage() for r in caplog.records if "trying again in" in r.getMessage()]
    assert retries and all("trying again in 600s" in m for m in retries), retries
    assert len(fake.messages(ADMIN)) == 3  # start, the fault once, stop


async def test_a_discord_token_reset_mid_run_ends_it_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.ports import Fatal
    from tests.test_discord_e2e import ALERTS, match_lines, start_running

    with pytest.raises(Fatal) as stopped:
        async with start_running(tmp_path, monkeypatch, 100.0) as running:
            await running.slash("subscribe", {"name": "Inter"}, channel=ALERTS)
            token = running.dc.token
            running.dc.token = "reset-in-the-developer-portal"  # every REST request: 401
            running.feed_in(
                match_lines(
                    "dc-rev", {"type": "period", "id": "p1", "minute": 0, "period": "first_half"}
                )
            )
            await asyncio.wait_for(asyncio.shield(running.task), 30)  # it ends by itself
    assert str(stopped.value).startswith("Discord rejected DISCORD_BOT_TOKEN (401 Unauthorized)")
    assert token not in caplog.text
    assert "Traceback" not in caplog.text
