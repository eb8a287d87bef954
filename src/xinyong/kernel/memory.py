"""The cyclic garbage collector around bulk work. Pure process state, no I/O.

Imports, file reads and the check copy's load build millions of long-lived objects holding
no reference cycles; full collections while they are built only rescan them (measured: 20 %
of a 200,000-row import, half of a file read, 60 → 44 s for the check copy at 1,000,000
entries). ``settle`` then takes what is alive out of the collector's reach for good."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside the block (restored to what it was after it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def settle() -> None:
    """Collect once, then freeze every surviving object (``gc.freeze``): later full
    collections no longer walk them."""
    gc.collect()
    gc.freeze()
