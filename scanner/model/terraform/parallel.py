"""Root modules evaluated in worker processes, ahead of the main process merging them in order.

Each root module is evaluated on its own and merged afterwards (terraform/__init__.py), so the roots that
need evaluating (no root cache entry, or no cache) can be evaluated side by side: on the corpus this was 40 %
of a cold scan, on one core. A worker is a fork of the main process: it has the model's syntax, texts and
digests without their being sent. It evaluates a root as the main process would, writes the root cache
entry, and sends back the entry's body compressed; the main process decodes it as it reads a root cache hit,
in the roots' order, so the result is the one evaluating here gives. A root whose values the codec cannot
keep, or whose worker died, is evaluated in the main process.

Workers are worth it only when evaluating is slow: forking, the pages a fork copies as it runs and decoding
what it sends back cost more than evaluating most repositories' roots (terraform-aws-eks's eleven take
0.4 s, and took as long in workers), and neither the syntax nor the number of roots tells which are slow
(terraform-azurerm-caf-enterprise-scale's seven take 3.5 s, for as much syntax as eks's). So the main
process evaluates the roots in order, and starts workers for the rest once it has spent SLOW_SECONDS on
them. When workers start depends on the machine's speed; what the scan finds does not.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import time
import zlib
from dataclasses import dataclass
from typing import Callable, Iterator

from scanner import workers
from scanner.model.terraform import cache as root_cache
from scanner.model.terraform.cache import Evaluated, RootCache, RootKeys
from scanner.model.terraform.modules import TerraformModel
from scanner.parse.terraform import TerraformFile
from scanner.parse.texts import ScannedTexts

SLOW_SECONDS = 0.25  # evaluating this long in the main process starts workers for the roots left


@dataclass
class RootJob:
    """What a worker evaluates roots with: the main process's, as the fork copied them."""
    model: TerraformModel
    var_files: list[TerraformFile]
    cache: RootCache | None
    keys: dict[str, str | None]        # root -> its root cache key (None: not cached)
    evaluate: Callable[[TerraformModel, str, list[TerraformFile], bool], Evaluated]   # terraform._evaluated


@dataclass
class Sent:
    """One root evaluated in a worker: its root cache body, compressed; the files it found changed since
    parsing (ScannedTexts.changed); the bytes of the root cache entry it wrote."""
    body: bytes
    changed: frozenset[str]
    written: int


_job: RootJob | None = None   # in a worker: what it evaluates with (set once, as it starts)


class EvaluatedAhead:
    """The roots the root cache cannot answer, evaluated in workers once evaluating them here proves slow;
    `take` gives one back, in the roots' order."""

    def __init__(self, job: RootJob, missing: list[str], stack: contextlib.ExitStack):
        self.job = job
        self.waiting = list(missing)       # roots to evaluate not yet taken, in order
        self.stack = stack
        self.spent = 0.0                   # seconds evaluating roots here (not reading the root cache)
        self.since: float | None = None    # when the root being evaluated here was handed back
        self.executor: concurrent.futures.ProcessPoolExecutor | None = None
        self.deferred: workers.DeferredSignals | None = None
        self.futures: dict[str, concurrent.futures.Future] = {}

    def take(self, directory: str) -> Evaluated | None:
        """The root evaluated in a worker; None when it is to be evaluated here (not sent to a worker, or its
        worker could not evaluate it). Decoded as a root cache hit is, into the model's shared tables."""
        if self.since is not None:
            self.spent += time.monotonic() - self.since
            self.since = None
        if self.executor is None and len(self.waiting) >= 2 and self.spent >= SLOW_SECONDS:
            self._start()
        if directory not in self.waiting:
            return None                    # the root cache answers it
        self.waiting.remove(directory)
        future = self.futures.pop(directory, None)
        if future is None or self.deferred is None:
            self.since = time.monotonic()
            return None
        if not workers.finished([future], self.deferred):
            self.stop()
            return None
        sent = workers.result_or_none(future)
        if sent is None:
            return None
        if self.job.cache is not None:
            self.job.cache.written += sent.written
        if isinstance(self.job.model.texts, ScannedTexts):
            self.job.model.texts.noticed_changed(sent.changed)
        return root_cache.decode(zlib.decompress(sent.body), self.job.model.share)

    def _start(self) -> None:
        count = min(workers.worker_count(), len(self.waiting))
        if count < 2:
            self.waiting = []
            return
        _unpack_shared(self.job.model, self.waiting)
        self.deferred = self.stack.enter_context(workers.signals_deferred())   # released after _shut_down
        self.executor = workers.pool(count, _adopt, (self.job,), forked=True)
        if self.executor is None:   # no fork here, or no sem_open
            self.waiting = []
            return
        self.stack.callback(self._shut_down)
        self.futures = {d: self.executor.submit(_evaluate, d) for d in self.waiting}

    def stop(self) -> None:
        """On Ctrl-C or SIGTERM: the workers killed, then the signal raised for its handler (which exits); a
        handler that goes on has the rest evaluated here."""
        assert self.executor is not None and self.deferred is not None
        workers.stop(self.executor)
        self.futures.clear()
        self.deferred.release()

    def _shut_down(self) -> None:
        assert self.executor is not None
        if self.deferred is not None and self.deferred.received:
            workers.stop(self.executor)
        self.executor.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def evaluated_ahead(model: TerraformModel, roots: list[str], var_files: list[TerraformFile],
                    cache: RootCache | None, keys: RootKeys | None,
                    evaluate: Callable[[TerraformModel, str, list[TerraformFile], bool], Evaluated]
                    ) -> Iterator[EvaluatedAhead]:
    """The roots to evaluate, taken one by one in order; workers stopped on the way out."""
    keyed = {d: keys.key(d) if keys is not None else None for d in roots}
    missing = [d for d in roots if cache is None or keyed[d] is None or not cache.has(keyed[d] or "")]
    with contextlib.ExitStack() as stack:
        yield EvaluatedAhead(RootJob(model, var_files, cache, keyed, evaluate), missing, stack)


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


def _adopt(job: RootJob) -> None:
    global _job
    _job = job


def _evaluate(directory: str) -> Sent | None:
    """In a worker: evaluate one root and write its root cache entry; None when the codec cannot keep it."""
    job = _job
    assert job is not None
    key = job.keys.get(directory)
    texts = job.model.texts
    changed_before = texts.changed if isinstance(texts, ScannedTexts) else frozenset()
    evaluated = job.evaluate(job.model, directory, job.var_files, key is not None)
    try:
        compressed = zlib.compress(root_cache.encode(evaluated), 1)
    except root_cache.ENCODE_ERRORS:
        return None
    written = job.cache.put_compressed(key, compressed) if job.cache is not None and key is not None else 0
    changed = texts.changed - changed_before if isinstance(texts, ScannedTexts) else frozenset()
    return Sent(compressed, changed, written)
