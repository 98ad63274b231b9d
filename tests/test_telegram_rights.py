"""Who may act on Telegram, end to end: commands and button presses in private chats, groups,
supergroups and channels, by admins, members, anonymous admins and readers, with honest and
forged callback data. ``matchbot run``'s code path (``run_bot``) against the fake Bot API
server (tests/support/fakes/telegram_api/), which answers getChatMember with the status each test
configures.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FastClock
from storage.store import Store
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import SPEED, TOKEN, Bot, clean_telegram_env

pytestmark = pytest.mark.timeout(90)

CHANNEL = -1001234500001
GROUP = -1001234500002  # a supergroup
BASIC = -4123456  # a basic group
OTHER = -1001234500009  # a chat nobody here acts in
FAN, STRANGER = 42, 43
ADMIN, MEMBER, READER, OWNER, LEFT = 7, 8, 9, 10, 11

EXPIRED = "That button has expired. Type the command again."
GROUP_REFUSAL = "Only the chat's admins can change what this chat follows and its settings."
CHANNEL_REFUSAL = "Only the channel's administrators can change what it follows and its settings."

#: Callback data no button of the bot carries: other chats, other settings, other commands.
FORGED = [
    f"settings:level:all:{OTHER}",
    f"settings:level:all@{OTHER}",
    f"subscribe:inter:{OTHER}",
    f"{OTHER}:subscribe:inter",
    f"subscribe:inter {OTHER}",
    "subscribe:inter\n",
    "settings:timezone:Europe/Rome",
    "settings:spoiler:all",
    "settings:level:60",
    "settings:spoiler:-1",
    "settings:spoiler:9999",
    "settings:spoiler:45",
    "settings:spoiler:060",
    "settings:level:everything",
    "settings:language:fr",
    "settings:language:",
    "settings:",
    "settings",
    "report:goal Inter X 10",
    "help:x",
    "start:inter",
    "subscriptions:inter",
    "subscribe:",
    "subscribe:no-such-team",
    "score:pick:af:999999",
    "subscribe:pick:fd:1",
    "subscribe:../inter",
    "SUBSCRIBE:inter",
    # competitions, players and per-subscription levels (issue 14's buttons), forged
    "subscribe:c:no-such-cup",
    "subscribe:p:999999",
    "subscribe:p:lautaro",
    "subscribe:t:no-such-team:goals",
    "subscribe:c:serie-a:everything",
    "subscribe:c:serie-a:goals:all",
    f"subscribe:c:serie-a:{OTHER}",
    f"subscribe:p:{OTHER}:goals",
    "subscribe:x:serie-a",
    "subscribe:C:serie-a",
    "unsubscribe:c:serie-a:goals",
    "score:c:serie-a",
    "next:p:1",
    "today:c:serie-a",
    "settings:follow:t:inter:goals",  # OTHER follows Inter: a button of OTHER's /settings
    "settings:follow:c:serie-a:key",  # a subscription the chat does not have
    "settings:follow:c:serie-a:none",
    "settings:follow:x:serie-a:goals",
    "settings:follow:c:serie-a",
    "settings:follow:c::goals",
    f"settings:follow:t:inter:all:{OTHER}",
    "settings:digest:09:00",
    "settings:digest:off",
    "settings:subscription:serie a goals",
    ":",
    "",
    "x" * 64,
    '{"chat_id": -1001234500009, "action": "subscribe:inter"}',
]


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_telegram_env(monkeypatch)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, time_scale=1 / SPEED) as server:
        server.set_chat(CHANNEL, "channel", title="Nerazzurri news")
        server.set_chat(GROUP, "supergroup", title="Curva Nord")
        server.set_chat(BASIC, "group", title="Five-a-side")
        for chat in (CHANNEL, GROUP, BASIC):
            server.set_member_status(chat, ADMIN, "administrator")
            server.set_member_status(chat, OWNER, "creator")
            server.set_member_status(chat, LEFT, "left")
        yield server


@pytest.fixture
def bot(fake: FakeTelegram, tmp_path: Path) -> Bot:
    return Bot(fake, tmp_path, delivery_clock=FastClock(SPEED))


def settings_of(db: Path, chat: int) -> dict[str, Any]:
    store = Store.open(db)
    try:
        return store.chat_settings("telegram", str(chat))
    finally:
        store.close()


def subscriptions_of(db: Path, chat: int) -> list[str]:
    store = Store.open(db)
    try:
        return [t["name"] for t in store.followed_teams("telegram", str(chat))]
    finally:
        store.close()


def follows_of(db: Path, chat: int) -> list[tuple[str, str, str | None]]:
    store = Store.open(db)
    try:
        return [(r["kind"], r["name"], r["level"]) for r in store.follows("telegram", str(chat))]
    finally:
        store.close()


def actions_of(message: dict[str, Any]) -> list[str]:
    return [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def press(fake: FakeTelegram, chat: int, message_id: int, data: str, **kw: Any) -> Any:
    """Press a button and return answerCallbackQuery's parameters for this press."""
    update = fake.user_presses(chat, message_id, data, **kw)
    query_id = update["callback_query"]["id"]
    n = len(fake.calls_to("answerCallbackQuery")) + 1
    await fake.wait_for_call("answerCallbackQuery", n)
    [answer] = [a for a in fake.callback_answers if a["callback_query_id"] == query_id]
    return answer


