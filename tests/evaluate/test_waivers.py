from __future__ import annotations

import datetime

from scanner.config import Config, ConfigWaiver
from scanner.parse.directives import read

US_RG = 'resource "azurerm_resource_group" "{name}" {{\n  location = "eastus"\n}}\n'


def test_directives_are_read_with_reason_and_expiry():
    own, foreign = read("main.tf", '# sovscan:ignore RES-001,CMK-001 reason="pilot in US" until=2027-01-31\n'
                                   'x = 1 # checkov:skip=CKV_AZURE_1:legacy\n# sovscan:ignore RES-001 until=soon\n')
    assert own[0].rules == ("RES-001", "CMK-001") and own[0].reason == "pilot in US"
    assert own[0].until == datetime.date(2027, 1, 31) and own[0].line == 1
    assert own[1].problem == "until=soon is not a date (YYYY-MM-DD)"
    assert [(f.line, f.text) for f in foreign] == [(2, "checkov:skip=CKV_AZURE_1:legacy")]


def test_inline_waiver_on_the_resource_header_suppresses(write, run_scan):
    root = write({"main.tf": '# sovscan:ignore RES-001 reason="US pilot, approved by CISO" until=2027-06-30\n' + US_RG.format(name="a")
                  + US_RG.format(name="b")})
    result = run_scan(root, only=("RES-001",))
    assert [(f.address, f.suppression.kind if f.suppression else None) for f in result.findings] == [
        ("azurerm_resource_group.a", "inSource"), ("azurerm_resource_group.b", None)]
    assert result.exit_code("error") == 1 and len(result.active) == 1


def test_expired_or_reasonless_waiver_is_a_finding_again(write, run_scan):
    root = write({"main.tf": '# sovscan:ignore RES-001 reason="temporary" until=2026-01-01\n' + US_RG.format(name="a")
                  + '# sovscan:ignore RES-001\n' + US_RG.format(name="b")})
    result = run_scan(root, only=("RES-001",))
    assert all(f.active for f in result.findings) and len(result.findings) == 2
    assert [n.message for n in result.waiver_problems] == [
        "waiver for RES-001 expired on 2026-01-01: the finding is active again",
        'waiver for RES-001 has no reason="...": it suppresses nothing']


def test_unused_waiver_and_foreign_comments_are_listed(write, run_scan):
    root = write({"main.tf": '# sovscan:ignore CMK-001 reason="x"\nresource "azurerm_resource_group" "ok" {\n'
                             '  location = "westeurope" # checkov:skip=CKV_X:y\n}\n'})
    result = run_scan(root, only=("RES-001",))
    assert [n.message for n in result.waiver_problems] == ["waiver for CMK-001 matches no finding (unused)"]
    assert [n.line for n in result.migration] == [3]


def test_a_rule_of_a_comment_naming_several_that_matches_nothing_is_listed_as_unused(write, run_scan):
    """`CMK-001,RES-001` waives RES-001 here; CMK-001 matches nothing there and is said to, as a comment of its own
    would be (a resource group has no key to manage)."""
    root = write({"main.tf": '# sovscan:ignore RES-001,CMK-001 reason="temporary" until=2027-02-01\n'
                             + US_RG.format(name="a")})
    result = run_scan(root, only=("RES-001", "CMK-001"))
    assert [(f.address, f.suppression.kind if f.suppression else None) for f in result.findings] == [
        ("azurerm_resource_group.a", "inSource")]
    assert [(n.path, n.line, n.message) for n in result.waiver_problems] == [
        ("main.tf", 1, "waiver for RES-001,CMK-001: CMK-001 matches no finding here (unused)")]


def test_yaml_comment_waiver(write, run_scan):
    root = write({"k.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
                            "stringData: # sovscan:ignore SEC-010 reason=\"test fixture, not a real secret\" until=2027-06-30\n"
                            "  password: hunter2\n"})
    result = run_scan(root, only=("SEC-010",))
    assert [f.suppression.justification for f in result.findings] == ["test fixture, not a real secret"]


