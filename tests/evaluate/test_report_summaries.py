"""The summaries the reports show, computed from the result and the model: regions in use, exit readiness,
the waiver register and the sovereignty target."""
from __future__ import annotations

import datetime

from scanner import config as config_module
from scanner.config import Config, ConfigWaiver
from scanner.report.model import sovereignty_target

RESIDENCY = {
    "main.tf": 'provider "aws" {\n  region = "eu-central-1"\n}\n'
               'provider "aws" {\n  alias  = "us"\n  region = "us-east-1"\n}\n'
               'resource "aws_s3_bucket" "data" {\n  bucket = "data"\n}\n'
               'resource "aws_acm_certificate" "cdn" {\n  provider    = aws.us\n  domain_name = "x.example.nl"\n}\n'
               'resource "aws_iam_role" "ci" {\n  name = "ci"\n}\n'
               'resource "azurerm_storage_account" "geo" {\n  location = "westeurope"\n'
               '  account_replication_type = "GRS"\n}\n'
               'resource "azurerm_storage_account" "uk" {\n  location = "uksouth"\n'
               '  account_replication_type = "LRS"\n}\n'
               'variable "where" {}\n'
               'resource "azurerm_resource_group" "rg" {\n  location = var.where\n}\n'
               'resource "google_storage_bucket" "typo" {\n  name = "t"\n  location = "europe-west99"\n}\n',
}


def test_regions_in_use_by_country_and_tier(write, run_scan):
    residency = run_scan(write(RESIDENCY)).residency
    found = {(u.provider, u.region): (u.country, u.tier, u.allowed, [(a, role) for a, _, _, role in u.resources])
             for u in residency.regions}
    assert found == {
        ("aws", "eu-central-1"): ("DE", "eu", True, [("aws_s3_bucket.data", "provider")]),
        ("aws", "us-east-1"): ("US", "third-country", False, [("aws_acm_certificate.cdn", "provider")]),
        ("azurerm", "westeurope"): ("NL", "eu", True, [("azurerm_storage_account.geo", "location")]),
        ("azurerm", "northeurope"): ("IE", "eu", True, [("azurerm_storage_account.geo", "replica")]),
        ("azurerm", "uksouth"): ("GB", "adequacy", False, [("azurerm_storage_account.uk", "location")]),
        ("google", "europe-west99"): ("", "unknown", None, [("google_storage_bucket.typo", "location")]),
    }
    assert [(a, why) for a, _, _, why in residency.unresolved] == [
        ("azurerm_resource_group.rg", "var.where")]
    assert [(c, t) for c, t, _ in residency.countries()] == [("DE", "eu"), ("IE", "eu"), ("NL", "eu"),
                                                              ("GB", "adequacy"), ("US", "third-country"),
                                                              ("", "unknown")]


def test_allow_and_deny_lists_decide_before_the_tier(write, run_scan):
    config = Config(residency_tier="eu", allow_regions=("uksouth",), deny_regions=("westeurope",))
    residency = run_scan(write(RESIDENCY), config=config).residency
    allowed = {u.region: u.allowed for u in residency.regions}
    assert allowed["uksouth"] is True and allowed["westeurope"] is False and allowed["northeurope"] is True
    assert (residency.allow, residency.deny) == (("uksouth",), ("westeurope",))


EXIT = {
    "main.tf": 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "~> 5.0" }\n'
               '    random = { source = "hashicorp/random" }\n  }\n}\n'
               'provider "aws" {\n  region = "eu-west-1"\n}\n'
               'resource "aws_db_instance" "kept" {\n  identifier = "kept"\n  backup_retention_period = 14\n}\n'
               'resource "aws_db_instance" "lost" {\n  identifier = "lost"\n}\n'
               'resource "aws_backup_selection" "all" {\n  resources = [aws_db_instance.kept.arn]\n}\n'
               'resource "aws_dynamodb_table" "t" {\n  name = "t"\n}\n',
    "EXIT.md": "# Exit plan\n\nLast tested: 2026-05-14\n",
}


