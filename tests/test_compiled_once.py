"""What a first run compiles, compiled once by xdist's controller (tests/support/compiled_once.py):
after its step, a worker's import finds valid bytecode for each module, the rewritten one
pytest would have written for a test module, and compiles nothing; a second step (a warm run)
does nothing; Hypothesis finds the constants of each of the bot's modules kept; much work is
shared with a forked child; where pytest's internals differ, the step does nothing."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import marshal
import os
import shutil
import subprocess
import sys
import threading
import types
from pathlib import Path

import pytest
from _pytest.assertion import rewrite

from tests.support import compiled_once

ROOT = Path(__file__).parent.parent
#: test modules, a conftest and a plugin the suite rewrites, copied to a folder of their own
REWRITTEN = ("tests/test_feed_format.py", "tests/test_match_state.py", "tests/conftest.py")
PLUGIN = "tests/support/slow_first.py"
#: the packages the bot is made of
PACKAGES = ("bot", "adapters", "storage")
#: sources a worker or a ``matchbot`` process imports as they are
SOURCES = ("bot/clock.py", "storage/store.py", "tests/support/core.py")


def copies(tmp_path: Path, names: tuple[str, ...]) -> list[Path]:
    made = []
    for name in names:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, path)
        made.append(path)
    return made


def cached_rewrite(path: Path) -> Path:
    return rewrite.get_cache_dir(path) / (path.name[:-3] + rewrite.PYC_TAIL)


def import_as_a_worker(config: pytest.Config, path: Path) -> None:
    """Load ``path`` through pytest's assertion-rewriting import hook, as a worker does."""
    hook = rewrite.AssertionRewritingHook(config)
    spec = importlib.util.spec_from_file_location(f"copied_{path.stem}", path, loader=hook)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    hook.exec_module(module)


