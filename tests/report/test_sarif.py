from __future__ import annotations

import dataclasses
import hashlib
import json
from importlib import resources

import jsonschema
import pytest

from scanner.report import Report, sarif

SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"  # OASIS 2.1.0 errata01


def schema() -> dict:
    return json.loads(resources.files("scanner.schemas").joinpath("sarif-schema-2.1.0.json").read_bytes())


def test_vendored_schema_is_the_official_one():
    data = resources.files("scanner.schemas").joinpath("sarif-schema-2.1.0.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == SCHEMA_SHA256


def _violations(write):
    return write({
        "infra/main.tf": 'resource "azurerm_storage_account" "logs" {\n  location = "eastus"\n}\n'
                         'resource "azurerm_kubernetes_cluster" "aks" {\n  location = var.where\n'
                         '  default_node_pool {\n    zones = ["1"]\n  }\n}\n',
        "infra/broken.tf": 'resource "x" {\n',
        "k8s/app.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - name: web\n    image: nginx:latest\n",
    })


def test_sarif_validates_and_meets_the_contract(write, run_scan):
    root = _violations(write)
    result = run_scan(root)
    log = json.loads(sarif.render(Report(result, 3, show_unresolved=True)))
    assert list(jsonschema.Draft4Validator(schema()).iter_errors(log)) == []
    assert log["$schema"] and log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert {"name", "semanticVersion", "rules"} <= set(driver)
    assert "informationUri" not in driver      # no documentation URL configured: no link at all
    assert run["automationDetails"]["id"] == "sovscan/"
    for rule in driver["rules"]:
        assert {"shortDescription", "fullDescription", "help", "defaultConfiguration"} <= set(rule)
        assert "helpUri" not in rule
        assert rule["properties"]["tags"][0] in ("cmk", "residency", "secrets", "exit", "haven", "workload")
        assert "security" in rule["properties"]["tags"]
        assert 0 < float(rule["properties"]["security-severity"]) <= 10
    kinds = set()
    for res in run["results"]:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        (location,) = res["locations"]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "\\" not in uri
        assert set(location["physicalLocation"]["region"]) == {"startLine"}
        assert "primaryLocationLineHash" in res["partialFingerprints"]
        kinds.add((res["kind"], res["level"]))
    assert ("open", "note") in kinds and ("fail", "error") in kinds
    notifications = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notifications] == ["infra/broken.tf"]


def test_clean_scan_still_emits_results(write, run_scan):
    root = write({"main.tf": 'resource "azurerm_resource_group" "rg" {\n  location = "westeurope"\n}\n'})
    log = json.loads(sarif.render(Report(run_scan(root), 1)))
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []
    assert list(jsonschema.Draft4Validator(schema()).iter_errors(log)) == []


def test_two_runs_are_byte_identical(write, run_scan):
    root = _violations(write)
    first = sarif.render(Report(run_scan(root), 3, show_unresolved=True))
    second = sarif.render(Report(run_scan(root), 3, show_unresolved=True))
    assert first == second


def test_unresolved_checks_only_when_asked(write, run_scan):
    root = _violations(write)
    result = run_scan(root)
    hidden = json.loads(sarif.render(Report(result, 3)))["runs"][0]["results"]
    shown = json.loads(sarif.render(Report(result, 3, show_unresolved=True)))["runs"][0]["results"]
    assert all(r["kind"] == "fail" for r in hidden)
    opened = [r for r in shown if r["kind"] == "open" and r["ruleId"].startswith("RES-001")]
    assert opened and all("var.where" in r["message"]["text"] for r in opened)
    assert {r["ruleId"] for r in opened} == {"RES-001/note"}     # an open check is a note: GitHub shows it as low


def test_rule_severity_agrees_with_the_level_github_gates_on(make_finding, make_report):
    """GitHub shows a result with its rule's security-severity and fails a pull request on high and critical
    by default: a note in demonstration code under a high rule would fail what sovscan's gate passes, and a
    medium rule at error level would pass what it fails. Results at another level than the policy's own
    belong to a variant of its rule."""
    error = make_finding("CMK-001")
    note = dataclasses.replace(make_finding("CMK-001", path="examples/main.tf"), level="note")
    run = sarif.build(make_report([error, note]))["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {"CMK-001", "CMK-001/note"}
    assert rules["CMK-001"]["defaultConfiguration"]["level"] == "error"
    assert rules["CMK-001/note"]["defaultConfiguration"]["level"] == "note"
    assert rules["CMK-001"]["properties"]["security-severity"] == "8.0"
    assert rules["CMK-001/note"]["properties"]["security-severity"] == "2.0"
    by_path = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in run["results"]}
    assert by_path["examples/main.tf"]["ruleId"] == "CMK-001/note"
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


@pytest.mark.parametrize("severity, level, score", [
    ("critical", "error", "9.5"), ("high", "error", "8.0"), ("medium", "error", "8.0"), ("low", "error", "8.0"),
    ("critical", "warning", "5.5"), ("medium", "warning", "5.5"), ("low", "warning", "2.0"),
    ("critical", "note", "2.0"), ("info", "note", "0.5")])
def test_security_severity_by_level(severity, level, score):
    assert sarif.security_severity(severity, level) == score


def test_a_long_rationale_is_cut_for_githubs_full_description(catalogue):
    policy = next(p for p in catalogue if len(p.text("nl").rationale) > sarif.MAX_FULL_DESCRIPTION)
    described = sarif.rule(policy, "nl")
    shown = described["fullDescription"]["text"]
    assert len(shown) <= sarif.MAX_FULL_DESCRIPTION and shown.endswith("\u2026")
    assert policy.text("nl").rationale.startswith(shown[:-1]) and policy.text("nl").rationale in described["help"]["text"]


