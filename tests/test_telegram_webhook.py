"""Telegram's webhook mode: updates posted to the bot's own server with the secret token, and the
webhook settings as documented. End to end through ``matchbot run``'s own code path and the fake
Bot API server (tests/support/fakes/telegram_api/).
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import time
from typing import Any

import aiohttp
import pytest

from adapters.telegram.adapter import listen_address, webhook_path, webhook_secret
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import (
    SUBSCRIBED,
    TOKEN,
    Bot,
    no_violations,
)

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("reporters_env")]

FAN = 42  # a private chat following Inter


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def wait_listening(port: int, within: float = 10) -> None:
    deadline = time.monotonic() + within
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)
        else:
            writer.close()
            await writer.wait_closed()
            return


async def test_webhook_mode_takes_updates_posted_with_the_secret(
    bot: Bot, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    # Telegram posts to the public URL; the TLS proxy in front forwards the path unchanged
    public = "https://bot.example.org:8443/matchbot/tg-hook.v1"
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", public)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_LISTEN", f"127.0.0.1:{port}")
    local = f"http://127.0.0.1:{port}/matchbot/tg-hook.v1"
    async with bot.running(), aiohttp.ClientSession() as http:
        (registered,) = await fake.wait_for_call("setWebhook")
        assert registered["url"] == public
        secret = registered["secret_token"]
        assert secret == webhook_secret(TOKEN) and TOKEN not in secret
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret)  # what Telegram accepts
        assert registered["allowed_updates"] == ["message", "channel_post", "callback_query"]
        assert fake.webhook_url == public
        await wait_listening(port)

        async def post(update: dict[str, Any], url: str = local, **headers: str) -> int:
            async with http.post(url, json=update, headers=headers) as response:
                return response.status

        start = fake.user_sends(FAN, "/start")
        header = "X-Telegram-Bot-Api-Secret-Token"
        assert await post(start, **{header: secret}) == 200
        (welcome,) = await fake.wait_for_messages(1, FAN)
        assert welcome["text"].startswith("👋 I post live match alerts")

        # without the secret, or with another one: 403, and nothing is answered
        intruder = fake.user_sends(FAN, "/subscribe Inter")
        assert await post(intruder) == 403
        assert await post(intruder, **{header: "not-the-secret"}) == 403
        # only the URL's path is served
        assert await post(intruder, f"http://127.0.0.1:{port}/other", **{header: secret}) == 404
        assert await post(intruder, f"{local}x", **{header: secret}) == 404
        dot = f"http://127.0.0.1:{port}/matchbot/tg-hookXv1"  # "." is not a wildcard
        assert await post(intruder, dot, **{header: secret}) == 404
        # a post with the secret that is no update: refused, one warning line, no traceback
        caplog.clear()
        assert await post({}, **{header: secret}) == 400
        unread = [r for r in caplog.records if "not an update" in r.getMessage()]
        assert [r.levelname for r in unread] == ["WARNING"] and not unread[0].exc_info
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

        # a button press arrives the same way
        suggest = fake.user_sends(FAN, "/subscribe intr")
        assert await post(suggest, **{header: secret}) == 200
        suggestion = (await fake.wait_for_messages(2, FAN))[1]
        press = fake.user_presses(FAN, suggestion["message_id"], "subscribe:inter")
        assert await post(press, f"{local}/", **{header: secret}) == 200
        assert (await bot.wait_edited(FAN, suggestion["message_id"]))["text"] == SUBSCRIBED
        assert len(fake.callback_answers) == 1
        await asyncio.sleep(0.5)
        assert len(fake.messages(FAN)) == 2

    # the webhook replaced polling, and the server closed with the bot
    assert fake.calls_to("getUpdates") == []
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)
    no_violations(fake)


def test_webhook_settings_are_read_as_documented() -> None:
    assert listen_address("0.0.0.0:8443") == ("0.0.0.0", 8443)
    assert listen_address("127.0.0.1:8080") == ("127.0.0.1", 8080)
    assert listen_address("[::1]:8443") == ("::1", 8443)
    assert listen_address("8443") == ("0.0.0.0", 8443)
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_LISTEN"):
        listen_address("localhost")
    assert webhook_path("https://bot.example.org/telegram/hook") == "telegram/hook"
    assert webhook_path("https://bot.example.org") == ""
    assert re.fullmatch(webhook_path("https://x.org/a+b.c?q=1"), "a+b.c")
