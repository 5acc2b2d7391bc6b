"""Root modules evaluated in worker processes, ahead of the main process merging them in order.

Each root module is evaluated on its own and merged afterwards (terraform/__init__.py), so the roots that
need evaluating (no root cache entry, or no cache) can be evaluated side by side: on the corpus this was 40 %
of a cold scan, on one core. A worker is a fork of the main process: it has the model's syntax, texts and
digests without their being sent. It evaluates a root as the main process would, writes the root cache
entry, and sends back the entry's body compressed; the main process decodes it as it reads a root cache hit,
in the roots' order, so the result is the one evaluating here gives. A root whose values the codec cannot
keep, or whose worker died, is evaluated in the main process, and so is a root a --plan gives values (the
plan records which of its resources the code matched: that record stays in the main process).

Workers are worth it only when evaluating is slow: forking, the pages a fork copies as it runs and decoding
what it sends back cost more than evaluating most repositories' roots (terraform-aws-eks's eleven take
0.4 s, and took as long in workers), and neither the syntax nor the number of roots tells which are slow
(terraform-azurerm-caf-enterprise-scale's seven take 3.6 s, for as much syntax as eks's). So the main
process evaluates the roots in order, and starts workers for the rest once it has spent SLOW_SECONDS on
them. When workers start depends on the machine's speed; what the scan finds does not.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import sys
import zlib
from dataclasses import dataclass
from typing import Callable, Iterator

from scanner import workers
from scanner.model.terraform import cache as root_cache
from scanner.model.terraform.cache import Evaluated, RootCache, RootKeys
from scanner.model.terraform.modules import TerraformModel
from scanner.parse.terraform import TerraformFile
from scanner.parse.texts import ScannedTexts, changed_of

SLOW_SECONDS = 0.25   # evaluating this long in the main process starts workers for the roots left


@dataclass
class RootJob:
    """What a worker evaluates roots with: the main process's, as the fork copied them."""
    model: TerraformModel
    var_files: list[TerraformFile]
    cache: RootCache | None
    keys: RootKeys | None
    evaluate: Callable[[TerraformModel, str, list[TerraformFile], bool], Evaluated]   # terraform._evaluated
    headroom: int = 0                  # the calls deep the main process can go where it evaluates a root


@dataclass
class Sent:
    """One root evaluated in a worker: its root cache body, compressed; the files it found changed since
    parsing (ScannedTexts.changed); the bytes of the root cache entry it wrote, and whether the cache
    directory could be written."""
    body: bytes
    changed: frozenset[str]
    written: int
    writable: bool


_job: RootJob | None = None   # in a worker: what it evaluates with (set once, as it starts)


class EvaluatedAhead:
    """The roots the root cache cannot answer, evaluated in workers once evaluating them here proves slow;
    `take` gives one back, in the roots' order."""

    def __init__(self, job: RootJob, missing: list[str]):
        self.job = job
        self.waiting = list(missing)       # roots to evaluate not yet taken, in order
        self.spent = 0.0                   # seconds evaluating roots here (`evaluated`), not reading the cache
        self.executor: concurrent.futures.ProcessPoolExecutor | None = None
        self.deferred: workers.DeferredSignals | None = None
        self.futures: dict[str, concurrent.futures.Future] = {}

    def take(self, directory: str) -> Evaluated | None:
        """The root evaluated in a worker; None when it is to be evaluated here (the root cache answers it,
        it was not sent to a worker, or its worker could not evaluate it). Decoded as a root cache hit is,
        into the model's shared tables."""
        if self.executor is None and len(self.waiting) >= 2 and self.spent >= SLOW_SECONDS:
            self._start()
        if directory not in self.waiting:
            return None
        self.waiting.remove(directory)
        future = self.futures.pop(directory, None)
        if future is None:
            return None
        assert self.deferred is not None
        if not workers.finished([future], self.deferred):
            self.close()              # Ctrl-C or SIGTERM: its handler runs now (and exits)
            return None
        if not self.futures:
            self.close()              # the last: a signal from now on is not deferred
        sent = workers.result_or_none(future)
        if sent is None:
            return None
        cache = self.job.cache
        if cache is not None:
            cache.written += sent.written
            cache.writable = cache.writable and sent.writable
        if isinstance(self.job.model.texts, ScannedTexts):
            self.job.model.texts.noticed_changed(sent.changed)
        return root_cache.decode(zlib.decompress(sent.body), self.job.model.share)

    def evaluated(self, seconds: float) -> None:
        """A root was evaluated here in `seconds` (one the cache had no entry for, or a stale one)."""
        self.spent += seconds

    def _start(self) -> None:
        count = min(workers.worker_count(), len(self.waiting))
        executor = workers.pool(count, _adopt, (self.job,), forked=True) if count >= 2 else None
        if executor is None:          # one core, no fork here, or no sem_open
            self.waiting = []
            return
        _unpack_shared(self.job.model, self.waiting)
        self.job.headroom = _headroom() + 2   # from _evaluate_root, which calls take (then this) and _evaluated
        self.executor, self.deferred = executor, workers.DeferredSignals()
        self.deferred.defer()
        try:
            self.futures = {d: executor.submit(_evaluate, d) for d in self.waiting}
        except (OSError, RuntimeError):   # a fork failed (a process limit; memory): evaluate here
            self.close(kill=True)           # the workers forked before it wait for tasks: nothing tells them to end

    def close(self, kill: bool = False) -> None:
        """Stop the workers (killed when asked, when a signal came or a task is left), then raise a deferred
        signal."""
        if self.executor is None:
            return
        assert self.deferred is not None
        if kill or self.futures or self.deferred.received:
            workers.stop(self.executor)
        self.futures.clear()
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor, self.waiting = None, []   # what is left is evaluated here: workers start once
        self.deferred.release()


