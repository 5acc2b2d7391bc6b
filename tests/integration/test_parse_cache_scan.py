"""The parse cache never changes a finding: the examples and the policy fixtures scanned without a cache,
cold and warm give the same whole JSON result; the command line's cache options."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner import cli

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def at_repository(monkeypatch):
    monkeypatch.chdir(REPOSITORY)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")


def _scan(args: list[str], out: Path) -> dict:
    assert cli.main(["scan", *args, "-f", f"json={out}", "--fail-on", "never"]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


# Files whose parse gives notices: escapes Terraform rejects, a syntax error, a List item over the limits, a
# Unicode identifier (the second grammar), a template outside a chart.
NOTICED = {
    "main.tf": 'locals {\n  caf\u00e9 = "\\ud800"\n}\nresource "azurerm_storage_account" "s" {\n  location = "eastus"\n}\n',
    "broken/main.tf": 'resource "x" "y" {\n  a = \n',
    "list.yaml": "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n"
                 "- &r\n  apiVersion: v1\n  kind: B\n  me: *r\n",
    "templates/d.yaml": "apiVersion: v1\nkind: X\nname: {{ .Values.x }}\n",
}


def test_cold_warm_and_uncached_scans_give_the_same_result(at_repository, tmp_path, write):
    trees = ["examples", "tests/policies", str(write(NOTICED, tmp_path / "noticed"))]
    cache = ["--cache-dir", str(tmp_path / "cache")]
    uncached = _scan([*trees, "--no-cache"], tmp_path / "uncached.json")
    cold = _scan([*trees, *cache], tmp_path / "cold.json")
    entries = sorted((tmp_path / "cache").glob("parse/*/*.json"))
    assert len(entries) > 200
    warm = _scan([*trees, *cache], tmp_path / "warm.json")
    assert sorted((tmp_path / "cache").glob("parse/*/*.json")) == entries
    assert uncached["findings"] and len(uncached["notices"]) >= 4
    assert cold == uncached and warm == uncached


def test_the_default_cache_is_under_xdg_cache_home_and_no_cache_writes_none(at_repository, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    _scan(["examples/k8s-app", "--no-cache"], tmp_path / "a.json")
    assert not (tmp_path / "xdg").exists()
    _scan(["examples/k8s-app"], tmp_path / "b.json")
    assert list((tmp_path / "xdg" / "sovscan" / "parse").glob("*/*.json"))


def test_baseline_create_takes_the_cache_options(at_repository, tmp_path):
    target = tmp_path / "baseline.json"
    assert cli.main(["baseline", "create", "examples/k8s-app", "--cache-dir", str(tmp_path / "c"), "-o", str(target)]) == 0
    assert list((tmp_path / "c" / "parse").glob("*/*.json")) and json.loads(target.read_text())


def test_a_cache_with_every_entry_damaged_gives_the_uncached_result(at_repository, tmp_path):
    """Flipped bytes in every entry of the parse cache and in the policy pack's verdict: each is a miss,
    parsed (or validated) again and rewritten; the result is the uncached one."""
    cache = ["--cache-dir", str(tmp_path / "cache")]
    uncached = _scan(["examples", "--no-cache"], tmp_path / "uncached.json")
    _scan(["examples", *cache], tmp_path / "cold.json")
    entries = sorted((tmp_path / "cache").glob("*/*/*.json"))
    assert any("/policies/" in str(e) for e in entries) and len(entries) > 10
    good = {entry: entry.read_bytes() for entry in entries}
    for number, entry in enumerate(entries):
        data = bytearray(good[entry])
        position = (number * 7919) % len(data)
        data[position] ^= 1 << (number % 8)
        entry.write_bytes(bytes(data))
    assert _scan(["examples", *cache], tmp_path / "damaged.json") == uncached
    assert {entry: entry.read_bytes() for entry in entries} == good


def test_a_cache_inside_the_scanned_tree_is_not_scanned(tmp_path, write):
    """GitLab caches only paths inside the project directory: the cache directory is tagged (CACHEDIR.TAG)
    and discovery leaves a tagged directory out, so its entries are never read as the user's files."""
    root = write({"main.tf": 'resource "azurerm_storage_account" "s" {\n  location = "eastus"\n}\n',
                  "notes/CACHEDIR.TAG": "not a signature\n", "notes/app.yaml": "apiVersion: v1\nkind: Namespace\n"},
                 tmp_path / "project")
    args = [str(root), "--cache-dir", str(root / ".cache" / "sovscan")]
    first = _scan(args, tmp_path / "first.json")
    assert (root / ".cache" / "sovscan" / "CACHEDIR.TAG").read_bytes().startswith(
        b"Signature: 8a477f597d28d172789f06886806bc55")
    second = _scan(args, tmp_path / "second.json")
    assert second["notices"] == first["notices"] == []
    assert second["findings"] == first["findings"] and first["findings"]
    assert _scan([str(root), "--no-cache"], tmp_path / "uncached.json")["findings"] == first["findings"]
