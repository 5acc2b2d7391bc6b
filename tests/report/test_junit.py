from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest

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


def cases_by_rule(root: ET.Element) -> dict[tuple[str, str], ET.Element]:
    """(policy id, case name) -> the case; the classname starts with the policy id."""
    return {(c.get("classname").split()[0], c.get("name")): c for c in root.iter("testcase")}


def test_one_case_per_policy_and_target_passes_included(mixed_report):
    root = parse(junit.render(mixed_report))
    assert root.tag == "testsuites"
    # 7 passing CMK-001 targets, CMK-001 and RES-001 on logs, RES-001 unresolved on aks, EXIT-008 in audit,
    # HAVEN-013 on the pod, and the two input notices
    assert attributes(root) == counts(root) == {"tests": 14, "failures": 3, "errors": 0, "skipped": 4}
    for suite in root.findall("testsuite"):
        assert attributes(suite) == counts(suite)
    pairs = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]
    assert len(set(pairs)) == len(pairs)
    for case in root.iter("testcase"):
        assert sum(case.find(tag) is not None for tag in OUTCOMES) <= 1
    cases = cases_by_rule(root)
    passing = cases[("CMK-001", "azurerm_storage_account.ok3 (main.tf)")]
    assert list(passing) == [] and passing.get("line") == "4"


def test_suites_are_named_after_the_families(mixed_report):
    root = parse(junit.render(mixed_report))
    assert [s.get("name") for s in root.findall("testsuite")] == [
        "sovscan cmk: customer-managed keys", "sovscan exit: exit strategy and portability",
        "sovscan residency: EU residency and sovereignty", "sovscan workload: Kubernetes workload hardening",
        "sovscan inputs"]


def test_failure_carries_message_location_and_fix(mixed_report):
    cases = cases_by_rule(parse(junit.render(mixed_report)))
    failure = cases[("CMK-001", "azurerm_storage_account.logs (infra/main.tf)")].find("failure")
    assert failure.get("type") == "CMK-001"
    assert failure.text.splitlines() == [
        "azurerm_storage_account.logs violates CMK-001", "location: infra/main.tf:3",
        "fix: Add a customer_managed_key block (key_vault_key_id or managed_hsm_key_id) or an "
        "azurerm_storage_account_customer_managed_key resource whose storage_account_id points at this account."]
    skipped = cases[("EXIT-008", "provider.aws (versions.tf)")].find("skipped")
    assert skipped.get("message") == "audit mode (not failing): provider.aws violates EXIT-008"
    unresolved = cases[("RES-001", "azurerm_kubernetes_cluster.aks (infra/aks.tf)")].find("skipped")
    assert unresolved.get("message").startswith("unresolved: ")


@pytest.mark.parametrize("fail_on, failures", [("error", 1), ("warning", 2), ("note", 3), ("never", 0)])
def test_failures_agree_with_fail_on_and_the_exit_code(make_finding, make_report, fail_on, failures):
    findings = [make_finding("CMK-001"), make_finding("CMK-009", address="azurerm_key_vault_key.k",
                                                        resource_type="azurerm_key_vault_key"),
                make_finding("EXIT-002", address="azurerm_mssql_server.db", resource_type="azurerm_mssql_server")]
    assert [f.level for f in findings] == ["error", "warning", "note"]
    report = make_report(findings, fail_on=fail_on)
    root = parse(junit.render(report))
    assert attributes(root)["failures"] == failures
    assert (failures > 0) == (report.result.exit_code(fail_on) == 1)
    if fail_on == "error":
        cases = cases_by_rule(root)
        below = cases[("CMK-009", "azurerm_key_vault_key.k (infra/main.tf)")].find("skipped")
        assert below.get("message") == "warning below --fail-on error (not failing): azurerm_key_vault_key.k violates CMK-009"


def test_an_unreadable_file_is_an_error_only_when_strict_fails_the_run(mixed_report):
    lenient = cases_by_rule(parse(junit.render(mixed_report)))
    assert lenient[("infra/broken.tf", "input file")].find("skipped") is not None
    strict = dataclasses.replace(mixed_report, strict_problems=("1 file could not be read or parsed: infra/broken.tf",))
    error = cases_by_rule(parse(junit.render(strict)))[("infra/broken.tf", "input file")].find("error")
    assert error is not None and error.text == "infra/broken.tf:1: not parsed: unexpected end of file"


def test_bad_characters_do_not_break_the_xml(make_finding, make_report):
    findings = [make_finding(line=3, message='a <b> & "c"\x00\x1b[31m')]
    root = parse(junit.render(make_report(findings)))
    assert root.find(".//failure").get("message").startswith('a <b> & "c"')


def test_empty_scan_lists_the_passes(make_report):
    root = parse(junit.render(make_report()))
    assert attributes(root) == {"tests": 7, "failures": 0, "errors": 0, "skipped": 0}


def test_registered_and_scans_real_files(write, run_scan):
    root = write({"main.tf": 'resource "azurerm_storage_account" "logs" {\n  location = "eastus"\n}\n'})
    tree = parse(FORMATTERS["junit"](Report(run_scan(root), 1)))
    assert attributes(tree) == counts(tree) and counts(tree)["failures"] >= 1


def test_waived_findings_are_skipped_with_the_reason(waived_report):
    root = parse(junit.render(waived_report))
    assert attributes(root) == counts(root) == {"tests": 9, "failures": 1, "errors": 0, "skipped": 1}
    assert root.find(".//skipped").get("message") == \
        "waived (accepted until the migration): azurerm_storage_account.logs violates RES-001"


def test_in_dutch(mixed_report):
    root = parse(junit.render(dataclasses.replace(mixed_report, lang="nl")))
    names = [s.get("name") for s in root.findall("testsuite")]
    assert names[0] == "sovscan cmk: klantbeheerde sleutels" and names[-1] == "sovscan invoer"
    failure = cases_by_rule(root)[("CMK-001", "azurerm_storage_account.logs (infra/main.tf)")].find("failure")
    assert failure.text.splitlines()[1:] == [
        "locatie: infra/main.tf:3",
        "oplossing: Voeg een customer_managed_key-blok toe (key_vault_key_id of managed_hsm_key_id) of een "
        "azurerm_storage_account_customer_managed_key-resource waarvan storage_account_id naar dit account verwijst."]


def test_each_instance_of_a_grouped_finding_names_itself(make_finding, make_report):
    """A finding that stands for several module instances is one case per instance, each naming its own."""
    first = 'module.app["a"].azurerm_storage_account.logs'
    other = 'module.app["b"].azurerm_storage_account.logs'
    finding = dataclasses.replace(make_finding(address=first, message=f"{first} has no customer-managed key"),
                                  instances=(other,), translations=(("nl", f"{first} heeft geen eigen sleutel"),))
    for lang, said in (("en", "has no customer-managed key"), ("nl", "heeft geen eigen sleutel")):
        cases = cases_by_rule(parse(junit.render(make_report([finding], lang=lang))))
        for address in (first, other):
            failure = cases[("CMK-001", f"{address} (infra/main.tf)")].find("failure")
            assert failure.get("message") == f"{address} {said}"
            assert failure.text.splitlines()[0] == f"{address} {said}"
