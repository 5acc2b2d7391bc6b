"""How often Python's cyclic garbage collector runs during a scan.

A scan builds millions of small objects (syntax trees, values, chains) that live until it ends, and
nearly all of its short-lived objects die by reference counting. With the default thresholds the
collector walks every live object again and again as they pile up: about a third of a large scan's
time, and the reason time grew faster than the input. During a scan it runs on the young generation
every 50,000 allocations and seldom on the old one; what was built before (modules, policies) and what
parsing produced is frozen out of its walks. Cyclic garbage is still collected, only less often.
"""
from __future__ import annotations

import contextlib
import gc
from typing import Iterator

SCAN_THRESHOLDS = (50_000, 20, 100)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """The scan's thresholds, with everything alive now frozen; both undone on the way out, so a process
    that scans many times (tests, an editor integration) keeps the defaults between scans."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*SCAN_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()


def keep_for_the_scan() -> None:
    """What exists now (the parsed files) lives to the end of the scan: out of the collector's walks."""
    gc.freeze()


def in_worker() -> None:
    """A parse worker holds its results until it hands them over: the scan's thresholds there too."""
    gc.set_threshold(*SCAN_THRESHOLDS)
