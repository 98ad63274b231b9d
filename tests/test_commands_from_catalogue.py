"""Everything about a command is derived from its catalogue entry: Discord's slash commands and
their options, Telegram's menu, ``/help``, the text parser, the rights, the read-only path and
who answers it. Adding a command is one entry and one handler: a throwaway command in a test
catalogue shows up in all of them (the platforms through their fakes, with the real
libraries)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.assemble import build_bot
from adapters.discord import DiscordAdapter
from adapters.telegram import TelegramAdapter
from bot.app import MatchBot
from bot.command_catalogue import CATALOGUE
from bot.command_service import AnswersByName, check_handlers
from bot.command_text import parse_command
from bot.command_types import Argument, Catalogue, ChatCommand, Choice
from bot.commands import Commands, parse_press
from bot.messages import i18n, templates
from bot.messages.model import Message, message_text
from bot.messages.templates.vocabulary import reply
from bot.ports import CommandContext
from tests.support.fakes.discord_api import FakeDiscord
from tests.support.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.timeout(30)

TOKEN = "654321:TEST-throwaway-token"
FAN = CommandContext(platform="telegram", chat_id="7", user_id="7", chat_kind="private")
MEMBER = CommandContext(
    platform="telegram", chat_id="-100", user_id="8", chat_kind="group", can_manage=False
)

#: The throwaway command: one entry (names in two languages, rights, typed arguments).
ECHO = ChatCommand(
    "echo",
    "say it back",
    "Say it back in this channel",
    usage="WORDS",
    arguments=(
        Argument("words", "text", "What to say back", required=True),
        Argument("times", "number", "How many times", minimum=1, maximum=3, form="x{}"),
        Argument(
            "tone",
            "choice",
            "How to say it",
            choices=(Choice("Quietly", "quiet"), Choice("Loudly", "loud")),
        ),
    ),
    who="managers",
    names={"it": ("ripeti", "eco")},
)
TEST_CATALOGUE = Catalogue((*CATALOGUE, ECHO))


class EchoCommands(Commands):
    """… and one handler: a method named like the command."""

    def echo(self, ctx: CommandContext, args: str) -> Message:
        return reply(f"echo: {args}")


@pytest.fixture
async def bot() -> AsyncIterator[MatchBot]:
    core = build_bot(":memory:", recap_delay=None, reminder_lead=None)
    await core.open()
    try:
        yield core
    finally:
        await core.db.close()


async def test_a_new_command_is_one_entry_and_one_handler(
    bot: MatchBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /help, in each language
    with i18n.use("en"):
        assert "/echo WORDS — say it back" in message_text(
            templates.help_text(catalogue=TEST_CATALOGUE)
        )
    with i18n.use("it"):
        assert "/ripeti WORDS — say it back" in message_text(
            templates.help_text(catalogue=TEST_CATALOGUE)
        )
    assert "/echo" not in message_text(templates.help_text())  # the bot's own has no /echo

    # Telegram's menu, per language, through the fake Bot API
    async with FakeTelegram(token=TOKEN) as fake:
        tg = TelegramAdapter(TOKEN, base_url=fake.base_url, catalogue=TEST_CATALOGUE)
        await tg.start(bot)
        try:
            english = fake.get_commands() or []
            italian = fake.get_commands(language_code="it") or []
        finally:
            await tg.stop()
    assert {"command": "echo", "description": "WORDS: say it back"} in english
    assert "ripeti" in [c["command"] for c in italian]
    assert len(english) == len(CATALOGUE.menu("telegram")) + 1

    # Discord's tree, with its options, synced to the fake Discord
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.05)
    async with FakeDiscord() as dc:
        adapter = DiscordAdapter(dc.token, catalogue=TEST_CATALOGUE)
        await adapter.start(bot)
        await adapter.stop()
        synced = {c["name"]: c for c in dc.synced_commands[None]}
    assert len(synced) == len(CATALOGUE.commands_on("discord")) + 1
    echo = synced["echo"]
    assert echo["description"] == "Say it back in this channel"
    assert echo["name_localizations"] == {"it": "ripeti"}
    words, times, tone = echo["options"]
    assert (words["name"], words["type"], words["required"]) == ("words", 3, True)
    assert (times["name"], times["type"], times.get("required", False)) == ("times", 4, False)
    assert (times["min_value"], times["max_value"]) == (1, 3)
    assert [(c["name"], c["value"]) for c in tone["choices"]] == [
        ("Quietly", "quiet"),
        ("Loudly", "loud"),
    ]

    # the parser knows its names; the store answers it with the method; rights come along
    parsed = parse_command("/Ripeti@MatchBot  ciao ", "matchbot", TEST_CATALOGUE)
    assert parsed is not None and parsed.command is ECHO and parsed.args == "ciao"
    commands = EchoCommands(bot.commands.store, catalogue=TEST_CATALOGUE)
    answer = await bot.db.call(lambda _s: commands.run(FAN, parsed.typed, parsed.args))
    assert message_text(answer) == "echo: ciao"
    refused = await bot.db.call(lambda _s: commands.run(MEMBER, "eco", "ciao"))
    assert message_text(refused) == message_text(templates.admins_only_in(MEMBER.place))
    assert ECHO.text_runs({"words": "ciao", "times": 2, "tone": "loud"}) == ["ciao x2 loud"]


def test_a_command_without_its_handler_fails_at_start() -> None:
    class NoHandlers(AnswersByName):
        pass

    orphan = ChatCommand("frobnicate", "does nothing", answered_by="stats")
    with pytest.raises(AttributeError, match="frobnicate"):
        check_handlers([orphan], {"stats": NoHandlers()})
    with pytest.raises(AttributeError):
        Commands(None, catalogue=Catalogue((ChatCommand("frobnicate", "nothing"),)))  # type: ignore[arg-type]


def _option_type(argument: Argument) -> int:
    return 4 if argument.type == "number" else 3  # Discord: INTEGER, STRING


async def test_every_slash_command_has_the_options_its_arguments_declare(
    bot: MatchBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.05)
    async with FakeDiscord() as dc:
        adapter = DiscordAdapter(dc.token)
        await adapter.start(bot)
        await adapter.stop()
        synced = {c["name"]: c for c in dc.synced_commands[None]}
    for command in CATALOGUE.commands_on("discord"):
        options: list[dict[str, Any]] = synced[command.name].get("options") or []
        arguments = sorted(command.arguments, key=lambda a: not a.required)
        assert [o["name"] for o in options] == [a.name for a in arguments], command.name
        for option, argument in zip(options, arguments, strict=True):
            assert option["type"] == _option_type(argument)
            assert bool(option.get("required")) == argument.required
            assert option["description"] == argument.describe
            values = [c["value"] for c in option.get("choices") or []]
            assert values == [c.value for c in argument.choices]
            completes = argument.type in ("team", "follow")
            assert bool(option.get("autocomplete")) == completes, (command.name, argument.name)
            if argument.minimum is not None:
                assert option["min_value"] == argument.minimum
            if argument.maximum is not None:
                assert option["max_value"] == argument.maximum
            with i18n.use("it"):
                italian = i18n._(argument.describe)
            assert option.get("description_localizations", {}).get("it") == italian


def test_options_become_the_text_command() -> None:
    subscribe, settings = CATALOGUE.by_name["subscribe"], CATALOGUE.by_name["settings"]
    assert subscribe.text_runs({"name": "Inter"}) == ["Inter"]
    assert subscribe.text_runs({"name": "Inter", "level": "goals"}) == ["Inter goals"]
    assert settings.text_runs({}) == [""]
    assert settings.text_runs({"level": "all", "spoiler_delay": 0, "digest": None}) == [
        "level all",
        "spoiler 0",
    ]
    # a subscription's level goes with the subscription, and only with both
    assert settings.text_runs({"subscription": "team Inter", "subscription_level": "key"}) == [
        "subscription team Inter key"
    ]
    assert settings.text_runs({"subscription": "team Inter"}) == [""]
    assert settings.text_runs({"subscription_level": "key", "language": "it"}) == ["language it"]


@pytest.mark.parametrize(
    ("text", "bot_name", "expected"),
    [
        ("/score", "MatchBot", ("score", "score", "", False)),
        ("/SCORE@matchbot   Inter  ", "MatchBot", ("score", "score", "Inter", True)),
        ("/punteggio inter", "MatchBot", ("punteggio", "score", "inter", False)),
        ('/Segui "AC Milan"', "MatchBot", ("segui", "subscribe", "AC Milan", False)),
        ("/follow “Inter”", None, ("follow", "subscribe", "Inter", False)),
        ("/score@AnyName inter", None, ("score", "score", "inter", True)),  # the console
        (
            "/report@MatchBot goal Inter\nLautaro 65",
            "MatchBot",
            ("report", "report", "goal Inter\nLautaro 65", True),
        ),
        ("/frobnicate now", "MatchBot", ("frobnicate", "frobnicate", "now", False)),
        ("/score@OtherBot inter", "MatchBot", None),
        ("/score@", "MatchBot", None),
        ("hello", "MatchBot", None),
        ("/", "MatchBot", None),
        ("/@MatchBot", "MatchBot", None),
    ],
)
def test_one_parser_for_typed_commands(
    text: str, bot_name: str | None, expected: tuple[str, str, str, bool] | None
) -> None:
    parsed = parse_command(text, bot_name)
    got = None if parsed is None else (parsed.typed, parsed.name, parsed.args, parsed.addressed)
    assert got == expected


async def test_rights_and_the_read_only_path_follow_the_catalogue(bot: MatchBot) -> None:
    refusal = message_text(templates.admins_only_in(MEMBER.place))
    await bot.command(FAN, "help", "")  # the chat exists: read-only answers need it
    await bot.command(MEMBER, "help", "")
    reader = bot.read_commands or bot.commands
    for command in CATALOGUE:
        for name in command.all_names:
            answer = await bot.command(MEMBER, name, "inter")
            refused = message_text(answer) == refusal
            assert refused == command.needs_rights("inter"), name
            read = await bot.db.run_read(reader.answer_read_only, FAN, name, "")
            wanted = command.read_only and command.name in bot.commands.handlers
            assert (read is not None) == wanted, name
    # /settings: anyone may look, only managers change
    looked = await bot.command(MEMBER, "impostazioni", "")
    assert message_text(looked) != refusal


def test_buttons_run_the_commands_that_take_a_team() -> None:
    for command in CATALOGUE:
        press = parse_press(f"{command.name}:inter")
        first = command.arguments[0].type if command.arguments else None
        assert (press is not None) == (first in ("team", "follow")), command.name
        other_kind = parse_press(f"{command.name}:c:serie-a")
        assert (other_kind is not None) == (first == "follow"), command.name


def test_every_text_discord_shows_fits_its_limits_in_every_language() -> None:
    """Discord refuses the whole sync (and the bot does not start) when one description or
    choice is over 100 characters in any language: the Italian of /lineups once was."""
    for language in i18n.LANGUAGES:
        with i18n.use(language):
            for command in CATALOGUE.commands_on("discord"):
                texts = [command.describe, *(a.describe for a in command.arguments)]
                texts += [c.label for a in command.arguments for c in a.choices]
                for text in texts:
                    assert 1 <= len(i18n._(text)) <= 100, (language, command.name, text)
                assert 1 <= len(command.name_in(language)) <= 32
