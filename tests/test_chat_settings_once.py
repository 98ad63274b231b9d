"""Each chat setting is stored once: those the fan-out's queries read (time zone, language,
spoiler delay, level) in their columns, every other one (digest, the depth's switches, the
scoreboard…) in the settings JSON. A database of the former schema, which kept the four twice,
is migrated without losing a setting, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from bot.chat_settings import ChatSettings
from storage import schema
from storage.chats import SETTING_COLUMNS
from storage.store import Store

EVERY_SETTING: dict[str, Any] = {
    "level": "all",
    "timezone": "Europe/Rome",
    "spoiler_delay": 60,
    "language": "it",
    "digest": "09:30",
    "lineups": "off",
    "pictures": "on",
    "scoreboard": "with",
}
#: what the former schema stored: everything in the JSON, the four again in columns
OLD_CHATS: dict[str, dict[str, Any]] = {
    "1": EVERY_SETTING,
    "2": {"language": "it"},  # a private chat that only chose its language
    "3": {"digest": "07:00", "timezone": "America/New_York"},
    "4": {},
}


def stored(store: Store, chat_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the settings JSON as stored, the four columns) of a chat."""
    row = store._one(
        "SELECT settings, tz, lang, spoiler, level FROM chats WHERE platform = ? AND chat_id = ?",
        ["telegram", chat_id],
    )
    assert row is not None
    columns = {name: row[column] for name, column in SETTING_COLUMNS.items()}
    return json.loads(row["settings"]), columns


def assert_stored_once(store: Store, chat_id: str, settings: dict[str, Any]) -> None:
    in_json, columns = stored(store, chat_id)
    assert not set(in_json) & set(SETTING_COLUMNS), in_json
    assert {k: v for k, v in columns.items() if v is not None} == {
        k: v for k, v in settings.items() if k in SETTING_COLUMNS
    }
    assert in_json == {k: v for k, v in settings.items() if k not in SETTING_COLUMNS}
    assert store.chat_settings("telegram", chat_id) == settings


def test_settings_are_stored_once_and_read_back_whole(any_store: Store) -> None:
    for chat_id, settings in OLD_CHATS.items():
        any_store.set_chat_settings("telegram", chat_id, settings)
        assert_stored_once(any_store, chat_id, settings)
        chat = any_store.chat("telegram", chat_id)
        assert chat is not None and json.loads(chat["settings"] or "{}") == settings
    # changing one setting keeps the others where they are
    changed = ChatSettings.model_validate(any_store.chat_settings("telegram", "1"))
    changed.level = "goals"
    any_store.set_chat_settings("telegram", "1", changed.as_dict())
    assert_stored_once(any_store, "1", {**EVERY_SETTING, "level": "goals"})
    digests = {r["chat_id"]: json.loads(r["settings"]) for r in any_store.chats_with_digest()}
    assert digests == {"1": {**EVERY_SETTING, "level": "goals"}, "3": OLD_CHATS["3"]}


def old_database(path: Path) -> None:
    """A database of the schema before settings were stored once, with chats as it wrote them."""
    old = Migrations("matchbot")
    old._migrations = [  # type: ignore[attr-defined]
        m for m in schema.migrations._migrations if m.name != "m017_chat_settings_once"
    ]
    db = Database(sqlite3.connect(path))
    old.apply(db)
    for chat_id, settings in OLD_CHATS.items():
        db.execute(
            "INSERT INTO chats (platform, chat_id, settings, tz, lang, spoiler, level, active,"
            " created_at) VALUES ('telegram', ?, ?, ?, ?, ?, ?, 1, 1.0)",
            [
                chat_id,
                json.dumps(settings, sort_keys=True),
                *(settings.get(name) for name in SETTING_COLUMNS),
            ],
        )
    db.execute(  # a chat whose JSON could not be read stays as it was
        "INSERT INTO chats (platform, chat_id, settings, active, created_at)"
        " VALUES ('telegram', '5', 'not json', 1, 1.0)"
    )
    db.conn.commit()
    db.close()


def test_an_old_sqlite_database_keeps_every_setting(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old_database(path)
    store = Store.open(path)  # migrates
    try:
        for chat_id, settings in OLD_CHATS.items():
            assert_stored_once(store, chat_id, settings)
            assert ChatSettings.model_validate(store.chat_settings("telegram", chat_id)) == (
                ChatSettings.model_validate(settings)
            )
        assert store.chat_settings("telegram", "5") == {}
    finally:
        store.close()


def test_an_old_postgresql_database_keeps_every_setting(postgres_url: str) -> None:
    from storage.pg_store import PostgresStore
    from tests.support import postgres

    postgres.empty(postgres_url)
    store = PostgresStore.open(postgres_url)
    # the database as the former matchbot left it: the four settings twice, no m017
    for chat_id, settings in OLD_CHATS.items():
        store._exec(
            "INSERT INTO chats (platform, chat_id, settings, tz, lang, spoiler, level, active,"
            " created_at) VALUES ('telegram', ?, ?, ?, ?, ?, ?, 1, 1.0)",
            [
                chat_id,
                json.dumps(settings, sort_keys=True),
                *(settings.get(name) for name in SETTING_COLUMNS),
            ],
        )
    store._exec("DELETE FROM matchbot_migrations WHERE name = 'm017_chat_settings_once'")
    store.close()
    store = PostgresStore.open(postgres_url)  # migrates
    try:
        for chat_id, settings in OLD_CHATS.items():
            assert_stored_once(store, chat_id, settings)  # type: ignore[arg-type]
    finally:
        store.close()
