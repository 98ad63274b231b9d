"""What was still spelled by hand outside the catalogue now follows from it: each command's
usage line in ``/help`` and the menus (from its arguments, in every language), the keys of
``/settings`` (their names and aliases in every language are the catalogue's), the buttons
(``settings:KEY:VALUE`` and ``subscribe:…`` presses read from the command's arguments) and
quoting inside arguments. A throwaway command and a throwaway setting key, each one catalogue
entry and one handler, reach every path: /help, the Telegram menu, the Discord payload, the
text parser, typed and pressed (the platforms through their fakes, with the real
libraries)."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import cast

import pytest

from adapters.assemble import build_bot
from adapters.console.adapter import ConsoleAdapter
from adapters.discord import DiscordAdapter
from adapters.telegram import TelegramAdapter
from adapters.telegram.render import telegram_html
from bot.app import MatchBot
from bot.chat_settings import ChatSettings
from bot.command_catalogue import CATALOGUE
from bot.command_text import parse_command, split_arguments
from bot.command_types import Argument, Catalogue, ChatCommand, Choice
from bot.commands import Commands, parse_press
from bot.commands.settings import SETTERS
from bot.engine import Engine
from bot.messages import i18n, templates
from bot.messages.model import Message, message_text
from bot.messages.templates.vocabulary import reply
from bot.ports import CommandContext
from storage.store import Store
from tests.support.core import outbox_text
from tests.support.fakes.discord_api import FakeDiscord
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.following import FAN, feed, line, match, say

pytestmark = pytest.mark.timeout(30)

TOKEN = "654321:TEST-throwaway-token"
PRIVATE = CommandContext(platform="telegram", chat_id="7", user_id="7", chat_kind="private")
MEMBER = CommandContext(
    platform="telegram", chat_id="-100", user_id="8", chat_kind="group", can_manage=False
)

#: The throwaway command: one entry, no usage written by hand.
CHEER = ChatCommand(
    "cheer",
    "cheer a team on",
    "Cheer a team on in this channel",
    arguments=(
        Argument("team", "team", "The team to cheer on", required=True),
        Argument(
            "how",
            "choice",
            "How loud",
            choices=(Choice("Softly", "soft"), Choice("Loudly", "loud")),
        ),
    ),
    names={"it": ("tifa", "forza")},
)
#: The throwaway setting key: one argument of /settings, its names in two languages.
MOOD = Argument(
    "mood",
    "choice",
    "The channel's mood",
    choices=(Choice("Calm", "calm"), Choice("Wild", "wild")),
    form="mood {}",
    aliases=("vibe",),
    names={"it": ("umore",)},
)
SETTINGS = CATALOGUE.by_name["settings"]
TEST_CATALOGUE = Catalogue(
    (
        *(replace(c, arguments=(*c.arguments, MOOD)) if c is SETTINGS else c for c in CATALOGUE),
        CHEER,
    )
)


def cheer(self: Commands, ctx: CommandContext, args: str) -> Message:
    """… and its one handler."""
    return reply(f"cheer: {args}")


def set_mood(changed: ChatSettings, value: str) -> Message | None:
    """… and the key's one setter."""
    return reply(f"mood: {value}")


def test_a_setting_key_without_its_setter_fails_at_start(store: Store) -> None:
    with pytest.raises(AttributeError, match="mood"):
        Commands(store, catalogue=Catalogue((replace(SETTINGS, arguments=(MOOD,)),)))


async def test_a_new_command_and_setting_key_reach_every_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Commands, "cheer", cheer, raising=False)
    monkeypatch.setattr(Commands, "setters", {**SETTERS, "mood": set_mood})
    bot = build_bot(":memory:", recap_delay=None, reminder_lead=None, catalogue=TEST_CATALOGUE)
    await bot.open()
    try:
        await _help_and_menus(bot, monkeypatch)
        await _typed_and_pressed(bot)
    finally:
        await bot.db.close()


async def _help_and_menus(bot: MatchBot, monkeypatch: pytest.MonkeyPatch) -> None:
    # /help's usage line, from the arguments, in each language
    with i18n.use("en"):
        helped = message_text(templates.help_text(catalogue=TEST_CATALOGUE))
        assert "/cheer TEAM [soft|loud] — cheer a team on" in helped
    with i18n.use("it"):
        helped = message_text(templates.help_text(catalogue=TEST_CATALOGUE))
        assert "/tifa SQUADRA [soft|loud] — cheer a team on" in helped

    # Telegram's menu, per language, through the fake Bot API
    async with FakeTelegram(token=TOKEN) as fake:
        tg = TelegramAdapter(TOKEN, base_url=fake.base_url, catalogue=TEST_CATALOGUE)
        await tg.start(bot)
        try:
            english = fake.get_commands() or []
            italian = fake.get_commands(language_code="it") or []
        finally:
            await tg.stop()
    assert {"command": "cheer", "description": "TEAM [soft|loud]: cheer a team on"} in english
    assert {"command": "tifa", "description": "SQUADRA [soft|loud]: cheer a team on"} in italian

    # Discord's payload: the command with its options, the key among /settings' options
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.05)
    async with FakeDiscord() as dc:
        adapter = DiscordAdapter(dc.token, catalogue=TEST_CATALOGUE)
        await adapter.start(bot)
        await adapter.stop()
        synced = {c["name"]: c for c in dc.synced_commands[None]}
    assert synced["cheer"]["name_localizations"] == {"it": "tifa"}
    assert [o["name"] for o in synced["cheer"]["options"]] == ["team", "how"]
    mood = next(o for o in synced["settings"]["options"] if o["name"] == "mood")
    assert [c["value"] for c in mood["choices"]] == ["calm", "wild"]