@contextlib.contextmanager
def evaluated_ahead(model: TerraformModel, roots: list[str], var_files: list[TerraformFile],
                    cache: RootCache | None, keys: RootKeys | None,
                    evaluate: Callable[[TerraformModel, str, list[TerraformFile], bool], Evaluated]
                    ) -> Iterator[EvaluatedAhead]:
    """The roots to evaluate, taken one by one in order; workers stopped on the way out."""
    missing = []
    for directory in roots:
        key = keys.key(directory) if keys is not None else None
        if directory not in model.plans and (cache is None or key is None or not cache.has(key)):
            missing.append(directory)
    ahead = EvaluatedAhead(RootJob(model, var_files, cache, keys, evaluate), missing)
    try:
        yield ahead
    finally:
        ahead.close()


def _unpack_shared(model: TerraformModel, roots: list[str]) -> None:
    """Unpack here, before forking, the directories two or more of `roots` may call: every worker has them
    then, instead of each unpacking its own copy."""
    seen: set[str] = set()
    for root in roots:
        reached = model.reached(root)
        for directory in sorted(reached[0] if reached is not None else ()):
            if directory in seen:
                model.modules[directory]   # unpacked, and kept until released
            seen.add(directory)


def _headroom() -> int:
    """How many calls deep the caller can still go before Python's recursion limit: measured, since what
    counts towards the limit is not only the frames on the stack (calls through C code count too)."""
    def deeper(depth: int) -> int:
        try:
            return deeper(depth + 1)
        except RecursionError:
            return depth
    return deeper(0)


def _adopt(job: RootJob) -> None:
    global _job
    _job = job


def _evaluate(directory: str) -> Sent | None:
    """In a worker: evaluate one root and write its root cache entry; None when the codec cannot keep it.
    Evaluated as deep in the stack as the main process would: a worker starts below the frames the fork
    copied and the executor's, and an expression nested deeply enough reads as too deep (instance._memo)
    only where the main process would find it so too. The directories unpacked for the root are let go
    after it (those several roots call were unpacked before the fork: _unpack_shared)."""
    job = _job
    assert job is not None
    key = job.keys.key(directory) if job.keys is not None else None
    changed_before = changed_of(job.model.texts)
    inherited = job.model.modules.unpacked_directories()
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit + job.headroom - _headroom(), 100))
    try:
        evaluated = job.evaluate(job.model, directory, job.var_files, key is not None)
    finally:
        sys.setrecursionlimit(limit)
        job.model.modules.forget_unpacked(keep=inherited)
    try:
        compressed = zlib.compress(root_cache.encode(evaluated), 1)
    except root_cache.ENCODE_ERRORS:
        return None
    cache = job.cache
    written = cache.put_compressed(key, compressed) if cache is not None and key is not None else 0
    return Sent(compressed, changed_of(job.model.texts) - changed_before, written,
                cache is None or cache.writable)
