"""The SDK renders in a worker process with the binary's limits: a template that runs away (doubles its
output, loops, prints too much) is a notice on its chart and the scan goes on; a signal to the scan stops
the render too. Skipped without the `helm` extra (CI may not install it)."""
from __future__ import annotations

import json
import mmap
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scanner.model import helm_engines
from scanner.model.helm import render_chart
from scanner.notices import UNRENDERED
from tests.signals import as_from_a_terminal

pytestmark = pytest.mark.skipif(helm_engines.sdk_engine() is None,
                                reason="helm-python-sdk not installed (pip install 'sovscan[helm]')")

CHART_YAML = "apiVersion: v2\nname: app\nversion: 0.1.0\n"
# d40 is 10 * 2**40 characters: Helm builds it in memory until something stops it
DOUBLING = "\n".join(['{{- define "d0" -}}xxxxxxxxxx{{- end -}}'] + [
    f'{{{{- define "d{n + 1}" -}}}}{{{{ include "d{n}" . }}}}{{{{ include "d{n}" . }}}}{{{{- end -}}}}' for n in range(40)])
CONFIGMAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  x: "{{ %s }}"\n'
ENDLESS = "range until 100000 }}{{ range until 100000 }}{{ end }}{{ end"   # 10**10 steps in little memory
POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n"
       "    image: registry.example.org/c:1.0\n    securityContext:\n      privileged: true\n")


def chart(printed: str, helpers: str = "") -> dict[str, str]:
    return {"app/Chart.yaml": CHART_YAML, "app/templates/_helpers.tpl": helpers,
            "app/templates/cm.yaml": CONFIGMAP % printed}


@pytest.fixture
def sdk_limited_to_one_gib(monkeypatch):
    """A worker of its own with 1 GiB: Go's collector makes the last doublings before 2 GiB take
    four times as long as all those before 1 GiB (about 40 s against 10 s), for the same behaviour."""
    worker = helm_engines._Worker()
    monkeypatch.setattr(helm_engines, "_WORKER", worker)
    monkeypatch.setattr(helm_engines, "SDK_MEMORY_BYTES", 1024 ** 3)
    yield
    worker.stop()


def test_a_chart_whose_helpers_double_their_output_is_a_notice_and_the_scan_goes_on(write, run_scan,
                                                                                     sdk_limited_to_one_gib):
    root = write({**chart('include "d40" .', DOUBLING), "plain/pod.yaml": POD})
    result = run_scan(root, ("WL-001",), helm_engine="sdk")
    assert [(f.path, f.line, f.policy_id) for f in result.findings] == [("plain/pod.yaml", 10, "WL-001")]
    assert [(n.path, n.line, n.kind) for n in result.notices] == [("app/Chart.yaml", 0, UNRENDERED)]
    assert result.notices[0].message == ("Helm chart app not rendered (helm-python-sdk): "
                                         "helm-python-sdk ran out of its 1 GiB memory limit")


def test_a_template_that_does_not_end_stops_at_the_timeout(monkeypatch):
    monkeypatch.setattr(helm_engines, "RENDER_TIMEOUT_SECONDS", 2)
    build = render_chart("app", chart(ENDLESS), engine="sdk")
    assert [(n.path, n.line, n.message) for n in build.notices] == [
        ("app/Chart.yaml", 0, "Helm chart app not rendered (helm-python-sdk): helm-python-sdk did not finish within 2 s")]
    assert build.complete is False and build.objects == []
    after = render_chart("app", chart('repeat 3 "x"'), engine="sdk")   # a new worker takes the next chart
    assert after.notices == [] and [o.values["data"]["x"] for o in after.objects] == ["xxx"]


def test_output_over_the_cap_is_a_notice(monkeypatch):
    monkeypatch.setattr(helm_engines, "MAX_OUTPUT_BYTES", 1024 * 1024)
    build = render_chart("app", chart('repeat 1100000 "x"'), engine="sdk")
    assert [(n.path, n.line, n.message) for n in build.notices] == [
        ("app/Chart.yaml", 0, "Helm chart app not rendered (helm-python-sdk): helm-python-sdk printed more than 1 MiB")]
    assert build.complete is False and build.objects == []


def test_a_chart_under_the_limits_renders_as_before():
    build = render_chart("app", chart('repeat 1000 "x"'), engine="sdk")
    assert build.notices == [] and build.complete is True
    assert [o.values["data"]["x"] for o in build.objects] == ["x" * 1000]


