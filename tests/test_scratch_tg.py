from __future__ import annotations
import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
import pytest
from tests.fakes.telegram_api import FakeTelegram
from tests.telegram_helpers import TOKEN, Bot, clean_telegram_env

REPORTER, FAN = 99, 42
GROUP = -100555

@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_telegram_env(monkeypatch)
    monkeypatch.setenv("MATCHBOT_REPORTERS", f"telegram:{REPORTER}, discord:1")

@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as server:
        yield server

async def test_x(fake: FakeTelegram, tmp_path: Path) -> None:
    bot = Bot(fake, tmp_path)
    fake.set_chat(GROUP, "supergroup", title="Press box")
    async with bot.running():
        await bot.subscribe(FAN)
        for text in ["/report match Atalanta v Inter in Serie A", "/report period Inter kickoff",
                     "/report goal Inter Lautaro Martínez 65 assist Esposito", "/report goal Inter Lautaro"]:
            m = await bot.ask(REPORTER, text)
            print(repr(m["text"])); print(m["html"])
        rid = [l for l in fake.messages(REPORTER)[2]["text"].split("\n") if "undo" in l][0].split()[-1]
        await asyncio.sleep(2)
        print(bot.texts(FAN))
        m = await bot.ask(REPORTER, f"/report undo {rid}")
        print(repr(m["text"]))
        await asyncio.sleep(1.5)
        print(fake.edits)
        m = await bot.ask(FAN, "/score")
        print(repr(m["text"]))
        m = await bot.ask(FAN, "/report goal Inter X 70")
        print(repr(m["text"]))
        m = await bot.ask(GROUP, "/report@MatchBot goal Inter Thuram 70", user_id=REPORTER)
        print(repr(m["text"]))
        m = await bot.ask(FAN, "/settings")
        print(repr(m["text"]), m["reply_markup"])
