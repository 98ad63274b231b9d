"""What reporters and the adapters say themselves, in the chat's language: ``/report``'s answers
end to end on the fake Telegram (python-telegram-bot, ``matchbot run``'s code path), the
console's own lines, and Discord's "Sorry, that failed"."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.assemble import build_bot
from adapters.console import ConsoleAdapter
from adapters.discord import DiscordAdapter, commands
from bot.clock import FastClock
from bot.messages.model import Message, line
from bot.ports import CommandContext
from tests.support.fakes.discord_api import FakeDiscord
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import SPEED, TOKEN, Bot, clean_telegram_env, no_violations

pytestmark = pytest.mark.timeout(60)

REPORTER = 99  # named in MATCHBOT_REPORTERS; his Telegram app is in Italian
GROUP = -1009876543  # a press-box group that stays in English
UNDO = re.compile(r"/report undo (r[0-9a-f]{6})$")


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_telegram_env(monkeypatch)
    monkeypatch.setenv("MATCHBOT_REPORTERS", f"telegram:{REPORTER}")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, time_scale=1 / SPEED) as server:
        yield server


async def test_a_reporter_in_an_italian_chat_gets_italian_answers(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    bot = Bot(fake, tmp_path, delivery_clock=FastClock(SPEED))
    fake.set_user_language(REPORTER, "it")  # his private chat starts in Italian
    fake.set_chat(GROUP, "supergroup", title="Press box")
    fake.set_member_status(GROUP, REPORTER, "member")
    async with bot.running():
        ack = await bot.ask(REPORTER, "/report match Atalanta v Inter in Serie A")
        head, where = ack["text"].split("\n\n")
        assert head.startswith("✅ Segnalato: Atalanta-Inter, Serie A, calcio d'inizio "), head
        assert where == "Nuova partita: segnala i suoi eventi con il nome di una squadra."

        # a value the feed format refuses: the reason in Italian, the numbers kept
        problem = await bot.ask(REPORTER, "/report goal Inter Lautaro Martínez 200")
        head, usage = problem["text"].split("\n\n")
        assert head == "Non registrato: minuto 200 fuori dall'intervallo 0–130"
        lines = usage.split("\n")
        assert lines[0] == "Comandi per i cronisti"
        assert "/report period TEAM kickoff|ht|2h|et|pens|ft [MINUTE] — la partita passa" in usage
        assert lines[-1] == "/report undo ID — ritira una segnalazione"
        problem = await bot.ask(REPORTER, "/report goal Inter Lautaro Martínez 90+40")
        assert problem["text"].startswith(
            "Non registrato: recupero 40 fuori dall'intervallo 0–30\n"
        )
        problem = await bot.ask(REPORTER, "/report corner Inter 30")
        assert problem["text"].startswith("Non registrato: Non posso registrare “corner”. Prova")
        problem = await bot.ask(REPORTER, "/report goal Inter Lautaro")
        assert problem["text"].startswith(
            "Non registrato: Servono il giocatore e il minuto, per esempio “Lautaro Martínez 65”"
        )
        problem = await bot.ask(REPORTER, "/report match Inter v Inter")
        assert problem["text"].startswith(
            "Non registrato: la squadra di casa e quella ospite sono la stessa (Inter-Inter)."
        )

        ack = await bot.ask(REPORTER, "/report goal Inter Lautaro Martínez 65 assist Esposito")
        head, body = ack["text"].split("\n\n")
        what = "⚽ GOL! Atalanta 0-1 Inter — 65' Lautaro Martínez segna per l'Inter"
        assert head.startswith(f"✅ Segnalato: {what}"), head
        where, undo = body.split("\n")
        assert where == "Atalanta-Inter, Serie A"
        found = UNDO.fullmatch(undo.removeprefix("Sbagliato? "))
        assert found, undo
        ack = await bot.ask(REPORTER, "/report quote Inter Cristian Chivu (allenatore): Che gara")
        assert ack["text"].startswith("✅ Segnalato: Cristian Chivu: “Che gara”")

        taken = await bot.ask(REPORTER, f"/report undo {found.group(1)}")
        assert taken["text"].startswith(f"↩️ Ritirato: {what}")
        again = await bot.ask(REPORTER, f"/report undo {found.group(1)}")
        assert again["text"].startswith(f"Non registrato: {found.group(1)} è già stata ritirata.")
        nothing = await bot.ask(REPORTER, "/report undo r000000")
        assert nothing["text"].startswith("Non registrato: non esiste la segnalazione 'r000000'.")

        # the same reporter in an English group: the group's language, not his app's
        english = await bot.ask(GROUP, "/report@MatchBot goal Inter Thuram 300", user_id=REPORTER)
        assert english["text"].startswith("Not reported: minute 300 is outside the range 0–130")
        assert "\n\nReporter commands\n" in english["text"]
    no_violations(fake)


async def test_the_console_speaks_its_chats_language(tmp_path: Path) -> None:
    out = io.StringIO()
    console = ConsoleAdapter(out)
    bot = build_bot(tmp_path / "bot.db", [console], recap_delay=None, reminder_lead=None)
    await bot.start()
    try:
        await console.handle_input("hello", "reply:1")
        assert "Commands start with /, for example /subscribe inter." in out.getvalue()
        await bot.command(console.context(), "settings", "language it")
        await console.handle_input("ciao", "reply:2")
        assert "I comandi iniziano con /, per esempio /segui inter." in out.getvalue()
        # numbered buttons: how to choose, in Italian
        choices = await bot.command(console.context(), "subscribe", "intr")
        await console.send("local", choices)
        assert "[1] Inter" in out.getvalue()
        assert "(scrivi il numero per scegliere)" in out.getvalue()
    finally:
        await bot.stop()


class FailingItalianCore:
    """A core whose every command fails, in a channel set to Italian."""

    async def command(
        self, ctx: CommandContext, name: str, args: str, reply_key: str | None = None
    ) -> Message:
        raise RuntimeError("boom")

    async def language(self, ctx: CommandContext) -> str:
        return "it"

    async def press(
        self, ctx: CommandContext, action: str, reply_key: str | None = None
    ) -> Message:
        return Message(kind="reply", headline=line(action))

    async def chat_gone(self, platform: str, chat_id: str) -> None:
        return None

    async def team_names(self, typed: str, limit: int = 25) -> list[str]:
        return []

    async def follow_names(self, typed: str, limit: int = 25) -> list[tuple[str, str]]:
        return []


async def test_discords_sorry_that_failed_is_in_the_channels_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.05)
    monkeypatch.setattr(commands, "DEFER_AFTER", 5.0)
    async with FakeDiscord() as dc:
        bot = DiscordAdapter(dc.token)
        await bot.start(FailingItalianCore())  # type: ignore[arg-type]
        try:
            iid = await dc.send_interaction_command(dc.guild_id, dc.channel_id, 1, "score")
            failed = await dc.wait_interaction_response(iid)
            assert failed.ephemeral
            assert failed.content == "Spiacente, qualcosa è andato storto. Riprova tra poco."
        finally:
            await bot.stop()