def test_exit_readiness(write, run_scan):
    ready = run_scan(write(EXIT), only=("exit",)).exit_readiness
    assert ready.lockin.proprietary == 1 and ready.lockin.proprietary_types == (("aws_dynamodb_table", 1),)
    assert ready.lockin.share == round(100 * 1 / ready.lockin.classified)
    assert [(b.address, b.state) for b in ready.backups] == [
        ("aws_db_instance.kept", "pass"), ("aws_db_instance.lost", "fail"), ("aws_dynamodb_table.t", "fail")]
    pinning = dict(ready.pinning)
    assert [(j.address, j.state) for j in pinning["modules"]] == [
        ("terraform.required_providers.aws", "pass"), ("terraform.required_providers.random", "fail")]
    assert (ready.plan.last_test, ready.plan.state, ready.plan.max_age_months) == ("2026-05-14", "pass", 12)
    assert ready.plan.where.endswith("EXIT.md")


def test_a_waived_gap_is_waived_in_exit_readiness(write, run_scan):
    """A waiver accepts a data store without backups: the report says so, and does not count it as backed up."""
    config = Config(waivers=(ConfigWaiver("EXIT-003", "aws_db_instance.lost", "", "restored from the source system",
                                          "team", datetime.date(2027, 1, 31)),))
    ready = run_scan(write(EXIT), only=("exit",), config=config).exit_readiness
    assert [(b.address, b.state) for b in ready.backups] == [
        ("aws_db_instance.kept", "pass"), ("aws_db_instance.lost", "waived"), ("aws_dynamodb_table.t", "fail")]


def test_exit_readiness_when_the_backup_policy_did_not_run(write, run_scan):
    ready = run_scan(write(EXIT), only=("EXIT-001",)).exit_readiness
    assert ready.backups is None and ready.pinning == () and ready.plan.state == ""


IMAGES = {"deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n"
                          "    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n"
                          "        - name: app\n          image: registry.example.eu/app:1.4.2\n"}


def test_exit_readiness_counts_image_versions_by_default_and_digests_when_the_opt_in_runs(write, run_scan):
    by_default = dict(run_scan(write(IMAGES), only=("exit",)).exit_readiness.pinning)
    assert "images" not in by_default            # EXIT-009 is off: no "0 of 0" digests
    assert [(j.address, j.state) for j in by_default["image-versions"]] == [("Deployment/default/web", "fail")]
    config = Config(enforcement={"supply-chain": ("deny", None)})
    opted_in = dict(run_scan(write(IMAGES), only=("exit",), config=config).exit_readiness.pinning)
    assert [j.state for j in opted_in["images"]] == ["fail"] and "image-versions" in opted_in


def test_two_plain_manifests_of_one_name_are_judged_each_in_its_own_file(write, run_scan):
    """Two applications' redis-master in one repository: the pinned one is not listed as unpinned."""
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: redis-master\nspec:\n  template:\n"
                  "    spec:\n      containers:\n        - name: redis\n          image: {image}\n")
    root = write({"guestbook/redis.yaml": deployment.format(image="redis"),
                  "guestbook-go/redis.yaml": deployment.format(image="redis:7.2")})
    pinning = dict(run_scan(root, only=("EXIT-020",)).exit_readiness.pinning)
    assert [(j.path, j.state) for j in pinning["image-versions"]] == [
        ("guestbook-go/redis.yaml", "pass"), ("guestbook/redis.yaml", "fail")]


def test_exit_readiness_leaves_out_what_the_configuration_switches_off(write, run_scan):
    config = Config(enforcement={"EXIT-003": ("off", None), "EXIT-020": ("off", None)})
    ready = run_scan(write({**EXIT, **IMAGES}), only=("exit",), config=config).exit_readiness
    assert ready.backups is None and "image-versions" not in dict(ready.pinning) and "modules" in dict(ready.pinning)


