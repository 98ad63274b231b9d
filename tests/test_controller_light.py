"""xdist's controller runs no test but loads ``tests/conftest.py`` and the plugins it names:
they import neither the bot nor the fakes at load (their fixtures do), so the controller's
start, which comes before any worker's, stays short."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
HEAVY = ("bot", "storage", "adapters", "aiohttp", "telegram", "discord", "httpx", "sqlite_utils")


def test_the_conftest_and_its_plugins_load_without_the_bot_or_the_fakes() -> None:
    code = (
        "import sys\n"
        "import tests.conftest as conftest\n"
        "for name in conftest.pytest_plugins:\n"
        "    __import__(name)\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]
