"""One catalogue of commands (bot/command_catalogue.py): every command the bot answers is in it,
everything in it is answered, and Telegram's menu, Discord's slash commands and /help list
exactly it (the platforms through their fakes, with the real libraries)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.assemble import build_bot
from adapters.discord import DiscordAdapter
from adapters.telegram import TelegramAdapter
from bot.app import MatchBot
from bot.command_catalogue import (
    ALIASES,
    BY_NAME,
    CATALOGUE,
    MAY_CHANGE_CHAT,
    commands_on,
    in_help,
    menu,
)
from bot.messages import i18n, templates
from bot.messages.model import message_text
from bot.ports import CommandContext
from tests.support.fakes.discord_api import FakeDiscord
from tests.support.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.timeout(30)

TOKEN = "654321:TEST-catalogue-token"
FAN = CommandContext(platform="telegram", chat_id="7", user_id="7", chat_kind="private")


@pytest.fixture
async def bot() -> AsyncIterator[MatchBot]:
    """The real core, its store in memory, nothing started: adapters only ask it things."""
    core = build_bot(":memory:", recap_delay=None, reminder_lead=None)
    await core.open()
    try:
        yield core
    finally:
        await core.db.close()


def unknown(name: str) -> str:
    return message_text(templates.unknown_command(name))


async def test_every_catalogued_name_is_answered(bot: MatchBot) -> None:
    for name in sorted({*BY_NAME, *ALIASES}):
        answer = await bot.command(FAN, name, "")
        assert message_text(answer) != unknown(name), f"/{name} is catalogued, not answered"
        assert message_text(answer) != unknown(ALIASES.get(name, name))


async def test_every_command_answered_is_catalogued(bot: MatchBot) -> None:
    # the commands answered on the database thread
    assert set(bot.commands.handlers) <= set(BY_NAME)
    # those answered elsewhere (a provider, the reporters) are catalogued too
    assert {"report", "table"} <= set(BY_NAME)
    # a name outside the catalogue is no command, whatever answers it would have
    for name in ("frobnicate", "reports", "tables", "statz"):
        answer = await bot.command(FAN, name, "")
        assert message_text(answer) == unknown(name)


def test_the_catalogue_is_consistent() -> None:
    names = [c.name for c in CATALOGUE]
    assert len(names) == len(set(names))
    assert not set(ALIASES) & set(names), "an alias hides a command"
    assert set(ALIASES.values()) <= set(names)
    assert {
        "subscribe",
        "follow",
        "segui",
        "seguire",
        "unsubscribe",
        "unfollow",
        "nonseguire",
        "smetti",
        "settings",
        "impostazioni",
    } == MAY_CHANGE_CHAT
    for command in CATALOGUE:
        assert command.name.isascii() and command.name.islower()
        if "discord" in command.platforms:
            assert 0 < len(command.describe) <= 100, command.name  # Discord's limit


def test_help_lists_the_catalogue_in_each_language() -> None:
    for language in i18n.LANGUAGES:
        with i18n.use(language):
            text = message_text(templates.help_text())
            rows = [r for r in text.splitlines() if r.startswith("/")]
            assert [r.split()[0] for r in rows] == [f"/{c.name_in(language)}" for c in in_help()]
            score_name = BY_NAME["score"].name_in(language)  # /punteggio in Italian
            score = next(r for r in rows if r.startswith(f"/{score_name} "))
            wanted = f"/{score_name} {i18n._('[TEAM]')} — {i18n._('live or latest score')}"
            assert score == wanted
    assert "/report" not in message_text(templates.help_text())  # reporters: /report help


async def test_telegram_menu_lists_the_catalogue(bot: MatchBot) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        tg = TelegramAdapter(TOKEN, base_url=fake.base_url)
        await tg.start(bot)
        try:
            for language in i18n.LANGUAGES:
                code = "" if language == i18n.DEFAULT_LANGUAGE else language
                listed = fake.get_commands(language_code=code)
                assert listed is not None, language
                with i18n.use(language):
                    wanted = templates.command_menu("telegram")
                assert [(c["command"], c["description"]) for c in listed] == wanted
                assert [c["command"] for c in listed] == [
                    c.name_in(language) for c in menu("telegram")
                ]
        finally:
            await tg.stop()
    assert "report" not in [c.name for c in menu("telegram")]  # typed by the reporters only


async def test_discord_tree_lists_the_catalogue(
    bot: MatchBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.05)
    async with FakeDiscord() as dc:
        adapter = DiscordAdapter(dc.token)
        await adapter.start(bot)
        await adapter.stop()
        synced = dc.synced_commands[None]
    catalogued = commands_on("discord")
    assert [c["name"] for c in synced] == [c.name for c in catalogued]
    assert [c["description"] for c in synced] == [c.describe for c in catalogued]
    with i18n.use("it"):
        italian = [i18n._(c.describe) for c in catalogued]
    assert [c["description_localizations"]["it"] for c in synced] == italian
    # Italian members see the Italian names (/punteggio); typing them runs the same command
    localized = [(c.get("name_localizations") or {}).get("it") for c in synced]
    assert localized == [c.italian or None for c in catalogued]
    assert {c["name"]: c["name_localizations"] for c in synced}["score"] == {"it": "punteggio"}
