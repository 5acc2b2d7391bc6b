"""The whole adoption path on a fixture repository: baseline at zero, a new violation fails the gate,
an audit-mode family only warns, a waiver with a past date fires again; plus pre-commit and
--changed-since, which still evaluate the whole module."""
from __future__ import annotations

import datetime

import json
import subprocess

import pytest

from scanner import cli

LEGACY = 'resource "azurerm_resource_group" "legacy" {\n  location = "eastus"\n}\n'


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def sovscan(capsys, *args) -> tuple[int, str]:
    code = cli.main(list(args))
    return code, capsys.readouterr().out


def test_adoption_path(write, tmp_path, capsys):
    write({"infra/main.tf": LEGACY})
    assert sovscan(capsys, "scan", "infra")[0] == 1
    assert sovscan(capsys, "baseline", "create", "infra", "-o", "baseline.json")[0] == 0
    code, out = sovscan(capsys, "scan", "infra", "--baseline", "baseline.json")
    assert code == 0 and "0 findings" in out and "1 finding in the baseline (not failing)" in out

    write({"infra/new.tf": 'resource "azurerm_resource_group" "new" {\n  location = "brazilsouth"\n}\n'})
    code, out = sovscan(capsys, "scan", "infra", "--baseline", "baseline.json")
    assert code == 1 and "azurerm_resource_group.new" in out and "azurerm_resource_group.legacy" not in out

    write({"infra/.sovscan.yaml": "enforcement:\n  residency: audit\n"})
    code, out = sovscan(capsys, "scan", "infra", "--baseline", "baseline.json")
    assert code == 0 and "warning (audit)" in out

    write({"infra/.sovscan.yaml": "", "infra/new.tf": '# sovscan:ignore RES-001 reason="pilot" until=2026-01-01\n'
           'resource "azurerm_resource_group" "new" {\n  location = "brazilsouth"\n}\n'})
    code, out = sovscan(capsys, "scan", "infra", "--baseline", "baseline.json")
    assert code == 1 and "expired on 2026-01-01" in out

    (tmp_path / "infra/main.tf").write_text("")
    code, out = sovscan(capsys, "scan", "infra", "--baseline", "baseline.json", "--skip", "RES-001")
    assert "baseline: stale entry RES-001 azurerm_resource_group.legacy" in out


def test_suppressed_findings_leave_sarif_unless_asked(write, tmp_path, capsys):
    until = datetime.date.today() + datetime.timedelta(days=90)
    write({"main.tf": f'# sovscan:ignore RES-001 reason="approved" until={until}\n' + LEGACY})
    sovscan(capsys, "scan", ".", "-f", "sarif=plain.sarif")
    sovscan(capsys, "scan", ".", "-f", "sarif=audit.sarif", "--include-suppressed")
    assert json.loads((tmp_path / "plain.sarif").read_text())["runs"][0]["results"] == []
    (result,) = json.loads((tmp_path / "audit.sarif").read_text())["runs"][0]["results"]
    assert result["suppressions"] == [{"kind": "inSource", "status": "accepted", "justification": "approved",
                                       "properties": {"until": until.isoformat()}}]


def test_bad_baseline_exits_2(write, capsys):
    write({"main.tf": LEGACY, "b.json": '{"version": 9}'})
    assert sovscan(capsys, "scan", ".", "--baseline", "b.json")[0] == 2


def test_pre_commit_files_keep_their_module_context(write, capsys):
    write({"mod/variables.tf": 'variable "where" { default = "eastus" }\n',
           "mod/main.tf": 'resource "azurerm_resource_group" "rg" {\n  location = var.where\n}\n',
           "mod/other.tf": LEGACY})
    code, out = sovscan(capsys, "scan", "mod/main.tf", "--only", "RES-001")
    assert code == 1 and "azurerm_resource_group.rg" in out and "legacy" not in out


