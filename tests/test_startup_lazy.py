"""What a ``matchbot`` process loads to start: each command loads the modules it uses, and work
nothing needs yet waits until it is needed (``bench/startup.py`` measures the CPU it saves)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.lean_imports import stand_in
from bot.messages import names
from bot.messages.grammar import TeamName

ROOT = Path(__file__).resolve().parent.parent

#: Loaded by ``matchbot`` itself (its options and help), before any command runs: none of this
#: (the alert levels ``--level`` lists come from ``bot.levels``, not the chat settings' models).
NOT_FOR_THE_HELP = (
    "adapters.console.adapter",
    "adapters.compose",
    "bot.messages.templates",
    "bot.settings",
    "storage",
    "sqlite_utils",
    "pydantic",
    "bot.chat_settings",
)
#: Loaded by ``matchbot run`` with Telegram (its composition root and the adapter): none of
#: this until it is needed (paid broadcast's aiohttp, the card's Pillow, the backup commands,
#: the JSON logs' formatter, the ``limits`` library until a group member's command is counted,
#: httpx's own command-line program with rich and pygments, python-telegram-bot's webhook
#: server with tornado: see adapters/lean_imports.py; Babel's catalogue reader and writer,
#: only where a ``.po`` is compiled, bot/messages/i18n.py).
NOT_FOR_TELEGRAM = (
    "babel.messages",
    "aiohttp",
    "PIL",
    "storage.backup",
    "storage.ops",
    "pythonjsonlogger",
    "limits",
    "rich",
    "pygments",
    "tornado",
)

#: Loaded by ``matchbot demo``, ``replay`` and ``recap`` (the replay on the console): none of
#: this (APScheduler, until the bot starts its timers or sets a job: bot/scheduler/timer.py).
NOT_FOR_THE_REPLAY = ("apscheduler",)

LOADED = """
import json, sys
import adapters.cli
help = set(sys.modules)
import adapters.console.replay
replay = set(sys.modules)
import adapters.compose, adapters.telegram
from telegram.ext import _updater
loaded = {"help": sorted(help), "replay": sorted(replay), "telegram": sorted(sys.modules)}
print(json.dumps({**loaded, "webhooks": _updater.WEBHOOKS_AVAILABLE}))
sys.stdout.flush()
import httpx
httpx.main(["--help"])  # httpx's program still runs: its module is imported when called
"""


def test_a_command_loads_only_what_it_uses() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LOADED],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    first, httpx_help = done.stdout.split("\n", 1)
    loaded = json.loads(first)
    assert "Usage: httpx" in httpx_help
    assert loaded["webhooks"]  # python-telegram-bot still offers its webhook server
    for module in NOT_FOR_THE_HELP:
        assert module not in loaded["help"], module
    for module in NOT_FOR_THE_REPLAY:
        assert module not in loaded["replay"], module
    for module in NOT_FOR_TELEGRAM:
        assert module not in loaded["telegram"], module


def test_no_team_is_written_without_looking_up_the_countries() -> None:
    names._countries.cache_clear()
    names.team_name.cache_clear()
    assert names.team_name("") == TeamName("")
    assert names._countries.cache_info().currsize == 0
    assert names.team_name("Italy").national  # a country is still one


def test_a_stand_in_hands_everything_to_the_real_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``adapters/lean_imports.py`` puts in a module's place: its names call the real ones,
    any other name is the real one, and it answers none of the import system's questions (so
    an import never mistakes it for a package)."""
    name = "stand_in_target"
    (tmp_path / f"{name}.py").write_text("TIMES = 2\n\ndef double(n):\n    return n * TIMES\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    deferred = stand_in(name, ("double",))
    monkeypatch.setitem(sys.modules, name, deferred)
    assert deferred.double(21) == 42  # the real module is imported now, and takes its place
    assert sys.modules[name] is not deferred
    assert sys.modules[name].double(2) == 4
    sys.modules[name] = deferred
    assert deferred.TIMES == 2  # another name: imported, the real one's
    assert sys.modules[name] is not deferred
    for question in ("__path__", "__file__"):
        assert not hasattr(stand_in(name, ()), question)
