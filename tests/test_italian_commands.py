"""Italian commands end to end: /segui, /punteggio… on the fake Telegram (with the Italian
command menu) and Discord's localized command names; "Forse intendevi /punteggio?"."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.command_catalogue import CATALOGUE, menu
from bot.messages import i18n, templates
from bot.messages.model import message_text
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import Bot, no_violations

pytestmark = pytest.mark.timeout(60)

ALICE, BOB = 42, 43


async def test_italian_commands_on_telegram(bot: Bot, fake: FakeTelegram) -> None:
    fake.set_user_language(ALICE, "it")
    async with bot.running():
        await fake.wait_for_call("setMyCommands", 2)
        italian = fake.get_commands(language_code="it")
        assert italian is not None
        names = [c["command"] for c in italian]
        assert names == [c.name_in("it") for c in menu("telegram")]
        assert {"segui", "nonseguire", "punteggio", "marcatori", "prossima", "ultima"} <= set(names)
        assert {"classifica", "oggi", "impostazioni", "aiuto"} <= set(names)
        english = fake.get_commands()
        assert english is not None and "score" in [c["command"] for c in english]

        followed = await bot.ask(ALICE, "/segui inter gol")
        assert followed["text"] == "✅ Questa chat ora segue l'Inter. Avvisi: solo gol."
        seguite = await bot.ask(ALICE, "/seguiti")
        assert "Inter" in seguite["text"]
        help_text = (await bot.ask(ALICE, "/aiuto"))["text"]
        assert "/punteggio" in help_text and "/score" not in help_text
        typo = await bot.ask(ALICE, "/puntegio inter")
        assert typo["text"] == "Non conosco /puntegio. Forse intendevi /punteggio?"
        unfollowed = await bot.ask(ALICE, "/nonseguire inter")
        assert unfollowed["text"] == "🔕 Questa chat non segue più l'Inter."
        # the Italian names work in an English chat too, and English typos get English help
        assert (await bot.ask(BOB, "/segui milan"))["text"].startswith(
            "✅ This chat now follows Milan."
        )
        assert (await bot.ask(BOB, "/scroe"))["text"] == "I don't know /scroe. Did you mean /score?"
    no_violations(fake)


def test_every_command_has_an_italian_name() -> None:
    """Every command a fan types has an Italian name (``/start`` is Telegram's own)."""
    missing = [c.name for c in CATALOGUE if not c.italian and c.name != "start"]
    assert missing == []
    names = [c.italian for c in CATALOGUE if c.italian]
    assert len(names) == len(set(names))
    assert all(n.isascii() and n.islower() and len(n) <= 32 for n in names)  # Telegram, Discord
    for unwanted in ("abbonati", "abbonamento", "iscriviti"):
        assert unwanted not in names
    with i18n.use("it"):
        assert "abbonament" not in message_text(templates.help_text())


def test_no_italian_text_calls_following_a_subscription() -> None:
    """The style sheet: a chat *segue* a team; "abbonamento" (a paid subscription, a season
    ticket) and "iscriviti" appear in no Italian text the bot can send."""
    catalogue = Path(i18n.__file__).parent / "locales" / "it" / "LC_MESSAGES" / "matchbot.po"
    with catalogue.open("rb") as po:
        texts = [m.string for m in read_po(po) if m.id]
    flat = [t for text in texts for t in ((text,) if isinstance(text, str) else text)]
    wrong = [t for t in flat if any(w in t.lower() for w in ("abbonament", "abbonat", "iscriv"))]
    assert wrong == []
