"""docs/policies/<ID>.md (and nl/<ID>.md) are generated from the policy files and their fixtures, and kept
current here: a changed policy, fixture or page generator fails this test until the pages are regenerated
with SOVSCAN_UPDATE_DOCS=1 pytest tests/report/test_policy_docs.py."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.evaluate import policies as policy_module
from scanner.report import policy_docs

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "policies"
DOCS = ROOT / "docs" / "policies"
CATALOGUE = policy_module.load()


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("policy", CATALOGUE, ids=lambda p: p.id)
def test_policy_page_is_current(policy, lang):
    wanted = policy_docs.page(policy, lang, policy_docs.from_fixtures(policy, FIXTURES))
    path = policy_docs.page_path(policy.id, lang, DOCS)
    if os.environ.get("SOVSCAN_UPDATE_DOCS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(wanted, encoding="utf-8")
    assert path.is_file(), f"{path} is missing; regenerate with SOVSCAN_UPDATE_DOCS=1"
    assert path.read_text(encoding="utf-8") == wanted, f"{path} is stale; regenerate with SOVSCAN_UPDATE_DOCS=1"


def test_no_page_for_a_policy_that_no_longer_exists():
    ids = {p.id for p in CATALOGUE}
    pages = {p.stem for p in DOCS.glob("*.md")} | {p.stem for p in (DOCS / "nl").glob("*.md")}
    assert pages - ids == set()


def test_every_page_shows_a_violating_and_a_compliant_example_read_back_as_written():
    for policy in CATALOGUE:
        written = policy_docs.from_fixtures(policy, FIXTURES)
        assert written.violating is not None and written.compliant is not None, policy.id
        assert policy_docs.shipped_examples(policy.id, DOCS) == written, policy.id


def test_examples_strip_the_fixture_markers_and_mask_secrets():
    pages = [p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md")]
    assert not any("# expect:" in page for page in pages)
    sec002 = (DOCS / "SEC-002.md").read_text(encoding="utf-8")
    assert "AWS_ACCESS_KEY_ID=AKIA****\nGITHUB_TOKEN=ghp_****" in sec002


def test_cmk_001_page_in_dutch():
    page = (DOCS / "nl" / "CMK-001.md").read_text(encoding="utf-8")
    assert page.startswith("# CMK-001 Objectopslag is versleuteld met een klantbeheerde sleutel\n")
    assert "## Zo los je het op\n" in page and "## Voorbeeld: overtreding\n" in page
    assert '<!-- example: violating main.tf -->\n```hcl\nresource "azurerm_storage_account" "logs" {\n' in page


def test_a_policy_without_a_page_has_help_without_examples(tmp_path):
    assert policy_docs.shipped_examples("CMK-001", tmp_path) is None
