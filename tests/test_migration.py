"""A group upgraded to a supergroup mid-match: subscriptions, settings and pending messages
move to the new id at once, alerts reach the supergroup once, and its members still cannot
do what only administrators may."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.store_contract import NewOutboxRow
from storage.store import Store
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import Bot, clean_telegram_env, derby_feed, event, no_violations

OLD = -4242  # a basic group (Telegram's group ids are small negative numbers)
ADMIN, MEMBER = 7, 8


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_telegram_env(monkeypatch)


def goal(n: int, minute: int) -> str:
    return event(
        type="goal", match="inter-milan", id=f"g{n}", minute=minute, team="Inter", player="Thuram"
    )


@pytest.mark.parametrize("announced", [True, False], ids=["service-message", "refused-send"])
async def test_a_group_upgraded_mid_match_keeps_everything(
    bot: Bot, fake: FakeTelegram, announced: bool
) -> None:
    fake.set_chat(OLD, chat_type="group", title="Inter fans")
    fake.set_member_status(OLD, ADMIN, "administrator")
    async with bot.running():
        await bot.subscribe(OLD, user_id=ADMIN)
        await bot.ask(OLD, "/settings spoiler 5", user_id=ADMIN)
        await bot.ask(OLD, "/settings level all", user_id=ADMIN)
        bot.append(*derby_feed(), goal(1, 10))
        await fake.wait_for_messages(5, OLD)  # subscribed, 2 settings, kick-off, goal 1
        new = fake.migrate(OLD, announce=announced)
        if announced:  # moved as soon as Telegram says so, before anything is sent there
            await until_moved(bot, str(new))
        bot.append(goal(2, 20), goal(3, 30))
        await fake.wait_for_messages(2, new)
        await asyncio.sleep(0.3)
        texts = bot.texts(new)
        assert [t.split("\n")[0] for t in texts] == [
            "⚽ GOAL! Inter 2-0 Milan",
            "⚽ GOAL! Inter 3-0 Milan",
        ]
        # the supergroup has the group's settings; a member still may not change them
        answer = await bot.ask(new, "/settings level goals", user_id=MEMBER)
        assert "only" in answer["text"].lower() or "admin" in answer["text"].lower()
        shown = await bot.ask(new, "/settings", user_id=ADMIN)
        assert "Alerts: everything" in shown["text"] and "Spoiler delay: 5 s" in shown["text"]
        subscriptions = await bot.ask(new, "/subscriptions", user_id=MEMBER)
        assert "Inter" in subscriptions["text"]
    assert len(fake.messages(OLD)) == 5  # nothing more went to the old id
    store = bot.store()
    assert store.followed_teams("telegram", str(OLD)) == []
    settings = json.loads(store.chat("telegram", str(new))["settings"])  # type: ignore[index]
    assert settings["level"] == "all" and settings["spoiler_delay"] == 5
    keys = [r["key"] for r in store.outbox_rows("telegram") if r["status"] == "sent"]
    assert len(keys) == len(set(keys))
    no_violations(fake)


async def until_moved(bot: Bot, new_id: str) -> None:
    for _ in range(200):
        store = bot.store()
        try:
            if store.followed_teams("telegram", new_id):
                return
        finally:
            store.db.close()
        await asyncio.sleep(0.02)
    raise AssertionError("the chat did not move")


def test_the_settings_move_even_when_the_supergroup_spoke_first(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "m.db")
    store.ensure_chat("telegram", "-1", "fans", "group")
    store.set_chat_settings("telegram", "-1", {"level": "all", "timezone": "Europe/Rome"})
    store.subscribe("telegram", "-1", "inter")
    store.ensure_chat("telegram", "-1001", "fans", "group")  # a command in the supergroup
    row = NewOutboxRow(
        key="event:m:e:telegram:-1", platform="telegram", chat_id="-1", kind="event", payload="{}"
    )
    dup = NewOutboxRow(
        key="event:m:e:telegram:-1001",
        platform="telegram",
        chat_id="-1001",
        kind="event",
        payload="{}",
    )
    store.enqueue([row, dup], now=0.0)
    store.migrate_chat("telegram", "-1", "-1001")
    store.migrate_chat("telegram", "-1", "-1001")  # the second notice: harmless
    assert store.chat_settings("telegram", "-1001")["level"] == "all"
    assert store.chat_settings("telegram", "-1001")["timezone"] == "Europe/Rome"
    assert [r["target"] for r in store.follows("telegram", "-1001")] == ["inter"]
    pending = [r for r in store.outbox_rows("telegram") if r["status"] == "pending"]
    assert [r["key"] for r in pending] == ["event:m:e:telegram:-1001"]  # once, not twice
