"""What a first run compiles, compiled once (a pytest plugin, registered in ``tests/conftest.py``).

Python keeps each module's bytecode in ``__pycache__/`` (gitignored: a fresh clone has none), and
pytest keeps there too the test modules as it rewrote them for its assertion messages
(``*-pytest-*.pyc``); Hypothesis keeps the constants it found in the bot's modules (it mixes them
into the examples it tries) in ``.hypothesis/constants/``. On a first run every xdist worker would
compile the bot's sources, rewrite every test module and read the constants out of every module
itself, all five at the same time, each a few seconds of CPU. So xdist's controller (it runs this
plugin, and collects nothing) does it once, before it starts the workers
(:func:`pytest_sessionstart` runs before xdist's, which is ``trylast``): the sources Python
compiles as an import would (:func:`compile_sources`), the modules pytest rewrites, with pytest's
own rewriting, in the file a worker looks for first (:func:`rewrite_for_workers`), and the
constants, with Hypothesis' own function, where Hypothesis looks for them
(:func:`cache_hypothesis_constants`). Only what is missing or out of date is done, shared between
this process and one forked child where there is much of it and two cores (the workers wait for
it): a warm run checks the files and does nothing else. Where pytest's or Hypothesis' internals
are not those this was written against, that part does nothing (the workers then do it as
before)."""

from __future__ import annotations

import compileall
import fnmatch
import functools
import gc
import hashlib
import importlib.util
import os
import py_compile
import sys
import threading
import types
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

#: what :func:`rewrite_for_workers` uses of pytest's assertion rewriting (``_pytest/assertion/
#: rewrite.py``): how a rewritten module is made, written, read back and where it is kept
_REWRITE_API = ("_rewrite_test", "_write_pyc", "_read_pyc", "get_cache_dir", "PYC_TAIL")
#: below this many files to do, a second process costs more than it saves
_WORTH_A_SECOND_PROCESS = 24

#: one file's share of the work: a function of a list of files, and the file
Job = tuple[Callable[[list[Path]], object], Path]


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if config.pluginmanager.get_plugin("dsession") is None or sys.dont_write_bytecode:
        return  # not xdist's controller (a worker, or ``-n 0``: one process compiles once anyway)
    share_between_cores(missing(config))


def missing(config: pytest.Config) -> list[Job]:
    """What the workers would otherwise each do on this run: each source without up-to-date
    bytecode, each module pytest rewrites without an up-to-date rewritten file, each of the
    bot's modules whose constants Hypothesis has not kept yet."""
    sources = project_sources(config)
    jobs: list[Job] = [(compile_sources, p) for p in sources if _to_compile(p)]
    if _rewrite_hook(config) is not None:
        rewrite = functools.partial(rewrite_for_workers, config)
        jobs += [(rewrite, p) for p in rewritten_by_workers(config) if _to_rewrite(p)]
    jobs += [(cache_hypothesis_constants, p) for p in _constants_missing(sources)]
    return jobs


