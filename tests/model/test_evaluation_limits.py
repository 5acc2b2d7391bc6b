"""Every limit of the Terraform evaluator says which limit was hit and where, and makes what depends on it
unresolved: nothing past a limit is dropped silently, and hostile code finishes in bounded work."""
from __future__ import annotations

import json
import resource

import pytest

from scanner import cli
from scanner.model.terraform import expressions
from scanner.model.terraform.expressions import Evaluator
from scanner.model.terraform.trace import Trace
from scanner.model.values import Unknown
from scanner.notices import NOT_EVALUATED
from scanner.parse.terraform import parse_text

RG = 'resource "azurerm_resource_group" "rg" {{\n  {meta}\n  name     = "rg"\n  location = {location}\n}}\n'


def _unresolved(result):
    return [(f.address, f.message.split(": could not verify resources are located in allowed regions: ")[1])
            for f in result.unresolved]


def test_instances_past_the_limit_are_one_instance_whose_key_is_unknown(write, run_scan):
    root = write({"main.tf": RG.format(meta="count = 300", location='count.index < 280 ? "westeurope" : "eastus"')})
    result = run_scan(root, only=("RES-001",))
    assert result.findings == []
    assert _unresolved(result) == [("azurerm_resource_group.rg[256..299]", "count.index past 255 (count = 300; sovscan "
                                    "evaluates at most 256 instances of a block) is not known statically")]


def test_values_that_do_not_depend_on_the_key_are_still_judged_past_the_limit(write, run_scan):
    regions = "{ for i in range(300) : format(\"k%03d\", i) => \"eastus\" }"
    root = write({"main.tf": RG.format(meta=f"for_each = {regions}", location="each.value")
                  .replace("each.value", '"eastus"')})
    (finding,) = run_scan(root, only=("RES-001",)).findings
    assert finding.address == 'azurerm_resource_group.rg["k000"]'
    assert finding.instances[-1] == 'azurerm_resource_group.rg["…44 more"]' and len(finding.instances) == 256


def test_a_for_each_key_past_the_limit_is_unresolved_with_the_limit_as_reason(write, run_scan):
    regions = "{ for i in range(300) : format(\"k%03d\", i) => (i < 290 ? \"westeurope\" : \"eastus\") }"
    root = write({"main.tf": RG.format(meta=f"for_each = {regions}", location="each.value")})
    result = run_scan(root, only=("RES-001",))
    assert result.findings == []
    assert _unresolved(result) == [('azurerm_resource_group.rg["…44 more"]', "each.key past the first 256 of 300 "
                                    "(sovscan evaluates at most 256 instances of a block) is not known statically")]


def test_a_module_call_not_evaluated_is_a_notice_on_its_block_and_fails_strict(write, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write({"main.tf": 'module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.8.1"\n}\n'})
    assert cli.main(["scan", ".", "--only", "RES-001", "-f", "json=out.json"]) == 0
    notices = [n for n in json.load(open("out.json"))["notices"] if n["kind"] == NOT_EVALUATED]
    assert [(n["path"], n["line"], n["message"]) for n in notices] == [(
        "main.tf", 1, "module.vpc is not evaluated: its source terraform-aws-modules/vpc/aws is not in the scan "
        "(run terraform init first, so that .terraform/modules holds it); the resources it creates are not judged")]
    assert cli.main(["scan", ".", "--only", "RES-001", "--strict"]) == 1
    assert "1 module call not evaluated: main.tf:1" in capsys.readouterr().out


def test_modules_nested_past_the_depth_limit_are_named(write, run_scan):
    files = {f"m{i}/main.tf": f'module "next" {{\n  source = "../m{i + 1}"\n}}\n' for i in range(20)}
    files["m20/main.tf"] = RG.format(meta="", location='"eastus"')
    files["main.tf"] = 'module "first" {\n  source = "./m0"\n}\n'
    result = run_scan(write(files), only=("RES-001",))
    assert [(n.path, n.line, n.message) for n in result.notices if n.kind == NOT_EVALUATED] == [
        ("m15/main.tf", 1, "module.first" + ".module.next" * 16 + " is not evaluated: modules nest deeper than "
         "16 levels here, sovscan's limit; the resources it creates are not judged")]


@pytest.mark.parametrize("locals_text, reason", [
    # a string doubled through 40 locals would be a terabyte
    ("a0 = \"xxxxxxxxxxxxxxxx\"\n" + "".join(f"a{i + 1} = \"${{local.a{i}}}${{local.a{i}}}\"\n" for i in range(40)),
     "a string template longer than the evaluation limit (1,000,000 characters)"),
    # a list doubled the same way
    ("a0 = [1, 2, 3, 4]\n" + "".join(f"a{i + 1} = concat(local.a{i}, local.a{i})\n" for i in range(40)),
     "result too large to evaluate statically"),
    # 10,000 x 10,000 nested for
    ("a40 = [for a in range(1000) : [for b in range(1000) : [for c in range(1000) : a + b + c]]]\n",
     "a value past the evaluation limit (1,000,000 expression steps per module instance)"),
    ("a40 = [for k in setproduct(range(200), range(200)) : k]\n",
     "a for expression over 40000 items (sovscan evaluates at most 10000)"),
])
def test_evaluation_bombs_become_unknown_with_the_limit_that_stopped_them(write, run_scan, locals_text, reason):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    root = write({"main.tf": "locals {\n" + locals_text + "}\n" + RG.format(meta="", location="local.a40")})
    result = run_scan(root, only=("RES-001",))
    assert result.findings == []
    assert [u.message.rsplit(": ", 1)[1] for u in result.unresolved] == [f"{reason} is not known statically"]
    said = [(n.path, n.line, n.message.startswith("azurerm_resource_group.rg: "),
             n.message.endswith(f"{reason}; the checks that read this value are unresolved"))
            for n in result.notices if "unresolved" in n.message]
    assert said == [("main.tf", len(locals_text.splitlines()) + 3, True, True)]
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 500      # bounded memory: the unbounded runs reached 2-3 GB


def test_the_step_budget_is_counted_per_evaluator(monkeypatch):
    monkeypatch.setattr(expressions, "MAX_STEPS", 50)
    evaluator = Evaluator(None)
    tree = parse_text("t.tf", "v = [for a in range(10) : [for b in range(10) : a * b]]\n").attributes["v"].expr
    value = evaluator.evaluate(tree, {}, Trace())
    assert isinstance(value, Unknown) and value.kind == "limit" and evaluator.steps > 50
