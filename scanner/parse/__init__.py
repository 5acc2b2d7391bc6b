"""Stage 2: read each Source once and turn it into syntax (Terraform) or documents (YAML)."""
from __future__ import annotations

import concurrent.futures
import concurrent.futures.process
import contextlib
import os
import posixpath
import signal
import threading
from dataclasses import dataclass, field
from typing import Iterator

import yaml as pyyaml

from scanner.discover import MAX_FILE_BYTES, Source, ci_kind
from scanner.notices import Notice
from scanner.parse import directives, terraform, yaml
from scanner.parse.directives import Directive, ForeignDirective
from scanner.parse.terraform import TerraformFile
from scanner.parse.yaml import YamlDocument
from scanner.regular_file import read_bytes


@dataclass
class ParsedFile:
    source: Source
    text: str = ""
    terraform: TerraformFile | None = None
    documents: list[YamlDocument] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    foreign_directives: list[ForeignDirective] = field(default_factory=list)


def _read(source: Source) -> tuple[str | None, Notice | None]:
    try:
        data = read_bytes(source.abspath, MAX_FILE_BYTES)
    except OSError as err:
        return None, Notice(source.path, 0, f"cannot read file: {err.strerror}")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        return None, Notice(source.path, 0, f"skipped: not UTF-8 text (byte {err.start})")


def parse_file(source: Source) -> tuple[ParsedFile | None, list[Notice]]:
    if source.kind == "tfstate":
        return ParsedFile(source), []
    text, notice = _read(source)
    if text is None:
        return None, [notice] if notice else []
    parsed = ParsedFile(source, text)
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
            parsed.documents, skipped = yaml.parse_stream(source.path, text)
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


PARALLEL_THRESHOLD = 64   # below this, starting worker processes costs more than it saves
CHUNK = 16                # files a worker parses per task


def _parse_results(sources: list[Source]):
    """parse_file over all sources, on every core when there are many (parsing HCL dominates a scan)."""
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(sources) < PARALLEL_THRESHOLD:
        return map(parse_file, sources)
    with _signals_deferred() as received:
        results = _parse_in_workers(sources, workers, received)
    # None: no usable worker processes (sandboxes), or a signal whose handler chose to go on: parse here
    return results if results is not None else map(parse_file, sources)


def _parse_in_workers(sources: list[Source], workers: int, received: list[int]) -> list | None:
    try:
        executor = concurrent.futures.ProcessPoolExecutor(max_workers=workers, initializer=_leave_signals_to_main)
    except (OSError, RuntimeError, ImportError):   # no sem_open
        return None
    try:
        futures = [executor.submit(_parse_chunk, sources[i:i + CHUNK]) for i in range(0, len(sources), CHUNK)]
        while not received and not all(f.done() for f in futures):
            concurrent.futures.wait(futures, timeout=0.1)
        if received:
            _stop_workers(executor)
            return None
        return [result for future in futures for result in future.result()]
    except (OSError, RuntimeError, ImportError):   # RuntimeError covers BrokenProcessPool
        return None
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _parse_chunk(sources: list[Source]) -> list[tuple[ParsedFile | None, list[Notice]]]:
    return [parse_file(source) for source in sources]


@contextlib.contextmanager
def _signals_deferred() -> Iterator[list[int]]:
    """While workers run, Ctrl-C and SIGTERM are only recorded: raised in the middle of the executor's
    bookkeeping they can leave a lock held (the scan hangs) or a worker half-started (it prints a
    traceback). Once the workers are stopped the signal is raised again, for the caller's handler (cli.py
    exits 130 or 143)."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, lambda number, frame: received.append(number))
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        if received:
            signal.raise_signal(received[0])


def _leave_signals_to_main() -> None:
    """A worker ignores Ctrl-C (a terminal sends it to the whole process group) and dies quietly on
    SIGTERM: the main process stops the workers and sets the exit code."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _stop_workers(executor: concurrent.futures.ProcessPoolExecutor) -> None:
    """Kill the workers: shutdown alone lets every task already handed out run to its end, and SIGTERM is
    lost on a worker that has not yet run _leave_signals_to_main. Workers only parse; nothing to clean up."""
    kill = getattr(executor, "kill_workers", None)     # Python 3.14+
    if kill is not None:
        kill()
        return
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.kill()


def parse_all(sources: list[Source]) -> tuple[list[ParsedFile], list[Notice]]:
    files: list[ParsedFile] = []
    notices: list[Notice] = []
    charts = _chart_directories(sources)
    for parsed, problems in _parse_results(sources):
        if parsed is not None and _in_chart(parsed.source.path, charts):   # rendered with its chart in the model
            problems = [p for p in problems if p != _template_notice(parsed.source)]
        notices.extend(problems)
        if parsed is not None:
            files.append(parsed)
    return files, notices


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