def share_between_cores(jobs: list[Job]) -> None:
    """Do ``jobs``, half of them (by size) in a child process forked for it where two cores
    are there to share them (and this process runs no other thread); returns when all are
    done. The garbage collector is off meanwhile: the syntax trees made and dropped by the
    thousand hold no cycles, and each collection would walk all this process holds."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    collecting = gc.isenabled()
    gc.disable()
    try:
        if len(jobs) < _WORTH_A_SECOND_PROCESS or cores < 2 or threading.active_count() > 1:
            _do(jobs)
            return
        jobs = sorted(jobs, key=lambda job: -_size(job[1]))
        child = os.fork()
        if child == 0:  # the child: its half, then gone without running this process's exit
            try:
                _do(jobs[0::2])
            finally:
                os._exit(0)
        _do(jobs[1::2])
        os.waitpid(child, 0)
    finally:
        if collecting:
            gc.enable()


def _do(jobs: Iterable[Job]) -> None:
    for do, path in jobs:
        do([path])


def project_sources(config: pytest.Config) -> list[Path]:
    """The project's modules a test process or a ``matchbot`` process imports as they are: the
    packages at the top of the project (a folder with ``__init__.py``) and the helpers beside the
    tests (``tests/support/``), not the test modules and ``conftest.py`` (pytest rewrites them)."""
    root = config.rootpath
    tops = [p for p in sorted(root.iterdir()) if (p / "__init__.py").is_file()]
    tests = [root / path for path in config.getini("testpaths")]
    return [p for p in _python_files(tops + tests) if not _rewritten_by_name(config, p)]


def rewritten_by_workers(config: pytest.Config) -> list[Path]:
    """The modules each worker imports through pytest's assertion rewriting: the test modules
    this run collects (those its arguments name, or all under the test paths), every
    ``conftest.py``, and what the controller itself imported so (the plugins pytest rewrites:
    the suite's own in ``tests/support/``, and those of the installed pytest plugins, e.g.
    Hypothesis'), which every worker imports too as it starts."""
    tests = [config.rootpath / path for path in config.getini("testpaths")]
    asked = [config.invocation_params.dir / arg.split("::")[0] for arg in config.args]
    found = [p for p in _python_files(tests) if p.name == "conftest.py"]
    found += [p for p in _python_files(asked) if _rewritten_by_name(config, p)]
    hook = _rewrite_hook(config)
    imported = [Path(p) for p in getattr(hook, "_rewritten_names", {}).values()] if hook else []
    plugins = [p for p in imported if p.name == "conftest.py" or not _rewritten_by_name(config, p)]
    return list(dict.fromkeys(found + plugins))


def compile_sources(paths: Iterable[Path]) -> list[Path]:
    """Compile each of ``paths`` whose bytecode is missing or out of date, as an import would
    (timestamp-checked, at this interpreter's optimization level); returns those it compiled."""
    done = []
    for path in paths:
        if not _to_compile(path):
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
        if not path.is_file() or not _to_rewrite(path):
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
    """The Python files in the folders ``tops`` (or those ``tops`` are)."""
    for top in tops:
        if top.is_file() and top.suffix == ".py":
            yield top
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__pycache__")))
            yield from (Path(folder, name) for name in sorted(files) if name.endswith(".py"))


def cache_hypothesis_constants(paths: Iterable[Path]) -> list[Path]:
    """Have Hypothesis keep, for each of ``paths`` it counts as the project's own code (not the
    tests), the constants it reads out of a module, where a worker's Hypothesis looks for them
    first; returns those it read. Stops where Hypothesis keeps them elsewhere than expected."""
    try:
        from hypothesis.errors import HypothesisSideeffectWarning
        from hypothesis.internal.constants_ast import constants_from_module
    except ImportError:
        return []
    done = []
    with warnings.catch_warnings():  # its "slow code in a plugin" warning: on purpose, once
        warnings.simplefilter("ignore", HypothesisSideeffectWarning)
        for path in _constants_missing(paths):
            module = types.ModuleType(path.stem)
            module.__file__ = str(path)
            constants_from_module(module)
            if _constants_missing([path]):
                break
            done.append(path)
    return done


def _constants_missing(paths: Iterable[Path]) -> list[Path]:
    """Those of ``paths`` Hypothesis reads constants from whose constants it has not kept (in
    its storage folder, ``.hypothesis/constants/`` named by the source's digest); none where
    Hypothesis is not the one this was written against."""
    try:
        from hypothesis.configuration import storage_directory
        from hypothesis.errors import HypothesisSideeffectWarning
        from hypothesis.internal.constants_ast import is_local_module_file
    except ImportError:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypothesisSideeffectWarning)
        try:
            folder = storage_directory("constants", intent_to_write=False).path
        except TypeError:
            return []
    found = []
    for path in paths:
        if not is_local_module_file(str(path)):
            continue
        try:
            source = path.read_bytes()
        except OSError:
            continue
        if not (folder / hashlib.sha1(source).hexdigest()[:16]).exists():
            found.append(path)
    return found


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _to_compile(source: Path) -> bool:
    """Whether ``source``'s bytecode is missing or out of date where it can be written (where
    it cannot, each process compiles the module for itself, as without this)."""
    cached = Path(importlib.util.cache_from_source(os.fspath(source)))
    return not _compiled(source) and _writable(cached.parent)


def _to_rewrite(source: Path) -> bool:
    """Whether ``source``'s rewritten bytecode is missing or out of date where it can be
    written."""
    from _pytest.assertion import rewrite

    return not _rewritten(source) and _writable(rewrite.get_cache_dir(source))


def _writable(folder: Path) -> bool:
    """Whether a file can be made in ``folder`` (or ``folder`` made, with its parent's)."""
    return os.access(folder if folder.exists() else folder.parent, os.W_OK)


def _compiled(source: Path) -> bool:
    """Whether ``source`` has timestamp-checked bytecode as it is now (what an import checks
    before it uses it)."""
    cached = Path(importlib.util.cache_from_source(os.fspath(source)))
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


def _rewritten(source: Path) -> bool:
    """Whether ``source`` has pytest's rewritten bytecode as it is now: its header names this
    interpreter's bytecode and the source's hash, as pytest writes it (a checked-hash pyc:
    PEP 552); a file this quick look doubts is read as pytest reads it."""
    from _pytest.assertion import rewrite

    if not all(hasattr(rewrite, name) for name in _REWRITE_API):
        return True  # nothing to do: rewrite_for_workers would not do it
    pyc = rewrite.get_cache_dir(source) / (source.name[:-3] + rewrite.PYC_TAIL)
    try:
        with pyc.open("rb") as file:
            header = file.read(16)
        source_hash = importlib.util.source_hash(source.read_bytes())
    except OSError:
        return False
    if header == importlib.util.MAGIC_NUMBER + b"\x03\0\0\0" + source_hash[:8]:
        return True
    return rewrite._read_pyc(source, pyc) is not None
