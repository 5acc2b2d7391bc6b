from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import uuid
from pathlib import Path

import jsonschema
import pytest

from scanner.evaluate.result import Suppression
from scanner.report import FORMATTERS, Report, gitlab_sast

SCHEMAS = Path(__file__).parent / "schemas"
SCHEMA_SHA256 = "ee8528a0ccd8ebdfb056b99cbc3001059dfadaffe9b5912aacef3c6199132c91"  # GitLab 15.2.4, unmodified

_ID = {"type": "object", "required": ["type", "name", "value"], "properties": {
    "type": {"type": "string", "minLength": 1}, "name": {"type": "string", "minLength": 1},
    "value": {"type": "string", "minLength": 1}, "url": {"type": "string", "pattern": "^https?://.+"}}}
_TOOL = {"type": "object", "required": ["id", "name", "version", "vendor"], "properties": {
    "id": {"type": "string", "minLength": 1}, "name": {"type": "string", "minLength": 1},
    "version": {"type": "string", "minLength": 1}, "url": {"type": "string", "pattern": "^https?://.+"},
    "vendor": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1}}}}}
_TIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"}
_LINE_KEYS = {"file": {"type": "string"}, "start_line": {"type": "number"}, "end_line": {"type": "number"}}

# The rules of the version sovscan declares by default, transcribed from GitLab's vendored 15.0.1 schema
# (see schemas/NOTICE.md). Stricter than 15.2.4 where 15.0.1 is (identifier urls: https only), and closed
# where a misspelt key would be silently ignored (tracking items, location).
SCHEMA_15_0_1 = {
    "type": "object", "required": ["scan", "version", "vulnerabilities"],
    "properties": {
        "version": {"type": "string", "pattern": r"^[0-9]+\.[0-9]+\.[0-9]+$"},
        "schema": {"type": "string", "pattern": "^https?://.+"},
        "scan": {"type": "object", "required": ["analyzer", "end_time", "scanner", "start_time", "status", "type"],
                 "properties": {"analyzer": _TOOL, "scanner": _TOOL, "start_time": _TIME, "end_time": _TIME,
                                "status": {"enum": ["success", "failure"]}, "type": {"enum": ["sast"]},
                                "primary_identifiers": {"type": "array", "items": _ID},
                                "messages": {"type": "array", "items": {
                                    "type": "object", "required": ["level", "value"], "properties": {
                                        "level": {"enum": ["info", "warn", "fatal"]},
                                        "value": {"type": "string", "minLength": 1}}}}}},
        "vulnerabilities": {"type": "array", "items": {
            "type": "object", "required": ["id", "identifiers", "location"],
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "name": {"type": "string", "maxLength": 255},
                "description": {"type": "string", "maxLength": 1048576},
                "solution": {"type": "string", "maxLength": 7000},
                "severity": {"enum": ["Info", "Unknown", "Low", "Medium", "High", "Critical"]},
                "identifiers": {"type": "array", "minItems": 1, "items": _ID},
                "links": {"type": "array", "items": {"type": "object", "required": ["url"], "properties": {
                    "url": {"type": "string", "pattern": "^https?://.+"}}}},
                "location": {"type": "object", "additionalProperties": False,
                             "properties": {**_LINE_KEYS, "class": {"type": "string"}, "method": {"type": "string"}}},
                "tracking": {"type": "object", "required": ["items"], "properties": {
                    "type": {"const": "source"},
                    "items": {"type": "array", "items": {
                        "type": "object", "required": ["signatures"], "additionalProperties": False,
                        "properties": {**_LINE_KEYS, "signatures": {"type": "array", "minItems": 1, "items": {
                            "type": "object", "required": ["algorithm", "value"], "properties": {
                                "algorithm": {"type": "string"}, "value": {"type": "string"}}}}}}}}},
            }}},
    },
}


def official_schema() -> dict:
    return json.loads((SCHEMAS / "gitlab-sast-report-format-15.2.4.json").read_bytes())


def errors(schema: dict, report: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(report)]