def test_changed_since_reports_only_changed_resources(write, tmp_path, capsys):
    write({"variables.tf": 'variable "where" { default = "eastus" }\n', "main.tf": LEGACY})
    git = ["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-qm", "init"], check=True)
    write({"main.tf": LEGACY + 'resource "azurerm_resource_group" "added" {\n  name     = "x"\n  location = var.where\n}\n'})
    code, out = sovscan(capsys, "scan", ".", "--changed-since", "HEAD", "--only", "RES-001")
    assert code == 1 and "azurerm_resource_group.added" in out and "azurerm_resource_group.legacy" not in out
    assert sovscan(capsys, "scan", ".", "--changed-since", "no-such-ref")[0] == 2


def test_a_baseline_records_what_the_scan_s_inputs_add_so_the_same_scan_is_clean(write, tmp_path, capsys):
    from tests.parse.test_hcc import cli_output
    write({"infra/main.tf": LEGACY, "hcc.json": json.dumps(cli_output({"multiaz": "NO", "logs": "YES"}))})
    assert sovscan(capsys, "scan", "infra", "--haven-results", "hcc.json", "--only", "haven")[0] == 1
    assert sovscan(capsys, "baseline", "create", "infra", "--haven-results", "hcc.json", "--only", "haven",
                   "-o", "baseline.json")[0] == 0
    assert "HAVEN-1" in (tmp_path / "baseline.json").read_text()
    code, out = sovscan(capsys, "scan", "infra", "--haven-results", "hcc.json", "--only", "haven", "--baseline",
                        "baseline.json")
    assert code == 0 and "0 findings" in out


def test_a_fresh_baseline_covers_every_root_and_instance_a_finding_stands_for(write, tmp_path, capsys):
    """A module two roots call is judged once per root (their fingerprints differ by root) and a counted resource
    once per instance; the report shows each place once, and the baseline made from it suppresses them all,
    with the run's checks the same as without it."""
    write({"modules/app/main.tf": 'variable "where" {\n  default = "westeurope"\n}\n'
                                  'resource "azurerm_resource_group" "more" {\n  count    = 2\n  location = "eastus"\n}\n',
           "envs/a/main.tf": 'module "app" {\n  source = "../../modules/app"\n}\n',
           "envs/b/main.tf": 'module "app" {\n  source = "../../modules/app"\n}\n'})
    code, _ = sovscan(capsys, "scan", ".", "--only", "RES-001", "-f", "json=before.json")
    assert code == 1
    assert sovscan(capsys, "baseline", "create", ".", "--only", "RES-001", "-o", "baseline.json")[0] == 0
    entries = json.loads((tmp_path / "baseline.json").read_text())["findings"]
    assert sorted(e["address"] for e in entries) == ["module.app.azurerm_resource_group.more[0]",
                                                     "module.app.azurerm_resource_group.more[1]"]
    code, _ = sovscan(capsys, "scan", ".", "--only", "RES-001", "--baseline", "baseline.json", "-f", "json=after.json")
    before, after = (json.loads((tmp_path / name).read_text()) for name in ("before.json", "after.json"))
    assert code == 0 and after["summary"]["findings"] == 0 and after["stale_baseline"] == []
    assert after["summary"]["checks"] == before["summary"]["checks"]


def test_a_baseline_entry_whose_place_was_edited_hides_nothing_else(write, tmp_path, capsys):
    """An entry matches another root's finding at the place it names only when its fingerprint is that place's:
    a pull request that rewrites an entry's address to a new resource's hides neither."""
    write({"infra/main.tf": LEGACY + 'resource "azurerm_resource_group" "added" {\n  location = "eastus"\n}\n'})
    write({"old/main.tf": LEGACY})
    assert sovscan(capsys, "baseline", "create", "old", "--only", "RES-001", "-o", "b.json")[0] == 0
    data = json.loads((tmp_path / "b.json").read_text())
    (entry,) = data["findings"]
    entry.update(path="infra/main.tf", address="azurerm_resource_group.added")   # fingerprint: old/main.tf legacy
    (tmp_path / "edited.json").write_text(json.dumps(data))
    code, out = sovscan(capsys, "scan", "infra", "--only", "RES-001", "--baseline", "edited.json")
    assert code == 1 and "azurerm_resource_group.added" in out and "azurerm_resource_group.legacy" in out
    entry["address"] = ["azurerm_resource_group.added"]
    (tmp_path / "bad.json").write_text(json.dumps(data))
    code, out = sovscan(capsys, "scan", "infra", "--only", "RES-001", "--baseline", "bad.json")
    assert code == 2


