"""``matchbot migrate-db --to URL``: a SQLite store with chats, settings, follows of every
kind, a match with its events, sent and pending messages, copied into an empty PostgreSQL
database: every subscription and setting kept, every row counted, the password never shown,
and the store on PostgreSQL carries on (pending rows go out, new ones get new ids)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bot.competitions import seed_known_competitions
from bot.engine import Engine
from bot.feed_format import Parsed, read_lines
from bot.teams import seed_known_teams
from storage.pg_store import PostgresStore
from storage.store import Store
from tests.support import prestarted
from tests.support.cli import Ran, matchbot, matchbot_here
from tests.support.postgres import PostgresServer

SEED = Path(__file__).parent.parent / "bot" / "data" / "atalanta-inter.jsonl"
PASSWORD = "Pw-s3cret-99"


def with_password(url: str) -> str:
    parts = urlsplit(url)
    netloc = f"postgres:{PASSWORD}@{parts.hostname}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def build(path: Path) -> None:
    store = Store.open(path)
    try:
        seed_known_teams(store)
        seed_known_competitions(store)
        for chat in range(1, 41):
            kind = "group" if chat % 2 else "private"
            store.ensure_chat("telegram", str(-chat if chat % 2 else chat), f"Chat {chat}", kind)
        store.ensure_chat("discord", "900", "alerts", "channel")
        store.set_chat_settings("telegram", "2", {"language": "it", "timezone": "Europe/Rome"})
        store.set_chat_settings("discord", "900", {"level": "all", "spoiler_delay": 30})
        store.set_chat_settings(  # settings of the columns and of the JSON alike
            "telegram",
            "4",
            {"level": "goals", "digest": "08:15", "lineups": "off", "scoreboard": "with"},
        )
        for chat in ("2", "-3", "4"):
            store.subscribe("telegram", chat, "inter")
        store.subscribe("telegram", "-5", "serie-a", kind="competition", level="goals")
        store.subscribe("discord", "900", "atalanta", level="all")
        engine = Engine(store)
        for item in read_lines(SEED.read_text("utf-8").splitlines()):
            if isinstance(item, Parsed):
                engine.ingest(item.item)
        player = store.players()[0]
        store.subscribe("telegram", "6", str(player["id"]), kind="player")
        rows = store.due_heads("telegram", 1e12, 3)
        store.mark_many_sent("telegram", [(r.id, r.key, r.chat_id, ["77"]) for r in rows[:2]])
    finally:
        store.close()


def migrate(*args: str) -> Ran:
    """``matchbot migrate-db ARGS`` through the real command line, in this process."""
    return matchbot_here("migrate-db", *args)


def migrate_in_a_process(*args: str) -> subprocess.CompletedProcess[str]:
    """``matchbot migrate-db ARGS`` as a user runs it: a process of its own."""
    return matchbot("migrate-db", *args)


def test_migrate_db_keeps_every_subscription_and_the_bot_carries_on(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    source = tmp_path / "bot.db"
    build(source)
    url = with_password(postgres_server.new_database())
    done = migrate("--from", str(source), "--to", url)
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    assert "postgres:***@" in done.stdout
    assert "subscriptions" in done.stdout and "differs" not in done.stdout

    old, new = Store.open(source), PostgresStore.open(url)
    try:
        chats = old.db.execute("SELECT platform, chat_id FROM chats ORDER BY 1, 2").fetchall()
        assert len(chats) == 41
        for platform, chat in chats:
            assert new.chat(platform, chat) == old.chat(platform, chat)
            assert new.follows(platform, chat) == old.follows(platform, chat)
            assert new.chat_settings(platform, chat) == old.chat_settings(platform, chat)
        assert sum(len(new.follows(p, c)) for p, c in chats) == 6
        assert new.matches() == old.matches()
        for match in old.matches():
            assert new.events(match["id"]) == old.events(match["id"])
            assert new.quotes(match["id"]) == old.quotes(match["id"])
        assert new.outbox_rows() == old.outbox_rows()
        assert new.outbox_counts() == old.outbox_counts()
        assert new.outbox_counts()["sent"] == 2 and new.outbox_counts()["pending"] >= 1
        # carrying on: the pending rows are due, a sent one can be edited, new ids follow on
        pending = new.due_heads("telegram", 1e12, 100, owner="p1", lease=10.0)
        assert {r.id for r in pending} == {r.id for r in old.due_heads("telegram", 1e12, 100)}
        sent = [r for r in old.outbox_rows() if r["status"] == "sent"]
        assert new.sent_message_ids(sent[0]["key"]) == ["77"]
        highest = max(r["id"] for r in old.outbox_rows())
        new.ensure_chat("telegram", "99")
        new.subscribe("telegram", "99", "inter")
        from bot.store_contract import NewOutboxRow

        new.enqueue(
            [
                NewOutboxRow(
                    key="later", platform="telegram", chat_id="99", kind="reply", payload="{}"
                )
            ],
            now=1.0,
        )
        assert new.outbox_rows()[-1]["id"] == highest + 1
    finally:
        old.close()
        new.close()

    again = migrate("--from", str(source), "--to", url)
    assert again.returncode == 2
    assert "already holds data" in again.stderr
    assert PASSWORD not in again.stderr


def test_migrate_db_refuses_a_bad_target_clearly(tmp_path: Path) -> None:
    source = tmp_path / "bot.db"
    Store.open(source).close()
    bad = f"postgresql://u:{PASSWORD}@127.0.0.1:1/x?connect_timeout=1"  # 10 s without it
    done = migrate_in_a_process("--from", str(source), "--to", bad)
    assert done.returncode == 2
    assert "cannot reach the database at postgresql://u:***@127.0.0.1:1/x" in done.stderr
    assert PASSWORD not in done.stderr
    assert migrate("--from", str(tmp_path / "none.db"), "--to", "postgresql://x/y").returncode == 2


def keep_two_pending_a_chat(path: Path) -> None:
    """The bot had sent all but each chat's last two messages (a chat gets one a second: a
    chat's whole match still pending would take that many seconds to go out)."""
    store = Store.open(path)
    try:
        pending = [r for r in store.outbox_rows("telegram") if r["status"] == "pending"]
        by_chat: dict[str, list[dict[str, Any]]] = {}
        for row in pending:
            by_chat.setdefault(row["chat_id"], []).append(row)
        sent = [r for rows in by_chat.values() for r in sorted(rows, key=lambda r: r["id"])[:-2]]
        store.mark_many_sent("telegram", [(r["id"], r["key"], r["chat_id"], ["78"]) for r in sent])
    finally:
        store.close()


