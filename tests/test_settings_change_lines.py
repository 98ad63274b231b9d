"""The /settings view's "Change" lines are what the chat can type, in the chat's language:
``/impostazioni livello gol|principali|tutto`` in an Italian chat, ``/settings level
goals|key|all`` in an English one. Each alternative of each line, typed as the view writes it,
is taken (the settings are saved, or the page turns): end to end on the fake Telegram."""

from __future__ import annotations

import itertools

import pytest

from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import Bot, no_violations

pytestmark = pytest.mark.timeout(90)

ENGLISH, ITALIAN = 51, 52
SAVED = {"en": "Settings saved", "it": "Impostazioni salvate"}
SUBSCRIBE = {"en": "/subscribe", "it": "/segui"}
FOLLOWS_AT_GOALS = {"en": "with alerts: goals only", "it": "con avvisi: solo gol"}


def change_lines(view: str, command: str) -> list[str]:
    """The lines under "Change"/"Modifica" that start with ``command``, without their note."""
    lines = view.split("\n")
    return [ln.split(" (")[0] for ln in lines if ln.startswith(command + " ")]


def typed_forms(shown: str) -> list[str]:
    """``/settings lineups|stats on|off`` → every command it stands for; ``0-300`` → 0 and
    300; ``Europe/Rome`` stays whole."""
    words = []
    for word in shown.split(" "):
        if "-" in word and word.replace("-", "").isdigit():
            low, high = word.split("-")
            words.append([low, high])
        elif "|" in word:
            words.append(word.split("|"))
        else:
            words.append([word])
    return [" ".join(parts) for parts in itertools.product(*words)]


@pytest.mark.parametrize(
    ("chat", "lang", "command"), [(ENGLISH, "en", "/settings"), (ITALIAN, "it", "/impostazioni")]
)
async def test_every_change_line_works_as_written(
    bot: Bot, fake: FakeTelegram, chat: int, lang: str, command: str
) -> None:
    async with bot.running():
        await bot.ask(chat, f"/settings language {lang}")
        await bot.ask(chat, "/subscribe serie a")  # so the view shows a subscription's line
        view = (await bot.ask(chat, command))["text"]
        shown = change_lines(view, command)
        assert len(shown) >= 7, view  # level, time zone, spoiler, language, depth, board, digest
        follow = SUBSCRIBE[lang]
        (one_level,) = change_lines(view, follow)  # one subscription's level, typed as shown
        answer = (await bot.ask(chat, one_level))["text"]
        assert answer.startswith("✅") and FOLLOWS_AT_GOALS[lang] in answer, (one_level, answer)
        for line in shown:
            for typed in typed_forms(line):
                if typed.split(" ")[1] in ("language", "lingua"):
                    typed = f"{command} {typed.split(' ')[1]} {lang}"  # stay in this language
                answer = (await bot.ask(chat, typed))["text"]
                assert SAVED[lang] in answer, (typed, answer)
    no_violations(fake)
