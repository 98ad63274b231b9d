"""The garbage collector leaves alone what the test process keeps to its end
(tests/support/gc_frozen.py), and still frees the garbage the tests make."""

from __future__ import annotations

import gc
import sys
import weakref


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_the_modules_and_the_collected_tests_are_out_of_the_collectors_sight() -> None:
    assert gc.get_freeze_count() > 10_000
    module = sys.modules[__name__]
    assert not any(o is module for o in gc.get_objects(generation=2))  # frozen: in no generation


def test_garbage_made_after_the_freeze_is_still_collected() -> None:
    first, second = Node(), Node()
    first.other, second.other = second, first  # a cycle: reference counting alone keeps it
    watched = weakref.ref(first)
    del first, second
    gc.collect()
    assert watched() is None