async def channel_post(bot: Bot, chat: int, text: str, **kw: Any) -> dict[str, Any]:
    before = len(bot.fake.messages(chat))
    bot.fake.channel_posts(chat, text, **kw)
    return (await bot.fake.wait_for_messages(before + 1, chat, timeout=20))[before]


async def test_in_a_channel_only_its_administrators_press_buttons(
    bot: Bot, fake: FakeTelegram
) -> None:
    async with bot.running():
        # a channel post is written by an administrator (signed by the channel): it acts
        done = await channel_post(bot, CHANNEL, "/subscribe inter", author_signature="Ann")
        assert done["text"] == "✅ This chat now follows Inter. Alerts: key events."
        view = await channel_post(bot, CHANNEL, "/settings")
        assert view["reply_markup"]["inline_keyboard"]

        # every reader of a channel can press its buttons: readers, members who left, and
        # users Telegram cannot tell about are refused with an alert; nothing is posted
        for who in (READER, LEFT, FAN):
            for data in ("settings:level:all", "settings:spoiler:300"):
                answer = await press(fake, CHANNEL, view["message_id"], data, user_id=who)
                assert answer["show_alert"] is True
                assert answer["text"] == CHANNEL_REFUSAL
        assert settings_of(bot.db, CHANNEL) == {}
        assert len(fake.messages(CHANNEL)) == 2
        assert not fake.edits

        # a getChatMember failure is a no
        fake.fail_next(CHANNEL, "server_error", methods=("getChatMember",))
        answer = await press(fake, CHANNEL, view["message_id"], "settings:level:all", user_id=99)
        assert answer["text"] == CHANNEL_REFUSAL

        # its administrators and its owner may
        answer = await press(fake, CHANNEL, view["message_id"], "settings:level:all", user_id=ADMIN)
        assert answer["text"] is None and answer["show_alert"] is False
        saved = await bot.wait_edited(CHANNEL, view["message_id"])
        assert saved["text"].startswith("✅ Settings saved\n\nAlerts: everything\n")
        await press(fake, CHANNEL, view["message_id"], "settings:spoiler:60", user_id=OWNER)
        await bot.wait_edited(CHANNEL, view["message_id"])
        for _ in range(100):
            if settings_of(bot.db, CHANNEL).get("spoiler_delay") == 60:
                break
            await asyncio.sleep(0.05)
        assert settings_of(bot.db, CHANNEL)["level"] == "all"
        assert settings_of(bot.db, CHANNEL)["spoiler_delay"] == 60

        # a suggestion's button too: a reader cannot subscribe the channel to another team
        offer = await channel_post(bot, CHANNEL, "/subscribe milna")
        [[(_, data), *_], *_] = [
            [(b["text"], b["callback_data"]) for b in row]
            for row in offer["reply_markup"]["inline_keyboard"]
        ]
        answer = await press(fake, CHANNEL, offer["message_id"], data, user_id=READER)
        assert answer["text"] == CHANNEL_REFUSAL
        assert subscriptions_of(bot.db, CHANNEL) == ["Inter"]

        # nor make the bot post (as the channel) by pressing a /score suggestion
        offer = await channel_post(bot, CHANNEL, "/score milna")
        data = offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        assert data.startswith("score:")
        answer = await press(fake, CHANNEL, offer["message_id"], data, user_id=READER)
        assert answer["text"] == CHANNEL_REFUSAL
        answer = await press(fake, CHANNEL, offer["message_id"], data, user_id=ADMIN)
        assert answer["text"] is None
        await bot.wait_edited(CHANNEL, offer["message_id"])
        assert len(fake.messages(CHANNEL)) == 4


