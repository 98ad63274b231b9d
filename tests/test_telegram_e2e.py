"""End to end on Telegram: ``matchbot run``'s own code path, the real python-telegram-bot, and
the fake Bot API server enforcing Telegram's flood limits (tests/support/fakes/telegram_api/).

Every test ends by checking the server saw no flood-control violation.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import adapters.telegram.adapter as telegram_adapter
from adapters.console.replay import seed_lines
from bot.clock import FastClock
from bot.command_catalogue import menu as catalogue_menu
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import (
    SUBSCRIBED,
    Bot,
    clean_telegram_env,
    derby_feed,
    event,
    no_violations,
)

pytestmark = pytest.mark.timeout(60)

#: The bot's delivery and the fake's limits run this many times faster than real time.
SPEED = 100.0
ALICE = 42  # private chat, subscribes by name
BOB = 43  # private chat, subscribes through a suggestion button
GROUP = -1001234567  # a supergroup
ADMIN, MEMBER = 7, 8
MATCH = "serie-a-2025-26-atalanta-inter"

KICKOFF = "🟢 Kick-off: Atalanta v Inter\n\nSerie A · Matchday 17 · Bergamo · 28 Dec 2025"
DISALLOWED_INTER = (
    "❌ Goal disallowed — Inter\n\n"
    "~38' Goal ruled out for offside, in the build-up. Still Atalanta 0-0 Inter"
)
HALF_TIME = "⏸ Half-time: Atalanta 0-0 Inter"
SECOND_HALF = "▶️ Second half under way: Atalanta 0-0 Inter"
DISALLOWED_ATALANTA = (
    "❌ Goal disallowed — Atalanta\n\n"
    "~50' Charles De Ketelaere's goal ruled out for offside. Still Atalanta 0-0 Inter"
)
GOAL = (
    "⚽ GOAL! Atalanta 0-1 Inter\n\n"
    "65' Lautaro Martínez scores for Inter (assist: Francesco Pio Esposito)\n"
    "Inter lead 1-0"
)
FULL_TIME = "🏁 Full-time: Atalanta 0-1 Inter"
ALERTS = [
    KICKOFF,
    DISALLOWED_INTER,
    HALF_TIME,
    SECOND_HALF,
    DISALLOWED_ATALANTA,
    GOAL,
    FULL_TIME,
]


# ----------------------------------------------------------------------------- harness


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail loudly if anything tries to reach a non-loopback address; no stray tokens."""
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    clean_telegram_env(monkeypatch)
    yield


def seed_feed() -> list[str]:
    """The bundled match with the quotes before the full-time line, so the recap (queued at
    full time, MATCHBOT_RECAP_DELAY=0) carries all of them whatever the timing."""
    lines = seed_lines()
    full_time = next(i for i, line in enumerate(lines) if '"full_time"' in line)
    return lines[:full_time] + lines[full_time + 1 :] + [lines[full_time]]


# ----------------------------------------------------------------------------- the tests


