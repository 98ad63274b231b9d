"""End to end on Telegram, for what came after the adapter: reporters' ``/report``, ``/settings``
with its buttons, and webhook mode. ``matchbot run``'s own code path (``run_bot``), the real
python-telegram-bot and the fake Bot API server (tests/fakes/telegram_api.py), which validates
every HTML text and keyboard the bot sends.
"""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.telegram.adapter import button_rows, listen_address, webhook_path, webhook_secret
from bot.clock import FastClock
from bot.messages.model import Button
from bot.reporting import REPORT_USAGE
from tests.fakes.telegram_api import FakeTelegram
from tests.telegram_helpers import (
    SPEED,
    SUBSCRIBED,
    TOKEN,
    Bot,
    clean_telegram_env,
    derby_feed,
    event,
    no_violations,
)

pytestmark = pytest.mark.timeout(60)

REPORTER = 99  # named in MATCHBOT_REPORTERS; writes to the bot privately
FAN = 42  # a private chat following Inter
ALICE = 43  # a private chat following Inter at the default level
GROUP = -1009876543  # a supergroup
ADMIN, MEMBER = 7, 8

REFUSED = (
    "Only the bot's reporters can use /report.\n\nThe operator names them in MATCHBOT_REPORTERS."
)
ADMINS_ONLY = "Only the chat's admins can change what this chat follows."
REPORT_ID = re.compile(r"/report undo (r[0-9a-f]{6})$")


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_telegram_env(monkeypatch)
    monkeypatch.setenv("MATCHBOT_REPORTERS", f"telegram:{REPORTER}, discord:123456789")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, hold_after_429=True, time_scale=1 / SPEED) as server:
        yield server


@pytest.fixture
def bot(fake: FakeTelegram, tmp_path: Path) -> Bot:
    return Bot(fake, tmp_path, delivery_clock=FastClock(SPEED))


def keyboard_of(message: dict[str, Any]) -> list[list[tuple[str, str]]]:
    markup = message["reply_markup"] or {}
    return [[(b["text"], b["callback_data"]) for b in row] for row in markup["inline_keyboard"]]


async def wait_edits(fake: FakeTelegram, n: int, within: float = 10) -> list[dict[str, Any]]:
    deadline = time.monotonic() + within
    while len(fake.edits) < n:
        if time.monotonic() > deadline:
            pytest.fail(f"expected {n} edits, got {fake.edits!r}")
        await asyncio.sleep(0.05)
    return fake.edits


# ----------------------------------------------------------------------------- reporters


