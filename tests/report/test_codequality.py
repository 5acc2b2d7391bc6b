from __future__ import annotations

import dataclasses
import json

import jsonschema

from scanner.report import FORMATTERS, Report, codequality

# GitLab's documented Code Quality contract (doc/ci/testing/code_quality.md): an array of these objects.
ISSUE = {
    "type": "object",
    "required": ["description", "check_name", "fingerprint", "severity", "location"],
    "properties": {
        "description": {"type": "string", "minLength": 1},
        "check_name": {"type": "string", "minLength": 1},
        "fingerprint": {"type": "string", "minLength": 1},
        "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
        "location": {"type": "object", "required": ["path", "lines"], "properties": {
            "path": {"type": "string", "minLength": 1, "not": {"pattern": "^/"}},
            "lines": {"type": "object", "required": ["begin"],
                      "properties": {"begin": {"type": "integer", "minimum": 1}}}}},
    },
}
SCHEMA = {"type": "array", "items": ISSUE}


def test_shape_no_bom_and_unique_fingerprints(mixed_report):
    text = codequality.render(mixed_report)
    assert not text.startswith("\ufeff") and not text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    issues = json.loads(text)
    assert list(jsonschema.Draft7Validator(SCHEMA).iter_errors(issues)) == []
    assert len(issues) == 5
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_severity_follows_policy_severity_enforcement_and_kind(mixed_report):
    by_rule = {(i["check_name"], i["location"]["path"]): i["severity"] for i in codequality.build(mixed_report)}
    assert by_rule[("CMK-001", "infra/main.tf")] == "critical"      # high
    assert by_rule[("WL-001", "k8s/app.yaml")] == "critical"     # high
    assert by_rule[("EXIT-008", "versions.tf")] == "minor"          # medium, but audit mode
    assert by_rule[("RES-001", "infra/aks.tf")] == "info"           # unresolved check


def test_critical_policy_is_a_blocker(make_finding, make_report):
    (issue,) = codequality.build(make_report([make_finding("SEC-001", attribute="password")]))
    assert issue["severity"] == "blocker"


def test_fingerprint_is_the_line_free_key(make_finding, make_report):
    finding = make_finding(line=3)
    (first,) = codequality.build(make_report([finding]))
    (moved,) = codequality.build(make_report([dataclasses.replace(finding, line=30)]))
    assert first["fingerprint"] == moved["fingerprint"] == finding.fingerprint
    assert (first["location"]["lines"]["begin"], moved["location"]["lines"]["begin"]) == (3, 30)


def test_repeated_key_still_gives_unique_fingerprints(make_finding, make_report):
    issues = codequality.build(make_report([make_finding(line=3), make_finding(line=5)]))
    assert len({i["fingerprint"] for i in issues}) == 2


def test_empty_scan_is_an_empty_array(make_report):
    assert json.loads(codequality.render(make_report())) == []


def test_registered_and_scans_real_files(write, run_scan):
    root = write({"main.tf": 'resource "azurerm_storage_account" "logs" {\n  location = "eastus"\n}\n'})
    issues = json.loads(FORMATTERS["codequality"](Report(run_scan(root), 1)))
    assert issues and list(jsonschema.Draft7Validator(SCHEMA).iter_errors(issues)) == []
    assert {i["location"]["lines"]["begin"] for i in issues} <= {1, 2}


def test_waived_findings_are_info(waived_report):
    by_rule = {i["check_name"]: i for i in codequality.build(waived_report)}
    assert by_rule["RES-001"]["severity"] == "info" and "waived" in by_rule["RES-001"]["description"]
    assert by_rule["CMK-001"]["severity"] == "critical"
    assert [i["check_name"] for i in codequality.build(dataclasses.replace(waived_report, include_suppressed=False))] \
        == ["CMK-001"]


def test_a_note_is_info_whatever_its_policy_severity(make_finding, make_report):
    """A finding lowered to a note (in demonstration code) fails no run at the usual --fail-on levels, so the
    merge request widget must not show it as critical."""
    note = dataclasses.replace(make_finding("CMK-001", path="examples/main.tf"), level="note")
    (issue,) = codequality.build(make_report([note]))
    assert issue["severity"] == "info"
