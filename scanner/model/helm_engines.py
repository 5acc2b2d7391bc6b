"""The two ways sovscan renders a Helm chart: the optional `helm-python-sdk` package and a `helm` binary.

Both render a chart directory (a temporary copy, never the user's tree) with user values on top of the
chart's own values.yaml files, offline, as release `release-name` in namespace `default` (what
`helm template` uses by default), and return the rendered text per template (`chart/templates/x.yaml`
as Helm names it). Neither downloads dependencies. Each render runs in a child process stopped after
RENDER_TIMEOUT_SECONDS or MAX_OUTPUT_BYTES of output (the SDK's also at SDK_MEMORY_BYTES): a runaway
template is a RenderFailure, not a hung scan.
"""
from __future__ import annotations

import faulthandler
import functools
import importlib
import importlib.util
import json
import multiprocessing
import multiprocessing.context
import multiprocessing.process
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from typing import Any, Protocol, Sequence

from scanner.cachedir import installed

RELEASE = "release-name"
NAMESPACE = "default"
RENDER_TIMEOUT_SECONDS = 60
MAX_OUTPUT_BYTES = 64 * 1024 * 1024
SDK_MEMORY_BYTES = 2 * 1024 ** 3    # address space the SDK's worker may add: Helm and the rendered text
# How the worker dies at its address-space limit: Go's allocator, Python's, or (whichever comes first)
# Go's runtime failing to map a new thread's stack, which glibc reports as EAGAIN from pthread_create.
OUT_OF_MEMORY_SIGNS = ("out of memory", "MemoryError", "cannot allocate memory", "pthread_create failed")


class RenderFailure(Exception):
    """The chart did not render: a template error, a bad Chart.yaml, values its schema rejects."""


class HelmEngine(Protocol):
    name: str

    def render(self, chart_dir: str, values: Sequence[str]) -> dict[str, str]:
        """Rendered text per template; values are YAML texts applied in order over the chart's defaults."""
        ...


class SdkEngine:
    """helm-python-sdk: Helm v4 compiled into a shared library, called in a worker process.

    In-process, a template that never ends or prints gigabytes would hold the scan inside a C call that
    no signal interrupts. The worker has the binary's timeout and output cap and an address-space limit;
    the scan waits in Python, so Ctrl-C and SIGTERM reach it, and it kills the worker on the way out. One
    worker loads the library once and renders chart after chart; one that is killed or dies is replaced
    at the next render. The library is loaded only in workers: a process that forks after Go's runtime
    started cannot call it.
    """

    name = "helm-python-sdk"

    def render(self, chart_dir: str, values: Sequence[str]) -> dict[str, str]:
        with tempfile.TemporaryDirectory(prefix="sovscan-helm-") as scratch:
            reply = _WORKER.ask(("render", chart_dir, list(values), MAX_OUTPUT_BYTES), scratch)
        if "error" in reply:
            raise RenderFailure(str(reply["error"]))
        return {str(name): str(text) for name, text in reply["rendered"].items()}


class _Worker:
    """The process that renders with the SDK, started when first asked."""

    def __init__(self) -> None:
        self.process: multiprocessing.process.BaseProcess | None = None
        self.connection: Any = None

    def ask(self, request: tuple, scratch: str) -> dict[str, Any]:
        """The worker's reply to request, or {"error": why there is none}; the reply is written to scratch."""
        try:
            self._start()
        except OSError as error:   # no process to be had (a sandbox, a process limit)
            return {"error": f"{SdkEngine.name} could not be started: {error.strerror or error}"}
        try:
            self.connection.send((scratch, request))
            answered = self.connection.poll(RENDER_TIMEOUT_SECONDS)
            if answered:
                self.connection.recv()
        except (OSError, EOFError):   # it died: the memory limit, a crash
            answered = False
            self.stop()
        except BaseException:   # Ctrl-C, SIGTERM (cli.py's handler raises here): no render outlives the scan
            self.stop()
            raise
        if not answered and self.process is not None:
            self.stop()
            return {"error": f"{SdkEngine.name} did not finish within {RENDER_TIMEOUT_SECONDS} s"}
        return _reply(scratch)

    def _start(self) -> None:
        if self.process is not None and self.process.is_alive():
            return
        ours, theirs = _context().Pipe()
        forked = _context().get_start_method() == "fork"   # a forked worker holds a copy of our end too
        process = _context().Process(target=_worker_main, daemon=True,
                                     args=(theirs, ours if forked else None, RENDER_TIMEOUT_SECONDS, SDK_MEMORY_BYTES))
        process.start()
        theirs.close()
        self.process, self.connection = process, ours

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join()
            self.connection.close()
        self.process, self.connection = None, None


_WORKER = _Worker()