def test_module_block_waiver_covers_that_instance_only(write, run_scan):
    root = write({
        "main.tf": '# sovscan:ignore RES-001 reason="legacy US estate" until=2027-06-30\nmodule "legacy" {\n  source = "./m"\n}\n'
                   'module "fresh" {\n  source = "./m"\n}\n',
        "m/main.tf": US_RG.format(name="rg"),
    })
    result = run_scan(root, only=("RES-001",))
    assert [(f.address, f.active) for f in result.findings] == [
        ("module.fresh.azurerm_resource_group.rg", True), ("module.legacy.azurerm_resource_group.rg", False)]


def test_a_module_block_waiver_in_a_shared_module_covers_every_instance_of_the_block(write, run_scan):
    """The waived block sits in modules/net, which two roots call: both instances are waived, and both
    instances of a for_each block."""
    result = run_scan(write({
        "modules/net/main.tf": '# sovscan:ignore RES-001 reason="legacy US estate" until=2027-06-30\n'
                               'module "inner" {\n  source = "../inner"\n}\n',
        "modules/inner/main.tf": 'resource "azurerm_resource_group" "rg" {\n  location = "eastus"\n}\n',
        "envs/dev/main.tf": 'module "net_dev" {\n  source = "../../modules/net"\n}\n',
        "envs/prod/main.tf": '# sovscan:ignore RES-001 reason="legacy US estate" until=2027-06-30\n'
                             'module "net" {\n  for_each = toset(["a", "b"])\n  source = "../../modules/net"\n}\n'}),
        only=("RES-001",))
    waived = sorted((address, f.suppression is not None) for f in result.findings
                    for address in (f.address,) + f.instances)     # one line's findings are grouped
    assert waived == [('module.net["a"].module.inner.azurerm_resource_group.rg', True),
                      ('module.net["b"].module.inner.azurerm_resource_group.rg', True),
                      ("module.net_dev.module.inner.azurerm_resource_group.rg", True)]


def test_central_waivers_with_owner_and_expiry(write, run_scan):
    root = write({"main.tf": US_RG.format(name="a") + US_RG.format(name="b")})
    config = Config(waivers=(
        ConfigWaiver("RES-001", "azurerm_resource_group.a", reason="DR site", owner="platform",
                     expires=datetime.date(2027, 6, 30)),
        ConfigWaiver("RES-001", "azurerm_resource_group.b", reason="old", owner="x", expires=datetime.date(2025, 1, 1)),
    ))
    result = run_scan(root, only=("RES-001",), config=config)
    assert [(f.address, f.suppression.owner if f.suppression else None) for f in result.findings] == [
        ("azurerm_resource_group.a", "platform"), ("azurerm_resource_group.b", None)]
    assert "expired on 2025-01-01" in result.waiver_problems[0].message


def test_a_fingerprint_recorded_under_an_earlier_id_matches_module_code_two_roots_deploy(write, run_scan):
    """Module code two roots deploy is fingerprinted with its root; an entry that gives only the fingerprint the
    rule's earlier id (an alias: HAVEN-019 for WL-024) had there still matches the finding of that root."""
    from scanner.evaluate import waivers
    from scanner.evaluate.fingerprint import attribute_in_root, finding_key
    root = write({"modules/aks/main.tf": 'resource "azurerm_kubernetes_cluster" "aks" {\n  name = "aks"\n}\n',
                  "envs/a/main.tf": 'module "aks" {\n  source = "../../modules/aks"\n}\n',
                  "envs/b/main.tf": 'module "aks" {\n  source = "../../modules/aks"\n}\n'})
    result = run_scan(root, only=("WL-024",))
    (finding,) = [f for f in result.findings if f.attribute == "local_account_disabled"]
    in_root = attribute_in_root(finding.attribute, finding.root)
    assert finding.fingerprint == finding_key("WL-024", finding.path, finding.address, in_root)
    recorded = finding_key("HAVEN-019", finding.path, finding.address, in_root)
    again = waivers.apply_baseline(result, [{"fingerprint": recorded, "rule": "HAVEN-019"}])
    assert [f.suppression.justification for f in again.findings if f.suppression is not None] == ["in the baseline"]
    assert again.stale_baseline == []