async def test_in_groups_members_are_refused_and_admins_may_press(
    bot: Bot, fake: FakeTelegram
) -> None:
    async with bot.running():
        for chat in (GROUP, BASIC):
            view = await bot.ask(chat, "/settings", user_id=ADMIN)
            for who in (MEMBER, LEFT):
                answer = await press(
                    fake, chat, view["message_id"], "settings:level:goals", user_id=who
                )
                assert (answer["text"], answer["show_alert"]) == (GROUP_REFUSAL, True)
            assert settings_of(bot.db, chat) == {}
            assert len(fake.messages(chat)) == 1

            # a member may still press a button that changes nothing: /score's suggestions
            offer = await bot.ask(chat, "/score milna", user_id=MEMBER)
            data = offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            assert data.startswith("score:")
            answer = await press(fake, chat, offer["message_id"], data, user_id=MEMBER)
            assert answer["text"] is None
            await bot.wait_edited(chat, offer["message_id"])

            # an anonymous administrator presses as the real user Telegram names in `from`
            fake.set_member_status(chat, 77, "administrator", is_anonymous=True)
            answer = await press(fake, chat, view["message_id"], "settings:level:goals", user_id=77)
            assert answer["text"] is None
            await bot.wait_edited(chat, view["message_id"])
            # @GroupAnonymousBot itself never presses: it is no administrator of the chat
            answer = await press(
                fake, chat, view["message_id"], "settings:level:all", user_id=1087968824
            )
            assert answer["text"] == GROUP_REFUSAL
        for chat in (GROUP, BASIC):
            assert settings_of(bot.db, chat)["level"] == "goals"


async def test_anonymous_admins_act_and_posting_as_a_channel_does_not(
    bot: Bot, fake: FakeTelegram
) -> None:
    async with bot.running():
        # an anonymous admin writes as the group itself (sender_chat = the group)
        done = await bot.ask(GROUP, "/subscribe inter", sender_chat_id=GROUP)
        assert done["text"] == "✅ This chat now follows Inter. Alerts: key events."
        # a member posting as their own channel gets no rights, nor does a channel post
        # forwarded from the linked channel
        for sender in (CHANNEL, OTHER):
            refused = await bot.ask(GROUP, "/unsubscribe inter", sender_chat_id=sender)
            assert refused["text"] == "Only the chat's admins can change what this chat follows."
        # @GroupAnonymousBot without the group as sender_chat is not an anonymous admin
        refused = await bot.ask(GROUP, "/unsubscribe inter", user_id=1087968824)
        assert refused["text"] == "Only the chat's admins can change what this chat follows."
        # a channel post Telegram copies into the linked discussion group is not a command
        # there (neither obeyed nor refused); the next real command is answered as usual
        before = len(fake.messages(GROUP))
        fake.user_sends(GROUP, "/unsubscribe inter", sender_chat_id=CHANNEL, automatic_forward=True)
        follows = await bot.ask(GROUP, "/subscriptions", user_id=MEMBER)
        assert len(fake.messages(GROUP)) == before + 1
        assert "Inter" in follows["text"]
        assert subscriptions_of(bot.db, GROUP) == ["Inter"]


async def test_forged_callback_data_acts_nowhere(bot: Bot, fake: FakeTelegram) -> None:
    async with bot.running():
        fake.set_member_status(OTHER, ADMIN, "administrator")
        await bot.subscribe(OTHER, user_id=ADMIN)
        view = await bot.ask(GROUP, "/settings", user_id=ADMIN)
        mine = await bot.ask(FAN, "/settings")
        before = {c: len(fake.messages(c)) for c in (GROUP, FAN, OTHER)}
        for data in FORGED:
            # even an administrator of both chats: forged data is an expired button
            answer = await press(fake, GROUP, view["message_id"], data, user_id=ADMIN)
            assert (answer["text"], answer["show_alert"]) == (EXPIRED, True), data
            answer = await press(fake, FAN, mine["message_id"], data)
            assert answer["text"] == EXPIRED, data
        assert {c: len(fake.messages(c)) for c in (GROUP, FAN, OTHER)} == before
        assert not fake.edits
        for chat in (GROUP, FAN, OTHER):
            assert settings_of(bot.db, chat) == {}
        assert subscriptions_of(bot.db, OTHER) == ["Inter"]
        assert subscriptions_of(bot.db, GROUP) == []
        assert subscriptions_of(bot.db, FAN) == []

        # a press acts on the chat of the message pressed, whoever presses it: someone else
        # pressing a button of FAN's private chat (a forged update) is refused
        answer = await press(fake, FAN, mine["message_id"], "settings:level:all", user_id=STRANGER)
        assert answer["text"] == "This button belongs to someone else's chat."
        assert settings_of(bot.db, FAN) == {}
        answer = await press(fake, FAN, mine["message_id"], "settings:level:all")
        assert answer["text"] is None
        await bot.wait_edited(FAN, mine["message_id"])
        assert settings_of(bot.db, FAN)["level"] == "all"
        assert settings_of(bot.db, OTHER) == {}


