"""A user's policy with a wrong predicate argument or message placeholder exits 2 naming the file and field;
aliases keep old ids working; `policies show` names every place that makes up a rule."""
from __future__ import annotations

from pathlib import Path

import pytest

from scanner import cli
from scanner.evaluate import policies as policy_module
from scanner.evaluate import selection
from scanner.config import Config
from scanner.pipeline import ScanRequest, scan
from scanner.report.catalogue import sources

ROOT = Path(__file__).resolve().parents[2]

POLICY = """\
id: CUS-001
title: Things are tidy
family: custom
severity: medium
rationale: Tidy things are easier to audit later on.
remediation: Make the thing tidy.
references: {}
input: terraform
message: "%s"
checks:
  - match: {terraform: [azurerm_storage_account]}
    assert:
      %s
"""


def write_policy(tmp_path: Path, assertion: str, message: str = "{address} is untidy") -> Path:
    folder = tmp_path / "custom"
    folder.mkdir(exist_ok=True)
    (folder / "CUS-001.yaml").write_text(POLICY % (message, assertion), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("assertion, expected", [
    ("{predicate: customer_key}",
     ":13: checks[0].assert.args: 'path' is a required property (predicate customer_key takes path (required))"),
    ("{predicate: customer_key, args: {path: [a]}}",
     ":13: checks[0].assert.args.path: ['a'] is not of type 'string' (predicate customer_key takes path (required))"),
    ("{predicate: retention_at_least, args: {path: x, min: seven}}",
     ":13: checks[0].assert.args.min: 'seven' is not of type 'number' (predicate retention_at_least takes default, "
     "min (required), path (required), unit)"),
    ("{any: [{path: x, op: exists}, {predicate: region_allowed, args: {pahts: [location]}}]}",
     ":13: checks[0].assert.any[1].args: unknown key ('pahts' was unexpected) (predicate region_allowed takes paths, "
     "provider, provider_defaults, skip_inherited)"),
    ("{linked: {type: x, via: y, where: {predicate: customer_key, args: {}}}}",
     ":13: checks[0].assert.linked.where.args: 'path' is a required property (predicate customer_key takes path "
     "(required))"),
    ('{predicate: addon_present, args: {workloads: ["fluent(bit"]}}',
     ":13: checks[0].assert.args.workloads[0]: 'fluent(bit' is not a 'regex' (predicate addon_present takes charts, "
     "eks_addons, kinds, off_when, provisioners, what, workloads)"),
    ('{predicate: secret_text, args: {detectors: [aws-acess-key]}}',
     ":13: checks[0].assert.args.detectors[0]: 'aws-acess-key' is not a 'secret-detector' (predicate secret_text "
     "takes detectors)"),
    # a pattern that does not compile: said when the policy loads, not when a resource first reaches it
    ('{path: tags.environment, op: regex, value: "[unclosed"}',
     ":13: checks[0].assert.value: not a regular expression in RE2 syntax (Terraform's): missing ]"),
    ('{not: {path: name, op: not_regex, value: "(x"}}',
     ":13: checks[0].assert.not.value: not a regular expression in RE2 syntax (Terraform's): missing )"),
    ('{linked: {type: x, via: y, where: {path: name, op: regex, value: "a{2,1}"}}}',
     ":13: checks[0].assert.linked.where.value: not a regular expression in RE2 syntax (Terraform's): invalid "
     "repeat count"),
    # a pattern that could run away (valid RE2, exponential for Python's backtracking engine) never loads
    ('{path: name, op: not_regex, value: "^(a+)+$"}',
     ":13: checks[0].assert.value: not a regular expression in RE2 syntax (Terraform's): regular expression too "
     "large/complex to evaluate statically (nested or ambiguous repetition)"),
    # a predicate that compares as a leaf does is held to the same
    ('{predicate: effective, args: {path: securityContext.seccompProfile.type, op: regex, value: "^(?=Runtime)"}}',
     ":13: checks[0].assert.args.value: not a regular expression in RE2 syntax (Terraform's): unsupported group "
     "syntax (lookaround, backreference or comment)"),
    # a path split cannot read in full would judge another attribute (`tags[[x` read as `tags.x`)
    ('{path: "tags[[x", op: exists}',
     ":13: checks[0].assert.path: 'tags[[x' is not an attribute path (names joined by dots, with [*], [N], "
     "[key=value] or [=value])"),
    # a comparison with no number compares nothing
    ('{path: retention_days, op: ge, value: seven}',
     ":13: checks[0].assert.value: op ge needs a value that is a number"),
    # a pattern that is no string, or none: matched nothing (not_regex: everything) without a word
    ('{path: name, op: not_regex, value: 5}',
     ":13: checks[0].assert.value: op not_regex needs a value that is a regular expression (a string)"),
    ('{linked: {type: x, via: y, where: {path: name, op: regex}}}',
     ":13: checks[0].assert.linked.where: op regex needs a value that is a regular expression (a string)"),
    # Python's lookarounds and backreferences are not RE2: a pattern is matched with a bounded cost
    ('{path: name, op: regex, value: "^(?=a)a+$"}',
     ":13: checks[0].assert.value: not a regular expression in RE2 syntax (Terraform's): unsupported group syntax "
     "(lookaround, backreference or comment)"),
])
def test_a_bad_check_exits_2_naming_file_line_and_field(tmp_path, capsys, assertion, expected):
    folder = write_policy(tmp_path, assertion)
    code = cli.main(["policies", "list", "--policies", str(folder)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"sovscan: error: {folder / 'custom' / 'CUS-001.yaml'}{expected}\n"


def test_a_misspelt_message_placeholder_exits_2(tmp_path, capsys):
    folder = write_policy(tmp_path, "{path: x, op: exists}", message="{adress} is untidy")
    code = cli.main(["policies", "list", "--policies", str(folder)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"sovscan: error: {folder / 'custom' / 'CUS-001.yaml'}:9: message: unknown placeholder "
                          "{adress}; a message may use {address}, {type}, {name}, {detail}, {path}, {item}")


def test_aliases_select_and_are_unique(tmp_path):
    folder = write_policy(tmp_path, "{path: x, op: exists}")
    path = folder / "custom" / "CUS-001.yaml"
    path.write_text(path.read_text().replace("input: terraform", "input: terraform\naliases: [OLD-001]\nsince: 0.2.0"))
    catalogue = policy_module.load((str(folder),))
    chosen = selection.select(catalogue, only=("OLD-001",))
    assert [(p.id, p.aliases, p.since) for p in chosen] == [("CUS-001", ("OLD-001",), "0.2.0")]
    assert "CUS-001" not in {p.id for p in selection.select(catalogue, skip=("OLD-001",))}


def test_policies_show_names_every_place_of_a_rule_and_they_exist():
    catalogue = {p.id: p for p in policy_module.load()}
    for policy_id, kinds in (("HAVEN-003", {"policy", "predicate", "facts", "fixtures"}),
                             ("CMK-001", {"policy", "condition", "predicate", "fixtures"}),
                             ("RES-007", {"policy", "predicate", "facts", "registry", "fixtures"})):
        places = sources(catalogue[policy_id])
        assert {kind for kind, _ in places} == kinds, policy_id
        for kind, where in places:
            if kind in ("policy", "facts", "registry"):
                assert (ROOT / where).is_file(), where
            if kind == "predicate":
                assert (ROOT / where.split("(")[1].rstrip(")")).is_file(), where
            if kind == "fixtures":
                assert (ROOT / where.split(" ")[0]).is_dir(), where


@pytest.mark.parametrize("message, expected", [
    ("{detail!x}", "placeholder {detail!x} is not plain"),
    ("{address:>{x}}", "placeholder {address:>{x}} is not plain"),
    ("{values[a][b]}", "placeholder {values[a][b]} is not plain"),
    ("{address.upper}", "unknown placeholder {address.upper}"),
    ("{address", "is not a message template"),
])
def test_a_message_placeholder_the_engine_cannot_fill_exits_2(tmp_path, capsys, message, expected):
    folder = write_policy(tmp_path, "{path: x, op: exists}", message=message)
    code = cli.main(["policies", "list", "--policies", str(folder)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"sovscan: error: {folder / 'custom' / 'CUS-001.yaml'}:9: message: {expected}")


@pytest.mark.parametrize("name", ["USR-001.yaml", "USR-001.yml", "custom/USR-001.yml"])
def test_a_policy_file_the_loader_would_pass_over_exits_2(tmp_path, capsys, name):
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text("id: USR-001\n", encoding="utf-8")
    code = cli.main(["policies", "list", "--policies", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and f"{tmp_path / name}: not loaded: a policy file is <directory>/<family>/<ID>.yaml" in err



def test_a_value_too_long_to_match_safely_leaves_the_check_unresolved(tmp_path, write):
    """Matching is bounded: a value longer than regex() would take is not matched but left unresolved."""
    (tmp_path / "policies").mkdir()
    folder = write_policy(tmp_path / "policies", '{path: name, op: regex, value: "^[a-z]+$"}')
    policy = next(p for p in policy_module.load((str(folder),)) if p.id == "CUS-001")
    root = write({"main.tf": 'resource "azurerm_storage_account" "s" {\n  name = "' + "a" * 100_001 + '"\n}\n'
                             'resource "azurerm_storage_account" "t" {\n  name = "aaaa!"\n}\n'}, tmp_path / "tree")
    result, _ = scan(ScanRequest((str(root),), (policy,), Config()))
    assert [f.address for f in result.unresolved] == ["azurerm_storage_account.s"]
    assert [f.address for f in result.findings] == ["azurerm_storage_account.t"]


def test_a_container_setting_too_long_to_match_safely_leaves_the_check_unresolved(tmp_path, write):
    """`effective` compares as a leaf does: a value longer than a pattern is matched on is unresolved."""
    folder = tmp_path / "policies" / "custom"
    folder.mkdir(parents=True)
    (folder / "CUS-002.yaml").write_text(POLICY.replace("CUS-001", "CUS-002").replace("input: terraform", "input: kubernetes")
                                         .replace("{terraform: [azurerm_storage_account]}", "{kubernetes: [Pod]}\n"
                                                  "    each: \"pod.containers[*]\"") % (
        "{address} is untidy", '{predicate: effective, args: {path: securityContext.seccompProfile.type, op: regex, '
                               'value: "^Runtime"}}'), encoding="utf-8")
    policy = next(p for p in policy_module.load((str(tmp_path / "policies"),)) if p.id == "CUS-002")
    pod = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n    - name: c\n"
           "      image: nginx:1.27.0\n      securityContext:\n        seccompProfile:\n          type: {type}\n")
    root = write({"long.yaml": pod.format(name="long", type="Runtime" + "x" * 100_000),
                  "short.yaml": pod.format(name="short", type="Localhost")}, tmp_path / "tree")
    result, _ = scan(ScanRequest((str(root),), (policy,), Config()))
    assert [f.address for f in result.unresolved] == ["Pod/default/long"]
    assert [f.address for f in result.findings] == ["Pod/default/short"]


def test_a_policy_in_another_familys_folder_exits_2_and_a_folder_named_twice_loads_once(tmp_path, capsys):
    """<directory>/<family>/<ID>.yaml: a policy whose family is not its folder's is where no reader looks for it;
    the same directory named by the configuration and by --policies is one directory, not a duplicate id."""
    folder = write_policy(tmp_path, "{path: x, op: exists}")
    assert cli.main(["policies", "list", "--policies", str(folder), "--policies", str(folder) + "/"]) == 0
    assert "CUS-001" in capsys.readouterr().out
    (folder / "custom" / "CUS-001.yaml").rename(folder / "other.yaml")
    (folder / "other").mkdir()
    (folder / "other.yaml").rename(folder / "other" / "CUS-001.yaml")
    assert cli.main(["policies", "list", "--policies", str(folder)]) == 2
    assert capsys.readouterr().err == (f"sovscan: error: {folder / 'other' / 'CUS-001.yaml'}:1: family: 'custom' does "
                                       "not match the folder 'other'\n")



def test_a_comparison_takes_a_number_written_as_a_string(tmp_path, capsys):
    """Comparisons have always read `value: "30"` as 30: it loads; `value: abc` does not."""
    folder = write_policy(tmp_path, '{path: retention_in_days, op: ge, value: "30"}')
    assert cli.main(["policies", "list", "--policies", str(folder)]) == 0
