"""Reproducers of what mutation fuzzing found (issue 17): each input once made sovscan exit 3 (a bug), hang,
or silently not judge a file. Exit codes: 0 ok, 1 findings, 2 usage/config/policy error, 3 a bug."""
from __future__ import annotations

import json
import os

import pytest

from scanner import cli

GOOD_TF = 'resource "azurerm_resource_group" "rg" {\n  location = "eastus"\n}\n'
BIG = "9" * 5000          # over Python's 4,300-digit int-string limit
EKS = ('resource "aws_eks_cluster" "c" {{\n  name = "c"\n}}\n'
       'resource "aws_eks_addon" "cni" {{\n  cluster_name = aws_eks_cluster.c.name\n  addon_name = "vpc-cni"\n'
       '  configuration_values = "{config}"\n}}\n')
AKS = ('resource "azurerm_kubernetes_cluster" "k" {{\n  name = "k"\n  kubernetes_version = "{version}"\n'
       '  default_node_pool {{\n    name = "x"\n    node_count = {count}\n  }}\n}}\n')


def _scan(root, *args: str) -> tuple[int, dict]:
    out = root / "out.json"
    code = cli.main(["scan", str(root), "-f", f"json={out}", *args])
    return code, json.loads(out.read_text(encoding="utf-8")) if out.exists() and out.stat().st_size else {}


def _notices(report: dict) -> list[tuple[str, int, str]]:
    return [(n["path"], n["line"], n["message"]) for n in report["notices"]]


def _findings(report: dict, path: str) -> set[str]:
    return {f["policy_id"] for f in report["findings"] if f["path"] == path}


# --- huge numbers --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,text", [
    ("main.tf", f"locals {{\n  a = {BIG}\n}}\n"),
    ("terraform.tfvars", f"a = {BIG}\n"),
    ("main.tf.json", f'{{"locals": {{"a": {BIG}}}}}'),
    ("m.yaml", f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  a: {BIG}\n"),
])
def test_integer_over_4300_digits_is_not_a_bug(write, tmp_path, capsys, name, text):
    root = write({name: text, "good/main.tf": GOOD_TF})
    code, report = _scan(root, "--only", "RES-001")
    assert code == 1 and _findings(report, "good/main.tf") == {"RES-001"} and report["notices"] == []
    assert "internal error" not in capsys.readouterr().err


def test_number_literal_python_cannot_hold_is_unknown_not_infinity(write):
    from scanner.parse.terraform import parse_text
    attributes = parse_text("a.tf", "a = 1e999\nb = 1e-5\nc = -12\n").attributes
    assert attributes["a"].expr.reason == "the number 1e999, which sovscan cannot hold"
    assert (attributes["b"].expr.value, attributes["c"].expr.value) == (1e-5, -12)


# --- nesting ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,text", [
    ("deep.tf", 'resource "a" "b" {\n' + "c {\n" * 3000 + "}\n" * 3000 + "}\n"),
    ("terraform.tfvars", "a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n"),
    ("deep.tf", "a = " + "[" * 3000 + "]" * 3000 + "\n"),
    ("deep.tf.json", '{"locals": {"a": ' + "[" * 5000 + "]" * 5000 + "}}"),
])
def test_deeply_nested_terraform_is_a_notice(write, name, text):
    root = write({name: text, "good/main.tf": GOOD_TF})
    code, report = _scan(root, "--only", "RES-001", "--only", "SEC-004")
    assert code == 1 and _findings(report, "good/main.tf") == {"RES-001"}
    assert [(p, m.split(":")[0]) for p, _, m in _notices(report)] == [(name, "not parsed")]
    assert "nested deeper than" in report["notices"][0]["message"]


@pytest.mark.parametrize("text,reason", [
    ("data: &x [*x]\n", "an alias refers to a value that contains it (a recursive anchor)"),
    ("data: &x {a: *x}\n", "an alias refers to a value that contains it (a recursive anchor)"),
    ("data: " + "[" * 900 + "]" * 900 + "\n", "nested deeper than 100 levels, sovscan's limit"),
])
def test_self_referencing_or_deep_yaml_loses_only_its_document(write, text, reason):
    root = write({"m.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: hunter2hunter2}\n"
                            "---\napiVersion: v1\nkind: ConfigMap\n" + text})
    code, report = _scan(root, "--only", "SEC-010")
    assert code == 1 and _findings(report, "m.yaml") == {"SEC-010"}
    assert _notices(report) == [("m.yaml", 6, f"document 2 not judged: {reason}")]


# --- strings ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("escape", ["\\UFFFFFFFF", "\\U00110000", "\\ud800", "\\udfff"])
@pytest.mark.parametrize("fmt", ["json", "sarif", "text", "markdown", "junit", "gitlab-sast", "codequality"])
def test_escape_that_is_no_character_never_reaches_a_report(write, fmt, escape):
    root = write({"main.tf": f'resource "azurerm_resource_group" "r{escape}" {{\n  location = "eastus"\n}}\n'})
    out = root / "report.out"
    assert cli.main(["scan", str(root), "--only", "RES-001", "-f", f"{fmt}={out}"]) == 1
    text = out.read_text(encoding="utf-8")
    assert "azurerm_resource_group.r\ufffd" in text or fmt == "markdown" and "**1 finding**" in text
    if fmt == "json":
        assert _notices(json.loads(text)) == [
            ("main.tf", 1, f"the escape {escape} is not a Unicode character (Terraform rejects it); read as U+FFFD")]