async def test_commands_alerts_and_recap_reach_the_right_chats_in_order(
    bot: Bot, fake: FakeTelegram
) -> None:
    fake.set_chat(GROUP, "supergroup", title="Nerazzurri <fans> & friends")
    fake.set_member_status(GROUP, ADMIN, "administrator")
    async with bot.running():
        # the command menu is registered at start-up
        menu = fake.get_commands()
        assert menu is not None
        names = [c["command"] for c in menu]
        assert names == [c.name for c in catalogue_menu("telegram")] and names[0] == "start"
        assert {"subscribe", "unsubscribe", "score", "help"} <= set(names)
        await fake.wait_for_call("setMyCommands", 2)
        italian = fake.get_commands(language_code="it")
        assert italian is not None
        assert [c["command"] for c in italian] == [
            c.name_in("it") for c in catalogue_menu("telegram")
        ]
        assert italian[0]["description"] == "benvenuto, e come iniziare"

        fake.user_sends(ALICE, "/subscribe Inter")
        fake.user_sends(BOB, "/subscribe intr")
        fake.user_sends(GROUP, "/subscribe@MatchBot Inter", user_id=ADMIN)
        assert await bot.wait_texts(ALICE, 1) == [SUBSCRIBED]

        # an unknown team: the best matches as buttons; pressing one subscribes
        (suggestion,) = await fake.wait_for_messages(1, BOB)
        assert suggestion["text"] == "I don't know a team called “intr”.\n\nDid you mean: Inter?"
        keyboard = suggestion["reply_markup"]["inline_keyboard"]
        assert keyboard == [[{"text": "Inter", "callback_data": "subscribe:inter"}]]
        fake.user_presses(BOB, suggestion["message_id"], "subscribe:inter")
        # the choice replaces the question: no stale buttons left under it
        answered = await bot.wait_edited(BOB, suggestion["message_id"])
        assert answered["text"] == SUBSCRIBED and not answered["reply_markup"]
        assert bot.texts(BOB) == [SUBSCRIBED]
        assert [a["query"]["data"] for a in fake.callback_answers] == ["subscribe:inter"]

        # groups: only administrators change subscriptions; /cmd@OtherBot is not ours
        assert await bot.wait_texts(GROUP, 1) == [SUBSCRIBED]
        fake.user_sends(GROUP, "/unsubscribe Inter", user_id=MEMBER)
        fake.user_sends(GROUP, "/score@OtherBot", user_id=MEMBER)
        fake.user_sends(GROUP, "/score@MatchBot", user_id=MEMBER)
        assert (await bot.wait_texts(GROUP, 3))[1:] == [
            "Only the chat's admins can change what this chat follows.",
            "Inter: no match in my data yet.",
        ]
        fake.user_sends(ALICE, "/frobnicate")
        fake.user_sends(ALICE, "/score")
        assert (await bot.wait_texts(ALICE, 3))[1:] == [
            "I don't know /frobnicate. Try /help.",
            "Inter: no match in my data yet.",
        ]

        bot.append(*seed_feed())
        for chat, replies in ((ALICE, 3), (BOB, 1), (GROUP, 3)):
            await bot.wait_texts(chat, replies + len(ALERTS) + 1)

        assert bot.texts(ALICE)[3:-1] == ALERTS
        assert bot.texts(BOB)[1:-1] == ALERTS
        assert bot.texts(GROUP)[3:-1] == ALERTS
        for chat in (ALICE, BOB, GROUP):
            recap = bot.texts(chat)[-1]
            assert recap.startswith("🏁 Atalanta 0-1 Inter\n\nSerie A · Matchday 17")
            assert "⚽ Goals\n65' Lautaro Martínez — Inter (assist: Francesco Pio Esposito)" in (
                recap
            )
            assert (
                "Cristian Chivu (Inter coach): “We faced a great Atalanta side in Bergamo," in recap
            )
            assert "Raffaele Palladino (Atalanta coach): “It is difficult to accept" in recap
        # eight messages to one chat, one a second: the chats were served side by side (each
        # chat had its first alert before any chat had its last)
        arrived = [(m["chat_id"], m["text"]) for m in fake.messages()]
        firsts = [arrived.index((chat, ALERTS[0])) for chat in (ALICE, BOB, GROUP)]
        lasts = [arrived.index((chat, ALERTS[-1])) for chat in (ALICE, BOB, GROUP)]
        assert max(firsts) < min(lasts)

        # what went over the wire: HTML, no link previews, entities parsed by "Telegram"
        goal = next(m for m in fake.messages(ALICE) if m["text"] == GOAL)
        assert goal["parse_mode"] == "HTML"
        assert goal["link_preview_options"] == {"is_disabled": True}
        assert goal["html"].startswith("<b>⚽ GOAL! Atalanta 0-1 Inter</b>")
        assert {"type": "bold", "offset": 0, "length": 26} in goal["entities"]

        fake.user_sends(ALICE, "/score")
        last = await bot.wait_texts(ALICE, 12)
        assert last[-1] == "FT  Atalanta 0-1 Inter, Serie A · Matchday 17 · Bergamo · 28 Dec 2025"
    no_violations(fake)


async def test_a_cancelled_goal_edits_the_original_alert(bot: Bot, fake: FakeTelegram) -> None:
    async with bot.running():
        await bot.subscribe(ALICE)
        bot.append(*derby_feed())
        bot.append(
            event(
                type="goal",
                match="inter-milan",
                id="g1",
                minute=12,
                team="Inter",
                player="Marcus Thuram",
            )
        )
        texts = await bot.wait_texts(ALICE, 3)
        assert texts[2] == (
            "⚽ GOAL! Inter 1-0 Milan\n\n12' Marcus Thuram scores for Inter\nInter lead 1-0"
        )
        goal_id = fake.messages(ALICE)[2]["message_id"]

        bot.append(
            event(
                type="goal_cancelled",
                match="inter-milan",
                id="c1",
                minute=14,
                team="Inter",
                ref="g1",
                reason="offside",
            )
        )
        await fake.wait_for_call("editMessageText")
        for _ in range(50):
            if fake.edits:
                break
            await asyncio.sleep(0.1)
        (edit,) = fake.edits
        assert edit["chat_id"] == ALICE and edit["message_id"] == goal_id
        corrected = edit["text"]
        head, body = corrected.split("\n\n")
        assert head == "⚽ GOAL cancelled by VAR (offside) — Inter 0-0 Milan"
        assert "Marcus Thuram" in body and body.endswith("\nScore: Inter 0-0 Milan")
        assert edit["old_text"] == texts[2]
        assert {"type": "strikethrough", "offset": 2, "length": 4} in edit["entities"]
        # edited in place: no new message, and the chat shows the corrected score
        await asyncio.sleep(1.2)
        assert bot.texts(ALICE) == [*texts[:2], corrected]
        fake.user_sends(ALICE, "/score")
        assert (await bot.wait_texts(ALICE, 4))[-1].startswith("🔴 LIVE 1st half  Inter 0-0 Milan")
    no_violations(fake)


