"""Ctrl-C and SIGTERM stop a scan cleanly: exit 130 / 143, no traceback, no worker left running, no report
half-written; a scan killed outright leaves no worker running either. A real scan of a big generated tree
runs in a subprocess and is signalled while its parse workers are busy, or while the workers evaluating its
root modules are."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.signals import as_from_a_terminal

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists() or (os.cpu_count() or 1) < 2,
                                reason="needs /proc to see worker processes, and two cores for parallel parsing")

RESOURCE = ('resource "azurerm_storage_account" "s{n}" {{\n  name = "s{n}"\n  location = "westeurope"\n'
            '  tags = {{ owner = "team-{n}", cost = "{n}" }}\n  network_rules {{\n    default_action = "Deny"\n  }}\n}}\n')


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory) -> Path:
    """Enough Terraform that parsing keeps the workers busy for seconds."""
    root = tmp_path_factory.mktemp("big")
    body = "".join(RESOURCE.format(n=n) for n in range(400))
    for number in range(240):
        (root / f"m{number}.tf").write_text(body, encoding="utf-8")
    return root


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture(scope="module")
def many_roots(tmp_path_factory) -> Path:
    """Forty root modules calling one module of 350 resources, four of each: too little text for parse
    workers, enough evaluating for root module workers."""
    root = tmp_path_factory.mktemp("roots")
    (root / "mod").mkdir()
    body = "".join(f'resource "azurerm_storage_account" "s{n}" {{\n  count = 4\n  name = "s{n}-${{var.env}}-${{count.index}}"\n'
                   f'  location = "westeurope"\n}}\n' for n in range(350))
    (root / "mod" / "main.tf").write_text('variable "env" {}\n' + body, encoding="utf-8")
    for number in range(40):
        (root / f"r{number}").mkdir()
        (root / f"r{number}" / "main.tf").write_text(f'module "m" {{\n  source = "../mod"\n  env = "e{number}"\n}}\n')
    return root


def _scan_and_signal(tree: Path, report: Path, signum: int, group: bool) -> tuple[int, str, list[int]]:
    # No cache: the tests share one cache directory, and what an earlier scan's workers parsed (or a whole
    # result) would be read from it, leaving a later scan too little to parse to start any workers.
    command = [sys.executable, "-m", "scanner", "scan", str(tree), "--no-cache", "-f", f"sarif={report}"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, preexec_fn=as_from_a_terminal)
    workers: list[int] = []
    assert _wait(lambda: bool(workers.extend(_children(process.pid)) or len(set(workers)) >= 2)), \
        "the scan never started its workers"
    if group:      # what a terminal's Ctrl-C or a CI runner's cancel does: the whole process group
        os.killpg(process.pid, signum)
    else:
        os.kill(process.pid, signum)
    _, stderr = process.communicate(timeout=120)
    return process.returncode, stderr, sorted(set(workers))


@pytest.mark.parametrize("signum,code,message,group", [
    (signal.SIGINT, 130, "sovscan: interrupted", False),
    (signal.SIGINT, 130, "sovscan: interrupted", True),
    (signal.SIGTERM, 143, "sovscan: terminated", False),
])
def test_a_signal_stops_the_scan_and_its_workers(big_tree, tmp_path, signum, code, message, group):
    report = tmp_path / "out" / "report.sarif"
    report.parent.mkdir()
    returncode, stderr, workers = _scan_and_signal(big_tree, report, signum, group)
    assert returncode == code
    assert stderr.strip() == message and "Traceback" not in stderr
    assert _wait(lambda: not any(_alive(pid) for pid in workers)), "parse workers outlived the scan"
    assert not report.exists() and os.listdir(report.parent) == []


@pytest.mark.parametrize("signum,code,message", [(signal.SIGINT, 130, "sovscan: interrupted"),
                                                 (signal.SIGTERM, 143, "sovscan: terminated")])
def test_a_signal_stops_the_workers_evaluating_root_modules(many_roots, tmp_path, signum, code, message):
    report = tmp_path / "report.sarif"
    returncode, stderr, workers = _scan_and_signal(many_roots, report, signum, group=True)
    assert returncode == code
    assert stderr.strip() == message and "Traceback" not in stderr
    assert _wait(lambda: not any(_alive(pid) for pid in workers)), "root module workers outlived the scan"
    assert not report.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel ends a worker with its parent on Linux")
@pytest.mark.parametrize("tree", ["big_tree", "many_roots"])
def test_workers_end_when_the_scan_is_killed(tree, tmp_path, request):
    """SIGKILL (or the out-of-memory killer) gives the scan no chance to stop its workers: they must not
    wait for tasks forever, holding the pipeline's output open."""
    command = [sys.executable, "-m", "scanner", "scan", str(request.getfixturevalue(tree)), "--no-cache",
               "-f", f"sarif={tmp_path / 'report.sarif'}"]
    # no pipes: workers that outlived the scan would hold them open, and the test would wait for them
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    workers: list[int] = []
    try:
        assert _wait(lambda: bool(workers.extend(_children(process.pid)) or len(set(workers)) >= 2)), \
            "the scan never started its workers"
        process.kill()
        assert process.wait(timeout=60) == -signal.SIGKILL
        assert _wait(lambda: not any(_alive(pid) for pid in workers), 10.0), "workers outlived the killed scan"
    finally:
        for pid in set(workers):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
