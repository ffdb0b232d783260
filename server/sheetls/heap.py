"""Keeping Python's cyclic garbage collector off the hot paths.

Loading a big pack allocates a few objects per YAML value and frees none until it is done:
with the collector on, it walks the ever larger heap again and again for nothing (0.7 s of
a 10,000-entry pack's 1.6 s load), and once loaded, the whole sheet would be walked again by
each older-generation collection, in the middle of some later keystroke's request.
Reference counting frees everything as usual; only reference cycles need the collector.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off for the block (left off if someone else had turned it off)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


class LongLived:
    """Moves what the server keeps for its life (modules, the served packs) out of the
    collector's generations after each reload (gc.freeze), so collections only walk what
    requests allocate. Frozen objects are still freed by reference counting when a reload
    drops them; a reference cycle left from before a freeze would not be, so each later
    reload first collects what was allocated since the previous one (cheap: the rest is
    frozen)."""

    def __init__(self) -> None:
        self.frozen = False

    def before_reload(self) -> None:
        if self.frozen:
            gc.collect()

    def after_reload(self) -> None:
        gc.freeze()
        self.frozen = True
