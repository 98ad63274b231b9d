"""The fake Bot API server speaks the real protocol to the real python-telegram-bot library."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)
from telegram.request import HTTPXRequest

from tests.support.fakes.telegram_api import (
    FakeTelegram,
    HtmlParseError,
    parse_telegram_html,
    utf16_len,
)

TOKEN = "123456:TEST-token"
CHAT = 42
GROUP = -1001234567890


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """RetryAfter.retry_after as a timedelta, without PTB's deprecation warning.

    (The loopback-only network guard is the autouse fixture in ``tests/conftest.py``.)"""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    """Fake server without the per-chat 1 msg/s limit (most tests send bursts to one chat)."""
    async with FakeTelegram(token=TOKEN, per_chat_interval=None) as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=tg.base_url, base_file_url=tg.base_file_url) as b:
        yield b


# ----------------------------------------------------------------------------- basic methods


async def test_base_urls_are_loopback(tg: FakeTelegram) -> None:
    assert tg.base_url == f"http://127.0.0.1:{tg.port}/bot"
    assert tg.base_file_url == f"http://127.0.0.1:{tg.port}/file/bot"


async def test_get_me(bot: Bot, tg: FakeTelegram) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "MatchBot"
    assert me.can_join_groups is True
    assert bot.username == "MatchBot"  # cached by Bot.initialize()
    assert [m for m, _ in tg.calls].count("getMe") >= 1


async def test_send_message_html_is_recorded_and_returned_like_telegram(
    bot: Bot, tg: FakeTelegram
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Follow", callback_data="follow:57")]])
    msg = await bot.send_message(
        CHAT,
        "<b>GOAL!</b> Arsenal 1–0 Chelsea &amp; more <i>(Saka 12')</i>",
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        allow_paid_broadcast=False,
        message_thread_id=7,
    )
    assert msg.message_id == 1
    assert msg.chat.id == CHAT
    assert msg.chat.type == "private"
    assert msg.from_user is not None
    assert msg.from_user.username == "MatchBot"
    assert msg.text == "GOAL! Arsenal 1–0 Chelsea & more (Saka 12')"
    assert [(e.type, e.offset, e.length) for e in msg.entities] == [
        ("bold", 0, 5),
        ("italic", 33, 10),
    ]
    assert msg.reply_markup == markup
    assert isinstance(msg.date, dtm.datetime)

    second = await bot.send_message(CHAT, "plain")
    assert second.message_id == 2

    [rec, rec2] = tg.messages(CHAT)
    assert rec["chat_id"] == CHAT
    assert rec["message_id"] == 1
    assert rec["text"] == "GOAL! Arsenal 1–0 Chelsea & more (Saka 12')"
    assert rec["html"].startswith("<b>GOAL!</b>")
    assert rec["parse_mode"] == "HTML"
    assert rec["link_preview_options"] == {"is_disabled": True}
    assert rec["reply_markup"] == {
        "inline_keyboard": [[{"text": "Follow", "callback_data": "follow:57"}]]
    }
    assert rec["allow_paid_broadcast"] is False
    assert rec["message_thread_id"] == 7
    assert rec2["parse_mode"] is None
    assert tg.messages(999) == []


async def test_group_chat_types(bot: Bot, tg: FakeTelegram) -> None:
    sg = await bot.send_message(GROUP, "hi")
    assert sg.chat.type == "supergroup"
    g = await bot.send_message(-4242, "hi")
    assert g.chat.type == "group"
    tg.set_chat(-777, "channel", title="Live Scores")
    ch = await bot.send_message(-777, "hi")
    assert ch.chat.type == "channel"
    assert ch.chat.title == "Live Scores"


async def test_edit_message_text(bot: Bot, tg: FakeTelegram) -> None:
    msg = await bot.send_message(CHAT, "<b>0–0</b> kick-off", parse_mode=ParseMode.HTML)
    edited = await bot.edit_message_text(
        "<b>1–0</b> goal", chat_id=CHAT, message_id=msg.message_id, parse_mode=ParseMode.HTML
    )
    assert not isinstance(edited, bool)
    assert edited.text == "1–0 goal"
    assert edited.edit_date is not None
    assert tg.messages(CHAT)[0]["text"] == "1–0 goal"
    assert tg.messages(CHAT)[0]["original_text"] == "0–0 kick-off"
    assert tg.edits[-1]["old_text"] == "0–0 kick-off"
    assert tg.edits[-1]["text"] == "1–0 goal"

    with pytest.raises(BadRequest) as not_modified:
        await bot.edit_message_text(
            "<b>1–0</b> goal", chat_id=CHAT, message_id=msg.message_id, parse_mode="HTML"
        )
    assert "message is not modified" in not_modified.value.message.lower()
    assert not_modified.value.message.startswith("Message is not modified")

    # same text but a new keyboard is a modification
    await bot.edit_message_text(
        "<b>1–0</b> goal",
        chat_id=CHAT,
        message_id=msg.message_id,
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x")]]),
    )

    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("nope", chat_id=CHAT, message_id=999)
    assert len(tg.edits) == 2


async def test_delete_message_and_get_chat(bot: Bot, tg: FakeTelegram) -> None:
    msg = await bot.send_message(CHAT, "bye")
    assert await bot.delete_message(CHAT, msg.message_id) is True
    assert tg.messages(CHAT)[0]["deleted"] is True
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(CHAT, msg.message_id)
    chat = await bot.get_chat(GROUP)
    assert chat.id == GROUP
    assert chat.type == "supergroup"


async def test_set_and_get_my_commands(bot: Bot, tg: FakeTelegram) -> None:
    default = [BotCommand("start", "Start"), BotCommand("follow", "Follow a team")]
    groups = [BotCommand("live", "Live matches")]
    assert await bot.set_my_commands(default)
    assert await bot.set_my_commands(groups, scope=BotCommandScopeAllGroupChats())
    assert await bot.set_my_commands([BotCommand("start", "Starten")], language_code="de")
    assert tuple(await bot.get_my_commands()) == tuple(default)
    assert tuple(await bot.get_my_commands(scope=BotCommandScopeAllGroupChats())) == tuple(groups)
    assert [c.description for c in await bot.get_my_commands(language_code="de")] == ["Starten"]
    assert tg.get_commands() == [
        {"command": "start", "description": "Start"},
        {"command": "follow", "description": "Follow a team"},
    ]
    assert tg.get_commands({"type": "all_group_chats"}) == [
        {"command": "live", "description": "Live matches"}
    ]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_get_chat_member_statuses(bot: Bot, tg: FakeTelegram) -> None:
    tg.set_member_status(GROUP, 1, "creator")
    tg.set_member_status(GROUP, 2, "administrator")
    tg.set_member_status(GROUP, 4, "restricted")
    tg.set_member_status(GROUP, 5, "left")
    tg.set_member_status(GROUP, 6, "kicked")
    owner = await bot.get_chat_member(GROUP, 1)
    admin = await bot.get_chat_member(GROUP, 2)
    member = await bot.get_chat_member(GROUP, 3)
    assert isinstance(owner, ChatMemberOwner)
    assert owner.status == "creator"
    assert isinstance(admin, ChatMemberAdministrator)
    assert admin.status == "administrator"
    assert admin.can_delete_messages is True
    assert isinstance(member, ChatMemberMember)
    assert member.status == "member"
    assert member.user.id == 3
    assert isinstance(await bot.get_chat_member(GROUP, 4), ChatMemberRestricted)
    assert isinstance(await bot.get_chat_member(GROUP, 5), ChatMemberLeft)
    assert isinstance(await bot.get_chat_member(GROUP, 6), ChatMemberBanned)
    me = await bot.get_chat_member(GROUP, bot.id)
    assert me.user.is_bot


# ----------------------------------------------------------------------------- injected errors


async def test_injected_retry_after(bot: Bot, tg: FakeTelegram) -> None:
    tg.fail_next(CHAT, "retry_after", retry_after=3)
    with pytest.raises(RetryAfter) as exc:
        await bot.send_message(CHAT, "hi")
    assert exc.value.retry_after == dtm.timedelta(seconds=3)
    assert tg.messages(CHAT) == []
    assert tg.violations == []  # injected, not a real flood violation
    await bot.send_message(CHAT, "hi")  # one-shot
    assert len(tg.messages(CHAT)) == 1


async def test_injected_forbidden_and_bad_request(bot: Bot, tg: FakeTelegram) -> None:
    tg.fail_next(CHAT, "blocked")
    with pytest.raises(Forbidden, match="bot was blocked by the user") as blocked:
        await bot.send_message(CHAT, "hi")
    assert blocked.value.message == "Forbidden: bot was blocked by the user"

    tg.fail_next(GROUP, "kicked")
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(GROUP, "hi")
    tg.fail_next(-4242, "kicked")
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(-4242, "hi")

    tg.fail_next(CHAT, "chat_not_found", count=2)
    for _ in range(2):
        with pytest.raises(BadRequest) as not_found:
            await bot.send_message(CHAT, "hi")
        # PTB strips "Bad Request: " and capitalises (lower-casing the rest!)
        assert not_found.value.message == "Chat not found"
    await bot.send_message(CHAT, "now it works")
    assert [m["text"] for m in tg.messages()] == ["now it works"]
    assert [code for _, _, code, _ in tg.errors] == [403, 403, 403, 400, 400]


async def test_injected_migration(bot: Bot, tg: FakeTelegram) -> None:
    tg.fail_next(-4242, "migrated", new_chat_id=-1009999)
    with pytest.raises(ChatMigrated) as exc:
        await bot.send_message(-4242, "hi")
    assert exc.value.new_chat_id == -1009999
    # default new id
    tg.fail_next(-55, "migrated")
    with pytest.raises(ChatMigrated) as exc2:
        await bot.send_message(-55, "hi")
    assert exc2.value.new_chat_id == -10055


async def test_injected_server_errors(bot: Bot, tg: FakeTelegram) -> None:
    tg.fail_next(CHAT, "server_error", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(CHAT, "hi")
    tg.fail_next(CHAT, "server_error")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(CHAT, "hi")
    assert tg.messages() == []


async def test_injected_timeout(tg: FakeTelegram) -> None:
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(TOKEN, base_url=tg.base_url, request=request) as bot:
        tg.fail_next(CHAT, "timeout", delay=0.6)
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await bot.send_message(CHAT, "lost")
        assert time.monotonic() - started < 0.6
        # "deliver": Telegram did send it although the client gave up -> duplicate risk
        tg.fail_next(CHAT, "timeout", delay=0.4, deliver=True)
        with pytest.raises(TimedOut):
            await bot.send_message(CHAT, "delivered anyway")
        [rec] = await tg.wait_for_messages(1, chat_id=CHAT, timeout=3)
        assert rec["text"] == "delivered anyway"


async def test_permanent_block_and_migrate(bot: Bot, tg: FakeTelegram) -> None:
    tg.block(CHAT)
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(CHAT, "hi")
    tg.unblock(CHAT)
    await bot.send_message(CHAT, "hi")

    new_id = tg.migrate(-4242)
    assert new_id == -1004242
    for _ in range(2):
        with pytest.raises(ChatMigrated) as exc:
            await bot.send_message(-4242, "hi")
        assert exc.value.new_chat_id == new_id
    msg = await bot.send_message(new_id, "hi")
    assert msg.chat.type == "supergroup"


# ----------------------------------------------------------------------------- validation


async def test_invalid_html_is_bad_request(bot: Bot, tg: FakeTelegram) -> None:
    bad = [
        "<b>unclosed",
        "<b><i>misnested</b></i>",
        "<div>nope</div>",
        "Brighton & Hove",  # unescaped & (strict mode)
        "&nbsp;",
        '<span class="x">s</span>',
        "a < b",
    ]
    for text in bad:
        with pytest.raises(BadRequest, match=r"^Can't parse entities: "):
            await bot.send_message(CHAT, text, parse_mode=ParseMode.HTML)
    # the same text is fine without parse_mode
    await bot.send_message(CHAT, "a < b & <div>", parse_mode=None)
    assert [m["text"] for m in tg.messages()] == ["a < b & <div>"]


async def test_text_length_and_empty(bot: Bot, tg: FakeTelegram) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(CHAT, "   ")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")
    # 4096 visible characters pass even with lots of markup around them
    await bot.send_message(CHAT, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    # UTF-16: an emoji counts twice
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(CHAT, "⚽" * 4000 + "🏆" * 50)
    # &amp; counts as one character
    await bot.send_message(CHAT, "&amp;" * 4096, parse_mode="HTML")
    assert len(tg.messages()) == 2


async def test_callback_data_too_long(bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="y" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(CHAT, "hi", reply_markup=markup)


@pytest.mark.parametrize(
    ("html", "plain", "entities"),
    [
        ("<b>a</b>", "a", [("bold", 0, 1)]),
        ("<strong>a</strong><em>b</em><ins>c</ins><del>d</del>", "abcd", None),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st", None),
        ('<a href="https://x.org/?a=1&amp;b=2">l</a>', "l", [("text_link", 0, 1)]),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1", [("pre", 0, 5)]),
        ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍", [("custom_emoji", 0, 2)]),
        ("&lt;&gt;&amp;&quot;&#39;&#x41;", "<>&\"'A", []),
        ("🏆<b>x</b>", "🏆x", [("bold", 2, 1)]),
        ("<B>caps</B>", "caps", [("bold", 0, 4)]),
    ],
)
def test_html_parser_accepts(
    html: str, plain: str, entities: list[tuple[str, int, int]] | None
) -> None:
    text, ents = parse_telegram_html(html)
    assert text == plain
    if entities is not None:
        assert [(e["type"], e["offset"], e["length"]) for e in ents] == entities


def test_html_parser_details() -> None:
    _, ents = parse_telegram_html('<a href="https://x.org/?a=1&amp;b=2">l</a>')
    assert ents[0]["url"] == "https://x.org/?a=1&b=2"
    _, ents = parse_telegram_html('<pre><code class="language-python">x</code></pre>')
    assert ents == [{"type": "pre", "offset": 0, "length": 1, "language": "python"}]
    with pytest.raises(HtmlParseError, match='Unsupported start tag "br"'):
        parse_telegram_html("a<br>b")
    with pytest.raises(HtmlParseError, match="Unmatched end tag"):
        parse_telegram_html("<b><i>x</b></i>")
    with pytest.raises(HtmlParseError, match="Can't find end tag"):
        parse_telegram_html("<b>x")
    # Telegram itself is lenient about a bare "&"; so is the fake with strict_entities=False
    assert parse_telegram_html("A & B &nbsp;", strict_entities=False)[0] == "A & B &nbsp;"
    assert utf16_len("⚽🏆") == 3


# ----------------------------------------------------------------------------- flood control


async def test_flood_per_chat_back_to_back() -> None:
    async with (
        FakeTelegram(token=TOKEN) as tg,
        Bot(TOKEN, base_url=tg.base_url) as bot,
    ):
        await bot.send_message(CHAT, "1")
        for text in ("2", "3"):
            with pytest.raises(RetryAfter) as exc:
                await bot.send_message(CHAT, text)
            assert exc.value.retry_after == dtm.timedelta(seconds=1)
        assert [v.kind for v in tg.violations] == ["per_chat", "per_chat"]
        assert tg.violation_counts() == {"per_chat": 2}
        assert [m["text"] for m in tg.messages()] == ["1"]
        # other chats are independent; edits count towards the per-chat limit
        await bot.send_message(CHAT + 1, "other chat")
        with pytest.raises(RetryAfter):
            await bot.edit_message_text("1!", chat_id=CHAT, message_id=1)
        assert tg.violations[-1].method == "editMessageText"


async def test_flood_per_chat_honours_spacing() -> None:
    async with (
        FakeTelegram(token=TOKEN, time_scale=0.1) as tg,  # 1 msg / 0.1 s per chat
        Bot(TOKEN, base_url=tg.base_url) as bot,
    ):
        for i in range(3):
            await bot.send_message(CHAT, str(i))
            await asyncio.sleep(0.1)
        assert tg.violations == []


async def test_flood_group_and_global_limits() -> None:
    async with (
        FakeTelegram(
            token=TOKEN, per_chat_interval=None, group_per_minute=3, global_per_second=5
        ) as tg,
        Bot(TOKEN, base_url=tg.base_url) as bot,
    ):
        for i in range(3):
            await bot.send_message(GROUP, f"g{i}")
        with pytest.raises(RetryAfter) as exc:
            await bot.send_message(GROUP, "g3")
        assert 55 <= exc.value.retry_after.total_seconds() <= 60  # type: ignore[union-attr]
        assert tg.violations[-1].kind == "group"
        # private chats are not subject to the group limit; the global one hits at 5/s
        await bot.send_message(1, "p1")
        await bot.send_message(2, "p2")
        with pytest.raises(RetryAfter):
            await bot.send_message(3, "p3")
        assert [v.kind for v in tg.violations] == ["group", "global"]
        # paid broadcast lifts the global limit to 1000/s
        await bot.send_message(3, "paid", allow_paid_broadcast=True)
        assert tg.messages(3)[0]["allow_paid_broadcast"] is True
        assert tg.violation_counts() == {"group": 1, "global": 1}


async def test_flood_limits_can_be_disabled(tg: FakeTelegram, bot: Bot) -> None:
    fake = FakeTelegram(per_chat_interval=None, group_per_minute=None, global_per_second=None)
    async with fake, Bot("123:ABC", base_url=fake.base_url) as b:
        for i in range(40):
            await b.send_message(GROUP, str(i))
        assert fake.violations == []
        assert len(fake.messages(GROUP)) == 40


async def test_bucket_mode_matches_leaky_bucket_clients() -> None:
    async with (
        FakeTelegram(
            token=TOKEN,
            per_chat_interval=None,
            global_per_second=None,
            group_per_minute=2,
            window_mode="bucket",
            time_scale=0.01,  # 2 per 0.6 s
        ) as tg,
        Bot(TOKEN, base_url=tg.base_url) as bot,
    ):
        await bot.send_message(GROUP, "a")
        await bot.send_message(GROUP, "b")
        with pytest.raises(RetryAfter):
            await bot.send_message(GROUP, "c")
        await asyncio.sleep(0.35)  # one slot drained after 0.3 s
        await bot.send_message(GROUP, "c")


# ----------------------------------------------------------------------------- raw protocol


async def test_raw_protocol(tg: FakeTelegram) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{tg.base_url}999:WRONG/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{tg.base_url}{TOKEN}/noSuchMethod") as resp:
            assert resp.status == 404
            assert (await resp.json())["description"] == "Not Found"
        async with http.get(f"{tg.base_url}{TOKEN}/getMe") as resp:
            assert resp.status == 200
            assert (await resp.json())["result"]["username"] == "MatchBot"
        # JSON body, lower-case method name, nested JSON as a string
        body = {
            "chat_id": CHAT,
            "text": "123",
            "reply_markup": json.dumps(
                {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}
            ),
        }
        async with http.post(f"{tg.base_url}{TOKEN}/sendmessage", json=body) as resp:
            data = await resp.json()
            assert data["ok"] is True
            assert data["result"]["text"] == "123"
        # query string (GET), text that looks like JSON stays a string
        async with http.get(
            f"{tg.base_url}{TOKEN}/sendMessage", params={"chat_id": str(CHAT), "text": "true"}
        ) as resp:
            assert (await resp.json())["result"]["text"] == "true"
        async with http.get(f"{tg.base_file_url}{TOKEN}/photos/x.jpg") as resp:
            assert resp.status == 404
    assert tg.messages(CHAT)[0]["reply_markup"]["inline_keyboard"][0][0]["text"] == "a"
    assert tg.messages(CHAT)[1]["text"] == "true"


async def test_wrong_token_is_invalid_token(tg: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=tg.base_url):
            pass


# ----------------------------------------------------------------------------- getUpdates


async def test_get_updates_long_polling(bot: Bot, tg: FakeTelegram) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.3)) == ()
    assert 0.25 <= time.monotonic() - started < 2

    async def later() -> None:
        await asyncio.sleep(0.2)
        tg.user_sends(CHAT, "/follow@MatchBot Arsenal", username="fan")

    task = asyncio.create_task(later())
    started = time.monotonic()
    updates = await bot.get_updates(timeout=dtm.timedelta(seconds=5))
    await task
    assert time.monotonic() - started < 2  # woke up early
    [update] = updates
    assert update.message is not None
    assert update.message.text == "/follow@MatchBot Arsenal"
    assert update.message.from_user is not None
    assert update.message.from_user.username == "fan"
    entity = update.message.entities[0]
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 16)

    # not confirmed -> delivered again; confirmed via offset -> gone
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [update.update_id]
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
    assert tg.pending_updates == []


async def test_newer_get_updates_terminates_older(bot: Bot, tg: FakeTelegram) -> None:
    # a Bot's getUpdates connection pool holds ONE connection -> use a second instance
    async with Bot(TOKEN, base_url=tg.base_url) as other:
        first = asyncio.create_task(bot.get_updates(timeout=dtm.timedelta(seconds=5)))
        await asyncio.sleep(0.1)
        second = asyncio.create_task(other.get_updates(timeout=dtm.timedelta(seconds=0.2)))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first
        assert await second == ()


async def test_webhook_blocks_get_updates(bot: Bot, tg: FakeTelegram) -> None:
    assert await bot.set_webhook("https://example.invalid/hook")
    assert tg.webhook_url == "https://example.invalid/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()


# ----------------------------------------------------------------------------- Application


def _build_app(tg: FakeTelegram) -> Application[Any, Any, Any, Any, Any, Any]:
    return (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .job_queue(None)
        .build()
    )


async def _run_polling(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=1))


async def _stop(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


async def test_application_polling_command_handler(tg: FakeTelegram) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id, "<b>Welcome</b> to MatchBot", parse_mode="HTML"
        )

    app = _build_app(tg)
    app.add_handler(CommandHandler("start", start))
    await _run_polling(app)
    try:
        tg.user_sends(CHAT, "/start")
        tg.user_sends(GROUP, "/start@MatchBot", chat_type="supergroup", user_id=7)
        tg.user_sends(GROUP, "/start@OtherBot", chat_type="supergroup", user_id=7)
        [private] = await tg.wait_for_messages(1, chat_id=CHAT, timeout=5)
        [group] = await tg.wait_for_messages(1, chat_id=GROUP, timeout=5)
        assert private["text"] == "Welcome to MatchBot"
        assert group["text"] == "Welcome to MatchBot"
    finally:
        started = time.monotonic()
        await _stop(app)
        assert time.monotonic() - started < 3
    # the updater confirmed everything on shutdown
    assert tg.pending_updates == []
    assert "deleteWebhook" in [m for m, _ in tg.calls]
    await asyncio.sleep(0.05)
    assert len(tg.messages(GROUP)) == 1  # /start@OtherBot was ignored


async def test_application_callback_query(tg: FakeTelegram) -> None:
    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Following!")
        await query.edit_message_text(f"Following {query.data}")

    app = _build_app(tg)
    app.add_handler(CallbackQueryHandler(on_press))
    async with Bot(TOKEN, base_url=tg.base_url) as bot:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Arsenal", callback_data="ARS")]])
        msg = await bot.send_message(CHAT, "Pick a team", reply_markup=markup)
    await _run_polling(app)
    try:
        tg.user_presses(CHAT, msg.message_id, "ARS")
        await tg.wait_for_call("editMessageText", timeout=5)
    finally:
        await _stop(app)
    assert tg.callback_answers[0]["text"] == "Following!"
    assert tg.messages(CHAT)[0]["text"] == "Following ARS"
    assert tg.edits[0]["old_text"] == "Pick a team"
    with pytest.raises(KeyError):
        tg.user_presses(CHAT, 999, "x")


def test_network_guard_is_active() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(AssertionError, match="tried to reach the network"):
            sock.connect(("192.0.2.1", 443))  # TEST-NET-1, never routed
    finally:
        sock.close()


# ----------------------------------------------------------------------------- ForceReply


async def post(tg: FakeTelegram, method: str, body: dict[str, Any]) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{tg.base_url}{TOKEN}/{method}", json=body) as resp,
    ):
        answer: dict[str, Any] = await resp.json()
        return answer


async def test_a_force_reply_is_a_reply_to_the_member_it_asks(bot: Bot, tg: FakeTelegram) -> None:
    """A selective ForceReply replying to a member's message opens that member's reply box
    (``reply_box``), nobody else's; the message returned is a reply to theirs."""
    tg.set_chat(GROUP, "supergroup", title="Calcio")
    tg.user_sends(GROUP, "/subscribe", user_id=7)
    asked = tg.pending_updates[-1]["message"]["message_id"]
    sent = await bot.send_message(
        GROUP,
        "Which team?",
        reply_markup=ForceReply(selective=True, input_field_placeholder="inter"),
        reply_parameters=ReplyParameters(message_id=asked, allow_sending_without_reply=True),
    )
    assert sent.reply_to_message is not None and sent.reply_to_message.message_id == asked
    assert sent.reply_markup is None  # Telegram returns inline keyboards only
    [record] = tg.messages(GROUP)
    assert record["reply_to"] == asked
    assert record["reply_markup"] == {
        "force_reply": True,
        "selective": True,
        "input_field_placeholder": "inter",
    }
    assert tg.reply_box(GROUP, 7) == sent.message_id
    assert tg.reply_box(GROUP, 8) is None
    everyone = await bot.send_message(GROUP, "Anyone?", reply_markup=ForceReply())
    assert tg.reply_box(GROUP, 8) == everyone.message_id


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        ({"force_reply": False}, 'field "force_reply" must be True'),
        ({"force_reply": "yes"}, 'field "force_reply" must be True'),
        ({"force_reply": True, "selective": "yes"}, 'field "selective" must be of type Boolean'),
        ({"force_reply": True, "input_field_placeholder": ""}, "must be 1-64 characters"),
        ({"force_reply": True, "input_field_placeholder": "x" * 65}, "must be 1-64 characters"),
        ({"force_reply": True, "input_field_placeholder": 5}, "must be 1-64 characters"),
        ({"force_reply": True, "placeholder": "x"}, "unknown ForceReply fields ['placeholder']"),
        (
            {"force_reply": True, "inline_keyboard": [[{"text": "a", "callback_data": "b"}]]},
            "one reply markup at a time",
        ),
        ({"force_reply": True, "selective": True}, "a selective ForceReply for nobody"),
    ],
)
async def test_a_force_reply_is_checked_field_by_field(
    tg: FakeTelegram, markup: dict[str, Any], error: str
) -> None:
    answer = await post(tg, "sendMessage", {"chat_id": GROUP, "text": "?", "reply_markup": markup})
    assert answer["ok"] is False and answer["error_code"] == 400
    assert error in answer["description"]
    assert tg.messages(GROUP) == []