def test_results_are_capped_at_githubs_limit_keeping_the_most_severe(write, run_scan, monkeypatch):
    root = _violations(write)
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    log = json.loads(sarif.render(Report(run_scan(root), 3, show_unresolved=True)))
    run = log["runs"][0]
    assert [r["level"] for r in run["results"]] == ["error", "error"]
    assert "left out" in run["invocations"][0]["toolExecutionNotifications"][-1]["message"]["text"]
    assert list(jsonschema.Draft4Validator(schema()).iter_errors(log)) == []


def test_run_properties_carry_posture_and_haven_preflight(write, run_scan):
    root = write({"main.tf": 'terraform {\n  required_providers {\n    azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }\n'
                             '  }\n}\nresource "azurerm_kubernetes_cluster" "aks" {\n  location = "westeurope"\n'
                             '  default_node_pool {\n    zones = ["1"]\n  }\n}\n'})
    properties = json.loads(sarif.render(Report(run_scan(root), 1)))["runs"][0]["properties"]
    assert [(p["source"], p["jurisdiction"], p["seal"]) for p in properties["sovereigntyPosture"]] == [
        ("hashicorp/azurerm", "US", "0-1")]
    (cluster,) = properties["havenPreflight"]
    assert cluster["cluster"] == "azurerm_kubernetes_cluster.aks"
    assert "Multiple availability zones in use" in cluster["failing"] and cluster["passed"] < cluster["checks"]


def test_links_only_under_the_configured_documentation_url(write, run_scan):
    result = run_scan(_violations(write))
    log = json.loads(sarif.render(Report(result, 3, docs_url="https://docs.example.org/sovscan/policies/")))
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://docs.example.org/sovscan/policies/"
    assert {r["id"]: r["helpUri"] for r in driver["rules"]}["RES-001"] == \
        "https://docs.example.org/sovscan/policies/RES-001.md"
    dutch = json.loads(sarif.render(Report(result, 3, lang="nl", docs_url="https://docs.example.org/{lang}/{id}.html")))
    assert {r["id"]: r["helpUri"] for r in dutch["runs"][0]["tool"]["driver"]["rules"]}["RES-001"] == \
        "https://docs.example.org/nl/RES-001.html"


def test_taxonomies_and_relationships(write, run_scan):
    log = json.loads(sarif.render(Report(run_scan(_violations(write)), 3)))
    assert list(jsonschema.Draft4Validator(schema()).iter_errors(log)) == []
    run = log["runs"][0]
    iso, sov = run["taxonomies"]
    assert (iso["name"], sov["name"]) == ("ISO/IEC 27002:2022", "EU Cloud Sovereignty Framework")
    assert run["tool"]["driver"]["supportedTaxonomies"] == [{"name": "ISO/IEC 27002:2022", "index": 0},
                                                            {"name": "EU Cloud Sovereignty Framework", "index": 1}]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    targets = [(rel["target"]["toolComponent"]["name"], rel["target"]["id"], rel["kinds"])
               for rel in rules["RES-001"]["relationships"]]
    assert targets == [("ISO/IEC 27002:2022", "5.23", ["relevant"]), ("ISO/IEC 27002:2022", "5.34", ["relevant"]),
                       ("EU Cloud Sovereignty Framework", "SOV-3.3", ["relevant"])]
    for rule in rules.values():
        for rel in rule.get("relationships", []):
            taxonomy = run["taxonomies"][rel["target"]["toolComponent"]["index"]]
            assert taxonomy["taxa"][rel["target"]["index"]]["id"] == rel["target"]["id"]
    taxa = {t["id"]: t for t in iso["taxa"]}
    assert taxa["5.23"]["name"] == "Information security for use of cloud services"
    assert "SOV-3" in [t["id"] for t in sov["taxa"]] and "SOV-3.3" in [t["id"] for t in sov["taxa"]]


def test_help_markdown_has_rationale_fixes_citations_and_examples(write, run_scan):
    log = json.loads(sarif.render(Report(run_scan(_violations(write)), 3)))
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    help_text = rules["RES-001"]["help"]["markdown"]
    assert help_text.startswith("**RES-001 Resources are located in allowed regions** (`residency`, high)\n")
    for part in ("## Why it matters", "## How to fix it", "- **azurerm**: Set location to an EU region",
                 "## Controls and objectives", "- ISO/IEC 27002:2022 (BIO2) 5.23 Information security for use of cloud",
                 "## Example: violating", "## Example: compliant", "```hcl"):
        assert part in help_text, part
    assert "# expect" not in help_text and "sovscan.invalid" not in help_text


def test_messages_titles_and_help_in_dutch(write, run_scan):
    log = json.loads(sarif.render(Report(run_scan(_violations(write)), 3, lang="nl")))
    run = log["runs"][0]
    assert run["language"] == "nl-NL"
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["CMK-001"]["shortDescription"]["text"] == "Objectopslag is versleuteld met een klantbeheerde sleutel"
    assert "## Zo los je het op" in rules["CMK-001"]["help"]["markdown"]
    messages = {r["ruleId"]: r["message"]["text"] for r in run["results"] if r["kind"] == "fail"}
    assert messages["CMK-001"].startswith("azurerm_storage_account.logs is niet versleuteld met een klantbeheerde sleutel")
