"""End to end on the fake Telegram (``matchbot run``'s own code path): a fan who sends
``/subscribe`` alone is asked "Which team…?", and the plain words they write next are the
answer: the same search, choices and answer as ``/subscribe`` with those words, in English and
Italian, across a restart; later words are not taken for it; in a group only the asked
member's reply to the question's own message is (see ``bot.questions``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FastClock
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import (
    SPEED,
    SUBSCRIBED,
    TOKEN,
    Bot,
    clean_telegram_env,
    no_violations,
)

pytestmark = [pytest.mark.timeout(90), pytest.mark.e2e]

FAN, OTHER, LATER, ITALIAN, ITALIAN_OTHER = 201, 202, 203, 204, 205
GROUP = -1020
ADMIN, MEMBER = 21, 22
QUESTION = (
    "Which team, competition or player? For example: /subscribe inter, /subscribe serie a\n\n"
    "or /subscribe player Lautaro Martínez."
)


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    clean_telegram_env(monkeypatch)
    yield


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, time_scale=1 / SPEED) as server:
        yield server


def shown(message: dict[str, Any]) -> tuple[str, Any]:
    """What a fan sees of a message: its text and its buttons."""
    return message["text"], message.get("reply_markup")


async def test_the_words_after_a_bare_subscribe_are_its_argument(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    bot = Bot(fake, tmp_path, delivery_clock=FastClock(SPEED))
    async with bot.running():
        assert (await bot.ask(FAN, "/subscribe"))["text"] == QUESTION
        answered = await bot.ask(FAN, "intr")
        typed = await bot.ask(OTHER, "/subscribe intr")
        assert shown(answered) == shown(typed)
        assert answered["text"].startswith("I don't know a team called “intr”.")
        assert answered["reply_markup"]["inline_keyboard"]  # Inter, as a button
        # the question was answered: later words are not an answer, they get the help
        later = await bot.ask(FAN, "inter")
        assert later["text"] == (await bot.ask(OTHER, "hello"))["text"]
        assert later["text"] != SUBSCRIBED
        # a command in between: the words after it answer nothing either
        await bot.ask(FAN, "/subscribe")
        await bot.ask(FAN, "/subscriptions")
        assert (await bot.ask(FAN, "inter"))["text"] == later["text"]
        assert (await bot.ask(FAN, "/subscriptions"))["text"].startswith(
            "This chat follows no team yet."
        )
        # asked, then answered with a name it knows: followed
        await bot.ask(FAN, "/follow")
        assert (await bot.ask(FAN, "Inter"))["text"] == SUBSCRIBED
        # a question outlives a restart
        assert (await bot.ask(LATER, "/subscribe"))["text"] == QUESTION
    async with bot.running():
        assert (await bot.ask(LATER, "serie a"))["text"] == (
            "✅ This chat now follows Serie A. Alerts: key events."
        )
    no_violations(fake)


async def test_in_italian_the_words_after_a_bare_segui_are_its_argument(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    bot = Bot(fake, tmp_path, delivery_clock=FastClock(SPEED))
    for fan in (ITALIAN, ITALIAN_OTHER):
        fake.set_user_language(fan, "it")
    async with bot.running():
        asked = await bot.ask(ITALIAN, "/segui")
        assert asked["text"].startswith("Quale squadra, competizione o giocatore?")
        answered = await bot.ask(ITALIAN, "intr")
        typed = await bot.ask(ITALIAN_OTHER, "/segui intr")
        assert shown(answered) == shown(typed)
        assert answered["reply_markup"]["inline_keyboard"]
        await bot.ask(ITALIAN, "/segui")
        assert (await bot.ask(ITALIAN, "inter"))["text"] == (
            "✅ Questa chat ora segue l'Inter. Avvisi: eventi principali."
        )
        assert (await bot.ask(ITALIAN, "milan"))["text"].startswith(
            (await bot.ask(ITALIAN_OTHER, "ciao"))["text"][:40]
        )
    no_violations(fake)


async def test_in_a_group_only_the_asked_members_reply_to_the_question_answers(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    bot = Bot(fake, tmp_path, delivery_clock=FastClock(SPEED))
    fake.set_chat(GROUP, "supergroup", title="Calcio")
    fake.set_member_status(GROUP, ADMIN, "administrator")
    async with bot.running():
        other = await bot.ask(GROUP, "/today", user_id=ADMIN)  # another message of the bot
        question = await bot.ask(GROUP, "/subscribe", user_id=ADMIN)
        assert question["text"] == QUESTION
        before = len(fake.messages(GROUP))
        fake.user_sends(GROUP, "inter", user_id=ADMIN)  # chatter, not a reply
        fake.user_sends(GROUP, "inter", user_id=MEMBER, reply_to=question["message_id"])
        fake.user_sends(GROUP, "inter", user_id=ADMIN, reply_to=other["message_id"])
        fake.user_sends(GROUP, "inter", user_id=ADMIN, reply_to=before + 50)  # a member's
        # the asked admin's reply to the question: the only one the bot answers
        fake.user_sends(GROUP, "inter", user_id=ADMIN, reply_to=question["message_id"])
        answers = (await fake.wait_for_messages(before + 1, GROUP))[before:]
        assert [m["text"] for m in answers] == [SUBSCRIBED]
        # answered: another reply to the question is chatter again
        fake.user_sends(GROUP, "milan", user_id=ADMIN, reply_to=question["message_id"])
        listed = await bot.ask(GROUP, "/subscriptions", user_id=ADMIN)
        assert listed["text"] == "This chat follows: Inter"
        assert len(fake.messages(GROUP)) == before + 2
    no_violations(fake)


async def test_a_reply_to_the_bot_that_answers_no_question_costs_no_rights_lookup(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """Members reply to the bot's messages all the time ("what a goal!" under an alert): only
    the answer to a question that needs the member's rights asks Telegram for them
    (getChatMember); a reply that answers nothing asks Telegram nothing."""
    bot = Bot(fake, tmp_path, delivery_clock=FastClock(SPEED))
    fake.set_chat(GROUP, "supergroup", title="Calcio")
    fake.set_member_status(GROUP, ADMIN, "administrator")

    def lookups() -> int:
        return len(fake.calls_to("getChatMember"))

    async with bot.running():
        other = await bot.ask(GROUP, "/today", user_id=MEMBER)
        assert lookups() == 0
        for user in (MEMBER, ADMIN):
            fake.user_sends(GROUP, "forza", user_id=user, reply_to=other["message_id"])
        await bot.ask(GROUP, "/today", user_id=MEMBER)  # the replies were read before it
        assert lookups() == 0

        question = await bot.ask(GROUP, "/subscribe", user_id=ADMIN)
        assert question["text"] == QUESTION
        asked = lookups()
        # another member's reply to the question, and the asked admin's reply elsewhere
        fake.user_sends(GROUP, "inter", user_id=MEMBER, reply_to=question["message_id"])
        fake.user_sends(GROUP, "inter", user_id=ADMIN, reply_to=other["message_id"])
        await bot.ask(GROUP, "/today", user_id=MEMBER)
        assert lookups() == asked
        # the answer itself: the admin's rights are looked up, as for /subscribe inter
        answer = await bot.ask(GROUP, "inter", user_id=ADMIN, reply_to=question["message_id"])
        assert answer["text"] == SUBSCRIBED
        assert lookups() == asked + 1
        assert fake.calls_to("getChatMember")[-1]["user_id"] in (ADMIN, str(ADMIN))
    no_violations(fake)


@pytest.mark.parametrize("paid_broadcast", [False, True])
async def test_in_a_group_the_question_opens_the_asked_members_reply_box(
    fake: FakeTelegram, tmp_path: Path, paid_broadcast: bool
) -> None:
    """In a group the question is a reply to the member's bare /subscribe with a selective
    ForceReply: their app opens a reply to it (nobody else's), and what they write there is
    the answer. In a private chat the next words answer anyway: no reply box. The same on
    the paid-broadcast path (``TELEGRAM_PAID_BROADCAST``)."""
    bot = Bot(
        fake,
        tmp_path,
        delivery_clock=FastClock(SPEED),
        telegram_paid_broadcast=paid_broadcast,
    )
    fake.set_chat(GROUP, "supergroup", title="Calcio")
    fake.set_member_status(GROUP, ADMIN, "administrator")
    async with bot.running():
        before = len(fake.messages(GROUP))
        typed = fake.user_sends(GROUP, "/subscribe", user_id=ADMIN)["message"]
        question = (await fake.wait_for_messages(before + 1, GROUP))[before]
        assert question["text"] == QUESTION
        assert question["reply_to"] == typed["message_id"]
        assert question["reply_markup"] == {"force_reply": True, "selective": True}
        assert fake.reply_box(GROUP, ADMIN) == question["message_id"]
        assert fake.reply_box(GROUP, MEMBER) is None
        # what the admin writes in the box that opened: a reply to the question
        box = fake.reply_box(GROUP, ADMIN)
        answer = await bot.ask(GROUP, "inter", user_id=ADMIN, reply_to=box)
        assert answer["text"] == SUBSCRIBED
        assert answer["reply_markup"] is None and answer["reply_to"] is None

        private = await bot.ask(FAN, "/subscribe")
        assert private["text"] == QUESTION
        assert private["reply_markup"] is None and private["reply_to"] is None
    no_violations(fake)
