"""The ``matchbot`` program pauses the cyclic garbage collector while it starts, and only then:
every command, once it has loaded its modules, runs with the collector on, and the objects the
start made (kept to the end of the process) are frozen out of its sight (``adapters/cli.py``'s
:func:`main` and :func:`_loaded`).

The program's entry point is called in this process, as the ``matchbot`` script calls it;
what is checked is the collector's state, which needs no process of its own."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from adapters import cli
from tests.support.core import SEED


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of each collection the collector makes meanwhile."""
    made: list[int] = []

    def seen(phase: str, info: dict[str, Any]) -> None:
        if phase == "stop":
            made.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        yield made
    finally:
        gc.callbacks.remove(seen)
        gc.enable()


def matchbot(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """``matchbot ARGS`` through the program's entry point; its exit status."""
    monkeypatch.setattr(sys, "argv", ["matchbot", *args])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    code = ended.value.code
    return code if isinstance(code, int) else 0


@pytest.mark.parametrize(
    "args",
    [
        ("recap", str(SEED)),
        ("replay", "--speed", "0", str(SEED)),
        ("demo", "--speed", "0", "--lang", "it"),
    ],
)
def test_a_command_runs_with_the_collector_on_and_the_start_frozen(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    collections: list[int],
    args: tuple[str, ...],
) -> None:
    frozen_before = gc.get_freeze_count()
    assert matchbot(monkeypatch, *args) == 0
    assert "Atalanta" in capsys.readouterr().out
    assert gc.isenabled()
    assert collections, "the command ran with the garbage collector paused"
    assert gc.get_freeze_count() > frozen_before


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (("--help",), 0),
        (("recap", "/no/such/feed.jsonl"), 2),
        (("replay", "--speed", "-1", str(SEED)), 2),
        (("no-such-command",), 2),
    ],
)
def test_a_command_that_ends_early_leaves_the_collector_on(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    collections: list[int],
    args: tuple[str, ...],
    status: int,
) -> None:
    assert matchbot(monkeypatch, *args) == status
    capsys.readouterr()
    assert gc.isenabled()
    assert not cli._start_paused


def test_a_program_that_runs_with_the_collector_off_keeps_it_off(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], collections: list[int]
) -> None:
    """Whoever turned the collector off (``python -X`` options, an embedding program) keeps it
    off: the start pauses only a collector that was on."""
    gc.disable()
    assert matchbot(monkeypatch, "recap", str(SEED)) == 0
    capsys.readouterr()
    assert not gc.isenabled()


@pytest.mark.parametrize("command", cli.app.registered_commands, ids=lambda c: c.callback.__name__)
def test_every_command_turns_the_collector_on_once_loaded(command: Any) -> None:
    """Each command calls :func:`adapters.cli._loaded` (a new command too): none runs its
    work, long-running ``matchbot run`` above all, with the collector paused."""
    assert "_loaded" in command.callback.__code__.co_names, command.callback.__name__