async def test_a_force_reply_is_refused_in_a_channel_and_in_an_edit(
    bot: Bot, tg: FakeTelegram
) -> None:
    tg.set_chat(-100777, "channel", title="News")
    with pytest.raises(BadRequest, match="not supported in channels"):
        await bot.send_message(-100777, "?", reply_markup=ForceReply())
    sent = await bot.send_message(CHAT, "?")
    with pytest.raises(BadRequest, match="Inline keyboard expected"):
        await bot.edit_message_text("?!", CHAT, sent.message_id, reply_markup=ForceReply())  # type: ignore[arg-type]


async def test_a_reply_to_a_message_not_there(bot: Bot, tg: FakeTelegram) -> None:
    """A reply to a message the chat never had (or deleted) is refused, unless it may be sent
    without the reply."""
    first = await bot.send_message(CHAT, "first")
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(CHAT, "re", reply_parameters=ReplyParameters(message_id=99))
    await bot.delete_message(CHAT, first.message_id)
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(
            CHAT, "re", reply_parameters=ReplyParameters(message_id=first.message_id)
        )
    alone = await bot.send_message(
        CHAT,
        "re",
        reply_parameters=ReplyParameters(message_id=99, allow_sending_without_reply=True),
    )
    assert alone.reply_to_message is None
    assert tg.messages(CHAT)[-1]["reply_to"] is None


async def test_wait_quiet_returns_once_every_request_is_answered() -> None:
    """A request still being answered (here: 0.4 s of latency) keeps the fake from being
    quiet; once answered, and nothing new for ``quiet`` seconds, it is."""
    async with (
        FakeTelegram(token=TOKEN, latency=0.4) as fake,
        Bot(TOKEN, base_url=fake.base_url) as bot,
    ):
        sending = asyncio.create_task(bot.send_message(CHAT, "late"))
        while not fake.requests_open:
            await asyncio.sleep(0.01)
        await fake.wait_quiet(quiet=0.1)
        assert fake.requests_open == 0
        assert [m["text"] for m in fake.messages(CHAT)] == ["late"]
        await sending