def _worker_main(connection: Any, scan_end: Any, timeout: int, memory: int) -> None:
    """The worker: Ctrl-C is the scan's to handle (a terminal signals the whole group), SIGTERM ends it;
    bounded in memory, and in CPU per request (should the scan die without killing it); what Helm prints
    (Go's out-of-memory report) goes to the request's scratch directory, not the user's terminal, and so
    does Python's (Go aborts). It ends when the scan's end of the pipe is closed, however the scan ends:
    `scan_end`, the copy of that end a fork gives the worker, is closed first."""
    if scan_end is not None:
        scan_end.close()
    faulthandler.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _limit_memory(memory)
    while True:
        try:
            scratch, request = connection.recv()
        except (EOFError, OSError):
            return
        _limit_cpu(4 * timeout)
        output = os.open(os.path.join(scratch, "stderr"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(output, 1)
        os.dup2(output, 2)
        os.close(output)
        try:
            reply = _sdk_render(*request[1:]) if request[0] == "render" else _sdk_loads()
        except MemoryError:
            reply = {"error": _out_of_memory(memory)}
        partial = os.path.join(scratch, "reply.partial")
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump(reply, handle)
        os.replace(partial, os.path.join(scratch, "reply.json"))   # a killed worker leaves no half reply
        connection.send("done")


def _sdk_render(chart_dir: str, values: list[str], max_output: int) -> dict[str, Any]:
    """In the worker: the chart rendered, or the error; the output cap applies to what comes back."""
    try:
        helm = importlib.import_module("helm_python")
    except Exception as error:  # noqa: BLE001 - HelmLibraryError, OSError: the library does not load here
        return {"error": f"helm-python-sdk does not load: {error}"}
    try:
        overrides: dict = {}
        for text in values:
            overrides = merge_maps(overrides, helm.values_from_yaml(text) or {})
        chart = helm.Chart.load(chart_dir)
        try:
            rendered = chart.render(overrides, name=RELEASE, namespace=NAMESPACE)
        finally:
            chart.close()
    except (helm.HelmError, ValueError, OSError) as error:   # ValueError: a reply that is not JSON
        return {"error": str(error)}
    if sum(len(str(text).encode("utf-8", "replace")) for text in rendered.values()) > max_output:
        return {"error": f"{SdkEngine.name} printed more than {max_output // (1024 * 1024)} MiB"}
    return {"rendered": {str(name): str(text) for name, text in rendered.items()}}


def _sdk_loads() -> dict[str, Any]:
    """In the worker: whether the library loads on this platform."""
    try:
        importlib.import_module("helm_python")
    except Exception as error:  # noqa: BLE001 - as in _sdk_render
        return {"error": str(error)}
    return {"loaded": True}


def _reply(scratch: str) -> dict[str, Any]:
    try:
        with open(os.path.join(scratch, "reply.json"), encoding="utf-8") as handle:
            reply = json.load(handle)
        return reply if isinstance(reply, dict) else {"error": f"{SdkEngine.name} gave no reply"}
    except (OSError, ValueError):
        pass
    try:
        with open(os.path.join(scratch, "stderr"), encoding="utf-8", errors="replace") as handle:
            said = handle.read(4096)
    except OSError:
        said = ""
    if any(sign in said for sign in OUT_OF_MEMORY_SIGNS):
        return {"error": _out_of_memory(SDK_MEMORY_BYTES)}
    first = said.strip().split("\n", 1)[0][:200]
    return {"error": f"{SdkEngine.name} stopped without a result" + (f" ({first})" if first else "")}


def _out_of_memory(memory: int) -> str:
    return f"{SdkEngine.name} ran out of its {memory // 1024 ** 3} GiB memory limit"


def _limit_memory(memory: int) -> None:
    """memory more address space than the worker starts with: a forked worker shares the scan's pages,
    however many the scan holds, and only what it adds is the render's."""
    if sys.platform == "win32":
        return
    import resource   # POSIX only
    wanted = _address_space() + memory
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))
    except (ValueError, OSError):   # a platform that refuses the limit: the timeout still holds
        pass


def _address_space() -> int:
    """Bytes of address space this process has mapped (Linux); 0 where it cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _limit_cpu(seconds: int) -> None:
    """The worker's CPU time may grow by seconds more (SIGXCPU ends it): the soft limit, raised per request."""
    if sys.platform == "win32":
        return
    import resource   # POSIX only
    used = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    wanted = int(used.ru_utime + used.ru_stime) + seconds
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))
    except (ValueError, OSError):
        pass


