"""A mistyped setting gets "Did you mean …?" in the chat's language, like a mistyped command:
``/settings levle goals`` → "Did you mean /settings level goals?", ``/impostazioni lingu it``
→ "Forse intendevi /impostazioni lingua it?". End to end on the fake Telegram."""

from __future__ import annotations

import pytest

from bot.commands.settings import SETTING_NAMES, closest_setting
from bot.messages import i18n
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import Bot, no_violations

pytestmark = pytest.mark.timeout(60)

ALICE, BOB = 42, 43


async def test_a_mistyped_setting_is_suggested_in_the_chats_language(
    bot: Bot, fake: FakeTelegram
) -> None:
    async with bot.running():
        english = await bot.ask(BOB, "/settings levle goals")
        assert english["text"] == (
            "I don't know the setting “levle”. Did you mean /settings level goals?"
        )
        assert (await bot.ask(BOB, "/settings timezon Europe/Rome"))["text"].endswith(
            "Did you mean /settings timezone Europe/Rome?"
        )
        # the suggestion is the fix: typed as offered, it works
        assert "goals only" in (await bot.ask(BOB, "/settings level goals"))["text"]
        # a mistyped value of a known setting too
        assert (await bot.ask(BOB, "/settings level gaols"))["text"] == (
            "I don't know “gaols”. Did you mean /settings level goals?"
        )

        await bot.ask(ALICE, "/impostazioni lingua it")
        italian = await bot.ask(ALICE, "/impostazioni lingu it")
        assert italian["text"] == (
            "Non conosco l'impostazione “lingu”. Forse intendevi /impostazioni lingua it?"
        )
        # an English name mistyped in an Italian chat: the Italian name is offered
        assert (await bot.ask(ALICE, "/impostazioni levle tutto"))["text"] == (
            "Non conosco l'impostazione “levle”. Forse intendevi /impostazioni livello tutto?"
        )
        saved = (await bot.ask(ALICE, "/impostazioni livello tutto"))["text"]
        assert "Avvisi: tutto" in saved, saved
        # nothing near: the list of settings, by their Italian names
        far = (await bot.ask(ALICE, "/impostazioni xyzzy 1"))["text"]
        assert far.startswith("Posso cambiare: livello, fuso, ritardo, lingua, riepilogo")
        assert "Per esempio: /impostazioni livello all" in far
    no_violations(fake)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("levle", "level"),
        ("lvel", "level"),
        ("livelo", "level"),
        ("timzone", "timezone"),
        ("lingu", "language"),
        ("langauge", "language"),
        ("spoilr", "spoiler"),
        ("digets", "digest"),
        ("statistiche", "stats"),
        ("formazoni", "lineups"),
        ("picutres", "pictures"),
    ],
)
def test_the_nearest_setting(typed: str, meant: str) -> None:
    assert closest_setting(typed) == meant


def test_nothing_near_is_no_guess() -> None:
    assert closest_setting("xyzzy") is None
    with i18n.use("it"):
        assert set(SETTING_NAMES) == {
            "level",
            "timezone",
            "spoiler",
            "language",
            "digest",
            "lineups",
            "stats",
            "pictures",
        }
