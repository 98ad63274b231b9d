"""Fans, feed lines and commands of the subscription tests (teams, competitions, players)."""

from __future__ import annotations

import json
from datetime import datetime

from bot.commands import Commands
from bot.engine import Engine
from bot.feed_format import parse_line
from bot.messages.model import message_text
from bot.ports import CommandContext
from storage.store import Store
from tests.support.core import outbox_text

FAN = CommandContext(platform="telegram", chat_id="1", user_id="u1")
MEMBER = CommandContext(
    platform="telegram", chat_id="-9", user_id="u2", chat_kind="group", can_manage=False
)
NOON = datetime.fromisoformat("2026-02-01T12:00:00+00:00").timestamp()


def line(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False)


def match(mid: str, home: str, away: str, competition: str = "Serie A", at: str = "19:45") -> str:
    kickoff = f"2026-02-01T{at}:00Z"
    return line(
        type="match", match=mid, competition=competition, home=home, away=away, kickoff=kickoff
    )


def feed(engine: Engine, *lines: str) -> None:
    for text in lines:
        engine.ingest(parse_line(text))


def ctx(chat: str, **kw: object) -> CommandContext:
    return CommandContext(platform="telegram", chat_id=chat, user_id="u", **kw)  # type: ignore[arg-type]


def say(commands: Commands, text: str, where: CommandContext = FAN) -> str:
    name, _, args = text.lstrip("/").partition(" ")
    return message_text(commands.run(where, name, args))


def keys(store: Store, chat: str) -> list[str]:
    return [r["key"] for r in store.outbox_rows("telegram", chat)]


def texts(store: Store, chat: str) -> list[str]:
    return [outbox_text(r) for r in store.outbox_rows("telegram", chat)]
