"""The catalogue as a whole: ids, files, metadata lint, fixtures for every policy, generated docs."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from scanner.evaluate import policies as policy_module
from scanner.evaluate.predicates import PREDICATES
from scanner.report.catalogue import render_markdown

CATALOGUE = policy_module.load()
ROOT = Path(__file__).resolve().parents[2]
SEED = re.compile(r"^(\d{3}):(\d+)(?:-(\d+))?$")


def test_every_family_has_at_least_two_policies():
    families = {p.family for p in CATALOGUE}
    assert families >= {"cmk", "residency", "secrets", "exit", "haven"}
    for family in ("cmk", "residency", "secrets", "exit", "haven"):
        assert sum(p.family == family for p in CATALOGUE) >= 2, family


@pytest.mark.parametrize("policy", CATALOGUE, ids=lambda p: p.id)
def test_metadata_reads_well(policy):
    assert not policy.title.endswith("."), "titles have no final period"
    assert policy.title[0].isupper()
    for text in policy.remediation.values():
        assert text.rstrip().endswith("."), f"remediation ends with a period: {text!r}"
    assert Path(policy.path).parent.name == policy.family


@pytest.mark.parametrize("policy", CATALOGUE, ids=lambda p: p.id)
def test_seed_references_point_at_real_lines(policy):
    seeds = {p.name[:3]: p for p in (ROOT.parent / "shared" / "seeds").glob("*.txt")}
    if not seeds:
        pytest.skip("the seed documents are not beside this checkout")
    for ref in policy.references.get("seeds", []):
        number, first, last = SEED.match(ref).groups()
        lines = seeds[number].read_text(encoding="utf-8", errors="replace").count("\n") + 1
        assert 1 <= int(first) <= int(last or first) <= lines, ref


def test_every_predicate_is_used_by_a_policy():
    used = set(re.findall(r"predicate: (\w+)", "\n".join(Path(p.path).read_text() for p in CATALOGUE)))
    assert set(PREDICATES) - used == set()


def test_generated_catalogue_is_current():
    committed = (ROOT / "policies" / "README.md").read_text(encoding="utf-8")
    assert committed == render_markdown(CATALOGUE), "regenerate: sovscan policies list --format markdown > policies/README.md"
