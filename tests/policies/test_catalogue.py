"""The catalogue as a whole: ids, files, metadata lint, fixtures for every policy, generated docs."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from scanner.evaluate import policies as policy_module
from scanner.evaluate.predicates import PREDICATES
from scanner.report.catalogue import render_markdown

CATALOGUE = policy_module.load()
ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
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


SEED_LINES = json.loads((HERE / "seed_lines.json").read_text(encoding="utf-8"))["seeds"]


@pytest.mark.parametrize("policy", CATALOGUE, ids=lambda p: p.id)
def test_seed_references_point_at_real_lines(policy):
    for ref in policy.references.get("seeds", []):
        number, first, last = SEED.match(ref).groups()
        assert number in SEED_LINES, ref
        assert 1 <= int(first) <= int(last or first) <= SEED_LINES[number]["lines"], ref


def test_the_seed_line_table_matches_the_documents_where_they_are():
    """Beside the documents (the developers' machines) the vendored table is re-counted."""
    documents = sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))
    if not documents:
        pytest.skip("the seed documents are not beside this checkout; the vendored table stands in for them")
    for document in documents:
        data = document.read_bytes()
        counted = {"lines": data.decode("utf-8", errors="replace").count("\n") + 1,
                   "sha256": hashlib.sha256(data).hexdigest()[:16]}
        assert SEED_LINES[document.name[:3]] == counted, document.name


def test_every_predicate_is_used_by_a_policy():
    used = set(re.findall(r"predicate: (\w+)", "\n".join(Path(p.path).read_text() for p in CATALOGUE)))
    assert set(PREDICATES) - used == set()


def test_generated_catalogue_is_current():
    committed = (ROOT / "policies" / "README.md").read_text(encoding="utf-8")
    assert committed == render_markdown(CATALOGUE), "regenerate: sovscan policies list --format markdown > policies/README.md"
