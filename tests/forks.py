"""A process limit that lets the first worker fork and refuses the second, for tests of what a stage does
when its workers cannot all start: the ones forked must end (nothing else tells them to), and the work is
done in the scan's process."""
from __future__ import annotations

import multiprocessing
import os
import time
from typing import Callable


def second_fork_fails(monkeypatch) -> list[int]:
    """os.fork raising on its second call; the list counts the calls."""
    real_fork, forks = os.fork, []

    def failing_second(*args):
        forks.append(1)
        if len(forks) == 2:
            raise BlockingIOError("a process limit")
        return real_fork(*args)
    monkeypatch.setattr(os, "fork", failing_second)
    return forks


def no_new_workers(before: set) -> bool:
    """Whether every worker process started since `before` (multiprocessing.active_children) has ended,
    within ten seconds (a killed worker takes a moment to end)."""
    return _within(lambda: set(multiprocessing.active_children()) <= before, 10.0)


def _within(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()