@pytest.mark.parametrize("paid", [False, True], ids=["ptb", "paid-bulk"])
async def test_each_telegram_error_is_handled_as_telegram_defines_it(
    fake: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paid: bool
) -> None:
    """The same handling on python-telegram-bot's path and on the paid-broadcast bulk path."""
    bot = Bot(fake, tmp_path, delivery_clock=FastClock(SPEED), telegram_paid_broadcast=paid)
    monkeypatch.setattr(telegram_adapter, "REQUEST_TIMEOUT", 1.0)
    slow, blocked, gone, flaky, timeout = 51, 52, 53, 54, 55
    group = -4242
    fake.set_member_status(group, ADMIN, "administrator")
    async with bot.running():
        for chat in (ALICE, slow, blocked, gone, flaky, timeout):
            fake.user_sends(chat, "/subscribe Inter")
        fake.user_sends(group, "/subscribe Inter", user_id=ADMIN)
        for chat in (ALICE, slow, blocked, gone, flaky, timeout, group):
            assert await bot.wait_texts(chat, 1) == [SUBSCRIBED]

        fake.fail_next(slow, "retry_after", retry_after=3)
        fake.block(blocked)
        fake.fail_next(gone, "chat_not_found", count=10)
        new_group = fake.migrate(group)
        fake.fail_next(flaky, "server_error", count=2, status=502)
        fake.fail_next(timeout, "timeout", delay=2.0)
        bot.append(*derby_feed())
        bot.append(
            event(
                type="goal",
                match="inter-milan",
                id="g1",
                minute=3,
                team="Inter",
                player="Marcus Thuram",
            )
        )
        kickoff = "🟢 Kick-off: Inter v Milan\n\nSerie A · 1 Feb 2026"
        goal = "⚽ GOAL! Inter 1-0 Milan\n\n3' Marcus Thuram scores for Inter\nInter lead 1-0"

        # a healthy chat is not held up by the others' trouble
        assert (await bot.wait_texts(ALICE, 3))[1:] == [kickoff, goal]
        # RetryAfter: that chat waits retry_after (the fake refuses anything sooner, see
        # no_violations below), then the same row goes out, order kept
        assert (await bot.wait_texts(slow, 3))[1:] == [kickoff, goal]
        arrived = [(m["chat_id"], m["text"]) for m in fake.messages()]
        assert arrived.index((ALICE, goal)) < arrived.index((slow, kickoff))
        _, first_try, retried, _ = [p for p in fake.calls_to("sendMessage") if p["chat_id"] == slow]
        assert first_try["text"] == retried["text"]
        assert [e[2] for e in fake.errors if e[1].get("chat_id") == slow] == [429]
        # 5xx and timeouts: retried with backoff until delivered
        assert (await bot.wait_texts(flaky, 3))[1:] == [kickoff, goal]
        assert (await bot.wait_texts(timeout, 3))[1:] == [kickoff, goal]
        # ChatMigrated: the subscription moves and the message is resent to the new id
        assert (await bot.wait_texts(new_group, 2)) == [kickoff, goal]
        # Forbidden and "chat not found": the chat is switched off after one attempt
        assert bot.texts(blocked) == [SUBSCRIBED]
        assert bot.texts(gone) == [SUBSCRIBED]

        bot.append(
            event(type="period", match="inter-milan", id="p2", minute=45, period="half_time")
        )
        half_time = "⏸ Half-time: Inter 1-0 Milan"
        for chat in (ALICE, slow, flaky, timeout):
            assert (await bot.wait_texts(chat, 4))[-1] == half_time
        assert (await bot.wait_texts(new_group, 3))[-1] == half_time
        await asyncio.sleep(0.5)
        sends = fake.calls_to("sendMessage")
        assert sum(1 for p in sends if p["chat_id"] == blocked) == 2  # reply + one alert
        assert sum(1 for p in sends if p["chat_id"] == gone) == 2
        assert sum(1 for p in sends if p["chat_id"] == group) == 2  # reply + the moved alert

    store = bot.store()
    try:
        chats = {(r["chat_id"], r["active"]) for r in store.db.query("SELECT * FROM chats")}
        assert (str(blocked), 0) in chats and (str(gone), 0) in chats
        assert (str(group), 0) in chats and (str(new_group), 1) in chats
        assert [t["name"] for t in store.followed_teams("telegram", str(new_group))] == ["Inter"]
        assert store.followed_teams("telegram", str(group)) == []
        assert store.outbox_counts().get("pending", 0) == 0
    finally:
        store.close()
    no_violations(fake)


