"""Root modules evaluated in worker processes, ahead of the main process merging them in order.

Each root module is evaluated on its own and merged afterwards (terraform/__init__.py), so the roots that
need evaluating (no root cache entry, or no cache) can be evaluated side by side: on the corpus this was 40 %
of a cold scan, on one core. A worker is a fork of the main process taken once the module directories are
known: it has the model's syntax, texts and digests without their being sent. It evaluates a root as the
main process would, writes the root cache entry, and sends back the entry's body compressed; the main process
decodes it as it reads a root cache hit, in the roots' order, so the result is the one evaluating here
gives. A root whose values the codec cannot keep, or whose worker died, is evaluated in the main process.

Worth it only when there is much to evaluate: forking and sending back cost about as much as evaluating a
few small roots, so the roots are weighed by the packed syntax of every directory they may reach.
"""
from __future__ import annotations

import concurrent.futures
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from scanner import workers
from scanner.model.terraform import cache as root_cache
from scanner.model.terraform.cache import Evaluated, RootCache, RootKeys
from scanner.model.terraform.modules import TerraformModel
from scanner.parse.terraform import TerraformFile
from scanner.parse.texts import ScannedTexts

# Packed syntax (compressed JSON, parse/packed.py) the roots to evaluate reach, counted once per root, worth
# starting workers for: terraform-aws-eks's seven roots reach 1.3 MB of it and take 0.4 s on one core.
PARALLEL_SYNTAX_BYTES = 256 * 1024


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
    """The roots being evaluated in workers; `take` gives one back, in the main process's order."""

    def __init__(self, job: RootJob, roots: list[str], executor: concurrent.futures.ProcessPoolExecutor,
                 deferred: workers.DeferredSignals):
        self.job = job
        self.executor = executor
        self.deferred = deferred
        self.futures = {d: executor.submit(_evaluate, d) for d in roots}

    def take(self, directory: str) -> Evaluated | None:
        """The evaluated root; None when it was not sent to a worker, or its worker could not evaluate it (it
        is evaluated here then). Decoded as a root cache hit is, into the model's shared tables."""
        future = self.futures.pop(directory, None)
        if future is None:
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

    def stop(self) -> None:
        """On Ctrl-C or SIGTERM: the workers killed, then the signal raised for its handler (which exits); a
        handler that goes on has the rest evaluated here."""
        workers.stop(self.executor)
        self.futures.clear()
        self.deferred.release()


@contextmanager
def evaluated_ahead(model: TerraformModel, roots: list[str], var_files: list[TerraformFile],
                    cache: RootCache | None, keys: RootKeys | None,
                    evaluate: Callable[[TerraformModel, str, list[TerraformFile], bool], Evaluated]
                    ) -> Iterator[EvaluatedAhead | None]:
    """Workers evaluating the roots that the root cache cannot answer, when they are worth it (None: each root
    is evaluated here)."""
    keyed = {d: keys.key(d) if keys is not None else None for d in roots}
    missing = [d for d in roots if cache is None or keyed[d] is None or not cache.has(keyed[d] or "")]
    count = workers.worker_count()
    if count < 2 or len(missing) < 2 or _weight(model, missing) < PARALLEL_SYNTAX_BYTES:
        yield None
        return
    job = RootJob(model, var_files, cache, keyed, evaluate)
    executor = workers.pool(min(count, len(missing)), _adopt, (job,), forked=True)
    if executor is None:
        yield None
        return
    with workers.signals_deferred() as deferred:
        try:
            yield EvaluatedAhead(job, missing, executor, deferred)
        finally:
            if deferred.received:
                workers.stop(executor)
            executor.shutdown(wait=True, cancel_futures=True)


def _weight(model: TerraformModel, roots: list[str]) -> int:
    total = 0
    for root in roots:
        reached = model.reached(root)
        directories = reached[0] if reached is not None else set(model.modules)
        total += sum(model.modules.packed_bytes(d) for d in directories)
    return total


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