def test_a_fresh_baseline_has_no_stale_entry_when_two_roots_share_a_module_call_name(write, tmp_path, capsys):
    """Two roots that call one module by the same name, with findings at one place that are not grouped (their
    messages differ), give the baseline two entries that name the same place: both match, neither is stale."""
    write({"modules/bucket/main.tf": 'variable "sse" {\n  default = false\n}\n\n'
                                     'resource "aws_s3_bucket" "this" {\n  bucket = "b"\n}\n\n'
                                     'resource "aws_s3_bucket_server_side_encryption_configuration" "this" {\n'
                                     '  count  = var.sse ? 1 : 0\n  bucket = aws_s3_bucket.this.id\n  rule {\n'
                                     '    apply_server_side_encryption_by_default {\n      sse_algorithm = "AES256"\n'
                                     '    }\n  }\n}\n',
           "r1/main.tf": 'module "b" {\n  source = "../modules/bucket"\n}\n\n'
                         'module "c" {\n  source = "../modules/bucket"\n}\n',
           "r2/main.tf": 'module "c" {\n  source = "../modules/bucket"\n  sse    = true\n}\n'})
    assert sovscan(capsys, "baseline", "create", ".", "--only", "CMK-001", "-o", "baseline.json")[0] == 0
    entries = json.loads((tmp_path / "baseline.json").read_text())["findings"]
    assert [e["address"] for e in entries].count("module.c.aws_s3_bucket.this") == 2
    code, _ = sovscan(capsys, "scan", ".", "--only", "CMK-001", "--baseline", "baseline.json", "-f", "json=after.json")
    after = json.loads((tmp_path / "after.json").read_text())
    assert code == 0 and after["summary"]["findings"] == 0 and after["stale_baseline"] == []


RENAMED = ("id: {id}\ntitle: Resource groups carry an owner tag\nfamily: custom\nseverity: medium\n{aliases}"
           "rationale: Every resource group needs an owner.\nremediation: Add tags = {{ owner = \"team\" }}.\n"
           "references: {{iso27002: [], sov: [], standards: [], links: []}}\ninput: terraform\n"
           "checks:\n  - match: {{terraform: [azurerm_resource_group]}}\n    assert: {{path: tags.owner, op: exists}}\n")


@pytest.mark.parametrize("tree", [
    {"main.tf": 'resource "azurerm_resource_group" "rg" {\n  location = "westeurope"\n}\n'},
    {"modules/app/main.tf": 'resource "azurerm_resource_group" "rg" {\n  location = "westeurope"\n}\n',
     "envs/a/main.tf": 'module "app" {\n  source = "../../modules/app"\n}\n',
     "envs/b/main.tf": 'module "app" {\n  source = "../../modules/app"\n}\n'},
], ids=["one root", "module code two roots deploy"])
def test_a_baseline_made_before_a_rule_was_renamed_still_matches(tree, write, tmp_path, capsys):
    """An entry recorded under a rule's earlier id (an alias) matches the finding at the place it names, also in
    module code two roots deploy, whose fingerprints differ by root: renaming a rule turns no entry stale."""
    write(tree | {"old/custom/OLD-001.yaml": RENAMED.format(id="OLD-001", aliases=""),
                  "new/custom/ORG-001.yaml": RENAMED.format(id="ORG-001", aliases="aliases: [OLD-001]\n")})
    assert sovscan(capsys, "baseline", "create", ".", "--policies", "old", "--only", "OLD-001",
                   "-o", "baseline.json")[0] == 0
    code, _ = sovscan(capsys, "scan", ".", "--policies", "new", "--only", "ORG-001", "-f", "json=before.json")
    assert json.loads((tmp_path / "before.json").read_text())["summary"]["findings"] == 1
    code, _ = sovscan(capsys, "scan", ".", "--policies", "new", "--only", "ORG-001", "--baseline", "baseline.json",
                      "-f", "json=after.json")
    after = json.loads((tmp_path / "after.json").read_text())
    assert code == 0 and after["summary"]["findings"] == 0 and after["stale_baseline"] == []