async def _typed_and_pressed(bot: MatchBot) -> None:
    # the text parser knows the command's names; typed, its handler answers
    parsed = parse_command("/Forza@MatchBot  Inter loud", "MatchBot", TEST_CATALOGUE)
    assert parsed is not None and parsed.command is CHEER and parsed.args == "Inter loud"
    assert message_text(await bot.command(PRIVATE, parsed.typed, parsed.args)) == (
        "cheer: Inter loud"
    )
    # a console line too (the console's parser reads the same catalogue)
    console = ConsoleAdapter(io.StringIO(), catalogue=TEST_CATALOGUE)
    await console.start(bot)
    await console.handle_input("/forza Milan soft", "console:1")
    rows = await bot.db.call(lambda s: cast(Store, s).outbox_rows("console", "local"))
    assert outbox_text(dict(rows[-1])) == "cheer: Milan soft"
    # a team button runs it: its first argument names a team
    assert message_text(await bot.press(PRIVATE, "cheer:inter")) == "cheer: inter"
    expired = message_text(templates.button_expired())
    assert message_text(await bot.press(PRIVATE, "cheer:c:serie-a")) == expired

    # the key, typed by any of its names, in any chat; pressed with a value it offers
    for typed in ("mood wild", "vibe wild", "umore wild", 'MOOD "wild"'):
        assert message_text(await bot.command(PRIVATE, "impostazioni", typed)) == "mood: wild"
    assert message_text(await bot.press(PRIVATE, "settings:mood:calm")) == "mood: calm"
    assert message_text(await bot.press(PRIVATE, "settings:mood:loud")) == expired
    assert await bot.press_refusal(MEMBER, "settings:mood:calm") is not None  # it changes
    # a near miss of it is suggested; the list of keys names it
    near = message_text(await bot.command(PRIVATE, "settings", "moood wild"))
    assert near.endswith("Did you mean /settings mood wild?")
    listed = message_text(await bot.command(PRIVATE, "settings", "xyzzy 1"))
    assert "mood" in listed.split("\n")[0]


def test_the_bots_commands_spell_no_usage_by_hand() -> None:
    """Every usage line is its arguments': none is written next to them."""
    assert [c.name for c in CATALOGUE if c.usage] == []
    with i18n.use("en"):
        text = message_text(templates.help_text())
    assert "/table [COMPETITION] — the league table" in text
    assert "/unsubscribe WHAT — " in text
    assert "/settings [SETTING VALUE] — " in text
    with i18n.use("it"):
        text = message_text(templates.help_text())
    assert "/classifica [COMPETIZIONE] — la classifica del campionato" in text
    assert "/segui COSA — " in text and "/nonseguire COSA — " in text
    assert "/impostazioni [IMPOSTAZIONE VALORE] — " in text


def test_every_setting_key_is_the_catalogues_in_every_language(commands_at_noon: Commands) -> None:
    """Each key of /settings, by each of its names (Italian and aliases included), sets it;
    the match's depth switches are /settings options on Discord too."""
    keys = {a.name: a.keys for a in SETTINGS.arguments if a.key}
    assert keys["level"] == ("level", "alerts", "livello", "avvisi")
    assert {"lineups", "stats", "pictures"} <= set(keys)
    for word in keys["lineups"]:
        assert "Line-ups before kick-off: off" in say(commands_at_noon, f"/settings {word} off")
        say(commands_at_noon, "/settings lineups on")
    for word in keys["spoiler_delay"]:
        assert "Spoiler delay: 1 min" in say(commands_at_noon, f"/settings {word} 60")


@pytest.fixture
def commands_at_noon(store: Store) -> Commands:
    return Commands(store)


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ('player "Lautaro Martínez" goals', ["player", "Lautaro Martínez", "goals"]),
        ("“Club World Cup” key", ["Club World Cup", "key"]),
        ("«Inter» all", ["Inter", "all"]),
        ("'Inter' all", ["Inter", "all"]),
        ("Nott'm Forest", ["Nott'm", "Forest"]),  # an apostrophe is a letter
        ('"Inter', ['"Inter']),  # never closed: a letter
        ('"" inter', ["inter"]),
        ("a\tb\nc", ["a", "b", "c"]),
        ("", []),
    ],
)
def test_quotes_inside_arguments(typed: str, words: list[str]) -> None:
    assert split_arguments(typed) == words