def _context() -> multiprocessing.context.ForkContext | multiprocessing.context.SpawnContext:
    """fork where it is safe (Linux: cheap, and the parent never loaded the library); spawn elsewhere
    (macOS system libraries do not survive fork, Windows has no fork)."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class BinaryEngine:
    """A `helm` executable: `helm template`, no shell, a private HOME and HELM_* directories, a timeout."""

    name = "helm"

    def __init__(self, executable: str) -> None:
        self.executable = executable

    def render(self, chart_dir: str, values: Sequence[str]) -> dict[str, str]:
        with tempfile.TemporaryDirectory(prefix="sovscan-helm-") as home:
            command = [self.executable, "template", RELEASE, chart_dir, "--namespace", NAMESPACE]
            for index, text in enumerate(values):
                path = os.path.join(home, f"values-{index}.yaml")
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(text)
                command += ["--values", path]
            output = self._run(command, home)
        return split_sources(output)

    def _run(self, command: list[str], home: str) -> str:
        stdout_path = os.path.join(home, "stdout")
        try:
            with open(stdout_path, "wb") as stdout:
                completed = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                           env=_environment(home), cwd=home, timeout=RENDER_TIMEOUT_SECONDS,
                                           check=False)
        except subprocess.TimeoutExpired as error:
            raise RenderFailure(f"helm template did not finish within {RENDER_TIMEOUT_SECONDS} s") from error
        except OSError as error:
            raise RenderFailure(f"helm could not be run: {error.strerror}") from error
        if completed.returncode != 0:
            message = completed.stderr.decode("utf-8", "replace").strip()
            raise RenderFailure(message.removeprefix("Error: ") or f"helm template exited {completed.returncode}")
        if os.path.getsize(stdout_path) > MAX_OUTPUT_BYTES:
            raise RenderFailure(f"helm template printed more than {MAX_OUTPUT_BYTES // (1024 * 1024)} MiB")
        with open(stdout_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()


def _environment(home: str) -> dict[str, str]:
    """Nothing of the user's Helm set-up (plugins, repositories, registries, kubeconfig) reaches the render."""
    return {
        "HOME": home,
        "HELM_CACHE_HOME": os.path.join(home, "cache"),
        "HELM_CONFIG_HOME": os.path.join(home, "config"),
        "HELM_DATA_HOME": os.path.join(home, "data"),
        "HELM_PLUGINS": os.path.join(home, "plugins"),
        "HELM_NO_PLUGINS": "1",
        "KUBECONFIG": os.path.join(home, "kubeconfig"),
    }


def split_sources(stream: str) -> dict[str, str]:
    """`helm template` output (`---` + `# Source: <template>` before each document) as text per template."""
    parts: dict[str, list[str]] = {}
    source: str | None = None
    body: list[str] = []
    lines = stream.split("\n")
    for index, line in enumerate(lines):
        if line == "---" and lines[index + 1:index + 2] and lines[index + 1].startswith("# Source: "):
            if source is not None:
                parts.setdefault(source, []).append("\n".join(body))
            source, body = None, []
        elif source is None and not body and line.startswith("# Source: "):
            source = line.removeprefix("# Source: ").strip()
        else:
            body.append(line)
    if source is not None:
        parts.setdefault(source, []).append("\n".join(body))
    return {name: "\n---\n".join(documents) for name, documents in parts.items()}


def merge_maps(base: dict, override: dict) -> dict:
    """Helm's mergeMaps for `-f a.yaml -f b.yaml`: maps merge key by key, anything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_maps(merged[key], value)
        else:
            merged[key] = value
    return merged


def sdk_engine() -> SdkEngine | None:
    return SdkEngine() if _sdk_available() else None


@functools.lru_cache(maxsize=1)
def _sdk_available() -> bool:
    """Installed, and its shared library loads on this platform (tried once, in the worker)."""
    if importlib.util.find_spec("helm_python") is None:
        return False
    with tempfile.TemporaryDirectory(prefix="sovscan-helm-") as scratch:
        return "loaded" in _WORKER.ask(("loads",), scratch)


def start_early(preference: str) -> None:
    """Start the SDK's worker now, when the engine `preference` (as `choose` takes it) may render with the
    SDK, before the scan has parsed anything. Forked later, after the model is built, it would share every
    page of the scan's memory, and each page the scan then writes would be copied: the worker would count as
    large as the scan itself."""
    if preference in ("auto", "sdk"):
        _sdk_available()


def binary_engine() -> BinaryEngine | None:
    executable = shutil.which("helm")
    return BinaryEngine(executable) if executable else None


def identity(engine: HelmEngine) -> list:
    """The engine that renders, as a build's key names it (scanner/model/build_cache.py): the SDK's version,
    or the `helm` binary's path, size and modification time; a render is a function of the chart and this."""
    described: list = [RELEASE, NAMESPACE, engine.name]
    if isinstance(engine, SdkEngine):
        described.append(installed("helm_python", "helm-python-sdk"))
    elif isinstance(engine, BinaryEngine):
        described.append(engine.executable)
        try:
            status = os.stat(engine.executable)
            described += [status.st_size, status.st_mtime_ns]
        except OSError:
            described.append("unreadable")
    return described


def unavailable(preference: str = "auto") -> str:
    """Why `choose(preference)` found no engine, and what to do."""
    if preference == "none":
        return "--helm-engine none"
    if preference == "sdk":
        return "the Helm SDK is not installed (pip install 'sovscan[helm]')"
    if preference == "binary":
        return "no helm binary on PATH"
    return "install the optional extra (pip install 'sovscan[helm]') or put a helm binary on PATH"


def choose(preference: str = "auto") -> HelmEngine | None:
    """auto: the SDK, else a `helm` on PATH, else none; sdk / binary: only that one; none: no engine."""
    if preference == "sdk":
        return sdk_engine()
    if preference == "binary":
        return binary_engine()
    if preference == "auto":
        return sdk_engine() or binary_engine()
    return None

