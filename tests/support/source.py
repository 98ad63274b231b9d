"""The bot's source as syntax trees, for the tests that read it (one definition each, all SQL in
storage/, the core's imports, untranslated sentences).

Several tests walk every module of ``bot/``, ``adapters/`` and ``storage/``; parsing and
walking a file again for each of them cost about a second of CPU per test process. Each file is
parsed and walked once per process here; the nodes are shared, so the tests only read them.
They stay to the process's end, some 180,000 objects for the whole code: like the modules
(tests/support/gc_frozen.py) they are moved out of the garbage collector's sight once made, or
each of its full passes would walk them all again."""

from __future__ import annotations

import ast
import functools
import gc
from pathlib import Path


@functools.cache
def nodes(path: Path) -> tuple[ast.AST, ...]:
    """Every node of ``path``'s syntax tree, in :func:`ast.walk`'s order (parsed and walked
    once per test process)."""
    found = tuple(ast.walk(ast.parse(path.read_text("utf-8"))))
    gc.freeze()
    return found
