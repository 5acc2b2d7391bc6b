"""The counts every format shares add up: per policy, per family and per control, to the run's checks."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from scanner.evaluate.result import Suppression
from scanner.report import tally


def test_outcomes_add_up_to_the_checks_on_the_examples(run_scan, catalogue):
    result = run_scan(Path(__file__).resolve().parents[2] / "examples")
    per_policy = tally.by_policy(result)
    assert set(per_policy) == {p.id for p in result.policies}
    total = sum(per_policy.values(), tally.Tally())
    assert total.checks == result.checks
    assert (total.passed, total.failed, total.unresolved) == (result.passes, len(result.active), len(result.unresolved))
    families = tally.by_family(result.policies, per_policy)
    assert sum(families.values(), tally.Tally()) == total


def test_waived_findings_count_as_waived_not_failed(make_finding, make_report):
    waived = dataclasses.replace(make_finding("RES-001"), suppression=Suppression("inSource", "moving"))
    report = make_report([make_finding(), waived])
    counts = tally.by_policy(report.result)
    assert counts["CMK-001"] == tally.Tally(passed=7, failed=1)
    assert counts["RES-001"] == tally.Tally(waived=1)


def test_control_coverage_sums_the_policies_that_map_to_it(make_finding, make_report, catalogue):
    report = make_report([make_finding()])
    iso, sov = tally.controls(report.result.policies, tally.by_policy(report.result), "en")
    crypto = next(c for c in iso if c.id == "8.24")
    assert crypto.title == "Use of cryptography" and "CMK-001" in crypto.policies
    assert crypto.tally.failed == 1 and crypto.tally.passed == 7
    assert [c.id for c in sov] == sorted((c.id for c in sov), key=lambda ref: tally._sov_order(ref))
    assert next(c for c in sov if c.id == "SOV-3.1").title.startswith("SOV-3 Data & AI Sovereignty, criterion 1")


def test_one_target_per_policy_and_resource(make_finding, make_report):
    report = make_report([make_finding(), make_finding(line=9, attribute="other")])
    targets = tally.targets(report.result)
    logs = [t for t in targets if t.address == "azurerm_storage_account.logs"]
    assert len(logs) == 1 and len(logs[0].findings) == 2
    assert len([t for t in targets if t.passed]) == 7


def test_outcomes_add_up_to_the_run_checks_when_roots_share_a_module(write, run_scan):
    """A module two roots call the same way gives one finding (its instances listed once); the run counts its
    checks as they are shown, so passes, findings and unresolved checks add up to them in every report."""
    module = ('variable "where" {\n  default = "eastus"\n}\n'
              'resource "azurerm_resource_group" "rg" {\n  location = var.where\n}\n'
              'resource "azurerm_resource_group" "more" {\n  count = 2\n  location = "eastus"\n}\n')
    call = 'module "app" {\n  source = "../../modules/app"\n}\n'
    root = write({"modules/app/main.tf": module, "envs/a/main.tf": call, "envs/b/main.tf": call})
    result = run_scan(root)
    # the default is reported at each root's call; the counted resource once for both roots, its instances listed
    assert [(f.path, f.address, f.instances) for f in result.findings if f.policy_id == "RES-001"] == [
        ("envs/a/main.tf", "module.app.azurerm_resource_group.rg", ()),
        ("envs/b/main.tf", "module.app.azurerm_resource_group.rg", ()),
        ("modules/app/main.tf", "module.app.azurerm_resource_group.more[0]", ("module.app.azurerm_resource_group.more[1]",))]
    counted = tally.by_policy(result)
    assert counted["RES-001"].failed == 4
    assert sum(t.checks for t in counted.values()) == result.checks == \
        result.passes + sum(1 + len(f.instances) for f in result.findings + result.unresolved)