def test_waiver_register_states(write, run_scan):
    root = write({"main.tf": 'resource "azurerm_storage_account" "a" {  # sovscan:ignore RES-001 reason="moving" until=2027-01-31\n'
                             '  location = "eastus"\n}\n'
                             'resource "azurerm_storage_account" "b" {  # sovscan:ignore RES-001 until=2027-01-31\n'
                             '  location = "eastus"\n}\n'
                             '# sovscan:ignore CMK-001 reason="nothing here" until=2027-01-31\n',
                  ".sovscan.yaml": "waivers:\n"
                                   "  - {rule: RES-001, resource: azurerm_storage_account.c, reason: old, owner: o,"
                                   " expires: 2026-10-01}\n"})
    config = config_module.load(None, str(root))
    register = run_scan(root, only=("RES-001", "CMK-001"), config=config).register
    assert [(e.source, e.rule, e.resource, e.line, e.state, e.findings) for e in register] == [
        ("inline", "RES-001", "azurerm_storage_account.a", 1, "active", 1),
        ("inline", "RES-001", "", 4, "invalid", 0),
        ("inline", "CMK-001", "", 7, "unused", 0),
        ("configuration", "RES-001", "azurerm_storage_account.c", 0, "expired", 0),
    ]
    assert register[1].problem == 'has no reason="...": it suppresses nothing'
    assert register[3].problem == "expired on 2026-10-01: the finding is active again"


def test_baseline_entries_are_in_the_register(write, run_scan, tmp_path):
    root = write({"main.tf": 'resource "azurerm_storage_account" "a" {\n  location = "eastus"\n}\n'})
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"version": 1, "tool": "sovscan", "findings": [\n'
                        '{"fingerprint": "gone", "rule": "CMK-001", "path": "x.tf", "address": "x.y"}]}', "utf-8")
    register = run_scan(root, only=("RES-001",), baseline=str(baseline)).register
    assert [(e.source, e.rule, e.resource, e.state) for e in register] == [("baseline", "CMK-001", "x.y", "stale")]


def test_sovereignty_target_from_the_requirement_when_no_level_is_set():
    assert sovereignty_target(Config(sovereignty_requirement="high")).seal == 4
    assert sovereignty_target(Config(seal_target=3, sovereignty_requirement="high")).seal == 3
    assert sovereignty_target(Config()).seal is None



_CLUSTER = ('provider "azurerm" {{\n  features {{}}\n}}\n'
            'resource "azurerm_kubernetes_cluster" "this" {{\n  name = "k"\n  location = "westeurope"\n'
            '  resource_group_name = "rg"\n  dns_prefix = "k"\n  default_node_pool {{\n    name = "default"\n'
            '    node_count = {nodes}\n    vm_size = "Standard_D2s_v3"\n    zones = [{zones}]\n  }}\n}}\n')
_DATABASE = 'resource "aws_db_instance" "db" {{\n  engine = "postgres"\n  backup_retention_period = {days}\n}}\n'


def test_two_root_modules_with_one_address_are_summarised_apart(write, run_scan):
    """envs/a and envs/b each deploy a cluster and a database at the same address: one root's failures are
    not the other's, in the Haven pre-flight and in exit readiness alike."""
    result = run_scan(write({"envs/a/main.tf": _CLUSTER.format(nodes=3, zones='"1", "2", "3"')
                             + _DATABASE.format(days=14),
                             "envs/b/main.tf": _CLUSTER.format(nodes=1, zones='"1"') + _DATABASE.format(days=1)}))
    lines = {c.path: dict(c.checks) for c in result.haven.clusters}
    assert set(lines) == {"envs/a/main.tf", "envs/b/main.tf"}
    differing = {label for label, state in lines["envs/b/main.tf"].items() if state != lines["envs/a/main.tf"][label]}
    assert differing and all(lines["envs/b/main.tf"][label] == "fail" for label in differing)
    assert all(lines["envs/a/main.tf"][label] == "pass" for label in differing)
    backups = [(j.path, j.state) for j in result.exit_readiness.backups]
    assert backups == [("envs/a/main.tf", "pass"), ("envs/b/main.tf", "fail")]


def test_a_module_called_from_several_roots_is_one_line_with_its_worst_state(write, run_scan):
    module = 'variable "days" {}\n' + _DATABASE.format(days="var.days")
    result = run_scan(write({"modules/db/main.tf": module,
                             "envs/a/main.tf": 'module "db" {\n  source = "../../modules/db"\n  days = 14\n}\n',
                             "envs/b/main.tf": 'module "db" {\n  source = "../../modules/db"\n  days = 1\n}\n'}))
    assert [(j.address, j.path, j.state) for j in result.exit_readiness.backups] == [
        ("module.db.aws_db_instance.db", "modules/db/main.tf", "fail")]
