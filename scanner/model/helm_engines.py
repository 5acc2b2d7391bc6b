"""The two ways sovscan renders a Helm chart: the optional `helm-python-sdk` package and a `helm` binary.

Both render a chart directory (a temporary copy, never the user's tree) with user values on top of the
chart's own values.yaml files, offline, as release `release-name` in namespace `default` (what
`helm template` uses by default), and return the rendered text per template (`chart/templates/x.yaml`
as Helm names it). Neither downloads dependencies.
"""
from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import tempfile
from typing import Any, Protocol, Sequence

RELEASE = "release-name"
NAMESPACE = "default"
BINARY_TIMEOUT_SECONDS = 60
MAX_OUTPUT_BYTES = 64 * 1024 * 1024


class RenderFailure(Exception):
    """The chart did not render: a template error, a bad Chart.yaml, values its schema rejects."""


class HelmEngine(Protocol):
    name: str

    def render(self, chart_dir: str, values: Sequence[str]) -> dict[str, str]:
        """Rendered text per template; values are YAML texts applied in order over the chart's defaults."""
        ...


class SdkEngine:
    """helm-python-sdk: Helm v4 compiled into a shared library, called in-process."""

    name = "helm-python-sdk"

    def __init__(self, module: Any) -> None:
        self.helm = module

    def render(self, chart_dir: str, values: Sequence[str]) -> dict[str, str]:
        try:
            overrides: dict = {}
            for text in values:
                overrides = merge_maps(overrides, self.helm.values_from_yaml(text) or {})
            chart = self.helm.Chart.load(chart_dir)
            try:
                rendered = chart.render(overrides, name=RELEASE, namespace=NAMESPACE)
            finally:
                chart.close()
        except (self.helm.HelmError, ValueError, OSError) as error:   # ValueError: a reply that is not JSON
            raise RenderFailure(str(error)) from error
        return {str(name): str(text) for name, text in rendered.items()}


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
                                           env=_environment(home), cwd=home, timeout=BINARY_TIMEOUT_SECONDS,
                                           check=False)
        except subprocess.TimeoutExpired as error:
            raise RenderFailure(f"helm template did not finish within {BINARY_TIMEOUT_SECONDS} s") from error
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
    try:
        module = importlib.import_module("helm_python")
    except (ImportError, OSError):   # OSError: the wheel's shared library does not load on this platform
        return None
    return SdkEngine(module)


def binary_engine() -> BinaryEngine | None:
    executable = shutil.which("helm")
    return BinaryEngine(executable) if executable else None


def choose(preference: str = "auto") -> HelmEngine | None:
    """auto: the SDK, else a `helm` on PATH, else none; sdk / binary: only that one; none: no engine."""
    if preference == "sdk":
        return sdk_engine()
    if preference == "binary":
        return binary_engine()
    if preference == "auto":
        return sdk_engine() or binary_engine()
    return None

