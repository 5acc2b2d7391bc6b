"""Stage 2's entry: read each Source once (from the parse cache when it has the file) and turn it into syntax
(Terraform) or documents (YAML), in worker processes when the files are many."""
from __future__ import annotations

import hashlib
import os
import posixpath
import dataclasses
from dataclasses import dataclass
from typing import Iterable

import yaml as pyyaml

from scanner.discover import MAX_FILE_BYTES, Source, ci_kind
from scanner.notices import Notice
from scanner.parse import codec, directives, terraform, yaml
from scanner.parse.cache import ParseCache, Parsed
from scanner.parse.directives import Directive, ForeignDirective
from scanner.parse.packed import PackedTerraform, pack
from scanner.parse.terraform import TerraformFile
from scanner.parse.yaml import YamlDocument
from scanner.regular_file import read_bytes
from scanner.workers import DeferredSignals, finished, signals_deferred, stop, worker_count
from scanner.workers import pool as workers_pool


@dataclass(slots=True)   # one per scanned file (50,000 in a large repository): no __dict__ each
class ParsedFile:
    """What parsing made of one file. Not its text: the model reads a text again when it needs one
    (parse/texts.py), so a large scan never holds every text while it builds the model."""
    source: Source
    digest: str = ""             # SHA-256 of the bytes parsing read ("" when it read none)
    has_text: bool = False       # readable UTF-8 and not empty
    generated: str = ""          # the header comment saying a generator wrote the file (directives.generated_header)
    terraform: PackedTerraform | TerraformFile | None = None   # packed unless the codec cannot keep it (packed.py)
    documents: tuple[YamlDocument, ...] = ()   # tuples: most files have none, and () is one object for all
    directives: tuple[Directive, ...] = ()
    foreign_directives: tuple[ForeignDirective, ...] = ()


def read_again(source: Source, digest: str) -> str | None:
    """The file's text as parsing read it, when its bytes are still those parsing read (`digest`, their
    SHA-256); None when it was changed, replaced or removed since, or cannot be read."""
    data, _ = _read(source)
    if data is None or _digest(data) != digest:
        return None
    return _text(source, data)[0]


def _read(source: Source) -> tuple[bytes | None, Notice | None]:
    try:
        return read_bytes(source.abspath, MAX_FILE_BYTES), None
    except OSError as err:
        return None, Notice(source.path, 0, f"cannot read file: {err.strerror}")