async def test_a_reporter_reports_a_match_and_takes_a_goal_back(
    bot: Bot, fake: FakeTelegram
) -> None:
    fake.set_chat(GROUP, "supergroup", title="Press box")
    fake.set_member_status(GROUP, REPORTER, "member")  # reporters need not be the group's admins
    async with bot.running():
        await bot.subscribe(FAN)

        ack = await bot.ask(REPORTER, "/report match Atalanta v Inter in Serie A")
        head, where = ack["text"].split("\n\n")
        assert head.startswith("✅ Reported: Atalanta v Inter, Serie A, kick-off ")
        assert where == "A new match: report its events with the team's name."

        ack = await bot.ask(REPORTER, "/report period Inter kickoff")
        assert ack["text"].startswith("✅ Reported: 🟢 Kick-off: Atalanta v Inter — Serie A")
        assert REPORT_ID.search(ack["text"])

        ack = await bot.ask(REPORTER, "/report goal Inter Lautaro Martínez 65 assist Esposito")
        scored = "65' Lautaro Martínez scores for Inter (assist: Esposito)"
        what = f"⚽ GOAL! Atalanta 0-1 Inter — {scored}"
        head, body = ack["text"].split("\n\n")
        assert head == f"✅ Reported: {what}"
        where, undo = body.split("\n")
        assert where == "Atalanta v Inter, Serie A"
        found = REPORT_ID.fullmatch(undo.removeprefix("Wrong? "))
        assert found, undo
        goal_report = found.group(1)
        assert ack["parse_mode"] == "HTML"
        assert ack["html"] == (
            f"✅ Reported: <b>{what}</b>\n\nAtalanta v Inter, Serie A\n"
            f"Wrong? <b>/report undo {goal_report}</b>"
        )

        # the fan's chat follows Inter: kick-off and goal alerts, like a feed's
        texts = await bot.wait_texts(FAN, 3)
        assert texts[1].startswith("🟢 Kick-off: Atalanta v Inter\n\nSerie A · ")
        goal = f"⚽ GOAL! Atalanta 0-1 Inter\n\n{scored}"
        assert texts[2] == goal
        goal_id = fake.messages(FAN)[2]["message_id"]

        # a reporter's own words are escaped (the fake refuses a bare "&" or "<")
        ack = await bot.ask(REPORTER, '/report note Inter 66 Thuram <3 & "Dimarco" > all')
        assert ack["text"].startswith("✅ Reported: ")
        assert 'Thuram <3 & "Dimarco" > all' in ack["text"]
        assert 'Thuram &lt;3 &amp; "Dimarco" &gt; all' in ack["html"]

        # undo: the fan's goal alert is edited into the correction, the score goes back
        ack = await bot.ask(REPORTER, f"/report undo {goal_report}")
        assert ack["text"] == f"↩️ Taken back: {what}"
        (edit,) = await wait_edits(fake, 1)
        assert (edit["chat_id"], edit["message_id"]) == (FAN, goal_id)
        assert edit["old_text"] == goal
        assert edit["text"].startswith("⚽ GOAL cancelled — Atalanta 0-0 Inter\n\n")
        assert edit["text"].endswith("\nScore: Atalanta 0-0 Inter")
        assert {"type": "strikethrough", "offset": 2, "length": 4} in edit["entities"]
        score = await bot.ask(FAN, "/score")
        assert score["text"].startswith("🔴 LIVE ")
        assert score["text"].endswith("  Atalanta 0-0 Inter")
        again = await bot.ask(REPORTER, f"/report undo {goal_report}")
        assert again["text"].startswith(f"Not reported: {goal_report} is already taken back")

        # anyone else is refused, in private and in a group
        refused = await bot.ask(FAN, "/report goal Inter Lautaro Martínez 70")
        assert refused["text"] == REFUSED
        refused = await bot.ask(GROUP, "/report@MatchBot goal Inter Thuram 70", user_id=MEMBER)
        assert refused["text"] == REFUSED

        # a report the bot cannot read: why, then every form of /report, in valid HTML
        problem = await bot.ask(REPORTER, "/report goal Inter Lautaro")
        head, usage = problem["text"].split("\n\n")
        assert head == (
            "Not reported: I need the player and the minute, e.g. “Lautaro Martínez 65” or “45+2”."
        )
        lines = usage.split("\n")
        assert lines[0] == "Reporter commands"
        assert lines[1:] == [f"/report {syntax} — {what}" for syntax, what in REPORT_USAGE]
        assert "<b>/report goal TEAM PLAYER MINUTE [pen|og] [assist PLAYER]</b>" in problem["html"]
        assert problem["entities"]

        # in a group the reporter names the bot (a bare /report may be another bot's)
        ack = await bot.ask(
            GROUP, "/report@MatchBot card Inter Bastoni 70 yellow", user_id=REPORTER
        )
        assert ack["text"].startswith("✅ Reported: 🟨 ")
        assert "Bastoni" in ack["text"] and REPORT_ID.search(ack["text"])
        fake.user_sends(GROUP, "/report goal Inter Thuram 71", user_id=REPORTER)
        score = await bot.ask(GROUP, "/score@MatchBot Inter", user_id=MEMBER)
        assert score["text"].endswith("  Atalanta 0-0 Inter")
        ack = await bot.ask(
            GROUP, "/report@MatchBot goal Inter Thuram 72 assist Barella", user_id=REPORTER
        )
        assert ack["text"].startswith("✅ Reported: ⚽ GOAL! Atalanta 0-1 Inter — 72' Thuram")

        texts = await bot.wait_texts(FAN, 6)  # + the answers to /score and /report
        second = "72' Thuram scores for Inter (assist: Barella)"
        assert texts[5] == f"⚽ GOAL! Atalanta 0-1 Inter\n\n{second}"
        await asyncio.sleep(1.2)
        # at the default level the note and the yellow card are not the fan's alerts
        assert len(bot.texts(FAN)) == 6
    no_violations(fake)


# ----------------------------------------------------------------------------- /settings


SETTINGS_KEYBOARD = [
    [
        ("Goals only", "settings:level:goals"),
        ("✓ Key events", "settings:level:key"),
        ("Everything", "settings:level:all"),
    ],
    [
        ("✓ Delay off", "settings:spoiler:0"),
        ("Delay 30 s", "settings:spoiler:30"),
        ("Delay 1 min", "settings:spoiler:60"),
    ],
    [("Delay 2 min", "settings:spoiler:120"), ("Delay 5 min", "settings:spoiler:300")],
    [("✓ English", "settings:language:en"), ("Italiano", "settings:language:it")],
    # one button per subscription: its own level, one step further
    [("Inter: chat's level → goals only", "settings:follow:t:inter:goals")],
]