async def test_competition_player_and_subscription_level_buttons_need_the_same_rights(
    bot: Bot, fake: FakeTelegram
) -> None:
    """Every kind of button the bot offers is accepted from whoever may change the chat, and
    refused to a member: players and teams with a level, competitions, and the /settings
    buttons that set one subscription's level."""
    store = Store.open(bot.db)
    with store.atomic():
        store.add_players(
            [
                ("Lautaro Martínez", "lautaro martinez", "inter"),
                ("Lisandro Martínez", "lisandro martinez", "manchester-united"),
            ]
        )
    store.close()
    async with bot.running():
        offers = [
            await bot.ask(GROUP, text, user_id=ADMIN)
            for text in (
                "/subscribe Martinez goals",
                "/subscribe player Martinez",
                "/subscribe Manchester goals",
                "/unsubscribe competition seria",
            )
        ]
        actions = [actions_of(offer) for offer in offers]
        patterns = (
            r"subscribe:p:\d+:goals",
            r"subscribe:p:\d+",
            r"subscribe:t:manchester-(city|united):goals",
            r"unsubscribe:c:serie-[ab]",
        )
        for offered, pattern in zip(actions, patterns, strict=True):
            assert len(offered) == 2 and all(re.fullmatch(pattern, a) for a in offered), offered
        for offer, offered in zip(offers, actions, strict=True):
            for data in offered:
                answer = await press(fake, GROUP, offer["message_id"], data, user_id=MEMBER)
                assert (answer["text"], answer["show_alert"]) == (GROUP_REFUSAL, True), data
        assert follows_of(bot.db, GROUP) == []

        # the administrator's presses act: Lautaro with goals only, Lisandro at the chat's
        # level, Manchester City with goals only
        for offer, data in zip(
            offers[:3], (actions[0][0], actions[1][1], actions[2][0]), strict=True
        ):
            answer = await press(fake, GROUP, offer["message_id"], data, user_id=ADMIN)
            assert answer["text"] is None, data
            await bot.wait_edited(GROUP, offer["message_id"])
        answer = await press(fake, GROUP, offers[3]["message_id"], actions[3][0], user_id=ADMIN)
        assert answer["text"] is None
        follows = [
            ("team", "Manchester City", "goals"),
            ("player", "Lautaro Martínez", "goals"),
            ("player", "Lisandro Martínez", None),
        ]
        for _ in range(100):
            if follows_of(bot.db, GROUP) == follows:
                break
            await asyncio.sleep(0.05)
        assert follows_of(bot.db, GROUP) == follows

        # /settings: a member may press none of its buttons, an administrator all of them
        view = await bot.ask(GROUP, "/settings", user_id=MEMBER)
        buttons = actions_of(view)
        levels = [a for a in buttons if a.startswith("settings:follow:")]
        assert len(levels) == 3 and all(
            re.fullmatch(r"settings:follow:[tp]:[a-z0-9-]+:(goals|key|all|chat)", a) for a in levels
        ), levels
        for data in buttons:
            answer = await press(fake, GROUP, view["message_id"], data, user_id=MEMBER)
            assert answer["text"] == GROUP_REFUSAL, data
        assert follows_of(bot.db, GROUP) == follows
        for data in levels:
            answer = await press(fake, GROUP, view["message_id"], data, user_id=ADMIN)
            assert answer["text"] is None, data
        moved = [
            ("team", "Manchester City", "key"),
            ("player", "Lautaro Martínez", "key"),
            ("player", "Lisandro Martínez", "goals"),
        ]
        for _ in range(100):
            if follows_of(bot.db, GROUP) == moved:
                break
            await asyncio.sleep(0.05)
        assert follows_of(bot.db, GROUP) == moved

        # a level button of a subscription the chat has since dropped has expired
        await bot.ask(GROUP, "/unsubscribe lisandro", user_id=ADMIN)
        answer = await press(fake, GROUP, view["message_id"], levels[2], user_id=ADMIN)
        assert (answer["text"], answer["show_alert"]) == (EXPIRED, True)
        assert follows_of(bot.db, GROUP) == moved[:2]