def test_the_memory_limit_is_on_what_the_render_adds_not_on_what_the_scan_holds(monkeypatch):
    """A worker forked from a scan that already maps more than the limit still renders."""
    held = mmap.mmap(-1, 3 * 1024 ** 3)   # address space only: untouched pages cost no memory
    worker = helm_engines._Worker()
    monkeypatch.setattr(helm_engines, "_WORKER", worker)
    try:
        build = render_chart("app", chart('repeat 3 "x"'), engine="sdk")
    finally:
        worker.stop()
        held.close()
    assert build.notices == [] and [o.values["data"]["x"] for o in build.objects] == ["xxx"]


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text() if entry.isdigit() else ""
        except OSError:
            continue
        if stat and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _render_child(pid: int, seconds: float = 60.0) -> int | None:
    """The scan's child that is still there a second after it was first seen: the SDK's worker."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        children = _children(pid)
        if children:
            time.sleep(1.0)
            lasting = [child for child in children if child in _children(pid)]
            if lasting:
                return lasting[0]
        time.sleep(0.05)
    return None


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see the render process")
@pytest.mark.parametrize("signum, code, message, group", [
    (signal.SIGTERM, 143, "sovscan: terminated", False),
    (signal.SIGINT, 130, "sovscan: interrupted", True),
])
def test_a_signal_during_a_render_stops_the_scan_and_the_render(write, tmp_path, signum, code, message, group):
    root = write(chart(ENDLESS), tmp_path / "tree")
    command = [sys.executable, "-m", "scanner", "scan", str(root), "--helm-engine", "sdk", "-f", "text", "--no-cache"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, preexec_fn=as_from_a_terminal)
    try:
        child = _render_child(process.pid)
        assert child is not None, "the scan never started its render"
        (os.killpg if group else os.kill)(process.pid, signum)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == code
    assert stderr.strip() == message
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the render outlived the scan"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see the render process")
def test_the_worker_ends_with_the_scan_even_when_the_scan_skips_its_exit_handlers():
    """`sovscan` leaves with os._exit (no multiprocessing clean-up): the worker must see its pipe close."""
    code = ("import os; from scanner.model import helm_engines; helm_engines.start_early(\"sdk\"); "
            "print(helm_engines._WORKER.process.pid, flush=True); os._exit(0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    worker = int(done.stdout)
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker), "the render worker outlived the scan"


def test_charts_stop_rendering_when_the_scans_helm_budget_is_spent(monkeypatch):
    """Each chart may take the render timeout; the scan's charts together stop at a budget, and the charts
    left are notices on their Chart.yaml."""
    from scanner.model import deployed
    from scanner.model.rendered import RenderedBuild
    monkeypatch.setattr(deployed, "HELM_BUDGET_SECONDS", 0.05)
    rendered: list[str] = []

    def slow(root, texts, values, engine):
        rendered.append(root)
        time.sleep(0.1)
        return RenderedBuild(root, "helm")
    texts = {f"{c}/Chart.yaml": "apiVersion: v2\nname: x\nversion: 1.0.0\n" for c in ("a", "b", "c")}
    builds = deployed._charts(["a", "b", "c"], texts, {}, "auto", slow)
    assert rendered == ["a"] and [b.complete for b in builds] == [True, False, False]
    assert builds[1].notices[0].path == "b/Chart.yaml" and "took more than 0.05 s" in builds[1].notices[0].message


def test_a_scan_whose_chart_the_budget_skipped_is_not_remembered(tmp_path, monkeypatch, capsys):
    """A slow run must not answer for later ones: its result lacks the chart's objects."""
    from scanner import cli
    from scanner.model import deployed
    chart = tmp_path / "tree" / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 1.0.0\n")
    (chart / "templates" / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
                                                  "  containers:\n    - name: c\n      image: nginx:latest\n")
    monkeypatch.setattr(deployed, "HELM_BUDGET_SECONDS", -1.0)
    arguments = ["scan", str(tmp_path / "tree"), "--cache-dir", str(tmp_path / "cache"), "--fail-on", "never",
                 "--helm-engine", "none", "-f", "json"]
    cli.main(arguments)
    first = json.loads(capsys.readouterr().out)
    assert any("took more than -1.0 s" in n["message"] for n in first["notices"])
    monkeypatch.setattr(deployed, "HELM_BUDGET_SECONDS", 120.0)
    cli.main(arguments)
    second = json.loads(capsys.readouterr().out)
    assert not any("took more than" in n["message"] for n in second["notices"])
