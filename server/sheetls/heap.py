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


@contextmanager
def reloading_what_lives_long() -> Iterator[None]:
    """A reload of what the server keeps for its life (the served packs, their index).

    The collector is off meanwhile; after it, everything alive is frozen out of the
    collector's generations (gc.freeze), so later collections walk only what requests
    allocate. Frozen objects are still freed by reference counting when a later reload drops
    them; a reference cycle frozen by mistake would not be, so a reload after the first one
    collects first what was allocated since the last freeze (cheap: the rest is frozen)."""
    with collector_paused():
        if gc.get_freeze_count():
            gc.collect()
        yield
        gc.freeze()
