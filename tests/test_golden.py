"""Golden outputs for the bundled examples: what a new user sees first.

Regenerate after an intended change with: SOVSCAN_UPDATE_GOLDEN=1 pytest tests/test_golden.py
"""
from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from scanner import cli

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
EXAMPLES = ["azure-municipal", "aws-data-platform", "gcp-analytics", "k8s-app"]


@pytest.fixture(autouse=True)
def at_repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _compare(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SOVSCAN_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs; see the docstring to regenerate"


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_text_and_sarif_match_golden(example, tmp_path, capsys):
    sarif_path = tmp_path / "out.sarif"
    code = cli.main(["scan", f"examples/{example}", "-f", "text", "-f", f"sarif={sarif_path}"])
    text = capsys.readouterr().out
    assert code == 1, "every example contains violations"
    _compare(f"{example}.txt", text)
    log = json.loads(sarif_path.read_text(encoding="utf-8"))
    schema = json.loads(resources.files("scanner.schemas").joinpath("sarif-schema-2.1.0.json").read_bytes())
    assert list(jsonschema.Draft4Validator(schema).iter_errors(log)) == []
    _compare(f"{example}.sarif.json", sarif_path.read_text(encoding="utf-8"))


def test_examples_cover_every_family(tmp_path, capsys):
    out = tmp_path / "all.json"
    cli.main(["scan", "examples", "-f", f"json={out}"])
    families = {f["family"] for f in json.loads(out.read_text())["findings"]}
    assert families >= {"cmk", "residency", "secrets", "exit", "haven", "workload"}
