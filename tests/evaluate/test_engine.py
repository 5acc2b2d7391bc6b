from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from scanner.config import Config
from scanner.errors import PolicyError
from scanner.evaluate import policies as policy_module
from scanner.evaluate import selection
from scanner.evaluate.engine import evaluate
from scanner.evaluate.fingerprint import finding_key
from scanner.evaluate.predicates import PREDICATES
from scanner.model.resource import Model, Resource
from scanner.model.values import Unknown

POLICY = """\
id: CUS-001
title: Things are tidy
family: custom
severity: medium
rationale: Tidy things are easier to audit later on.
remediation: Make the thing tidy.
references: {}
input: terraform
checks:
  - match: {terraform: [x_thing]}
    assert:
      %s
"""


def policy(tmp_path: Path, assertion: str):
    folder = tmp_path / "custom"
    folder.mkdir(exist_ok=True)
    path = folder / "CUS-001.yaml"
    path.write_text(POLICY % assertion)
    return policy_module.load_file(path)


def resource(values: dict, **kwargs) -> Resource:
    return Resource("terraform", "x_thing", "x_thing.a", "main.tf", 3, values, {k: 4 for k in values}, **kwargs)


def outcome(tmp_path, assertion: str, values: dict, **kwargs) -> tuple[int, int, int]:
    result = evaluate(Model([resource(values, **kwargs)]), [policy(tmp_path, assertion)], Config(), datetime.date(2026, 1, 1))
    return len(result.findings), result.passes, len(result.unresolved)


@pytest.mark.parametrize("assertion, values, expected", [
    ("{path: tier, op: equals, value: Standard}", {"tier": "standard"}, (0, 1, 0)),
    ("{path: tier, op: equals, value: Standard}", {"tier": "Free"}, (1, 0, 0)),
    ("{path: tier, op: equals, value: Standard}", {}, (1, 0, 0)),
    ("{path: tier, op: equals, value: Standard}", {"tier": Unknown("var.tier")}, (0, 0, 1)),
    ("{path: key, op: exists}", {"key": Unknown("var.key")}, (0, 0, 1)),
    ("{path: key, op: exists}", {"key": Unknown("k.arn", refers_to="aws_kms_key.k")}, (0, 1, 0)),
    ("{path: key, op: absent}", {"key": None}, (0, 1, 0)),
    ("{any: [{path: a, op: truthy}, {path: b, op: truthy}]}", {"a": False, "b": Unknown("var.b")}, (0, 0, 1)),
    ("{any: [{path: a, op: truthy}, {path: b, op: truthy}]}", {"a": True, "b": Unknown("var.b")}, (0, 1, 0)),
    ("{all: [{path: a, op: truthy}, {path: b, op: truthy}]}", {"a": False, "b": Unknown("var.b")}, (1, 0, 0)),
    ("{not: {path: a, op: truthy}}", {"a": Unknown("var.a")}, (0, 0, 1)),
    ("{path: n, op: ge, value: 3}", {"n": 2}, (1, 0, 0)),
    ("{path: n, op: ge, value: 3}", {"n": "3"}, (0, 1, 0)),
    ("{path: rule.action, op: in, value: [Deny]}", {"rule": [{"action": "Deny"}, {"action": "Allow"}]}, (1, 0, 0)),
])
def test_three_valued_conditions(tmp_path, assertion, values, expected):
    assert outcome(tmp_path, assertion, values) == expected


def test_fingerprint_ignores_lines_and_changes_with_identity():
    key = finding_key("CMK-001", "infra/main.tf", "azurerm_storage_account.a", "customer_managed_key")
    assert key == finding_key("CMK-001", "infra\\main.tf", "azurerm_storage_account.a", "customer_managed_key")
    assert key != finding_key("CMK-001", "infra/main.tf", "azurerm_storage_account.b", "customer_managed_key")
    assert key != finding_key("CMK-002", "infra/main.tf", "azurerm_storage_account.a", "customer_managed_key")


