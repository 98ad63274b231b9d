"""The ``e2e`` marker is on every test that uses a fake server or runs the ``matchbot`` program,
and ``pytest -m e2e`` and ``pytest -m "not e2e"`` both select tests.

``tests/support/e2e.py`` marks a test by the names its module and its fixtures hold. This guard
finds the same tests another way: it follows what each test's code refers to (the test function,
the helpers of its module it calls, its fixtures, and the helpers in ``tests/support/`` those
reach) until it meets a fake server (a class of ``tests/support/fakes/`` that ``async with``
starts: FakeTelegram, FakeDiscord, FakeProvider) or a subprocess (the ``subprocess`` module,
``asyncio.create_subprocess_exec``; the tests' PostgreSQL server is not the program). A test it
reaches that way and the marker missed fails here, with the path that reaches the fake."""

from __future__ import annotations

import ast
import asyncio
import functools
import importlib
import inspect
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import COLLECTED

#: where the fakes live; a fake *server* is a class of theirs that ``async with`` starts
#: (FakeTelegram, FakeDiscord, FakeProvider), unlike their parsers, records and fixtures
FAKES = "tests.support.fakes"
#: what runs another program (the ``matchbot`` command line); looked up, not imported by name,
#: as a module that names ``subprocess`` is marked e2e itself
PROGRAM_MODULES = ("subprocess", "asyncio.subprocess")
PROGRAM = frozenset({id(importlib.import_module("subprocess")), id(asyncio.create_subprocess_exec)})
#: helpers whose subprocesses are not the program: the tests' PostgreSQL server
NOT_FOLLOWED = frozenset({"tests.support.postgres"})
TESTS = Path(__file__).parent


@functools.cache
def _definitions(filename: str) -> dict[tuple[str, int | str], ast.AST]:
    """The functions and classes of a source file: functions by their first line (their first
    decorator's, as in ``co_firstlineno``), classes by their qualified name."""
    found: dict[tuple[str, int | str], ast.AST] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                found["class", prefix + child.name] = child
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                found["def", (child.decorator_list or [child])[0].lineno] = child
                visit(child, f"{prefix}{child.name}.<locals>.")
            else:
                visit(child, prefix)

    visit(ast.parse(Path(filename).read_text("utf-8")), "")
    return found


