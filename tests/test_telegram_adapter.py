"""The Telegram adapter on its own: sending, splitting, editing, and Telegram's errors mapped to
:mod:`bot.ports` errors, against the fake Bot API server with the real python-telegram-bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from telegram.error import RetryAfter as PTBRetryAfter

from adapters.telegram import TelegramAdapter
from adapters.telegram.adapter import telegram_pacing, webhook_secret
from adapters.telegram.errors import retry_after_seconds
from adapters.telegram.render import message_parts
from bot.clock import FastClock
from bot.command_text import parse_command
from bot.messages.model import (
    Button,
    Message,
    Section,
    bold,
    italic,
    line,
    message_text,
    plain,
    quoted,
    strike,
)
from bot.pacer import Pacer
from bot.ports import (
    CannotEdit,
    ChatMoved,
    ChatUnreachable,
    CommandContext,
    PermanentFailure,
    RetryAfter,
    TemporaryFailure,
)
from tests.support.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.timeout(30)

TOKEN = "654321:TEST-adapter-token"
CHAT = 42
PLAIN = Message(kind="reply", headline=line("hello"))


def long_message(headline: str, rows: list[tuple[str, str]], **fields: Any) -> Message:
    """A message of one headline and ``rows`` (a bold part, then plain words) below it."""
    lines = tuple(line(bold(b), p) if b else line(p) for b, p in rows)
    return Message(
        kind="recap", headline=line(headline), sections=(Section(lines=lines),), **fields
    )


class NoCore:
    """A core that is never asked anything (no updates are queued in these tests)."""

    async def command(
        self, ctx: CommandContext, name: str, args: str, reply_key: str | None = None
    ) -> Message:
        raise AssertionError("unexpected command")

    async def press(
        self, ctx: CommandContext, action: str, reply_key: str | None = None
    ) -> Message:
        raise AssertionError("unexpected press")

    async def chat_gone(self, platform: str, chat_id: str) -> None:
        raise AssertionError("unexpected chat_gone")

    async def team_names(self, typed: str, limit: int = 25) -> list[str]:
        return []


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield


#: The pacer and the fake's limits run this many times faster than real time.
SPEED = 100.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, time_scale=1 / SPEED) as server:
        yield server


@pytest.fixture(params=[False, True], ids=["ptb", "paid-bulk"])
async def adapter(
    fake: FakeTelegram, request: pytest.FixtureRequest
) -> AsyncIterator[TelegramAdapter]:
    """Every test runs on python-telegram-bot's path and on the paid-broadcast bulk path,
    paced by the delivery loop's pacer as in a run (on a clock as fast as the fake's)."""

    tg = TelegramAdapter(TOKEN, base_url=fake.base_url, paid_broadcast=request.param)
    tg.bind_pacer(Pacer(tg.pacing, tg.is_group, FastClock(SPEED)))
    await tg.start(NoCore())
    try:
        yield tg
    finally:
        await tg.stop()


async def test_send_is_html_without_previews_and_buttons_are_callbacks(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    message = Message(
        kind="suggestions",
        headline=line(bold("A & B"), " <3"),  # sent as "<b>A &amp; B</b> &lt;3"
        buttons=(Button(label="Inter", action="subscribe:inter"),),
    )
    ids = await adapter.send(str(CHAT), message)
    (sent,) = fake.messages(CHAT)
    assert ids == [str(sent["message_id"])]
    assert sent["text"] == "A & B <3"
    assert sent["parse_mode"] == "HTML"
    assert sent["link_preview_options"] == {"is_disabled": True}
    assert sent["allow_paid_broadcast"] is adapter.paid_broadcast
    assert sent["reply_markup"] == {
        "inline_keyboard": [[{"text": "Inter", "callback_data": "subscribe:inter"}]]
    }


async def test_a_long_text_is_split_at_lines_and_paced_per_chat(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    rows = [(f"{i:04d}", f" {'x' * 90}") for i in range(60)]  # ~6,100 characters
    message = long_message("r", rows, buttons=(Button(label="B", action="score:x"),))
    clock = FastClock(SPEED)
    adapter.bind_pacer(Pacer(adapter.pacing, adapter.is_group, clock))
    started = clock.monotonic()
    ids = await adapter.send(str(CHAT), message)
    assert clock.monotonic() - started >= 1.0  # the second part waited its chat's second
    parts = fake.messages(CHAT)
    assert ids == [str(p["message_id"]) for p in parts] and len(parts) == 2
    assert "\n".join(p["text"] for p in parts) == "r\n\n" + "\n".join(
        f"{i:04d} {'x' * 90}" for i in range(60)
    )
    assert parts[0]["reply_markup"] is None and parts[1]["reply_markup"] is not None
    assert fake.violations == []


def test_parts_count_utf16_units_like_telegram() -> None:
    rows = ["⚽" * 20 + "🏁" * 20] * 120  # 4,800 characters, 7,200 UTF-16 units
    parts = message_parts(
        Message(
            kind="recap",
            headline=line(rows[0]),
            sections=(Section(lines=tuple(line(r) for r in rows[1:])),),
        )
    )
    assert len(parts) == 2  # 4,800 characters would fit in two parts; 7,320 units in two
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert "\n".join(parts).replace("\n\n", "\n") == "\n".join(rows)


async def test_edit_replaces_the_text_and_not_modified_counts_as_done(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    goal = Message(kind="goal", headline=line(bold("GOAL"), " 1-0"))
    (first,) = await adapter.send(str(CHAT), goal)
    # the pacer keeps to one message a second to a chat, edits included
    cancelled = Message(kind="correction", headline=line(strike("GOAL"), " 0-0"))
    await adapter.edit(str(CHAT), [first], cancelled)
    assert fake.messages(CHAT)[0]["text"] == "GOAL 0-0"
    await adapter.edit(str(CHAT), [first], cancelled)  # unchanged: not even sent
    assert len(fake.calls_to("editMessageText")) == 1
    with pytest.raises(CannotEdit):
        await adapter.edit(str(CHAT), ["999"], PLAIN)
    assert fake.violations == []


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
@pytest.mark.parametrize("timedelta_mode", [False, True])
async def test_retry_after_asks_that_chat_to_wait(
    adapter: TelegramAdapter,
    fake: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
    timedelta_mode: bool,
) -> None:
    if timedelta_mode:
        monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.fail_next(CHAT, "retry_after", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await adapter.send(str(CHAT), PLAIN)
    assert caught.value.seconds == 7.0


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_retry_after_seconds_takes_int_and_timedelta() -> None:
    assert retry_after_seconds(PTBRetryAfter(dtm.timedelta(seconds=3))) == 3.0
    assert retry_after_seconds(PTBRetryAfter(4)) == 4.0


@pytest.mark.parametrize(
    ("kind", "chat_id", "expected"),
    [
        ("blocked", CHAT, ChatUnreachable),
        ("kicked", -555, ChatUnreachable),
        ("chat_not_found", CHAT, ChatUnreachable),
        ("server_error", CHAT, TemporaryFailure),
    ],
)
async def test_errors_map_to_ports_errors(
    adapter: TelegramAdapter,
    fake: FakeTelegram,
    kind: Any,
    chat_id: int,
    expected: type[Exception],
) -> None:
    fake.fail_next(chat_id, kind)
    with pytest.raises(expected):
        await adapter.send(str(chat_id), PLAIN)


async def test_a_migrated_group_names_its_new_id(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    new_id = fake.migrate(-555)
    with pytest.raises(ChatMoved) as caught:
        await adapter.send("-555", PLAIN)
    assert caught.value.new_chat_id == str(new_id) == "-100555"


async def test_a_timeout_is_temporary(fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("adapters.telegram.adapter.REQUEST_TIMEOUT", 0.5)
    tg = TelegramAdapter(TOKEN, base_url=fake.base_url)
    await tg.start(NoCore())
    try:
        fake.fail_next(CHAT, "timeout", delay=1.5)
        with pytest.raises(TemporaryFailure, match="timed out"):
            await tg.send(str(CHAT), PLAIN)
    finally:
        await tg.stop()


async def test_bad_html_is_refused_for_good(adapter: TelegramAdapter, fake: FakeTelegram) -> None:
    # Markup in a message's words is escaped: Telegram shows it as typed.
    await adapter.send(str(CHAT), Message(kind="reply", headline=line("<b>unclosed")))
    assert fake.messages(CHAT)[0]["text"] == "<b>unclosed"
    # The renderer never writes HTML Telegram refuses; should it, the refusal is for good.
    adapter.render = lambda message: ("<b>unclosed",)  # type: ignore[assignment,method-assign]
    with pytest.raises(PermanentFailure, match="parse entities"):
        await adapter.send(str(CHAT), PLAIN)


async def test_paid_broadcast_flag_and_pace(fake: FakeTelegram) -> None:
    tg = TelegramAdapter(TOKEN, base_url=fake.base_url, paid_broadcast=True)
    await tg.start(NoCore())
    try:
        await tg.send(str(CHAT), PLAIN)
    finally:
        await tg.stop()
    assert fake.messages(CHAT)[0]["allow_paid_broadcast"] is True
    # Telegram's limits as Telegram counts them: the pacer keeps them at Telegram's end
    assert tg.pacing.per_second == 1000
    assert telegram_pacing().per_second == 30


async def test_a_stopped_adapter_sends_nothing(fake: FakeTelegram) -> None:
    tg = TelegramAdapter(TOKEN, base_url=fake.base_url)
    await tg.start(NoCore())
    await tg.stop()
    with pytest.raises(TemporaryFailure):
        await tg.send(str(CHAT), PLAIN)
    assert fake.messages() == []


def test_commands_addressed_to_this_bot_only() -> None:
    def parsed_as(text: str, bot: str) -> tuple[str, str, bool] | None:
        parsed = parse_command(text, bot)
        return None if parsed is None else (parsed.typed, parsed.args, parsed.addressed)

    assert parsed_as("/score", "MatchBot") == ("score", "", False)
    assert parsed_as("/Score@matchbot  Inter ", "MatchBot") == ("score", "Inter", True)
    assert parsed_as("/score@OtherBot inter", "MatchBot") is None
    assert parsed_as("hello", "MatchBot") is None
    assert parsed_as("/", "MatchBot") is None


def test_groups_have_negative_ids_and_the_token_stays_secret() -> None:
    tg = TelegramAdapter(TOKEN)
    assert tg.is_group("-1001234") and not tg.is_group("42")
    secret = webhook_secret(TOKEN)
    assert TOKEN not in secret and secret == webhook_secret(TOKEN)
    assert TOKEN not in repr(tg)


async def test_webhook_mode_sets_the_webhook_or_says_what_is_missing(
    fake: FakeTelegram,
) -> None:
    tg = TelegramAdapter(
        TOKEN,
        base_url=fake.base_url,
        webhook_url="https://bot.example.org/telegram/hook",
        webhook_listen="127.0.0.1:0",
    )
    try:
        import tornado  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match="webhooks"):
            await tg.start(NoCore())
        await tg.stop()
        return
    await tg.start(NoCore())
    try:
        assert fake.webhook_url == "https://bot.example.org/telegram/hook"
        assert fake.webhook_params["secret_token"] == webhook_secret(TOKEN)
    finally:
        await tg.stop()


async def test_the_delivery_loop_paces_the_extra_parts(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    from bot.delivery import Delivery
    from storage.thread import StoreThread

    clock = FastClock(SPEED)
    delivery = Delivery(StoreThread(":memory:"), adapter, clock)  # binds its pacer
    await delivery.pacer.reserve()  # as the loop does before it starts a send
    delivery.pacer.assign(str(CHAT))
    started = clock.monotonic()
    await adapter.send(str(CHAT), long_message("y" * 100, [("", "y" * 100)] * 59))
    delivery.pacer.finish(str(CHAT))
    assert len(fake.messages(CHAT)) == 2
    assert clock.monotonic() - started >= 1.0  # the first part took the loop's turn
    assert delivery.pacer.ready_at(str(CHAT)) > clock.monotonic()  # the second part counted
    assert fake.violations == []


@pytest.mark.parametrize("paid", [False, True], ids=["ptb", "paid-bulk"])
async def test_a_timeout_is_a_temporary_failure(
    fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch, paid: bool
) -> None:
    monkeypatch.setattr("adapters.telegram.adapter.REQUEST_TIMEOUT", 0.5)
    tg = TelegramAdapter(TOKEN, base_url=fake.base_url, paid_broadcast=paid)
    await tg.start(NoCore())
    try:
        fake.fail_next(CHAT, "timeout", delay=3.0)
        with pytest.raises(TemporaryFailure, match="timed out"):
            await tg.send(str(CHAT), PLAIN)
    finally:
        await tg.stop()


async def test_paid_sends_never_exceed_the_limit_at_telegrams_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """60 paid sends at once against a Telegram allowing 20 a second and answering after a
    tenth of a second, through the delivery loop's pacer (clock and fake 100 times faster):
    all delivered, none refused."""
    monkeypatch.setattr("adapters.telegram.adapter.PAID_LIMIT", 20)
    async with FakeTelegram(
        token=TOKEN, latency=0.1 / SPEED, paid_global_per_second=20, time_scale=1 / SPEED
    ) as server:
        tg = TelegramAdapter(TOKEN, base_url=server.base_url, paid_broadcast=True)
        tg.bind_pacer(Pacer(tg.pacing, tg.is_group, FastClock(SPEED)))
        await tg.start(NoCore())
        try:
            await asyncio.gather(*(tg.send(str(1000 + i), PLAIN) for i in range(60)))
        finally:
            await tg.stop()
        assert len(server.messages()) == 60
        assert server.violations == []


def test_a_long_line_is_split_between_elements_and_every_part_parses() -> None:
    """A 9,000-character line whose tags sit near the split points, a 5,000-character word, a
    long quote: every part passes Telegram's strict HTML parsing (the fake's), within 4,096
    UTF-16 units once parsed, and nothing but the cut word's end is lost."""
    from tests.support.fakes.telegram_api import parse_telegram_html

    words = tuple(
        span
        for i in range(900)
        for span in (
            (bold(f"Müller & Co {i}"), plain(" "), italic("scores "))
            if i % 3
            else (plain(f"x{i} "),)
        )
    )
    long_word = line(bold("x" * 5000), " after")
    a_quote = line(quoted("a < b " * 1500))
    for row in (words, long_word, a_quote):
        message = Message(kind="recap", headline=row)
        parts = message_parts(message)
        assert len(parts) > 1
        for part in parts:
            shown, _entities = parse_telegram_html(part)
            assert len(shown.encode("utf-16-le")) // 2 <= 4096
        if row is not long_word:  # every word is still there, in order
            shown = " ".join(parse_telegram_html(p)[0] for p in parts)
            assert shown.split() == message_text(message).split()
    cut = message_parts(Message(kind="recap", headline=long_word))
    assert cut[0].endswith("x…</b>") and cut[-1] == "after"