def test_after_the_step_a_worker_reads_each_test_module_rewritten_and_rewrites_none(
    tmp_path: Path, pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = copies(tmp_path, (*REWRITTEN, PLUGIN))
    assert not any(cached_rewrite(p).exists() for p in paths)

    assert compiled_once.rewrite_for_workers(pytestconfig, paths) == paths

    for path in paths:  # the very code pytest's rewriting makes of the module
        cached = rewrite._read_pyc(path, cached_rewrite(path))
        assert cached is not None
        assert cached == rewrite._rewrite_test(path, pytestconfig)[1]

    def rewrites(path: Path, config: pytest.Config) -> None:
        pytest.fail(f"the worker rewrote {path}")

    monkeypatch.setattr(rewrite, "_rewrite_test", rewrites)
    for path in paths[:2]:
        import_as_a_worker(pytestconfig, path)


def test_a_rewritten_module_already_cached_is_left_alone_and_a_changed_one_rewritten_again(
    tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    paths = copies(tmp_path, REWRITTEN)
    compiled_once.rewrite_for_workers(pytestconfig, paths)
    written = {p: cached_rewrite(p).stat().st_mtime_ns for p in paths}

    assert compiled_once.rewrite_for_workers(pytestconfig, paths) == []
    assert {p: cached_rewrite(p).stat().st_mtime_ns for p in paths} == written

    changed = paths[0]
    changed.write_text(changed.read_text() + "\n\ndef test_added() -> None:\n    assert 1\n")
    assert compiled_once.rewrite_for_workers(pytestconfig, paths) == [changed]
    assert rewrite._read_pyc(changed, cached_rewrite(changed)) is not None


def test_after_the_step_an_import_of_each_source_compiles_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = copies(tmp_path, SOURCES)
    assert not any(Path(importlib.util.cache_from_source(str(p))).exists() for p in paths)

    assert compiled_once.compile_sources(paths) == paths
    assert compiled_once.compile_sources(paths) == []  # a warm run: all there already

    def compiles(*args: object, **kwargs: object) -> None:
        pytest.fail("the import compiled the source")

    monkeypatch.setattr(importlib.machinery.SourceFileLoader, "source_to_code", compiles)
    for path in paths:  # what an import checks (timestamp and size) before it uses the cache
        code = importlib.machinery.SourceFileLoader(path.stem, str(path)).get_code(path.stem)
        cached = Path(importlib.util.cache_from_source(str(path))).read_bytes()
        assert code == marshal.loads(cached[16:])


def test_a_source_changed_since_it_was_compiled_is_compiled_again(tmp_path: Path) -> None:
    paths = copies(tmp_path, SOURCES)
    compiled_once.compile_sources(paths)
    paths[1].write_text(paths[1].read_text() + "\nADDED = 1\n")
    assert compiled_once.compile_sources(paths) == [paths[1]]


def test_where_pytests_rewriting_is_not_as_expected_the_step_does_nothing(
    tmp_path: Path, pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = copies(tmp_path, REWRITTEN)
    monkeypatch.delattr(rewrite, "_write_pyc")
    assert compiled_once.rewrite_for_workers(pytestconfig, paths) == []
    assert not any(cached_rewrite(p).exists() for p in paths)


def test_the_step_covers_the_suites_sources_test_modules_and_rewritten_plugins(
    pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pytestconfig, "args", [str(ROOT / "tests")])  # the whole suite's run
    sources = {p.relative_to(ROOT).as_posix() for p in compiled_once.project_sources(pytestconfig)}
    rewritten = {p.resolve() for p in compiled_once.rewritten_by_workers(pytestconfig)}
    tests = {p.resolve() for p in (ROOT / "tests").glob("test_*.py")}

    packages = {
        p.relative_to(ROOT).as_posix() for top in PACKAGES for p in ROOT.glob(f"{top}/**/*.py")
    }
    assert packages <= sources
    assert {"tests/support/postgres.py", "tests/support/fakes/__init__.py"} <= sources
    assert not any(Path(s).name.startswith("test_") for s in sources)
    assert tests | {(ROOT / "tests/conftest.py").resolve()} <= rewritten
    # the plugins this process rewrote as it started, every worker rewrites as it starts
    assert (ROOT / PLUGIN).resolve() in rewritten
    assert pytestconfig.pluginmanager.has_plugin("tests.support.compiled_once")


def test_a_run_of_one_test_module_has_only_that_one_rewritten_ahead(
    pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = ROOT / "tests/test_feed_format.py"
    monkeypatch.setattr(pytestconfig, "args", [f"{one}::test_something"])
    rewritten = {p.resolve() for p in compiled_once.rewritten_by_workers(pytestconfig)}
    assert {p for p in rewritten if p.name.startswith("test_")} == {one.resolve()}
    assert (ROOT / "tests/conftest.py").resolve() in rewritten


def test_after_the_step_hypothesis_reads_each_bot_modules_constants_from_its_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hypothesis import configuration
    from hypothesis.internal import constants_ast

    monkeypatch.setattr(configuration, "__hypothesis_home_directory", tmp_path / "hypothesis")
    paths = copies(tmp_path / "project", (*SOURCES, *REWRITTEN))
    own = paths[:2]  # Hypothesis reads no constants out of tests (nor their helpers)

    assert compiled_once.cache_hypothesis_constants(paths) == own
    assert compiled_once.cache_hypothesis_constants(paths) == []  # a warm run: kept already
    assert len(list((tmp_path / "hypothesis/constants").iterdir())) == len(own)

    read = []
    real = constants_ast._constants_from_source

    def reads(source: bytes, *, limit: bool) -> constants_ast.Constants:
        read.append(source)
        return real(source, limit=limit)

    monkeypatch.setattr(constants_ast, "_constants_from_source", reads)
    for path in own:  # what a worker's Hypothesis does with a module it imported
        module = types.ModuleType(f"copied_{path.stem}")
        module.__file__ = str(path)
        found = constants_ast.constants_from_module(module)
        assert read[-1] != path.read_bytes()  # read from the cache, not parsed from the source
        assert found == real(path.read_bytes(), limit=True)


SHARED = """
import os, sys
from pathlib import Path
from tests.support.compiled_once import share_between_cores

def mark(paths):
    for path in paths:
        path.write_text(str(os.getpid()))

folder = Path(sys.argv[1])
share_between_cores([(mark, folder / f"file{i}") for i in range(40)])
print(os.getpid())
"""


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: no second process")
def test_much_work_on_two_cores_is_shared_with_a_forked_child_and_all_done(tmp_path: Path) -> None:
    ran = subprocess.run(
        [sys.executable, "-c", SHARED, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    by = [int((tmp_path / f"file{i}").read_text()) for i in range(40)]
    this = int(ran.stdout)
    assert by.count(this) == 20
    assert len(set(by)) == 2


def test_in_a_process_with_other_threads_the_work_is_done_here(tmp_path: Path) -> None:
    # an xdist worker runs execnet's threads: a fork there is not safe, the work is done here
    def mark(paths: list[Path]) -> None:
        for path in paths:
            path.write_text(str(os.getpid()))

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        compiled_once.share_between_cores([(mark, tmp_path / f"file{i}") for i in range(40)])
    finally:
        stop.set()
        other.join()
    assert {(tmp_path / f"file{i}").read_text() for i in range(40)} == {str(os.getpid())}