async def test_matchbot_run_on_the_new_url_sends_what_was_pending(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    """The SQLite bot stopped with messages still to send; after migrate-db, `matchbot run` on
    the PostgreSQL URL sends them (each once) and leaves the sent ones alone."""
    import asyncio
    import signal

    from tests.support.fakes.telegram_api import FakeTelegram

    source = tmp_path / "bot.db"
    build(source)
    keep_two_pending_a_chat(source)
    url = postgres_server.new_database()
    assert migrate("--from", str(source), "--to", url).returncode == 0
    old = Store.open(source)
    try:
        pending = [r for r in old.outbox_rows("telegram") if r["status"] == "pending"]
    finally:
        old.close()
    assert pending
    token = "999:MIGRATED-token"
    async with FakeTelegram(token=token) as fake:
        env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
        env.pop("MATCHBOT_DB", None)
        env |= {
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_BASE_URL": fake.base_url,
            "MATCHBOT_DATABASE_URL": url,
            "MATCHBOT_LOG_LEVEL": "WARNING",
        }
        log = tmp_path / "run.log"
        with log.open("ab") as out:
            proc = await prestarted.start(
                sys.executable,
                "-m",
                "adapters.cli",
                "run",
                env=env,
                cwd=tmp_path,
                stdout=out,
                stderr=out,
            )
        try:
            async with asyncio.timeout(60):
                while len(fake.messages()) < len(pending):
                    assert proc.returncode is None, log.read_text()
                    await asyncio.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), 30) == 0
        got = sorted(str(m["chat_id"]) for m in fake.messages())
    assert got == sorted(r["chat_id"] for r in pending)
    new = PostgresStore.open(url)
    try:
        assert [r for r in new.outbox_rows("telegram") if r["status"] == "pending"] == []
    finally:
        new.close()