async def test_rows_unsent_at_shutdown_go_out_once_at_the_next_start(
    bot: Bot, fake: FakeTelegram
) -> None:
    async with bot.running():
        await bot.subscribe(ALICE)
        await bot.subscribe(BOB)
        # a hold that outlasts this run: 200 s on the tests' clock, 2 real seconds
        fake.fail_next(BOB, "retry_after", retry_after=200)
        bot.append(*derby_feed())
        kickoff = "🟢 Kick-off: Inter v Milan\n\nSerie A · 1 Feb 2026"
        assert (await bot.wait_texts(ALICE, 2))[-1] == kickoff
        for _ in range(50):
            if any(e[1].get("chat_id") == BOB and e[2] == 429 for e in fake.errors):
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the 429 never came")
    assert bot.texts(BOB) == [SUBSCRIBED]
    store = bot.store()
    try:
        pending = [r for r in store.outbox_rows("telegram") if r["status"] == "pending"]
        assert [(r["chat_id"], r["kind"]) for r in pending] == [(str(BOB), "alert")]
    finally:
        store.close()

    async with bot.running():
        assert (await bot.wait_texts(BOB, 2)) == [SUBSCRIBED, kickoff]
        # nothing else comes: every row went out exactly once (0.5 s: 50 s on delivery's clock)
        await asyncio.sleep(0.5)
    assert bot.texts(BOB) == [SUBSCRIBED, kickoff]
    assert bot.texts(ALICE) == [SUBSCRIBED, kickoff]
    no_violations(fake)


async def test_retry_after_holds_the_whole_chat_replies_included(
    bot: Bot, fake: FakeTelegram
) -> None:
    """Telegram's ``retry after N`` is about the chat: its answer to a command typed during the
    hold waits too (the fake refuses, and records, anything sent to the chat within N s)."""
    async with bot.running():
        await bot.subscribe(BOB)
        # 200 s on the tests' clock: 2 real seconds, time for /score to be typed meanwhile
        fake.fail_next(BOB, "retry_after", retry_after=200)
        bot.append(*derby_feed())
        for _ in range(100):
            if any(e[1].get("chat_id") == BOB and e[2] == 429 for e in fake.errors):
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the 429 never came")
        fake.user_sends(BOB, "/score")
        # after the hold both go out (the answer has its own lane: either may be first)
        kickoff, answer = sorted((await bot.wait_texts(BOB, 3))[1:], key=lambda t: "LIVE" in t)
        assert kickoff == "🟢 Kick-off: Inter v Milan\n\nSerie A · 1 Feb 2026"
        assert answer.startswith("🔴 LIVE") and "Inter 0-0 Milan" in answer
        refused = [e for e in fake.errors if e[1].get("chat_id") == BOB]
        assert [e[2] for e in refused] == [429], [
            (e[1].get("text"), e[3]) for e in refused
        ]  # nothing was sent to BOB during the hold
    no_violations(fake)


async def test_a_private_chat_speaks_the_users_language(bot: Bot, fake: FakeTelegram) -> None:
    fake.set_user_language(ALICE, "it")
    fake.set_chat(GROUP, "supergroup", title="Nerazzurri")
    fake.set_member_status(GROUP, ALICE, "administrator")
    async with bot.running():
        fake.user_sends(ALICE, "/subscribe Inter")
        assert await bot.wait_texts(ALICE, 1) == [
            "✅ Questa chat ora segue l'Inter. Avvisi: eventi principali."
        ]
        # a group keeps English whoever writes, until its admins choose
        fake.user_sends(GROUP, "/subscribe Inter", user_id=ALICE)
        (answer,) = await fake.wait_for_messages(1, GROUP)
        assert answer["text"] == "✅ This chat now follows Inter. Alerts: key events."
        fake.user_sends(GROUP, "/settings language it", user_id=ALICE)
        (_, saved) = await fake.wait_for_messages(2, GROUP)
        assert saved["text"].startswith("✅ Impostazioni salvate")
        buttons = [b for row in saved["reply_markup"]["inline_keyboard"] for b in row]
        assert {"text": "English", "callback_data": "settings:language:en"} in buttons