def test_vendored_schema_is_the_official_15_2_4():
    data = (SCHEMAS / "gitlab-sast-report-format-15.2.4.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == SCHEMA_SHA256
    assert json.loads(data)["self"]["version"] == "15.2.4"


def test_report_validates_against_official_schema_and_declared_version_rules(mixed_report):
    report = json.loads(gitlab_sast.render(mixed_report))
    assert errors(official_schema(), report) == []
    assert errors(SCHEMA_15_0_1, report) == []
    assert report["version"] == "15.0.1" == gitlab_sast.DEFAULT_SCHEMA_VERSION
    assert report["schema"].endswith("/v15.0.1/dist/sast-report-format.json")
    assert len(report["vulnerabilities"]) == 5


def test_oracles_reject_what_gitlab_would_reject(mixed_report):
    """The schemas are not vacuous: each mistake below is caught."""
    good = gitlab_sast.build(mixed_report)
    broken = json.loads(json.dumps(good))
    broken["vulnerabilities"][0]["severity"] = "high"
    broken["scan"]["start_time"] = "2026-11-23T05:00:00Z"
    broken["vulnerabilities"][1]["tracking"]["items"][0]["line_start"] = 4
    found = errors(SCHEMA_15_0_1, broken)
    assert len(found) == 3
    assert len(errors(official_schema(), broken)) == 2  # 15.2.4 does not close tracking items


def test_empty_scan_is_valid(make_report):
    report = json.loads(gitlab_sast.render(make_report()))
    assert report["vulnerabilities"] == []
    assert errors(official_schema(), report) == [] and errors(SCHEMA_15_0_1, report) == []


def test_schema_version_is_a_parameter(mixed_report):
    report = gitlab_sast.build(mixed_report, "15.1.4")
    assert report["version"] == "15.1.4" and "/v15.1.4/" in report["schema"]
    assert errors(official_schema(), report) == []
    for wrong in ("14.1.0", "15.1", "16.0.0", "latest", "15.99.0", "15.3.0", "15.0.0", "15.01.1", "15.1.04"):
        with pytest.raises(ValueError):
            gitlab_sast.build(mixed_report, wrong)


def test_primary_identifiers_list_every_policy_evaluated(mixed_report):
    report = gitlab_sast.build(mixed_report)
    listed = report["scan"]["primary_identifiers"]
    assert [i["value"] for i in listed] == sorted(p.id for p in mixed_report.result.policies)
    for vulnerability in report["vulnerabilities"]:
        assert vulnerability["identifiers"][0] in listed


def test_ids_are_uuid5_of_the_line_free_key_and_survive_line_moves(make_finding, make_report):
    finding = make_finding(line=3)
    moved = dataclasses.replace(finding, line=40)
    first = gitlab_sast.build(make_report([finding]))["vulnerabilities"][0]
    second = gitlab_sast.build(make_report([moved]))["vulnerabilities"][0]
    assert first["id"] == second["id"] == str(uuid.uuid5(gitlab_sast.NAMESPACE, finding.fingerprint))
    assert uuid.UUID(first["id"]).version == 5
    assert first["tracking"]["items"][0]["signatures"] == second["tracking"]["items"][0]["signatures"]
    other = gitlab_sast.build(make_report([make_finding(address="azurerm_storage_account.other")]))
    assert other["vulnerabilities"][0]["id"] != first["id"]


def test_ids_stay_unique_when_a_key_repeats(make_finding, make_report):
    twice = [make_finding(line=3), make_finding(line=9)]
    vulnerabilities = gitlab_sast.build(make_report(twice))["vulnerabilities"]
    assert len({v["id"] for v in vulnerabilities}) == 2
    values = [v["tracking"]["items"][0]["signatures"][0]["value"] for v in vulnerabilities]
    assert values == ["infra/main.tf|azurerm_storage_account.logs|customer_managed_key:0",
                      "infra/main.tf|azurerm_storage_account.logs|customer_managed_key:1"]


def test_severity_location_and_solution(mixed_report):
    vulnerabilities = gitlab_sast.build(mixed_report)["vulnerabilities"]
    by_rule = {(v["identifiers"][0]["value"], v["severity"]): v for v in vulnerabilities}
    assert set(by_rule) == {("CMK-001", "High"), ("RES-001", "High"), ("EXIT-008", "Low"),
                            ("WL-001", "High"), ("RES-001", "Unknown")}
    cmk = by_rule[("CMK-001", "High")]
    assert cmk["location"] == {"file": "infra/main.tf", "start_line": 3, "end_line": 3}
    assert cmk["solution"] and cmk["solution"] in " ".join(mixed_report.policies_by_id["CMK-001"].remediation.values())
    assert cmk["name"] == mixed_report.policies_by_id["CMK-001"].title
    assert "audit mode" in by_rule[("EXIT-008", "Low")]["description"]   # medium, but audit mode
    assert "unresolved" in by_rule[("RES-001", "Unknown")]["description"]


def test_unresolved_checks_only_when_asked(mixed_report):
    hidden = dataclasses.replace(mixed_report, show_unresolved=False)
    assert [v["severity"] for v in gitlab_sast.build(hidden)["vulnerabilities"]].count("Unknown") == 0
    messages = gitlab_sast.build(hidden)["scan"]["messages"]
    assert {"level": "info", "value": "1 check could not be decided statically"} in messages
    assert {"level": "warn", "value": "infra/broken.tf:1: not parsed: unexpected end of file"} in messages


def test_times_come_from_the_report_never_the_clock(mixed_report):
    assert gitlab_sast.build(mixed_report)["scan"]["start_time"] == "1970-01-01T00:00:00"
    timed = dataclasses.replace(mixed_report, started="2026-11-23T06:00:00.123+01:00", finished="2026-11-23T05:00:02Z")
    scan = gitlab_sast.build(timed)["scan"]
    assert (scan["start_time"], scan["end_time"]) == ("2026-11-23T05:00:00", "2026-11-23T05:00:02")
    assert gitlab_sast.render(mixed_report) == gitlab_sast.render(mixed_report)


def test_registered_and_scans_real_files(write, run_scan):
    root = write({"infra/main.tf": 'resource "azurerm_storage_account" "logs" {\n  location = "eastus"\n}\n'})
    report = json.loads(FORMATTERS["gitlab-sast"](Report(run_scan(root), 1)))
    assert errors(official_schema(), report) == [] and errors(SCHEMA_15_0_1, report) == []
    files = {v["location"]["file"] for v in report["vulnerabilities"]}
    assert files and all(re.fullmatch(r"[^/].*main\.tf", f) for f in files)


def test_waived_findings_only_with_include_suppressed(waived_report):
    report = gitlab_sast.build(waived_report)
    assert errors(official_schema(), report) == [] and errors(SCHEMA_15_0_1, report) == []
    waived = [v for v in report["vulnerabilities"] if v["identifiers"][0]["value"] == "RES-001"]
    assert len(waived) == 1 and "accepted until the migration" in waived[0]["description"]
    assert waived[0]["details"]["suppression"]["value"] == "accepted until the migration"
    hidden = gitlab_sast.build(dataclasses.replace(waived_report, include_suppressed=False))
    assert [v["identifiers"][0]["value"] for v in hidden["vulnerabilities"]] == ["CMK-001"]


def test_a_note_is_info_whatever_its_policy_severity(make_finding, make_report):
    """A finding lowered to a note (in demonstration code) must not block a merge request through a security
    policy on High findings while sovscan's own gate lets it pass."""
    note = dataclasses.replace(make_finding("CMK-001", path="examples/main.tf"), level="note")
    (vulnerability,) = gitlab_sast.build(make_report([note]))["vulnerabilities"]
    assert vulnerability["severity"] == "Info"


@pytest.mark.parametrize("policy, level, mode, waived, expected", [
    ("CMK-001", "error", "deny", False, "High"),        # high, at error
    ("SEC-001", "error", "deny", False, "Critical"),    # critical
    ("HAVEN-003", "error", "deny", False, "High"),      # medium, but it fails the run
    ("CMK-001", "warning", "deny", False, "Medium"),    # high, but a warning passes --fail-on error
    ("CMK-001", "warning", "audit", False, "Low"),
    ("CMK-001", "error", "deny", True, "Info"),         # waived
])
def test_severity_is_held_to_the_level_sovscan_gives(make_finding, make_report, policy, level, mode, waived, expected):
    finding = dataclasses.replace(make_finding(policy), level=level, mode=mode)
    if waived:
        finding = dataclasses.replace(finding, suppression=Suppression("inSource", "accepted"))
    (vulnerability,) = gitlab_sast.build(make_report([finding], include_suppressed=True))["vulnerabilities"]
    assert vulnerability["severity"] == expected
