"""``matchbot doctor``, ``matchbot backup`` and ``matchbot restore`` against the fake Bot API and
the fake providers, and beside a running bot. Each command runs at least once as an operator
runs it, a process of its own (doctor with rejected keys: nothing anywhere in its output shows
them; backup refusing to overwrite; restore refused while the bot holds the database); the
other runs, where what is asserted is what the command prints and returns, go through the same
command line in this process (in a thread: the fakes and the bot run on this test's loop)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from storage.lock import exclusive
from tests.support import cli, prestarted
from tests.support.fakes.provider_api import FakeProvider
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import TOKEN, Bot, clean_telegram_env
from tests.test_ops_endpoint import follow_inter, match_lines

pytestmark = pytest.mark.timeout(120)

MATCHBOT = [sys.executable, "-m", "adapters.cli"]
AF_KEY = "af-secret-key-123"
ADMIN_CHAT = -1004242
FD_TOKEN = "fd-secret-token-456"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_telegram_env(monkeypatch)


@dataclass
class Ran:
    code: int
    out: str
    err: str


def environment(tmp_path: Path, **env: str) -> dict[str, str]:
    """This environment without any stray token, key or setting, and with those given."""
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith(("_TOKEN", "_KEY")) and not k.startswith("MATCHBOT_")
    }
    full.update(MATCHBOT_DB=str(tmp_path / "matchbot.db"), **env)
    return full


async def matchbot_here(tmp_path: Path, *args: str, **env: str) -> Ran:
    """``matchbot ARGS`` as :func:`matchbot` runs it, through the same command line in this
    process (a thread of its own)."""
    ran = await asyncio.to_thread(
        cli.matchbot_here, *args, env=environment(tmp_path, **env), cwd=tmp_path
    )
    return Ran(ran.returncode, ran.stdout, ran.stderr)


async def matchbot(tmp_path: Path, *args: str, **env: str) -> Ran:
    """``matchbot ARGS`` in ``tmp_path`` with the environment given (and no stray token): a
    process of its own."""
    proc = await asyncio.to_thread(  # the fakes answer on this test's event loop
        prestarted.run,
        [*MATCHBOT, *args],
        env=environment(tmp_path, **env),
        cwd=tmp_path,
        capture_output=True,
        timeout=90,
    )
    return Ran(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def rows(text: str) -> dict[str, tuple[str, str]]:
    """doctor's table: check name → (status, detail) (the last row of a name wins)."""
    found = {}
    for line in text.splitlines()[2:]:
        parts = line.split(None, 1)
        if len(parts) < 2 or not line[:1].strip():
            continue
        for status in ("ok", "warn", "FAIL"):
            marker = f"  {status}  "
            if marker in line:
                name, _, detail = line.partition(marker)
                found[name.strip()] = (status, detail.strip())
                break
    return found


async def test_doctor_with_good_tokens_says_which_bot_and_sends_nothing(tmp_path: Path) -> None:
    follow_inter(tmp_path / "matchbot.db", range(1, 4))
    async with (
        FakeTelegram(token=TOKEN) as telegram,
        FakeProvider.api_football(key=AF_KEY) as af,
        FakeProvider.football_data(key=FD_TOKEN) as fd,
    ):
        telegram.set_chat(ADMIN_CHAT, "supergroup", title="Ops room")
        ran = await matchbot_here(
            tmp_path,
            "doctor",
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=telegram.base_url,
            MATCHBOT_ADMIN_CHAT=str(ADMIN_CHAT),
            API_FOOTBALL_KEY=AF_KEY,
            API_FOOTBALL_BASE_URL=af.base_url,
            FOOTBALL_DATA_TOKEN=FD_TOKEN,
            FOOTBALL_DATA_BASE_URL=fd.base_url,
        )
        called = {method.lower() for method, _ in telegram.calls}
    assert ran.code == 0, ran.err
    for secret in (TOKEN, AF_KEY, FD_TOKEN):
        assert secret not in ran.out + ran.err
    table = rows(ran.out)
    assert table["Telegram token"] == ("ok", "@MatchBot (id 123456)")
    assert table["Telegram webhook"][0] == "ok"
    assert table["admin chat"] == ("ok", f"telegram chat {ADMIN_CHAT} (Ops room)")
    assert table["API-Football"][0] == "ok" and "key accepted" in table["API-Football"][1]
    assert table["football-data.org"][0] == "ok"
    assert table["schema"][0] == "ok" and table["integrity"] == ("ok", "ok")
    assert table["running bot"] == ("ok", "none on this database")
    assert called <= {"getme", "getwebhookinfo", "getchat"}, called  # nothing sent to any chat
    assert telegram.messages() == []
    assert "all is well" in ran.out


