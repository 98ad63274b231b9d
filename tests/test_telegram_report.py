"""End to end on Telegram: a reporter named in ``MATCHBOT_REPORTERS`` reports a match with
``/report`` and takes a goal back. ``matchbot run``'s own code path (``run_bot``), the real
python-telegram-bot and the fake Bot API server (tests/support/fakes/telegram_api/).
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import pytest

from bot.command_catalogue import CATALOGUE
from bot.reporting import REPORT_USAGE
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import (
    Bot,
    no_violations,
)
from tests.support.telegram_fixtures import REPORTER

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("reporters_env")]

FAN = 42  # a private chat following Inter
GROUP = -1009876543  # a supergroup
ADMIN, MEMBER = 7, 8
REFUSED = (
    "Only the bot's reporters can use /report.\n\nThe operator names them in MATCHBOT_REPORTERS."
)
REPORT_ID = re.compile(r"/report undo (r[0-9a-f]{6})$")


async def wait_edits(fake: FakeTelegram, n: int, within: float = 10) -> list[dict[str, Any]]:
    deadline = time.monotonic() + within
    while len(fake.edits) < n:
        if time.monotonic() > deadline:
            pytest.fail(f"expected {n} edits, got {fake.edits!r}")
        await asyncio.sleep(0.05)
    return fake.edits


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
        goal = f"⚽ GOAL! Atalanta 0-1 Inter\n\n{scored}\nInter lead 1-0"
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
        assert texts[5] == f"⚽ GOAL! Atalanta 0-1 Inter\n\n{second}\nInter lead 1-0"
        await asyncio.sleep(1.2)
        # at the default level the note and the yellow card are not the fan's alerts
        assert len(bot.texts(FAN)) == 6
    no_violations(fake)


async def test_report_help_answers_every_form(bot: Bot, fake: FakeTelegram) -> None:
    """``/report help``, as ``/report``'s description advertises it ("see /report help"): the
    forms of /report — not "Not reported" — in private, in a group addressed to the bot, by
    its Italian name, and in the chat's language; anyone else is refused."""
    fake.set_chat(GROUP, "supergroup", title="Press box")
    fake.set_member_status(GROUP, REPORTER, "member")
    forms = [f"/report {syntax} — {what}" for syntax, what in REPORT_USAGE]
    async with bot.running():
        for typed in ("/report help", "/Report HELP", "/segnala aiuto", "/report ?"):
            helped = await bot.ask(REPORTER, typed)
            assert helped["text"] == "Reporter commands\n\n" + "\n".join(forms), typed
            assert "<b>/report undo ID</b>" in helped["html"]
        helped = await bot.ask(GROUP, "/report@MatchBot help", user_id=REPORTER)
        assert helped["text"] == "Reporter commands\n\n" + "\n".join(forms)

        await bot.ask(REPORTER, "/settings language it")
        italian = await bot.ask(REPORTER, "/segnala aiuto")
        head, body = italian["text"].split("\n\n")
        rows = body.split("\n")
        assert head == "Comandi per i cronisti"
        assert len(rows) == len(forms) and all(r.startswith("/report ") for r in rows)
        assert rows != forms[: len(rows)]  # what each form does, in Italian

        refused = await bot.ask(FAN, "/report help")
        assert refused["text"] == REFUSED
    no_violations(fake)


async def test_a_reporters_menu_lists_report(bot: Bot, fake: FakeTelegram) -> None:
    """``/report`` is left out of everyone's menu, and listed in each reporter's own chat (the
    catalogue's reporters' commands), in each language; "see /report help" is its line."""
    async with bot.running():
        await fake.wait_for_call("setMyCommands", 4)
        everyone = [c["command"] for c in fake.get_commands() or []]
        assert "report" not in everyone
        scope = {"type": "chat", "chat_id": REPORTER}
        mine = fake.get_commands(scope=scope) or []
        names = [c["command"] for c in mine]
        assert names == [c.name for c in CATALOGUE.menu("telegram", reporters=True)]
        assert set(names) - set(everyone) == {"report"}
        (report,) = [c for c in mine if c["command"] == "report"]
        assert report["description"] == "WHAT: post what no feed carries (see /report help)"
        italian = fake.get_commands(scope=scope, language_code="it") or []
        assert "segnala" in [c["command"] for c in italian]
        assert fake.get_commands(scope={"type": "chat", "chat_id": FAN}) is None
    no_violations(fake)
