"""Discord start-up failures end like Telegram's: one clean line naming the problem, never the
token, and exit status 2 — whether Discord's REST API or its gateway cannot be reached."""

from __future__ import annotations

import logging
import os
import socket
import sys
from pathlib import Path

import pytest

from adapters.discord import DiscordAdapter
from bot.messages.model import Message, line
from bot.ports import CommandContext, StartupError
from tests.support import prestarted
from tests.support.fakes.discord_api import FakeDiscord

pytestmark = pytest.mark.timeout(90)

#: how long the gateway test waits for a gateway that never answers
READY_TIMEOUT = 0.2
SECRET = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.not-a-real-discord-token-value"


def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Core:
    async def command(
        self, ctx: CommandContext, name: str, args: str, reply_key: str | None = None
    ) -> Message:
        return Message(kind="reply", headline=line(name))

    async def press(
        self,
        ctx: CommandContext,
        action: str,
        reply_key: str | None = None,
        pressed_message_id: str | None = None,
    ) -> Message:
        return Message(kind="reply", headline=line(action))

    async def chat_gone(self, platform: str, chat_id: str) -> None:
        return None

    async def team_names(self, typed: str, limit: int = 25) -> list[str]:
        return []


def test_discord_unreachable_is_one_clean_line_and_exit_2(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{closed_port()}/api/v10"
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    env.update(
        DISCORD_BOT_TOKEN=SECRET,
        DISCORD_BASE_URL=base,
        MATCHBOT_DB=str(tmp_path / "bot.db"),
        MATCHBOT_LOG_LEVEL="INFO",
    )
    done = prestarted.run(
        [sys.executable, "-m", "adapters.cli", "run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert "not-a-real" not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "CRITICAL" not in done.stderr, done.stderr
    problems = [ln for ln in done.stderr.splitlines() if " ERROR " in ln or "WARNING" in ln]
    assert len(problems) == 1, done.stderr
    assert f"ERROR matchbot: cannot start: cannot reach Discord at {base}: " in problems[0]
    assert "Cannot connect to host 127.0.0.1" in problems[0]


async def test_a_gateway_that_never_answers_is_a_startup_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """REST answers, the gateway it names is unreachable: no hang, a clear StartupError."""
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.05)
    monkeypatch.setattr(DiscordAdapter, "ready_timeout", READY_TIMEOUT)
    monkeypatch.setattr(
        FakeDiscord, "gateway_url", property(lambda self: f"ws://127.0.0.1:{closed_port()}/gw")
    )
    async with FakeDiscord() as dc:
        adapter = DiscordAdapter(dc.token)
        with pytest.raises(StartupError, match="Discord's gateway") as info:
            await adapter.start(Core())
    assert str(info.value) in (
        "cannot connect to Discord's gateway: no connection",
        f"Discord's gateway was not ready after {READY_TIMEOUT:g}s"
        f" (is Discord reachable from here? REST: {dc.api_base})",
    )
    assert dc.token not in str(info.value)
    assert adapter.client is not None and adapter.client.is_closed()


async def test_discord_reconnect_attempts_are_one_warning_line(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """discord.py logs a gateway reconnect (and a shard's failed first connection) with a full
    traceback at ERROR; the client's filter on discord.py's own loggers makes it one line."""
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.05)  # not the 2 s default
    async with FakeDiscord() as dc:
        adapter = DiscordAdapter(dc.token)
        await adapter.start(Core())
        try:
            caplog.set_level(logging.INFO)
            for logger, text in (
                ("discord.client", "Attempting a reconnect in %.2fs"),
                ("discord.shard", "Failed to connect for shard_id: %s. Retrying in %.2fs"),
            ):
                try:
                    raise OSError("Connect call failed")
                except OSError:  # as discord.py logs it
                    args = (1.5,) if logger == "discord.client" else (0, 1.5)
                    logging.getLogger(logger).exception(text, *args)
        finally:
            await adapter.stop()
    lines = [r for r in caplog.records if r.name in ("discord.client", "discord.shard")]
    lines = [r for r in lines if "Connect call failed" in r.getMessage()]
    assert [r.getMessage() for r in lines] == [
        "Attempting a reconnect in 1.50s (OSError: Connect call failed)",
        "Failed to connect for shard_id: 0. Retrying in 1.50s (OSError: Connect call failed)",
    ]
    assert all(r.exc_info is None and r.levelname == "WARNING" for r in lines)


async def test_discord_server_errors_at_log_in_are_a_startup_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async with FakeDiscord() as dc:
        monkeypatch.setattr("discord.http.Route.BASE", f"http://127.0.0.1:{dc.port}/nothing")
        with pytest.raises(StartupError, match=r"cannot reach Discord at .*/nothing: HTTP 404"):
            await DiscordAdapter(dc.token).start(Core())