def _names(node: ast.AST) -> Iterator[tuple[str, ...]]:
    """The dotted names a function or class refers to: ``a``, ``a.b``, ``a.b.c``."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            yield (sub.id,)
        elif isinstance(sub, ast.Attribute):
            parts: list[str] = [sub.attr]
            value: ast.AST = sub.value
            while isinstance(value, ast.Attribute):
                parts.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name):
                yield (value.id, *reversed(parts))


def _source_node(obj: Any) -> ast.AST | None:
    """The syntax tree of a function or class written in ``tests/`` (the bot's own code and
    the libraries are not followed: only the tests' code and helpers)."""
    if inspect.isfunction(obj):
        filename = obj.__code__.co_filename
    else:
        filename = getattr(sys.modules.get(obj.__module__), "__file__", None) or ""
    if not filename or not Path(filename).is_relative_to(TESTS):
        return None
    if inspect.isfunction(obj):
        return _definitions(filename).get(("def", obj.__code__.co_firstlineno))
    return _definitions(filename).get(("class", obj.__qualname__))


def _resolve(scope: dict[str, Any], dotted: tuple[str, ...]) -> Iterator[Any]:
    """``dotted`` looked up in a function's globals, and each object on the way."""
    if dotted[0] not in scope:
        return
    obj = scope[dotted[0]]
    yield obj
    for part in dotted[1:]:
        obj = getattr(obj, part, None)
        if obj is None:
            return
        yield obj


class Reach:
    """Whether code reaches a fake server or a subprocess, and by which path (memoised)."""

    def __init__(self) -> None:
        self._known: dict[int, str | None] = {}
        self._keep: list[Any] = []  # keeps the ids above meaning the same objects

    def of(self, obj: Any) -> str | None:
        key = id(obj)
        if key in self._known:
            return self._known[key]
        self._known[key] = None  # a cycle reaches nothing new
        self._keep.append(obj)
        found = self._find(obj)
        self._known[key] = found
        return found

    def _find(self, obj: Any) -> str | None:
        module = getattr(obj, "__module__", None)
        if id(obj) in PROGRAM or module in PROGRAM_MODULES:
            return "a subprocess"
        if not isinstance(module, str) or module in NOT_FOLLOWED:
            return None
        if module.startswith(FAKES):
            if inspect.isclass(obj) and hasattr(obj, "__aenter__"):
                return f"the fake server {obj.__qualname__}"
            return None
        if callable(obj) and not inspect.isclass(obj):
            obj = inspect.unwrap(obj)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            return None
        node = _source_node(obj)
        if node is None:
            return None
        scope = vars(sys.modules[obj.__module__])
        for dotted in sorted(set(_names(node))):
            for found in _resolve(scope, dotted):
                why = self.of(found)
                if why is not None:
                    return f"{obj.__qualname__} -> {why}"
        return None


def _fixture_functions(item: pytest.Item) -> Iterator[Any]:
    info = getattr(item, "_fixtureinfo", None)
    for definitions in getattr(info, "name2fixturedefs", {}).values():
        for definition in definitions:
            yield definition.func


def _the_whole_suite(items: list[pytest.Item]) -> bool:
    files = {Path(str(item.path)) for item in items}
    return all(path in files for path in TESTS.glob("test_*.py"))


def _why(reach: Reach, item: pytest.Function) -> str | None:
    why = reach.of(item.function)
    for fixture in _fixture_functions(item):
        why = why or reach.of(fixture)
    return why


def test_every_test_that_uses_a_fake_or_the_program_is_marked_e2e(
    pytestconfig: pytest.Config,
) -> None:
    items: list[pytest.Item] = pytestconfig.stash[COLLECTED]
    reach = Reach()
    unmarked = [
        f"{item.nodeid}: {why}"
        for item in items
        if isinstance(item, pytest.Function)
        and item.get_closest_marker("e2e") is None  # a test marked needs no reason
        and (why := _why(reach, item)) is not None
    ]
    assert not unmarked, "not marked e2e:\n" + "\n".join(unmarked)


def test_the_guard_finds_the_fakes_and_the_program(pytestconfig: pytest.Config) -> None:
    """The guard above would see a test of these files had it not been marked."""
    items: list[pytest.Item] = pytestconfig.stash[COLLECTED]
    reach = Reach()
    for name, expected in [
        ("test_telegram_e2e.py", "the fake server FakeTelegram"),
        ("test_fake_discord.py", "the fake server FakeDiscord"),
        ("test_provider_polling.py", "the fake server FakeProvider"),
        ("test_cli.py", "a subprocess"),
    ]:
        tests = [i for i in items if isinstance(i, pytest.Function) and i.path.name == name]
        if not tests:
            continue  # not collected in this run
        reasons = [_why(reach, item) or "" for item in tests]
        assert any(why.endswith(expected) for why in reasons), (name, reasons)


def test_both_marker_expressions_select_tests(pytestconfig: pytest.Config) -> None:
    items: list[pytest.Item] = pytestconfig.stash[COLLECTED]
    if not _the_whole_suite(items):
        pytest.skip("run on part of the suite: the selections are checked on the whole")
    e2e = [item for item in items if item.get_closest_marker("e2e") is not None]
    assert e2e and len(e2e) < len(items)  # `-m e2e` and `-m "not e2e"` each select some
    files = {Path(str(item.path)).name for item in e2e}
    assert "test_telegram_e2e.py" in files and "test_cli.py" in files
    unit_files = {Path(str(item.path)).name for item in items if item not in e2e}
    assert "test_odd_values.py" in unit_files and "test_e2e_marker.py" in unit_files
