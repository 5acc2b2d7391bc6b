"""The root cache never changes a finding: the examples and the policy fixtures scanned without a cache, cold
and warm give the same JSON and SARIF reports, byte for byte, and a warm scan evaluates no root module."""
from __future__ import annotations

from pathlib import Path

import pytest

from scanner import cli
from scanner.model.terraform import emit

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def at_repository(monkeypatch):
    monkeypatch.chdir(REPOSITORY)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")


def _scan(args: list[str], out: Path) -> tuple[bytes, bytes]:
    json_report, sarif_report = out.with_suffix(".json"), out.with_suffix(".sarif")
    assert cli.main(["scan", *args, "-f", f"json={json_report}", "-f", f"sarif={sarif_report}",
                     "--fail-on", "never"]) == 0
    return json_report.read_bytes(), sarif_report.read_bytes()


def test_cold_warm_and_uncached_scans_write_the_same_reports(at_repository, tmp_path, monkeypatch):
    trees = ["examples", "tests/policies"]
    cache = ["--cache-dir", str(tmp_path / "cache")]
    uncached = _scan([*trees, "--no-cache"], tmp_path / "uncached")
    cold = _scan([*trees, *cache], tmp_path / "cold")
    entries = sorted((tmp_path / "cache").glob("roots/*/*.json"))
    assert len(entries) > 20
    roots: list[str] = []
    real = emit.run
    monkeypatch.setattr(emit, "run", lambda instance: (roots.append(instance.root), real(instance))[1])
    warm = _scan([*trees, *cache], tmp_path / "warm")
    assert roots == []
    assert sorted((tmp_path / "cache").glob("roots/*/*.json")) == entries
    assert b'"findings"' in uncached[0] and cold == uncached and warm == uncached


def test_no_cache_writes_no_root_entries(at_repository, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    _scan(["examples/azure-municipal", "--no-cache"], tmp_path / "a")
    assert not (tmp_path / "xdg").exists()
    _scan(["examples/azure-municipal"], tmp_path / "b")
    assert list((tmp_path / "xdg" / "sovscan" / "roots").glob("*/*.json"))
