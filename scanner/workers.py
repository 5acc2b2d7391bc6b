"""Worker processes for the stages whose work splits into parts that do not depend on each other: parsing
files (stage 2) and evaluating Terraform root modules (stage 3). Each is worth it only when there is much to
do, and each falls back to doing the work in the main process when no worker can start (a sandbox without
`sem_open`) or a signal arrives while they run.

A worker does the stage's work and sends back data; it prints nothing and writes only cache entries, which
are written atomically (scanner/cachedir.py), so a worker killed at any moment leaves nothing half done.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from typing import Any, Callable, Iterator

from scanner import collector

MAX_WORKERS = 8


def worker_count() -> int:
    return min(os.cpu_count() or 1, MAX_WORKERS)


def pool(workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = (),
         forked: bool = False) -> concurrent.futures.ProcessPoolExecutor | None:
    """Worker processes that first run `initializer(*initargs)`; None when none can start here. `forked`:
    workers that are copies of this process, for work that needs what it holds (initargs are then handed over
    as they are, not pickled); None where processes are not forked (Windows), or where forking a process that
    has loaded system frameworks is unsafe (macOS)."""
    context = None
    if forked:
        if sys.platform == "darwin" or "fork" not in multiprocessing.get_all_start_methods():
            return None
        context = multiprocessing.get_context("fork")
    try:
        return concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start,
                                                      initargs=(os.getpid(), initializer, initargs))
    except (OSError, RuntimeError, ImportError):   # no sem_open
        return None


def _start(scan: int, initializer: Callable[..., None] | None, initargs: tuple) -> None:
    _leave_signals_to_main()
    _end_with(scan)
    collector.in_worker()
    if initializer is not None:
        initializer(*initargs)


PR_SET_PDEATHSIG = 1   # prctl(2): the signal a process gets when its parent ends


def _end_with(scan: int) -> None:
    """A worker waits for tasks on a queue the other workers hold open too: were the scan killed (SIGKILL, the
    out-of-memory killer), nothing would tell it to end. On Linux the kernel kills it when the scan ends."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != scan:   # the scan ended before the request was made
        os._exit(1)


def finished(futures: list[concurrent.futures.Future], deferred: DeferredSignals) -> bool:
    """Wait until every future is done (True) or a signal is received (False)."""
    while not deferred.received:
        if all(f.done() for f in futures):
            return True
        concurrent.futures.wait(futures, timeout=0.1)
    return False


class DeferredSignals:
    """Ctrl-C and SIGTERM recorded while workers run, and raised again once they are stopped (`release`)."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self._previous: dict[int, Any] = {}

    def defer(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(signum) is not signal.SIG_IGN:
                self._previous[signum] = signal.signal(signum, lambda number, frame: self.received.append(number))

    def release(self) -> None:
        """The handlers back, and a signal received raised again for them (once)."""
        previous, self._previous = self._previous, {}
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        if previous and self.received:
            signal.raise_signal(self.received[0])


@contextlib.contextmanager
def signals_deferred() -> Iterator[DeferredSignals]:
    """While workers run, Ctrl-C and SIGTERM are only recorded: raised in the middle of the executor's
    bookkeeping they can leave a lock held (the scan hangs) or a worker half-started (it prints a
    traceback). Once the workers are stopped the signal is raised again, for the caller's handler (cli.py
    exits 130 or 143): at the latest on the way out, or earlier by `release`."""
    deferred = DeferredSignals()
    deferred.defer()
    try:
        yield deferred
    finally:
        deferred.release()


def _leave_signals_to_main() -> None:
    """A worker ignores Ctrl-C (a terminal sends it to the whole process group) and dies quietly on
    SIGTERM: the main process stops the workers and sets the exit code."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def stop(executor: concurrent.futures.ProcessPoolExecutor) -> None:
    """Kill the workers: shutdown alone lets every task already handed out run to its end, and SIGTERM is
    lost on a worker that has not yet run _leave_signals_to_main."""
    kill = getattr(executor, "kill_workers", None)     # Python 3.14+
    if kill is not None:
        kill()
        return
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.kill()


def result_or_none(future: concurrent.futures.Future) -> Any:
    """The future's result; None when its worker died (BrokenProcessPool is a RuntimeError) or could not send
    it back. An exception the work itself raised is raised here, as it would be in the main process."""
    try:
        return future.result()
    except (OSError, RuntimeError, ImportError, concurrent.futures.CancelledError):
        return None
