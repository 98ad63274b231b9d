"""The match card through the fake Telegram: a chat that turned pictures on gets the recap as
a photo (multipart ``sendPhoto`` whose PNG decodes), its caption within 1,024 characters after
entity parsing and the rest as text; the picture is uploaded once, then sent by ``file_id``."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from tests.support.core import until
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import Bot, no_violations

SAMPLE = Path(__file__).parent.parent / "bot" / "data" / "sample-depth.jsonl"
ALICE, BOB, CAROL = 51, 52, 53


async def test_the_card_is_uploaded_once_then_sent_by_file_id(bot: Bot, fake: FakeTelegram) -> None:
    lines = SAMPLE.read_text("utf-8").splitlines()
    async with bot.running():
        bot.append(lines[0])  # the match: its teams become known

        async def known() -> bool:
            reply = await bot.ask(ALICE, "/subscribe Riverside FC")
            return "now follows" in reply["text"]

        await until(known, timeout=20)
        await bot.subscribe(BOB, "Harbor United")
        await bot.subscribe(CAROL, "Harbor United")
        for chat in (ALICE, BOB):
            reply = await bot.ask(chat, "/settings pictures on")
            assert "The match card picture at full time: on" in reply["text"]
        bot.append(*lines[1:])
        await until(lambda: len([m for m in fake.messages() if m.get("photo")]) == 2, 30)
        await until(lambda: any(t.startswith("🏁 Riverside") for t in bot.texts(CAROL)), 30)
    photos = [m for m in fake.messages() if m.get("photo")]
    assert sorted(m["chat_id"] for m in photos) == [ALICE, BOB]
    assert [m["uploaded"] for m in photos] == [True, False]  # then by its file_id
    assert photos[0]["photo"] == photos[1]["photo"]
    upload = next(p for p in fake.calls_to("sendPhoto") if not isinstance(p["photo"], str))
    assert upload["photo"].filename == "match-card.png"
    with Image.open(io.BytesIO(fake.photos[photos[0]["photo"]])) as card:
        assert card.format == "PNG" and card.size == (1200, 675)
    for photo in photos:
        assert photo["text"].startswith("🏁 Riverside FC 3-1 Harbor United")
        assert len(photo["text"]) <= 1024
    # the rest of the recap follows as text; a chat without pictures gets the recap as before
    alice = bot.texts(ALICE)
    assert "📋 Key moments" in "\n".join(alice[alice.index(photos[0]["text"]) :])
    assert not any(m.get("photo") for m in fake.messages(CAROL))
    assert any(t.startswith("🏁 Riverside FC 3-1 Harbor United") for t in bot.texts(CAROL))
    no_violations(fake)
