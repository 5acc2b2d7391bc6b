"""The catalogue as a whole: ids, files, metadata lint, fixtures for every policy, generated docs."""
from __future__ import annotations

import hashlib
import json
import re
import string
from pathlib import Path

import pytest

from scanner.evaluate import citations
from scanner.evaluate import policies as policy_module
from scanner.evaluate.predicates import PREDICATES
from scanner.report.catalogue import render_list, render_markdown, render_show
from scanner.report.sarif import rule
from scanner.review import REVIEW

CATALOGUE = policy_module.load()
ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SEED = re.compile(r"^(\d{3}):(\d+)(?:-(\d+))?$")


def test_every_family_has_at_least_two_policies():
    families = {p.family for p in CATALOGUE}
    assert families >= {"cmk", "residency", "secrets", "exit", "haven", "workload"}
    for family in ("cmk", "residency", "secrets", "exit", "haven", "workload"):
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
    listed = CATALOGUE + [REVIEW]   # the built-in REVIEW-001 is in the catalogue too
    assert committed == render_markdown(listed), "regenerate: sovscan policies list --format markdown > policies/README.md"


def _placeholders(template: str | None) -> set[str] | None:
    return None if template is None else {n for _, n, _, _ in string.Formatter().parse(template) if n is not None}


@pytest.mark.parametrize("policy", CATALOGUE, ids=lambda p: p.id)
def test_every_policy_speaks_english_and_dutch(policy):
    english, dutch = policy.text("en"), policy.text("nl")
    assert set(policy.texts) == set(policy_module.LANGUAGES)
    assert dutch.title != english.title and dutch.rationale != english.rationale
    assert not dutch.title.endswith(".") and dutch.title[0].isupper()
    assert set(dutch.remediation) == set(english.remediation)
    for provider, text in dutch.remediation.items():
        assert text.rstrip().endswith("."), f"remediation ends with a period: {text!r}"
        assert text != english.remediation[provider]
    assert _placeholders(dutch.message) == _placeholders(english.message)
    assert [_placeholders(m) for m in dutch.check_messages] == [_placeholders(m) for m in english.check_messages]


REGISTRY = citations.builtin()


@pytest.mark.parametrize("policy", CATALOGUE, ids=lambda p: p.id)
def test_every_policy_maps_to_known_controls(policy):
    refs = policy.references
    assert citations.control_ids(refs), "maps to at least one ISO/IEC 27002:2022 control or SOV objective"
    assert set(refs.get("iso27002", [])) <= set(REGISTRY.controls)
    assert citations.problems(refs, REGISTRY) == []
    for standard in refs.get("standards", []):
        assert citations.standard_for(standard, REGISTRY) is not None, f"{standard!r} is not in sources.yaml"
        assert not re.match(r"^(BIO|ISO 27002)\b", standard), "BIO 1 / ISO 27002 numbers belong in iso27002"


INTERNAL = re.compile(r"\b\d{3}:\d+|seed", re.IGNORECASE)


@pytest.mark.parametrize("lang", policy_module.LANGUAGES)
def test_no_user_facing_text_shows_an_internal_line_reference(lang):
    rendered = [render_markdown(CATALOGUE, lang), render_list(CATALOGUE, lang)]
    rendered += [render_show(policy, lang) for policy in CATALOGUE]
    rendered += [json.dumps(rule(policy), ensure_ascii=False) for policy in CATALOGUE]
    leaks = sorted({match.group(0) for text in rendered for match in INTERNAL.finditer(text)})
    assert leaks == []


def test_haven_holds_only_the_checkers_own_checks():
    """A haven rule pre-flights one HCC check (haven_check) or reports live HCC results; Kubernetes
    hardening the checker does not run is the workload family."""
    for policy in CATALOGUE:
        if policy.family == "haven":
            assert policy.haven_check or policy.input == "live", policy.id
    assert {p.id for p in CATALOGUE if p.family == "haven" and p.haven_check} == {
        "HAVEN-001", "HAVEN-002", "HAVEN-003", "HAVEN-004", "HAVEN-005", "HAVEN-006", "HAVEN-008", "HAVEN-009",
        "HAVEN-010", "HAVEN-011", "HAVEN-020"}


def test_opt_in_rules_and_their_groups():
    groups = {p.id: p.opt_in for p in CATALOGUE if p.opt_in}
    assert groups == {"WL-030": "restricted", "WL-031": "restricted", "WL-032": "restricted",
                      "WL-033": "restricted", "WL-034": "restricted", "WL-035": "restricted",
                      "WL-040": "operations", "WL-041": "operations", "WL-042": "operations",
                      "EXIT-009": "supply-chain"}
    baseline = {p.id: p.level for p in CATALOGUE if "Pod Security Standards baseline" in p.references.get("standards", [])}
    assert baseline == {"WL-001": "error", "WL-002": "error", "WL-003": "error", "WL-004": "error",
                        "WL-005": "error", "WL-006": "error"}