def test_lone_surrogate_escapes_in_terraform_json_become_replacement_characters():
    from scanner.parse.terraform import parse_json_text
    block = parse_json_text("m.tf.json", '{"resource": {"x": {"n\\ud800": {"a": "v\\udfff"}}}}').blocks[0]
    assert block.labels == ("x", "n\ufffd") and block.attributes["a"].expr.value == "v\ufffd"


# --- predicates that met values Python cannot handle (the haven and addon predicates: guards only) ---------
@pytest.mark.parametrize("text,rule,reason", [
    (AKS.format(version="1.30", count="1e308 * 10"), "HAVEN-003", "operator * on these numbers"),   # inf
    (AKS.format(version="1." + BIG, count="3"), "HAVEN-004", "Kubernetes version '1.99"),   # int() refuses it
    (EKS.format(config=f"enableNetworkPolicy: {BIG}"), "WL-020", "configuration_values that do not parse"),
    (EKS.format(config="enableNetworkPolicy: 2024-02-30"), "WL-020", "configuration_values that do not parse"),
    (EKS.format(config="[" * 2000), "WL-020", "configuration_values that do not parse"),   # RecursionError
])
def test_haven_checks_meeting_unholdable_values_are_unresolved_not_a_bug(write, capsys, text, rule, reason):
    code, report = _scan(write({"main.tf": text}), "--only", rule)
    assert code == 0 and report["notices"] == [] and report["findings"] == []
    assert [u["policy_id"] for u in report["unresolved"]] == [rule] and reason in report["unresolved"][0]["message"]
    assert "internal error" not in capsys.readouterr().err


# --- identifiers Terraform accepts -------------------------------------------------------------------------
def test_unicode_identifiers_are_parsed_and_the_file_is_judged(write):
    root = write({"main.tf": 'locals {\n  café = "eastus"\n}\n'
                             'resource "azurerm_resource_group" "rg" {\n  location = local.café\n}\n'})
    code, report = _scan(root, "--only", "RES-001")
    assert code == 1 and report["notices"] == []
    assert [(f["path"], f["line"], f["policy_id"]) for f in report["findings"]] == [("main.tf", 5, "RES-001")]


def test_a_file_still_not_hcl_keeps_its_notice(write):
    root = write({"main.tf": 'locals {\n  café = = 1\n}\n', "good/main.tf": GOOD_TF})
    code, report = _scan(root, "--only", "RES-001")
    assert code == 1 and _notices(report) == [("main.tf", 2, "not parsed: HCL syntax error at line 2, column 10")]


def test_a_lone_surrogate_no_longer_leaves_an_empty_report(write, tmp_path):
    root = write({"main.tf": 'resource "azurerm_resource_group" "r\\ud800" {\n  location = "eastus"\n}\n'},
                 tmp_path / "repo")
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "report.sarif"
    assert cli.main(["scan", str(root), "--only", "RES-001", "-f", f"sarif={target}"]) == 1
    assert json.loads(target.read_text(encoding="utf-8"))["runs"][0]["results"][0]["ruleId"] == "RES-001"
    assert os.listdir(tmp_path / "out") == ["report.sarif"]


# --- found by bench/fuzz.py ---------------------------------------------------------------------------------
@pytest.mark.parametrize("scalar", ["!!timestamp not-a-date", "!!bool maybe", "!!int ''", "!!float x", "!!int 0o9"])
def test_a_forced_yaml_tag_that_does_not_fit_keeps_the_text(write, scalar):
    root = write({"d.yaml": f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nspec:\n  replicas: {scalar}\n"})
    code, report = _scan(root, "--only", "haven")
    assert code in (0, 1) and report["notices"] == []


def test_blocks_nested_120_deep_do_not_exhaust_memory(write):
    # scanner/model/terraform.py doubled the location keys per level (2**120); guard: past 14 levels a key
    # keeps its indexed spelling only.
    block = 'resource "azurerm_kubernetes_cluster" "aks" {\n  location = "eastus"\n' + "b {\n" * 120 + "}\n" * 120 + "}\n"
    code, report = _scan(write({"main.tf": block}), "--only", "RES-001")
    assert code == 1 and [(f["path"], f["line"]) for f in report["findings"]] == [("main.tf", 2)]


def test_a_backup_selection_pattern_with_many_wildcards_is_matched_in_time(write):
    """AWS Backup's string_like and resources patterns were matched as regular expressions of `.*`: `*a*a...*b`
    against a long tag (or ARN) backtracked for minutes. They are matched as wildcards, in time linear in both."""
    pattern = "*a" * 40 + "b"
    root = write({"main.tf": 'provider "aws" { region = "eu-west-1" }\n'
                             'resource "aws_dynamodb_table" "t" {\n  name = "' + "a" * 200 + '"\n'
                             '  hash_key = "id"\n  tags = { env = "' + "a" * 200 + '" }\n}\n'
                             'resource "aws_backup_selection" "s" {\n  name = "s"\n  plan_id = "p"\n'
                             '  iam_role_arn = "arn:aws:iam::123456789012:role/backup"\n'
                             '  resources = ["arn:aws:dynamodb:*:*:table/' + pattern + '"]\n'
                             '  condition {\n    string_like {\n      key   = "aws:ResourceTag/env"\n'
                             '      value = "' + pattern + '"\n    }\n  }\n}\n'})
    code, report = _scan(root, "--only", "EXIT-003")
    assert code == 1 and [(f["policy_id"], f["line"]) for f in report["findings"]] == [("EXIT-003", 2)]
