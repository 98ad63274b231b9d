"""What a ``matchbot`` process loads to start: each command loads the modules it uses, and work
nothing needs yet waits until it is needed (``bench/startup.py`` measures the CPU it saves)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot.messages import names
from bot.messages.grammar import TeamName

ROOT = Path(__file__).resolve().parent.parent

#: Loaded by ``matchbot`` itself (its options and help), before any command runs: none of this.
NOT_FOR_THE_HELP = (
    "adapters.console.adapter",
    "adapters.compose",
    "bot.messages.templates",
    "bot.settings",
    "storage",
    "sqlite_utils",
)
#: Loaded by ``matchbot run`` with Telegram (its composition root and the adapter): none of
#: this until it is needed (paid broadcast's aiohttp, the card's Pillow, the backup commands,
#: the JSON logs' formatter).
NOT_FOR_TELEGRAM = ("aiohttp", "PIL", "storage.backup", "storage.ops", "pythonjsonlogger")

LOADED = """
import json, sys
import adapters.cli
help = set(sys.modules)
import adapters.compose, adapters.telegram
print(json.dumps({"help": sorted(help), "telegram": sorted(sys.modules)}))
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
    loaded = json.loads(done.stdout)
    for module in NOT_FOR_THE_HELP:
        assert module not in loaded["help"], module
    for module in NOT_FOR_TELEGRAM:
        assert module not in loaded["telegram"], module


def test_no_team_is_written_without_looking_up_the_countries() -> None:
    names._countries.cache_clear()
    names.team_name.cache_clear()
    assert names.team_name("") == TeamName("")
    assert names._countries.cache_info().currsize == 0
    assert names.team_name("Italy").national  # a country is still one
