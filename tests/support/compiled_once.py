"""What a first run compiles, compiled once (a pytest plugin, registered in ``tests/conftest.py``).

Python keeps each module's bytecode in ``__pycache__/`` (gitignored: a fresh clone has none), and
pytest keeps there too the test modules as it rewrote them for its assertion messages
(``*-pytest-*.pyc``). On a first run every xdist worker would compile the bot's sources and
rewrite every test module itself, all five at the same time, each a few seconds of CPU. So xdist's
controller (it runs this plugin, and collects nothing) does it once, before it starts the
workers (:func:`pytest_sessionstart` runs before xdist's, which is ``trylast``): the sources
Python compiles as an import would (:func:`compile_sources`), and the modules pytest rewrites with
pytest's own rewriting, in the file a worker looks for first (:func:`rewrite_for_workers`). Only
what is missing or out of date is done: a warm run checks the files and does nothing else.
Where pytest's internals are not those this was written against, it does nothing (the workers
then compile as before)."""

from __future__ import annotations

import compileall
import fnmatch
import os
import py_compile
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

#: what :func:`rewrite_for_workers` uses of pytest's assertion rewriting (``_pytest/assertion/
#: rewrite.py``): how a rewritten module is made, written, read back and where it is kept
_REWRITE_API = ("_rewrite_test", "_write_pyc", "_read_pyc", "get_cache_dir", "PYC_TAIL")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if config.pluginmanager.get_plugin("dsession") is None or sys.dont_write_bytecode:
        return  # not xdist's controller (a worker, or ``-n 0``: one process compiles once anyway)
    compile_sources(project_sources(config))
    rewrite_for_workers(config, rewritten_by_workers(config))


def project_sources(config: pytest.Config) -> list[Path]:
    """The project's modules a test process or a ``matchbot`` process imports as they are: the
    packages at the top of the project (a folder with ``__init__.py``) and the helpers beside the
    tests (``tests/support/``), not the test modules and ``conftest.py`` (pytest rewrites them)."""
    root = config.rootpath
    tops = [p for p in sorted(root.iterdir()) if (p / "__init__.py").is_file()]
    tests = [root / path for path in config.getini("testpaths")]
    return [p for p in _python_files(tops + tests) if not _rewritten_by_name(config, p)]


def rewritten_by_workers(config: pytest.Config) -> list[Path]:
    """The modules each worker imports through pytest's assertion rewriting: every test module
    and ``conftest.py`` under the test paths, and what the controller itself imported so (the
    plugins pytest rewrites: the suite's own in ``tests/support/``, and those of the installed
    pytest plugins, e.g. Hypothesis'), which every worker imports too as it starts."""
    tests = [config.rootpath / path for path in config.getini("testpaths")]
    found = [p for p in _python_files(tests) if _rewritten_by_name(config, p)]
    hook = _rewrite_hook(config)
    imported = list(getattr(hook, "_rewritten_names", {}).values()) if hook else []
    return list(dict.fromkeys(found + [Path(p) for p in imported]))


def compile_sources(paths: Iterable[Path]) -> list[Path]:
    """Compile each of ``paths`` whose bytecode is missing or out of date, as an import would
    (timestamp-checked, at this interpreter's optimization level); returns those it compiled."""
    done = []
    for path in paths:
        cached = Path(_cache_from_source(path))
        if _fresh(path, cached):
            continue
        ok = compileall.compile_file(
            path, quiet=2, invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP
        )
        if ok:
            done.append(path)
    return done


def rewrite_for_workers(config: pytest.Config, paths: Iterable[Path]) -> list[Path]:
    """Write, for each of ``paths`` whose rewritten bytecode is missing or out of date, the file
    a worker's import reads instead of rewriting the module itself (pytest's own rewriting, in
    pytest's own cache file); returns the modules it rewrote. Does nothing where assertions are
    not rewritten (``--assert=plain``) or pytest's internals differ from these."""
    from _pytest.assertion import rewrite

    hook = _rewrite_hook(config)
    if hook is None or not all(hasattr(rewrite, name) for name in _REWRITE_API):
        return []
    state = config.stash[rewrite.assertstate_key]
    done = []
    for path in paths:
        pyc = rewrite.get_cache_dir(path) / (path.name[:-3] + rewrite.PYC_TAIL)
        if not path.is_file() or _rewritten_fresh(path, pyc, rewrite._read_pyc):
            continue
        try:
            source_hash, code = rewrite._rewrite_test(path, config)
        except SyntaxError:
            continue  # the worker reports it, as without this
        if rewrite.try_makedirs(pyc.parent) and rewrite._write_pyc(state, code, source_hash, pyc):
            done.append(path)
    return done


def _rewrite_hook(config: pytest.Config) -> object | None:
    """pytest's assertion-rewriting import hook, where assertions are rewritten."""
    from _pytest.assertion import rewrite

    state = config.stash.get(rewrite.assertstate_key, None)
    hook = getattr(state, "hook", None)
    return hook if isinstance(hook, rewrite.AssertionRewritingHook) else None


def _rewritten_by_name(config: pytest.Config, path: Path) -> bool:
    """Whether pytest rewrites ``path`` for its name alone (a test module or a conftest)."""
    if path.name == "conftest.py":
        return True
    return any(fnmatch.fnmatch(path.name, pattern) for pattern in config.getini("python_files"))


def _python_files(tops: Iterable[Path]) -> Iterator[Path]:
    for top in tops:
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__pycache__")))
            yield from (Path(folder, name) for name in sorted(files) if name.endswith(".py"))


def _cache_from_source(path: Path) -> str:
    import importlib.util

    return importlib.util.cache_from_source(os.fspath(path))


def _fresh(source: Path, cached: Path) -> bool:
    """Whether ``cached`` is the timestamp-checked bytecode of ``source`` as it is now (what
    an import checks before it uses it)."""
    import importlib.util

    try:
        with cached.open("rb") as file:
            header = file.read(16)
        stat = source.stat()
    except OSError:
        return False
    return (
        header[:4] == importlib.util.MAGIC_NUMBER
        and header[4:8] == b"\0\0\0\0"
        and int.from_bytes(header[8:12], "little") == int(stat.st_mtime) & 0xFFFFFFFF
        and int.from_bytes(header[12:16], "little") == stat.st_size & 0xFFFFFFFF
    )


def _rewritten_fresh(source: Path, pyc: Path, read_pyc: Callable[[Path, Path], object]) -> bool:
    """Whether ``pyc`` is the rewritten bytecode of ``source`` as it is now: its header names
    this interpreter's bytecode and the source's hash, as pytest writes it (a checked-hash pyc:
    PEP 552); a file this quick look doubts is read as pytest reads it (``read_pyc``)."""
    import importlib.util

    try:
        with pyc.open("rb") as file:
            header = file.read(16)
        source_hash = importlib.util.source_hash(source.read_bytes())
    except OSError:
        return False
    if header == importlib.util.MAGIC_NUMBER + b"\x03\0\0\0" + source_hash[:8]:
        return True
    return read_pyc(source, pyc) is not None