def _text(source: Source, data: bytes) -> tuple[str | None, Notice | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        return None, Notice(source.path, 0, f"skipped: not UTF-8 text (byte {err.start})")


def parse_file(source: Source, cache: ParseCache | None = None) -> tuple[ParsedFile | None, list[Notice]]:
    """The file's syntax or documents, and the notices parsing it gave; written to the cache when given."""
    if source.kind == "tfstate":
        return ParsedFile(source), []
    data, notice = _read(source)
    text = None
    if data is not None:
        text, notice = _text(source, data)
    if data is None or text is None:
        return None, [notice] if notice else []
    parsed, notices = _parse_text(source, data, text)
    parsed.terraform = _packed(parsed.terraform, source, parsed.digest)
    if cache is not None and _worth_caching(source, text):
        cache.put(source.path, cache.key(source.path, source.kind, data),
                  Parsed(parsed.terraform, tuple(parsed.documents), tuple(notices)))
    return parsed, notices


def _packed(tree: TerraformFile | PackedTerraform | None, source: Source,
            digest: str) -> TerraformFile | PackedTerraform | None:
    """The tree packed (parse/packed.py); one the codec cannot keep exactly stays a tree."""
    if not isinstance(tree, TerraformFile):
        return tree
    try:
        return pack(tree, source, digest)
    except (codec.Unencodable, ValueError, RecursionError):
        return tree


def _worth_caching(source: Source, text: str) -> bool:
    """Files whose parse is more than a glance at the text: Terraform, and YAML that may hold objects."""
    if source.kind in ("terraform", "tfvars", "terraform-json"):
        return True
    return source.kind in ("yaml", "json") and _may_hold_manifests(source, text)


def _cached(source: Source, cache: ParseCache) -> tuple[ParsedFile | None, list[Notice]] | None:
    """parse_file's result from the cache, or None: a miss, parsed afterwards (in workers when there are
    many). A file whose parse is only a glance at its text is parsed here and now."""
    if source.kind not in ("terraform", "tfvars", "terraform-json", "yaml", "json"):
        return parse_file(source)
    data, _ = _read(source)
    text = None if data is None else _text(source, data)[0]
    if data is None or text is None:
        return parse_file(source)          # the notice that it cannot be read
    if not _worth_caching(source, text):
        return _parse_text(source, data, text)
    digest = _digest(data)
    hit = cache.get(source, cache.key(source.path, source.kind, data), digest)
    if hit is None:
        return None
    parsed = ParsedFile(source, digest, bool(text), directives.generated_header(text), hit.terraform,
                        hit.documents)
    parsed.directives, parsed.foreign_directives = directives.read(source.path, text)
    return parsed, list(hit.notices)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parse_text(source: Source, data: bytes, text: str) -> tuple[ParsedFile, list[Notice]]:
    parsed = ParsedFile(source, _digest(data), bool(text), directives.generated_header(text))
    if source.kind in ("terraform", "tfvars", "yaml", "json", "terraform-json"):
        parsed.directives, parsed.foreign_directives = directives.read(source.path, text)
    try:
        if source.kind in ("terraform", "tfvars") and not source.path.endswith(".json"):
            parsed.terraform = terraform.parse_text(source.path, text)
            return parsed, [Notice(source.path, line, message) for line, message in parsed.terraform.problems]
        if source.kind in ("terraform-json", "tfvars"):
            parsed.terraform = terraform.parse_json_text(source.path, text)
        elif source.kind in ("yaml", "json") and _may_hold_manifests(source, text):
            if "/templates/" in f"/{source.path}" and yaml.looks_like_template(text):
                return parsed, [_template_notice(source)]
            documents, skipped = yaml.parse_stream(source.path, text)
            parsed.documents = tuple(documents)
            return parsed, [_skipped_notice(source, s) for s in skipped]
    except terraform.HclSyntaxError as err:
        return parsed, [Notice(source.path, err.line, f"not parsed: {err}", "error")]
    except pyyaml.MarkedYAMLError as err:
        if yaml.looks_like_template(text):
            return parsed, [_template_notice(source)]
        line = err.problem_mark.line + 1 if err.problem_mark else 0
        return parsed, [Notice(source.path, line, f"not parsed: YAML syntax error: {err.problem}", "error")]
    except (pyyaml.YAMLError, yaml.YamlTooComplex, RecursionError) as err:
        return parsed, [Notice(source.path, 0, f"not parsed: {err}", "error")]
    return parsed, []


def _skipped_notice(source: Source, skipped: yaml.Skipped) -> Notice:
    return Notice(source.path, skipped.line, f"document {skipped.index + 1} not judged: {skipped.reason}", "error")


def _template_notice(source: Source) -> Notice:
    return Notice(source.path, 0, "skipped: Helm/Go template, not YAML until rendered", "note")


def _may_hold_manifests(source: Source, text: str) -> bool:
    """Kubernetes manifests, or CI definitions (which policies read as documents too)."""
    return ("apiVersion" in text and "kind" in text) or ci_kind(source.path) is not None


PARALLEL_FILES = 64          # this many files, or
PARALLEL_BYTES = 256 * 1024  # this much text, is worth starting worker processes for (HCL: ~0.4 s of parsing)
# Tasks per worker, of about equal bytes: no worker waits on one long task, and each task's results reach the
# main process as a small pickle (four large ones per worker left its heap 20 MB larger on the corpus).
CHUNKS_PER_WORKER = 32


def _parse_results(sources: list[Source], cache: ParseCache | None = None) -> Iterable[tuple[ParsedFile | None, list[Notice]]]:
    """parse_file over all sources, on every core when there is much to parse (parsing HCL dominates a
    cold scan), counted in files and in bytes: one module of 48 large files is worth it too."""
    workers = worker_count()
    sizes = [_size(s) for s in sources]
    if workers < 2 or len(sources) < 2 or (len(sources) < PARALLEL_FILES and sum(sizes) < PARALLEL_BYTES):
        return (parse_file(source, cache) for source in sources)
    with signals_deferred() as deferred:
        results = _parse_in_workers(_chunks(sources, sizes, workers * CHUNKS_PER_WORKER), workers, deferred, cache)
    # None: no usable worker processes (sandboxes), or a signal whose handler chose to go on: parse here
    return results if results is not None else (parse_file(source, cache) for source in sources)


def _size(source: Source) -> int:
    if source.kind == "tfstate":
        return 0
    try:
        return os.stat(source.abspath).st_size
    except OSError:
        return 0


def _chunks(sources: list[Source], sizes: list[int], count: int) -> list[list[Source]]:
    """The sources in order, cut into about `count` runs of about equal bytes."""
    target = max(sum(sizes) // count, 1)
    chunks: list[list[Source]] = [[]]
    held = 0
    for source, size in zip(sources, sizes):
        if chunks[-1] and held + size > target:
            chunks.append([])
            held = 0
        chunks[-1].append(source)
        held += size
    return chunks


def _parse_in_workers(chunks: list[list[Source]], workers: int, deferred: DeferredSignals,
                      cache: ParseCache | None) -> list | None:
    executor = workers_pool(workers)
    if executor is None:
        return None
    try:
        futures = [executor.submit(_parse_chunk, chunk, cache) for chunk in chunks]
        if not finished(futures, deferred):
            stop(executor)
            return None
        return [result for future in futures for result in future.result()]
    except (OSError, RuntimeError, ImportError):   # RuntimeError covers BrokenProcessPool; OSError a failed fork
        stop(executor)    # a worker forked before a fork failed waits for tasks: nothing else tells it to end
        return None
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


# What a worker sends back in place of each file's Source: parse_all gives every file the Source discovery made
# (_adopt), and a copy of each would reach the main process only to be dropped (all of them at once: 20 MB in
# a tree of 50,000 files)
_SOURCE_LEFT_OUT = Source("", "text", "")


def _parse_chunk(sources: list[Source], cache: ParseCache | None) -> list[tuple[ParsedFile | None, list[Notice]]]:
    results = [parse_file(source, cache) for source in sources]
    for parsed, _ in results:
        if parsed is not None:
            _adopt(parsed, _SOURCE_LEFT_OUT)
    return results


def parse_all(sources: list[Source], cache: ParseCache | None = None) -> tuple[list[ParsedFile], list[Notice]]:
    """Every source parsed, in order; with a cache, files parsed before with the same bytes (and sovscan)
    are read from it, the others parsed and written to it."""
    results: list[tuple[ParsedFile | None, list[Notice]] | None] = \
        [_cached(s, cache) for s in sources] if cache is not None else [None] * len(sources)
    missed = [i for i, result in enumerate(results) if result is None]
    for index, result in zip(missed, _parse_results([sources[i] for i in missed], cache)):
        if result[0] is not None:   # from a worker: without its Source (_parse_chunk)
            _adopt(result[0], sources[index])
        results[index] = result
    if cache is not None and missed:
        cache.tidy(sum(_size(sources[i]) for i in missed))
    files: list[ParsedFile] = []
    notices: list[Notice] = []
    charts = _chart_directories(sources)
    for parsed, problems in filter(None, results):
        if parsed is not None and _in_chart(parsed.source.path, charts):   # rendered with its chart in the model
            problems = [p for p in problems if p != _template_notice(parsed.source)]
        notices.extend(problems)
        if parsed is not None:
            files.append(parsed)
    return files, notices


def _adopt(parsed: ParsedFile, source: Source) -> None:
    """Give a file parsed in a worker process the Source discovery made, in its packed tree too."""
    parsed.source = source
    if isinstance(parsed.terraform, PackedTerraform):
        parsed.terraform = dataclasses.replace(parsed.terraform, source=source)


def _chart_directories(sources: list[Source]) -> set[str]:
    return {posixpath.dirname(s.path) for s in sources if posixpath.basename(s.path) == "Chart.yaml"}


def _in_chart(path: str, charts: set[str]) -> bool:
    directory = posixpath.dirname(path)
    while True:
        if directory in charts:
            return True
        if not directory:
            return False
        directory = posixpath.dirname(directory)