async def test_doctor_names_each_rejected_token_without_printing_it(tmp_path: Path) -> None:
    wrong = "999999:REVOKED-token-never-printed"
    async with (
        FakeTelegram(token=TOKEN) as telegram,
        FakeProvider.api_football(key=AF_KEY) as af,
        FakeProvider.football_data(key=FD_TOKEN) as fd,
    ):
        ran = await matchbot(
            tmp_path,
            "doctor",
            TELEGRAM_BOT_TOKEN=wrong,
            TELEGRAM_BASE_URL=telegram.base_url,
            API_FOOTBALL_KEY="wrong-af-key-789",
            API_FOOTBALL_BASE_URL=af.base_url,
            FOOTBALL_DATA_TOKEN="wrong-fd-token-012",
            FOOTBALL_DATA_BASE_URL=fd.base_url,
        )
    assert ran.code == 1
    for secret in (wrong, "wrong-af-key-789", "wrong-fd-token-012"):
        assert secret not in ran.out + ran.err
    table = rows(ran.out)
    assert table["Telegram token"][0] == "FAIL"
    assert "TELEGRAM_BOT_TOKEN" in table["Telegram token"][1]
    assert table["API-Football"] == ("FAIL", "API_FOOTBALL_KEY rejected: check the key")
    assert table["football-data.org"] == ("FAIL", "FOOTBALL_DATA_TOKEN rejected: check the token")
    problems = ran.err.splitlines()
    assert problems[0] == "3 problem(s):"
    assert any("TELEGRAM_BOT_TOKEN" in p for p in problems)
    assert not telegram.messages()


async def test_doctor_fails_an_admin_chat_the_bot_was_removed_from(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as telegram:
        telegram.set_chat(ADMIN_CHAT, "supergroup", title="Ops room")
        telegram.block(ADMIN_CHAT)  # the bot was kicked out of it
        ran = await matchbot_here(
            tmp_path,
            "doctor",
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=telegram.base_url,
            MATCHBOT_ADMIN_CHAT=f"telegram:{ADMIN_CHAT}",
        )
    assert ran.code == 1
    status, detail = rows(ran.out)["admin chat"]
    assert status == "FAIL" and "the bot must be a member of it" in detail
    assert TOKEN not in ran.out + ran.err


async def test_doctor_names_the_running_bot_by_its_pid(tmp_path: Path) -> None:
    with exclusive(tmp_path / "matchbot.db"):
        ran = await matchbot_here(tmp_path, "doctor")
    assert ran.code == 0, ran.err
    assert rows(ran.out)["running bot"] == (
        "ok",
        f"matchbot run holds {tmp_path / 'matchbot.db'} (pid {os.getpid()})",
    )


def kept_databases(folder: Path) -> list[Path]:
    return sorted(folder.glob("matchbot.db.before-restore-*"))


def files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir())


def contents(db: Path) -> tuple[str, int, int, int]:
    conn = sqlite3.connect(db)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        subscriptions = conn.execute("SELECT COUNT(*) FROM subscriptions").fetchone()[0]
        alerts = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE key LIKE 'event:ops-m1:g1:%'"
        ).fetchone()[0]
        pending = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE key LIKE 'event:ops-m1:g1:%' AND status = 'pending'"
        ).fetchone()[0]
    finally:
        conn.close()
    return check, subscriptions, alerts, pending


async def test_backup_during_a_fan_out_is_whole_and_restore_waits_for_the_bot(
    tmp_path: Path,
) -> None:
    chats = 150
    follow_inter(tmp_path / "matchbot.db", range(7_000_000, 7_000_000 + chats))
    copy = tmp_path / "backups" / "matchbot-copy.db"
    copy.parent.mkdir()
    # Telegram's real pace (30/s): the fan-out takes seconds, the backup is made inside them
    async with FakeTelegram(token=TOKEN) as fake:
        bot = Bot(fake, tmp_path)
        async with bot.running():
            bot.append(*match_lines("g1"))
            await fake.wait_for_messages(20, timeout=30)
            ran = await matchbot_here(tmp_path, "backup", str(copy))
            sent_by_then = len(fake.messages())
            assert ran.code == 0, ran.err
            assert sent_by_then < chats, "the fan-out ended before the backup: nothing tested"
            assert f"{chats} subscriptions" in ran.out and "integrity ok" in ran.out
            refused = await matchbot(tmp_path, "restore", str(copy))
            assert refused.code == 2
            assert refused.err.startswith("matchbot restore: stop the bot first: ")
            assert f"(pid {os.getpid()})" in refused.err
            await fake.wait_for_messages(chats, timeout=60)
    check, subscriptions, alerts, pending = contents(copy)
    assert check == "ok"
    assert subscriptions == chats
    assert alerts == chats  # the fan-out's rows, every one, as of one commit
    assert 0 < pending < chats  # some sent, some still to send when the copy was made
    assert [p.name for p in files(copy.parent)] == [copy.name], "one self-contained file"

    # the bot stopped: restore puts the copy back, keeping the database it replaces
    ran = await matchbot_here(tmp_path, "restore", str(copy))
    assert ran.code == 0, ran.err
    assert "is kept as" in ran.out
    assert contents(tmp_path / "matchbot.db") == (check, subscriptions, alerts, pending)
    kept = kept_databases(tmp_path)
    assert len(kept) == 1 and contents(kept[0])[3] == 0  # the replaced one had sent them all


async def test_backup_refuses_to_overwrite_and_restore_refuses_what_is_not_a_backup(
    tmp_path: Path,
) -> None:
    follow_inter(tmp_path / "matchbot.db", range(1, 3))
    target = tmp_path / "copy.db"
    target.write_text("keep me")
    ran = await matchbot(tmp_path, "backup", str(target))
    assert ran.code == 1 and "already exists" in ran.err
    assert target.read_text() == "keep me"
    ran = await matchbot_here(tmp_path, "restore", str(target))
    assert ran.code == 1 and "copy.db" in ran.err
    assert contents(tmp_path / "matchbot.db")[1] == 2  # untouched
