from __future__ import annotations

import xml.etree.ElementTree as ET

from scanner.report import FORMATTERS, Report, junit

OUTCOMES = ("failure", "error", "skipped")


def parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(text.encode("utf-8"))


def counts(element: ET.Element) -> dict[str, int]:
    cases = list(element.iter("testcase"))
    return {"tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None)}


def attributes(element: ET.Element) -> dict[str, int]:
    return {key: int(element.get(key)) for key in ("tests", "failures", "errors", "skipped")}


def test_counts_match_children_and_names_are_unique(mixed_report):
    root = parse(junit.render(mixed_report))
    assert root.tag == "testsuites"
    assert attributes(root) == counts(root) == {"tests": 7, "failures": 3, "errors": 1, "skipped": 3}
    for suite in root.findall("testsuite"):
        assert attributes(suite) == counts(suite)
    pairs = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]
    assert len(set(pairs)) == len(pairs)
    for case in root.iter("testcase"):
        assert sum(case.find(tag) is not None for tag in OUTCOMES) <= 1


def test_one_suite_per_input_kind_plus_inputs(mixed_report):
    root = parse(junit.render(mixed_report))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["sovscan terraform", "sovscan kubernetes", "sovscan inputs"]
    (k8s,) = suites["sovscan kubernetes"].findall("testcase")
    assert k8s.get("classname") == "k8s/app.yaml.Pod/default/web" and k8s.get("file") == "k8s/app.yaml"
    assert "[WL-001]" in k8s.get("name")
    error = suites["sovscan inputs"].find("testcase/error")
    assert error is not None and "infra/broken.tf:1" in error.text


def test_deny_fails_audit_and_unresolved_are_skipped(mixed_report):
    cases = {(c.get("file"), c.get("name").split("]")[1].strip("[")): c
             for c in parse(junit.render(mixed_report)).iter("testcase") if "][" in c.get("name")}
    failure = cases[("infra/main.tf", "CMK-001")].find("failure")
    assert failure.get("type") == "CMK-001" and "fix:" in failure.text and "infra/main.tf:3" in failure.text
    assert cases[("versions.tf", "EXIT-008")].find("skipped").get("message").startswith("audit mode")
    assert cases[("infra/aks.tf", "RES-001")].find("skipped").get("message").startswith("unresolved")


def test_repeated_names_get_a_number_and_bad_characters_do_not_break_the_xml(make_finding, make_report):
    findings = [make_finding(line=3, message='a <b> & "c"\x00\x1b[31m'), make_finding(line=7)]
    root = parse(junit.render(make_report(findings)))
    names = [c.get("name") for c in root.iter("testcase")]
    assert len(set(names)) == 2 and names[1].endswith("#2")
    assert root.find(".//failure").get("message").startswith('a <b> & "c"')


def test_empty_scan(make_report):
    root = parse(junit.render(make_report()))
    assert attributes(root) == {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}


def test_registered_and_scans_real_files(write, run_scan):
    root = write({"main.tf": 'resource "azurerm_storage_account" "logs" {\n  location = "eastus"\n}\n'})
    tree = parse(FORMATTERS["junit"](Report(run_scan(root), 1)))
    assert attributes(tree) == counts(tree) and counts(tree)["failures"] >= 1


def test_waived_findings_are_skipped(waived_report):
    root = parse(junit.render(waived_report))
    assert attributes(root) == counts(root) == {"tests": 2, "failures": 1, "errors": 0, "skipped": 1}
    assert root.find(".//skipped").get("message").startswith("waived (accepted until the migration)")