def test_quoted_arguments_wherever_they_are_typed(engine: Engine, store: Store) -> None:
    commands = Commands(store)
    feed(engine, match("m1", "Atalanta", "Inter"))
    feed(
        engine,
        line(type="goal", match="m1", id="g", minute=5, team="Inter", player="Lautaro Martínez"),
    )
    followed = say(commands, '/subscribe player "Lautaro Martínez" goals')
    assert followed.startswith("✅ This chat now follows Lautaro Martínez (Inter)")
    assert "goals only" in followed
    # a value of /settings, quoted (a Discord option's value is written the same way)
    assert "Europe/Rome" in say(commands, '/settings timezone "Europe/Rome"')
    assert "Daily digest: at 09:00" in say(commands, "/settings digest “09:00”")
    runs = SETTINGS.text_runs({"level": '"all"', "timezone": "“Europe/Rome”"})
    assert runs == ["level all", "timezone Europe/Rome"]
    assert "Alerts: everything" in message_text(commands.run(FAN, "settings", runs[0]))
    # a name that starts with a kind word ("club") is a name, quoted or not
    assert say(commands, '/subscribe "Club World Cup"').startswith(
        "✅ This chat now follows Club World Cup."
    )
    assert "no longer follows Club World Cup" in say(commands, "/unsubscribe Club World Cup")
    # a quoted level word is one word
    assert "goals only" in say(commands, '/subscribe competition "Serie A" "goals"')


def test_unbalanced_quotes_are_letters_and_come_back_escaped(store: Store) -> None:
    commands = Commands(store)
    for typed, echoed in (
        ('"<b>Inter', '<i>“"&lt;b&gt;Inter”</i>'),
        ("«<i>x", "<i>“«&lt;i&gt;x”</i>"),
        ('player "<b>', '<i>“"&lt;b&gt;”</i>'),
    ):
        html = telegram_html(commands.run(FAN, "subscribe", typed))
        assert echoed in html, html
    answer = commands.run(FAN, "settings", 'timezone "Europe/Rome')
    assert answer.kind == "error"
    assert 'time zone “"Europe/Rome”' in message_text(answer)


def test_subscribe_buttons_run_the_command_with_what_they_name(store: Store) -> None:
    """``subscribe:…`` and ``unsubscribe:…`` presses run the commands themselves, naming the
    target by its id (typed, too: ``/subscribe competition #serie-a``)."""
    commands = Commands(store)
    assert parse_press("subscribe:c:serie-a:goals") is not None
    press = parse_press("subscribe:c:serie-a:goals")
    assert press is not None and press.args == "competition #serie-a goals"
    pressed = message_text(commands.press(FAN, "subscribe:c:serie-a:goals"))
    other = replace(FAN, chat_id="2")
    assert pressed == say(commands, "/subscribe competition Serie A goals", other)
    assert "Serie A" in say(commands, "/unsubscribe competition #serie-a")
    assert parse_press("subscribe:inter", TEST_CATALOGUE) is not None
    assert parse_press("cheer:inter") is None  # not a command of the bot's own catalogue


def test_hints_name_the_commands_in_the_chats_language(store: Store) -> None:
    """A hint names the command as the chat types it: ``/segui``, ``/punteggio``; the
    examples of /settings' errors too."""
    commands = Commands(store)
    italian = replace(FAN, chat_id="3")
    say(commands, "/impostazioni lingua it", italian)
    assert say(commands, "/segui", italian).endswith("oppure /segui giocatore Lautaro Martínez.")
    assert say(commands, "/punteggio", italian).endswith("Chiedine una: /punteggio inter.")
    assert say(commands, "/impostazioni tabellone boh", italian).endswith(
        "/impostazioni tabellone with"
    )
    assert say(commands, "/settings scoreboard maybe").endswith("/settings scoreboard with")
    # anyone may look at a page, quoted or not
    member = replace(FAN, chat_id="-5", chat_kind="group", can_manage=False)
    refusal = message_text(templates.admins_only_in(member.place))
    assert say(commands, '/settings "page" 2', member) != refusal


@pytest.mark.parametrize("language", ["en", "it"])
def test_every_button_of_settings_is_one_the_catalogue_accepts(store: Store, language: str) -> None:
    """The view's buttons and the presses the catalogue accepts cannot drift apart: each
    button /settings offers (its settings, a subscription's level, the pages) parses, and
    runs without "expired"."""
    commands = Commands(store)
    say(commands, f"/settings language {language}")
    for team in [r["id"] for r in store.db.query("SELECT id FROM teams ORDER BY id LIMIT 12")]:
        commands.press(FAN, f"subscribe:{team}")
    expired = message_text(templates.button_expired())
    views = [commands.run(FAN, "settings", ""), commands.run(FAN, "settings", "page 2")]
    actions = {b.action for view in views for b in view.buttons}
    assert {"settings:page:2", "settings:lineups:off", "settings:level:all"} <= actions
    for action in sorted(actions):
        assert parse_press(action) is not None, action
        assert message_text(commands.press(FAN, action)) != expired, action