async def test_settings_buttons_in_a_group_are_for_its_admins(bot: Bot, fake: FakeTelegram) -> None:
    fake.set_chat(GROUP, "supergroup", title="Nerazzurri & friends")
    fake.set_member_status(GROUP, ADMIN, "administrator")
    async with bot.running():
        await bot.subscribe(GROUP, "Inter", user_id=ADMIN)
        await bot.subscribe(ALICE)

        view = await bot.ask(GROUP, "/settings@MatchBot", user_id=ADMIN)
        assert view["text"].startswith(
            "⚙️ Settings for this chat\n\nAlerts: key events\nTime zone: UTC\nSpoiler delay: off"
        )
        # level choices in one row, the delays in two: readable on a phone
        assert keyboard_of(view) == SETTINGS_KEYBOARD

        # a member's press is refused with an alert only the member sees, not a chat message
        fake.user_presses(GROUP, view["message_id"], "settings:level:all", user_id=MEMBER)
        await fake.wait_for_call("answerCallbackQuery", 1)
        [refused] = fake.callback_answers
        assert refused["query"]["from"]["id"] == MEMBER
        assert refused["show_alert"] is True
        assert refused["text"].startswith("Only the chat's admins can change")

        # an admin's press changes the chat's level
        fake.user_presses(GROUP, view["message_id"], "settings:level:all", user_id=ADMIN)
        saved = await bot.wait_edited(GROUP, view["message_id"])  # the view updates in place
        assert len(fake.messages(GROUP)) == 2
        assert saved["text"].startswith("✅ Settings saved\n\nAlerts: everything\n")
        assert keyboard_of(saved)[0][2] == ("✓ Everything", "settings:level:all")
        assert len(fake.callback_answers) == 2
        # rights are asked for each command or press that would change the chat
        asked = [(q["chat_id"], q["user_id"]) for q in fake.calls_to("getChatMember")]
        assert asked == [(GROUP, ADMIN), (GROUP, ADMIN), (GROUP, MEMBER), (GROUP, ADMIN)]

        zone = await bot.ask(GROUP, "/settings timezone Europe/Rome", user_id=ADMIN)
        assert zone["text"].startswith("✅ Settings saved\n\nAlerts: everything\n")
        assert "\nTime zone: Europe/Rome\n" in zone["text"]

        # a save is an "everything" alert: the group gets it, Alice (key events) does not
        bot.append(*derby_feed())
        bot.append(
            event(
                type="save",
                match="inter-milan",
                id="s1",
                minute=12,
                team="Milan",
                player="Mike Maignan",
                shooter="Marcus Thuram",
            )
        )
        kickoff = "🟢 Kick-off: Inter v Milan\n\nSerie A · 1 Feb 2026"
        texts = await bot.wait_texts(GROUP, 5)
        assert texts[3] == kickoff
        assert texts[4].startswith("🧤 ") and "Mike Maignan" in texts[4], texts[4]
        assert "Marcus Thuram" in texts[4]
        assert await bot.wait_texts(ALICE, 2) == [SUBSCRIBED, kickoff]

        # fixtures are shown in the chat's time zone: CET in winter, CEST in summer
        bot.append(
            event(
                type="match",
                match="inter-roma-2030",
                competition="Serie A",
                home="Inter",
                away="Roma",
                kickoff="2030-02-01T19:45:00Z",
            ),
            event(
                type="match",
                match="atalanta-lazio-2030",
                competition="Serie A",
                home="Atalanta",
                away="Lazio",
                kickoff="2030-07-06T18:00:00Z",
            ),
        )
        winter = ""
        for _ in range(50):  # the feed is read once a second
            winter = (await bot.ask(GROUP, "/next@MatchBot Inter", user_id=MEMBER))["text"]
            if "Roma" in winter:
                break
        assert winter == "📅 Inter v Roma, Fri 1 Feb 20:45 CET · Serie A"
        summer = await bot.ask(GROUP, "/next@MatchBot Atalanta", user_id=MEMBER)
        assert summer["text"] == "📅 Atalanta v Lazio, Sat 6 Jul 20:00 CEST · Serie A"
        await asyncio.sleep(1.2)
        assert bot.texts(ALICE) == [SUBSCRIBED, kickoff]

    store = bot.store()
    try:
        assert store.chat_settings("telegram", str(GROUP)) == {
            "language": "en",
            "level": "all",
            "spoiler_delay": 0,
            "timezone": "Europe/Rome",
        }
    finally:
        store.close()
    no_violations(fake)


# ----------------------------------------------------------------------------- webhook


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
    bot: Bot, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
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


def test_keyboards_group_the_choices_of_one_setting_in_rows() -> None:
    def labels(*actions: str, label: str = "{}") -> list[list[str]]:
        buttons = [Button(label=label.format(a.rpartition(":")[2]), action=a) for a in actions]
        return [[b.label for b in row] for row in button_rows(buttons)]

    assert labels("subscribe:inter") == [["inter"]]
    # long team names get a row each rather than being cut on a phone
    long = ("subscribe:borussia-monchengladbach", "subscribe:wolverhampton-wanderers")
    assert labels(*long) == [["borussia-monchengladbach"], ["wolverhampton-wanderers"]]
    assert labels("subscribe:milan", "subscribe:millwall", "subscribe:mirandes") == [
        ["milan", "millwall", "mirandes"]
    ]
    # seven choices: 3 + 2 + 2, never a lone button at the end when it can be avoided
    seven = [f"x:{i}" for i in range(7)]
    assert [len(row) for row in labels(*seven)] == [3, 2, 2]
    # a new kind of choice starts a new row
    assert labels("a:1", "a:2", "b:1") == [["1", "2"], ["1"]]


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