def test_fingerprints_survive_inserted_lines(write, run_scan, tmp_path):
    body = 'resource "azurerm_storage_account" "a" {\n  location = "eastus"\n}\n'
    before = run_scan(write({"main.tf": body}, tmp_path / "one"), only=("RES-001",))
    after = run_scan(write({"main.tf": "\n\n# moved\n\n" + body}, tmp_path / "two"), only=("RES-001",))
    assert [f.fingerprint for f in before.findings] == [f.fingerprint for f in after.findings]
    assert [f.line for f in before.findings] == [2] and [f.line for f in after.findings] == [6]


POD = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: registry.example/app:1
      securityContext:
        capabilities:
          add:
%s"""


def test_a_capability_inserted_above_keeps_the_finding_on_another(write, run_scan, tmp_path):
    """A plain list item is named by its value: the finding keeps its fingerprint, its line moves."""
    before = run_scan(write({"pod.yaml": POD % "            - NET_ADMIN\n"}, tmp_path / "one"), only=("WL-004",))
    after = run_scan(write({"pod.yaml": POD % "            - CHOWN\n            - NET_ADMIN\n"}, tmp_path / "two"),
                     only=("WL-004",))
    assert [f.fingerprint for f in before.findings] == [f.fingerprint for f in after.findings]
    assert [(f.line, f.attribute) for f in after.findings] == [
        (12, "spec.containers[name=app].securityContext.capabilities.add[=NET_ADMIN]")]
    assert [f.line for f in before.findings] == [11]
    # the message says where the capability is now, as the line does
    assert [f.message.rsplit(": ", 1)[1] for f in before.findings + after.findings] == [
        "spec.containers[name=app].securityContext.capabilities.add[0] = NET_ADMIN",
        "spec.containers[name=app].securityContext.capabilities.add[1] = NET_ADMIN"]


def test_a_repeated_capability_or_a_script_is_named_by_its_place(write, run_scan, tmp_path):
    """A value two items share names neither; nor does a value longer than a name (a script, a long path): the
    key would carry it, and change with each edit of it."""
    twice = run_scan(write({"pod.yaml": POD % "            - NET_ADMIN\n            - NET_ADMIN\n"}, tmp_path / "one"),
                     only=("WL-004",))
    assert [f.attribute.rsplit(".", 1)[1] for f in twice.findings] == ["add[0]"]   # the first that fails
    long = "--token-auth-file=/etc/kubernetes/pki/static-tokens/" + "a" * 20 + ".csv"     # 77 characters
    pod = POD.replace("      securityContext:", f"      command: [kube-apiserver, --v=2, {long}]\n"
                                               "    - name: side\n      image: registry.example/side:1\n"
                                               "      args: [--v=2, --anonymous-auth=true]\n"
                                               "      securityContext:") % "            - CHOWN\n"
    found = run_scan(write({"pod.yaml": pod}, tmp_path / "two"), only=("WL-023",)).findings
    # a flag with its value keeps its place too: a value after `=` may be a secret, and reports print a key in full
    assert [f.attribute for f in found] == ["spec.containers[name=app].command[2]",
                                            "spec.containers[name=side].args[1]"]


def test_audit_mode_reports_but_does_not_fail(write, run_scan):
    root = write({"main.tf": 'resource "azurerm_storage_account" "a" {\n  location = "eastus"\n}\n'})
    config = Config(enforcement={"residency": ("audit", None)})
    result = run_scan(root, only=("RES-001",), config=config)
    assert [(f.mode, f.level) for f in result.findings] == [("audit", "warning")]
    assert result.exit_code("error") == 0
    promoted = Config(enforcement={"residency": ("audit", datetime.date(2026, 1, 1))})
    assert run_scan(root, only=("RES-001",), config=promoted).exit_code("error") == 1
    off = Config(enforcement={"RES-001": ("off", None)})
    assert run_scan(root, only=("RES-001",), config=off).findings == []


@pytest.mark.parametrize("change, message", [
    (("severity: medium", "severity: urgent"), "CUS-001.yaml:4: severity: 'urgent' is not one of"),
    (("input: terraform", "input: terraform\ncolour: red"), "CUS-001.yaml:1: (top level): unknown key ('colour' was unexpected)"),
    (("{path: a, op: exists}", "{path: a, op: equal}"), "CUS-001.yaml:12: checks[0].assert.op: 'equal' is not one of"),
    (("{path: a, op: exists}", "{predicate: no_such_thing}"), "CUS-001.yaml:12: checks[0].assert.predicate: 'no_such_thing' is not one of"),
    (("id: CUS-001", "id: CUS-002"), "CUS-001.yaml:1: id: 'CUS-002' does not match the file name 'CUS-001'"),
    (("title: Things are tidy", "title: [unclosed"), "CUS-001.yaml:3: policy file is not valid YAML"),
    (("severity: medium", "severity: medium\nseverity: low"),   # PyYAML kept the last, silently
     "CUS-001.yaml:5: the key 'severity' is given twice (also on line 4)"),
    (("references: {}", "references: &r {x: *r}"), "CUS-001.yaml: policy file refers to itself"),
    (("references: {}", "references: {x: &a [x, x, x, x, x, x, x, x, x], " + ", ".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)) + "}"),
     "CUS-001.yaml: policy file has more than 100000 values"),
])
def test_broken_policy_files_name_file_line_and_field(tmp_path, change, message):
    folder = tmp_path / "custom"
    folder.mkdir()
    text = (POLICY % "{path: a, op: exists}").replace(*change)
    (folder / "CUS-001.yaml").write_text(text)
    with pytest.raises(PolicyError) as err:
        policy_module.load_file(folder / "CUS-001.yaml")
    assert message in str(err.value)


def test_select_by_family_and_id(catalogue):
    chosen = selection.select(catalogue, ("cmk", "RES-001"), ("CMK-005",))
    assert {p.id for p in chosen} >= {"CMK-001", "RES-001"}
    assert "CMK-005" not in {p.id for p in chosen} and all(p.family == "cmk" or p.id == "RES-001" for p in chosen)
    with pytest.raises(PolicyError):
        selection.select(catalogue, ("nonsense",))


def test_parts_that_fail_on_one_attribute_are_one_finding_saying_both(write, run_scan):
    """A Key Vault in eastus is outside the EU itself, and its paired region is too: the finding says both,
    the first part first (only the last one used to survive)."""
    root = write({"main.tf": 'resource "azurerm_key_vault" "kv" {\n  name = "kv"\n  location = "eastus"\n'
                             '  resource_group_name = "rg"\n  tenant_id = "t"\n  sku_name = "premium"\n}\n'})
    (finding,) = run_scan(root, only=("CMK-007",)).findings
    assert (finding.line, finding.message) == (3, "azurerm_key_vault.kv keeps keys outside the allowed regions: "
                                                  "eastus (US, tier third-country) is outside the allowed tier eu; "
                                                  "replicates to the paired region westus (US, tier third-country), "
                                                  "outside the allowed tier eu")


def test_a_managed_hsm_is_judged_by_its_own_region_not_the_paired_one(write, run_scan):
    """A Key Vault replicates to the paired region; a managed HSM stays in its own (CMK-007)."""
    root = write({"main.tf": 'resource "azurerm_key_vault" "kv" {\n  location = "westeurope"\n}\n'
                             'resource "azurerm_key_vault_managed_hardware_security_module" "hsm" {\n'
                             '  location = "westeurope"\n}\n'})
    result = run_scan(root, only=("CMK-007",), config=Config(deny_regions=("northeurope",)))
    assert [(f.address, f.message.split(": ", 1)[1]) for f in result.findings] == [
        ("azurerm_key_vault.kv", "replicates to the paired region northeurope (IE, tier eu), on the configured deny list")]
    assert result.passes == 1


def test_a_value_only_the_callers_argument_decides_is_reported_where_the_caller_wrote_it(write, run_scan):
    module = ('variable "location" {}\nvariable "zone" {}\nlocals {\n  location = lower(var.location)\n}\n'
              'resource "azurerm_storage_account" "one" {\n  location = local.location\n}\n'
              'resource "azurerm_storage_account" "two" {\n  location = "${var.zone}eastus"\n}\n')
    root = write({"m/main.tf": module,
                  "main.tf": 'module "m" {\n  source   = "./m"\n  location = "EastUS"\n  zone     = ""\n}\n'})
    findings = run_scan(root, only=("RES-001",)).findings
    assert [(f.path, f.line, f.address, f.message.endswith("(passed to m/main.tf:7)")) for f in findings] == [
        ("m/main.tf", 10, "module.m.azurerm_storage_account.two", False),   # the module's own literal decides
        ("main.tf", 3, "module.m.azurerm_storage_account.one", True),
    ]


def test_a_block_a_dynamic_for_each_leaves_out_names_what_decided_it(write, run_scan):
    root = write({"main.tf": 'variable "kms_enabled" {\n  default = false\n}\n'
                             'resource "azurerm_kubernetes_cluster" "c" {\n  name     = "c"\n  location = "westeurope"\n'
                             '  dynamic "key_management_service" {\n    for_each = var.kms_enabled ? ["x"] : []\n'
                             '    content {\n      key_vault_key_id = "k"\n    }\n  }\n}\n'})
    findings = run_scan(root, only=("CMK-005",)).findings
    assert [(f.path, f.line, f.message.endswith("is not set (set in main.tf:2)")) for f in findings] == [
        ("main.tf", 7, True)]
    assert [role for _, _, role in findings[0].chain] == ["attribute", "default"]


def test_a_policys_checks_that_hold_on_one_resource_are_one_record(write, run_scan):
    """SEC-002 checks every text file four times: a 50,000-file tree held 200,000 records of its passes."""
    result = run_scan(write({"notes.md": "nothing secret\n", "other.txt": "nor here\n"}), only=("SEC-002",))
    by_file: dict = {}
    for passed in result.passed:
        by_file.setdefault(passed.path, []).append(passed)
    assert sorted(by_file) == ["notes.md", "other.txt"]
    for passes in by_file.values():
        assert len(passes) == 4 and all(p is passes[0] for p in passes)
    assert result.checks == 8 and result.passes == 8


def test_each_candidate_failing_names_the_one_the_detail_is_about(write, run_scan):
    """A storage account in one of several US regions replicates to a paired region outside the EU from each:
    the detail is the first candidate's (eastus pairs with westus), so the message says which candidate that
    is, not only the list (eastus2 pairs with centralus, not westus). A detail that names its candidate
    (the location itself) needs no such note."""
    root = write({"main.tf": 'locals {\n  regions = ["eastus", "eastus2"]\n}\n'
                             'resource "random_integer" "i" {\n  min = 0\n  max = 1\n}\n'
                             'resource "azurerm_storage_account" "sa" {\n  name = "sa"\n'
                             '  location = local.regions[random_integer.i.result]\n'
                             '  account_replication_type = "GRS"\n}\n'})
    result = run_scan(root, only=("RES-001", "RES-005"))
    messages = {f.policy_id: f.message.split(": ", 1)[1] for f in result.findings}
    assert messages["RES-005"] == ("replicates to the paired region westus (US, tier third-country), outside the "
                                   "allowed tier eu (for eastus; it is one of eastus or eastus2, and each fails)")
    assert messages["RES-001"] == ("eastus (US, tier third-country) is outside the allowed tier eu "
                                   "(it is one of eastus or eastus2, and each fails) (set in main.tf:2)")
