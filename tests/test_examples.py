"""The bundled examples say what they show: examples/README.md names every rule each example is reported
for, and every `# VIOLATION <rule>` comment in them marks a finding the scan makes there."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scanner import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
VIOLATION = re.compile(r"#\s*VIOLATION\s+([A-Z]+-\d{3})(?:\s+\(reported on `([^`]+)`\))?")
ABOVE = 4      # a comment this many lines above a resource's first line is about that resource


@pytest.fixture(scope="module")
def findings(tmp_path_factory) -> list[dict]:
    """The examples' findings, their paths as `sovscan scan examples/` prints them (examples/<name>/...)."""
    out = tmp_path_factory.mktemp("examples") / "result.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        cli.main(["scan", "examples", "--fail-on", "never", "-f", f"json={out}"])
    return json.loads(out.read_text(encoding="utf-8"))["findings"]


def _sections() -> dict[str, str]:
    """Each example's part of examples/README.md: from its `**`name/`**` heading to the next one."""
    text = (EXAMPLES / "README.md").read_text(encoding="utf-8").split("With `--profile hardened`")[0]
    parts = re.split(r"^\*\*`([a-z0-9-]+)/`\*\*", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def test_the_readme_describes_every_example():
    assert sorted(_sections()) == sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())


@pytest.mark.parametrize("example", sorted(_sections()))
def test_the_readme_names_exactly_the_rules_each_example_is_reported_for(findings, example):
    named = set(re.findall(r"\*\*([A-Z]+-\d{3})\*\*", _sections()[example]))
    reported = {f["policy_id"] for f in findings if f["path"].startswith(f"examples/{example}/")}
    assert named == reported, f"named but not reported: {named - reported}; reported but not named: {reported - named}"


def _violations() -> list[tuple[str, int, str, str]]:
    marked = []
    for path in sorted(EXAMPLES.rglob("*")):
        if path.is_file() and path.suffix in (".tf", ".yaml", ".json"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for rule, address in VIOLATION.findall(line):
                    marked.append((path.relative_to(ROOT).as_posix(), number, rule, address))
    return marked


@pytest.mark.parametrize("path, line, rule, address", _violations())
def test_every_violation_comment_marks_a_finding(findings, path, line, rule, address):
    def marks(finding: dict) -> bool:
        if finding["policy_id"] != rule or finding["path"] != path:
            return False
        if address:
            return finding["address"] == address
        first = finding["resource_line"]
        return first - ABOVE <= line <= max(first, finding["resource_end_line"])
    assert any(marks(f) for f in findings), f"{path}:{line}: no {rule} finding here"