async def test_when_groups_let_everyone_act_channels_still_do_not(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    bot = Bot(fake, tmp_path, delivery_clock=FastClock(SPEED), telegram_group_admin_only=False)
    async with bot.running():
        view = await bot.ask(GROUP, "/settings", user_id=MEMBER)
        answer = await press(fake, GROUP, view["message_id"], "settings:level:all", user_id=MEMBER)
        assert answer["text"] is None
        await bot.wait_edited(GROUP, view["message_id"])

        view = await channel_post(bot, CHANNEL, "/settings")
        answer = await press(
            fake, CHANNEL, view["message_id"], "settings:level:all", user_id=MEMBER
        )
        assert answer["text"] == CHANNEL_REFUSAL
        assert settings_of(bot.db, CHANNEL) == {}


async def test_reports_need_a_listed_person_not_a_placeholder_sender(
    fake: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anonymous admins and posts as a channel all come ``from`` a shared placeholder bot:
    listing that bot as a reporter must not make every anonymous admin one."""
    monkeypatch.setenv("MATCHBOT_REPORTERS", "telegram:1087968824,telegram:136817688,telegram:7")
    bot = Bot(fake, tmp_path, delivery_clock=FastClock(SPEED))
    refused = "Only the bot's reporters can use /report."
    async with bot.running():
        for kw in ({"sender_chat_id": GROUP}, {"sender_chat_id": CHANNEL}, {"user_id": MEMBER}):
            answer = await bot.ask(GROUP, "/report@MatchBot match Atalanta v Inter", **kw)
            assert answer["text"].startswith(refused), (kw, answer["text"])
        answer = await channel_post(bot, CHANNEL, "/report@MatchBot match Atalanta v Inter")
        assert answer["text"].startswith(refused)
        answer = await bot.ask(GROUP, "/report@MatchBot match Atalanta v Inter", user_id=ADMIN)
        assert answer["text"].startswith("✅ Reported: Atalanta v Inter")


async def test_rights_follow_promotions_and_demotions_at_once(bot: Bot, fake: FakeTelegram) -> None:
    async with bot.running():
        view = await bot.ask(GROUP, "/settings", user_id=ADMIN)
        channel_view = await channel_post(bot, CHANNEL, "/settings")
        for chat, message in ((GROUP, view), (CHANNEL, channel_view)):
            answer = await press(
                fake, chat, message["message_id"], "settings:level:all", user_id=ADMIN
            )
            assert answer["text"] is None
            fake.set_member_status(chat, ADMIN, "member")  # demoted
            answer = await press(
                fake, chat, message["message_id"], "settings:level:goals", user_id=ADMIN
            )
            assert answer["text"] in (GROUP_REFUSAL, CHANNEL_REFUSAL)
            fake.set_member_status(chat, MEMBER, "administrator")  # promoted
            answer = await press(
                fake, chat, message["message_id"], "settings:level:key", user_id=MEMBER
            )
            assert answer["text"] is None
        refused = await bot.ask(GROUP, "/subscribe inter", user_id=ADMIN)
        assert refused["text"] == "Only the chat's admins can change what this chat follows."


async def test_refusals_speak_the_chats_language(bot: Bot, fake: FakeTelegram) -> None:
    async with bot.running():
        await bot.ask(GROUP, "/settings language it", user_id=ADMIN)
        view = await bot.ask(GROUP, "/settings", user_id=ADMIN)
        answer = await press(fake, GROUP, view["message_id"], "settings:level:all", user_id=MEMBER)
        assert answer["text"] == (
            "Solo gli amministratori possono cambiare le squadre seguite da questa chat e le sue"
            " impostazioni."
        )
        answer = await press(fake, GROUP, view["message_id"], "settings:language:fr", user_id=ADMIN)
        assert answer["text"] == "Questo pulsante è scaduto. Scrivi di nuovo il comando."
        answer = await press(fake, GROUP, view["message_id"], "settings:language:en", user_id=ADMIN)
        assert answer["text"] is None
        await bot.wait_edited(GROUP, view["message_id"])
        assert settings_of(bot.db, GROUP)["language"] == "en"
