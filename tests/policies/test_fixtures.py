"""One violating and one compliant fixture per policy, run by a single parametrised test.

The violating fixture marks every expected finding with `# expect: ID` on the line where it must land.
"""
from __future__ import annotations

import dataclasses
import datetime
import re
from pathlib import Path

import pytest

from scanner import config as config_module
from scanner.evaluate import policies as policy_module
from scanner.notices import NOT_EVALUATED
from scanner.pipeline import ScanRequest, scan

HERE = Path(__file__).parent
CATALOGUE = policy_module.load()
EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+-\d{3}(?:\s*,\s*[A-Z]+-\d{3})*)")


def fixture_dir(policy, kind: str) -> Path:
    return HERE / policy.family / policy.id / kind


def expected(directory: Path) -> set[tuple[str, int, str]]:
    out = set()
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1):
            match = EXPECT.search(line)
            if match:
                for policy_id in re.split(r"\s*,\s*", match.group(1)):
                    out.add((path.relative_to(directory).as_posix(), number, policy_id))
    return out


def run(policy, directory: Path):
    """The policy alone over the fixture, with the fixture's own .sovscan.yaml when it has one; an opt-in
    policy is turned on the way a user does, by naming it in `enforcement`."""
    config = config_module.load(None, str(directory))
    if policy.opt_in and policy.id not in config.enforcement:
        config = dataclasses.replace(config, enforcement={**config.enforcement, policy.id: ("deny", None)})
    request = ScanRequest((str(directory),), (policy,), config, today=datetime.date(2026, 11, 23))
    result, _ = scan(request)
    return result


def found(result, directory: Path) -> set[tuple[str, int, str]]:
    prefix = directory.resolve().relative_to(Path.cwd().resolve()).as_posix() + "/" if directory.resolve().is_relative_to(Path.cwd().resolve()) else ""
    return {(f.path[len(prefix):], f.line, f.policy_id) for f in result.findings}


def problems(result):
    """Notices other than registry modules the fixture calls without their code (pinning fixtures do)."""
    return [n for n in result.notices if n.kind != NOT_EVALUATED]


@pytest.mark.parametrize("policy", CATALOGUE, ids=lambda p: p.id)
def test_violating_fixture_gives_exactly_the_marked_findings(policy):
    directory = fixture_dir(policy, "fail")
    assert directory.is_dir(), f"{policy.id} has no violating fixture at {directory}"
    want = expected(directory)
    assert want, f"{directory} marks no expected finding"
    result = run(policy, directory)
    assert found(result, directory) == want
    assert problems(result) == []


@pytest.mark.parametrize("policy", CATALOGUE, ids=lambda p: p.id)
def test_compliant_fixture_gives_no_finding_and_no_unresolved_check(policy):
    directory = fixture_dir(policy, "pass")
    assert directory.is_dir(), f"{policy.id} has no compliant fixture at {directory}"
    result = run(policy, directory)
    assert [(f.path, f.line, f.message) for f in result.findings] == []
    assert [(f.path, f.line, f.message) for f in result.unresolved] == []
    assert problems(result) == []
    if policy.input != "file":   # a file policy passes by the file's absence
        assert result.passes > 0, "the compliant fixture must exercise the policy"
