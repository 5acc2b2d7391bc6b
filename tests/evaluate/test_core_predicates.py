"""Table tests for the most used judgements: customer_key, region_verdict and the linked: condition."""
from __future__ import annotations

import datetime
from typing import Any

import pytest

from scanner.config import Config
from scanner.evaluate.conditions import judge
from scanner.evaluate import policies as policy_module
from scanner.evaluate.context import Context
from scanner.evaluate.predicates.backups import retention_at_least
from scanner.evaluate.predicates.core import customer_key, image_pinned, paired_region_allowed, region_allowed, region_known, \
    region_verdict
from scanner.model.derive import derive
from scanner.model.resource import Model, Resource
from scanner.model.values import Unknown
from scanner.pipeline import ScanRequest, scan

TODAY = datetime.date(2026, 11, 23)


def tf(rtype: str, name: str, values: dict[str, Any], root: str = "", references: dict | None = None) -> Resource:
    return Resource("terraform", rtype, f"{rtype}.{name}", f"{root or '.'}/main.tf", 1, values, {},
                    references=references or {}, root=root)


def context(*resources: Resource, config: Config | None = None) -> Context:
    model = Model(list(resources))
    derive(model)
    return Context(model, config or Config(), TODAY)


# --- customer_key ------------------------------------------------------------------------------------
KEY = Unknown("aws_kms_key.k.arn (known after apply)", refers_to="aws_kms_key.k", attribute="arn", kind="computed")
VAULT_KEY = Unknown("azurerm_key_vault_key.k.id", refers_to="azurerm_key_vault_key.k", attribute="id", kind="computed")
BUCKET_ARN = Unknown("aws_s3_bucket.b.arn", refers_to="aws_s3_bucket.b", attribute="arn", kind="computed")
DATA_KEY = Unknown("data.aws_kms_key.k", refers_to="data.aws_kms_key.k", kind="data")
DATA_VAULT_KEY = Unknown("data.azurerm_key_vault_key.k", refers_to="data.azurerm_key_vault_key.k", kind="data")
VARIABLE = Unknown("var.key", kind="variable")


@pytest.mark.parametrize("value, references, state, detail", [
    (KEY, {}, True, ""),
    (VAULT_KEY, {}, True, ""),
    (DATA_KEY, {}, None, ""),                                    # an AWS KMS key looked up may be AWS-managed
    (DATA_VAULT_KEY, {}, True, ""),                              # a Key Vault key is the customer's
    ("arn:aws:kms:eu-west-1:111122223333:key/1234abcd", {}, True, ""),
    ("alias/aws/s3", {}, False, "alias/aws/s3 is a provider-managed key"),
    ("arn:aws:kms:eu-west-1:111122223333:alias/aws/ebs", {}, False, "is a provider-managed key"),
    (None, {}, False, "no key set"),
    ("", {}, False, "no key set"),
    (BUCKET_ARN, {}, None, ""),                                  # refers to something that is not a key
    (VARIABLE, {}, None, ""),
    (VARIABLE, {"kms": frozenset({"aws_kms_key.k"})}, True, ""),  # unknown value, but built from a customer key
])
def test_customer_key(value, references, state, detail):
    resource = tf("aws_x", "x", {"kms": value}, references=references)
    verdict = customer_key(resource, {"path": "kms"}, context(resource))
    assert verdict.state is state
    assert detail in verdict.detail


# --- region_verdict ----------------------------------------------------------------------------------
@pytest.mark.parametrize("provider, region, config, state, detail", [
    ("azurerm", "westeurope", Config(), True, ""),
    ("azurerm", "West Europe", Config(), True, ""),
    ("azurerm", "eastus", Config(), False, "eastus (US, tier third-country) is outside the allowed tier eu"),
    ("aws", "eu-central-2", Config(), False, "(CH, tier adequacy)"),
    ("aws", "eu-central-2", Config(residency_tier="adequacy"), True, ""),
    ("aws", "eu-west-1a", Config(), True, ""),                          # a zone names its region
    ("google", "europe-west4-b", Config(), True, ""),
    ("aws", "us-east-1", Config(allow_regions=("us-east-1",)), True, ""),
    ("aws", "eu-west-1", Config(deny_regions=("eu-west-1",)), False, "on the configured deny list"),
    ("aws", "mars-north-1", Config(), None, ""),                        # not in its table: cannot be placed
    ("azurerm", "global", Config(), True, ""),                          # no region: the global-service rules'
    ("alicloud", "cn-hangzhou", Config(), False, "cn-hangzhou (CN, tier third-country)"),
    ("alicloud", "eu-central-1", Config(), True, ""),
    ("google-beta", "us-east1", Config(), False, "(US, tier third-country)"),   # a local name uses its table
    ("azapi", "eastus", Config(), False, "(US, tier third-country)"),
    ("digitalocean", "nyc3", Config(), None, ""),                       # no table: cannot be placed
    ("kubernetes", "anything", Config(), True, ""),                     # hosts no data
    ("digitalocean", "nyc3", Config(deny_regions=("nyc3",)), False, "deny list"),
])
def test_region_verdict(provider, region, config, state, detail):
    verdict = region_verdict(provider, region, "location", context(config=config))
    assert verdict.state is state
    assert detail in verdict.detail


def test_a_region_of_a_provider_without_a_table_is_unresolved_naming_both():
    verdict = region_verdict("digitalocean", "nyc3", "region", context())
    assert verdict.blocker == ("the country of region nyc3 (provider digitalocean has no region table in "
                               "policies/registries/regions.yaml)")


# --- region_known: one entry per fact ------------------------------------------------------------------
@pytest.mark.parametrize("rtype, values, state", [
    ("azurerm_resource_group", {"location": "westeurop"}, False),           # a typo: the note
    ("azurerm_resource_group", {"location": "westeurope"}, True),
    ("azurerm_resource_group", {"location": Unknown("var.location", kind="variable")}, True),  # RES-001's
    ("digitalocean_droplet", {"region": "nyc3"}, True),                     # no table: RES-001's
    ("aws_s3_directory_bucket", {"location": [{"name": "usw2-az1"}]}, True),   # a block is not a region id
])
def test_region_known(rtype, values, state):
    resource = tf(rtype, "r", values)
    assert region_known(resource, {"paths": ["location", "region"]}, context(resource)).state is state


# --- region_allowed with the provider's default location ------------------------------------------------
@pytest.mark.parametrize("rtype, values, state, detail", [
    ("google_bigquery_dataset", {}, False,
     "location is not set, so the provider's default applies: US (US, tier third-country) is outside the allowed tier eu"),
    ("google_bigquery_dataset", {"location": None}, False, "provider's default applies: US"),
    ("google_bigquery_dataset", {"location": "EU"}, True, ""),
    ("google_artifact_registry_repository", {}, True, ""),       # the provider block's region: RES-002
    ("google_storage_bucket", {}, True, ""),                      # required by the provider
    ("google_compute_network", {}, True, ""),                     # no default location on record
])
def test_a_left_out_location_is_judged_at_the_providers_default(rtype, values, state, detail):
    resource = tf(rtype, "r", values)
    verdict = region_allowed(resource, {"paths": ["location", "region", "zone"], "provider_defaults": True},
                             context(resource))
    assert verdict.state is state
    assert detail in verdict.detail


def test_an_unconstrained_default_is_a_finding_that_says_so():
    topic = tf("google_pubsub_topic", "t", {"name": "t"})
    args = {"paths": ["message_storage_policy.allowed_persistence_regions[*]"], "provider_defaults": True}
    verdict = region_allowed(topic, args, context(topic))
    assert (verdict.state, verdict.path) == (False, "message_storage_policy.allowed_persistence_regions")
    assert verdict.detail == ("message_storage_policy.allowed_persistence_regions is not set: by the provider's "
                              "default, messages may be persisted in any Google Cloud region")


def test_defaults_are_only_judged_when_the_check_asks():
    dataset = tf("google_bigquery_dataset", "d", {})
    assert region_allowed(dataset, {"paths": ["location"]}, context(dataset)).state is True


# --- linked: ------------------------------------------------------------------------------------------
ACCOUNT = tf("azurerm_storage_account", "a", {})
LINK = {"type": "azurerm_storage_account_customer_managed_key", "via": "storage_account_id"}


def cmk(name: str, target: Any, root: str = "", **values: Any) -> Resource:
    references = {"storage_account_id": frozenset({target})} if isinstance(target, str) else {}
    return tf("azurerm_storage_account_customer_managed_key", name,
              {"storage_account_id": target if not isinstance(target, str) else Unknown(target), **values},
              root=root, references=references)


@pytest.mark.parametrize("others, args, state", [
    ([], LINK, False),
    ([cmk("k", "azurerm_storage_account.a")], LINK, True),
    ([cmk("k", "azurerm_storage_account.other")], LINK, False),
    ([cmk("k", Unknown("var.account_id", kind="variable"))], LINK, None),     # might point at it
    ([cmk("k", "azurerm_storage_account.a", key_vault_key_id="kv")],
     {**LINK, "where": {"path": "key_vault_key_id", "op": "exists"}}, True),
    ([cmk("k", "azurerm_storage_account.a")],
     {**LINK, "where": {"path": "key_vault_key_id", "op": "exists"}}, False),
    ([cmk("k", "azurerm_storage_account.a", key_vault_key_id=Unknown("var.kid", kind="variable"))],
     {**LINK, "where": {"path": "key_vault_key_id", "op": "exists"}}, None),
    ([cmk("k", "azurerm_storage_account.a"), cmk("j", "azurerm_storage_account.a", key_vault_key_id="kv")],
     {**LINK, "where": {"path": "key_vault_key_id", "op": "exists"}}, True),
    # a link not known statically may be this one, but only one that `where` does not reject could count
    ([cmk("k", Unknown("var.account_id", kind="variable"), key_vault_key_id="kv")],
     {**LINK, "where": {"path": "key_vault_key_id", "op": "exists"}}, None),
    ([cmk("k", Unknown("var.account_id", kind="variable"))],
     {**LINK, "where": {"path": "key_vault_key_id", "op": "exists"}}, False),
    ([cmk("k", ["azurerm_storage_account.other.id", Unknown("var.account_id", kind="variable")])], LINK, None),
    ([cmk("k", ["azurerm_storage_account.other.id", Unknown("var.account_id", kind="variable")])],
     {**LINK, "where": {"path": "key_vault_key_id", "op": "exists"}}, False),
    ([cmk("k", ["azurerm_storage_account.other.id", Unknown("var.account_id", kind="variable")], key_vault_key_id="kv")],
     {**LINK, "where": {"path": "key_vault_key_id", "op": "exists"}}, None),
])
def test_linked(others, args, state):
    ctx = context(ACCOUNT, *others)
    assert judge(ACCOUNT, {"linked": args}, None, ctx).state is state


COPIED_LOCATION = '''data "azurerm_resource_group" "rg" {
  name = "rg"
}
resource "azurerm_windows_virtual_machine" "main" {
  name     = "vm"
  location = data.azurerm_resource_group.rg.location
}
resource "azurerm_virtual_machine_run_command" "cmd" {
  name     = "cmd"
  location = azurerm_windows_virtual_machine.main.location
}
'''


def test_a_location_copied_from_another_resource_is_unresolved_once_where_it_is_written(write, run_scan):
    result = run_scan(write({"main.tf": COPIED_LOCATION}), only=("RES-001",))
    # the run command's location is the VM's: the VM's own check says the region is not known, once
    assert [(u.address, u.line) for u in result.unresolved] == [("azurerm_windows_virtual_machine.main", 6)]


def test_a_known_location_copied_from_a_resource_that_hosts_nothing_is_judged_here(write, run_scan):
    root = write({"main.tf": 'resource "null_resource" "settings" {\n  triggers = { location = "brazilsouth" }\n}\n'
                             'resource "azurerm_resource_group" "rg" {\n  name     = "rg"\n'
                             '  location = null_resource.settings.triggers.location\n}\n'})
    assert [(f.address, f.line) for f in run_scan(root, only=("RES-001",)).findings] == [("azurerm_resource_group.rg", 6)]


def test_a_location_copied_from_a_resource_no_residency_rule_judges_is_judged_here(write, run_scan):
    root = write({"main.tf": 'variable "region" {}\nresource "terraform_data" "settings" {\n  input = var.region\n}\n'
                             'resource "azurerm_resource_group" "rg" {\n  name     = "rg"\n'
                             '  location = terraform_data.settings.input\n}\n'})
    result = run_scan(root, only=("RES-001",))
    assert [(u.address, u.line) for u in result.unresolved] == [("azurerm_resource_group.rg", 7)]


def test_a_location_copied_from_a_resource_group_stays_there_when_a_random_id_names_the_copy(write, run_scan):
    root = write({"main.tf": 'resource "random_id" "p" {\n  byte_length = 4\n}\n'
                             'resource "azurerm_resource_group" "rg" {\n  name     = "rg"\n  location = "eastus"\n}\n'
                             'locals {\n  workspace = { name = "w${random_id.p.hex}", location = azurerm_resource_group.rg.location }\n}\n'
                             'resource "azurerm_storage_account" "s" {\n  name     = "s"\n'
                             '  location = local.workspace.location\n}\n'})
    assert [f.address for f in run_scan(root, only=("RES-001",)).findings] == ["azurerm_resource_group.rg"]


def test_an_unknown_location_that_may_come_from_a_resource_no_rule_judges_is_unresolved_here(write, run_scan):
    root = write({"main.tf": 'variable "use_override" {}\nresource "terraform_data" "x" {\n  input = "eastus"\n}\n'
                             'resource "azurerm_resource_group" "rg" {\n  name     = "rg"\n  location = "westeurope"\n}\n'
                             'resource "azurerm_storage_account" "s" {\n  name     = "s"\n'
                             '  location = var.use_override ? terraform_data.x.output : azurerm_resource_group.rg.location\n}\n'})
    result = run_scan(root, only=("RES-001",))
    assert result.findings == [] and [u.address for u in result.unresolved] == ["azurerm_storage_account.s"]


RESOURCE_GROUP_TAGGED = ('variable "pick" {}\n'
                         'resource "azurerm_resource_group" "rg" {\n  name     = "rg"\n  location = "westeurope"\n'
                         '  tags     = { region = "eastus" }\n}\n')


@pytest.mark.parametrize("location", [
    "azurerm_resource_group.rg.tags.region",                                        # another attribute of the group
    "coalesce(azurerm_resource_group.rg.tags.region, azurerm_resource_group.rg.location)",
])
def test_a_location_read_from_another_attribute_of_a_resource_group_is_judged_here(write, run_scan, location):
    root = write({"main.tf": RESOURCE_GROUP_TAGGED + 'resource "azurerm_storage_account" "s" {\n  name     = "s"\n'
                                                     f'  location = {location}\n}}\n'})
    result = run_scan(root, only=("RES-001",))
    assert [(f.address, f.line) for f in result.findings] == [("azurerm_storage_account.s", 9)]
    assert "eastus" in result.findings[0].message


def test_an_unknown_location_that_may_be_another_attribute_of_a_resource_group_is_unresolved_here(write, run_scan):
    root = write({"main.tf": RESOURCE_GROUP_TAGGED + 'resource "azurerm_storage_account" "s" {\n  name     = "s"\n'
                             '  location = var.pick ? azurerm_resource_group.rg.location : '
                             'azurerm_resource_group.rg.tags.region\n}\n'})
    result = run_scan(root, only=("RES-001",))
    assert result.findings == [] and [(u.address, u.line) for u in result.unresolved] == [("azurerm_storage_account.s", 9)]


def test_an_unknown_location_copied_from_a_resource_group_in_either_branch_stays_there(write, run_scan):
    root = write({"main.tf": 'variable "pick" {}\nvariable "where" {}\n'
                             'resource "azurerm_resource_group" "a" {\n  name     = "a"\n  location = var.where\n}\n'
                             'resource "azurerm_resource_group" "b" {\n  name     = "b"\n  location = "westeurope"\n}\n'
                             'resource "azurerm_storage_account" "s" {\n  name     = "s"\n'
                             '  location = var.pick ? azurerm_resource_group.a.location : azurerm_resource_group.b.location\n}\n'})
    result = run_scan(root, only=("RES-001",))
    assert [(u.address, u.line) for u in result.unresolved] == [("azurerm_resource_group.a", 5)]


def test_a_location_looked_up_by_a_resource_groups_location_is_judged_here(write, run_scan):
    root = write({"main.tf": 'locals {\n  dr = { westeurope = "eastus" }\n}\n'
                             'resource "azurerm_resource_group" "rg" {\n  name     = "rg"\n  location = "westeurope"\n}\n'
                             'resource "azurerm_storage_account" "dr" {\n  name     = "dr"\n'
                             '  location = local.dr[azurerm_resource_group.rg.location]\n}\n'})
    assert [(f.address, f.line) for f in run_scan(root, only=("RES-001",)).findings] == [("azurerm_storage_account.dr", 10)]


def test_a_zone_copied_from_another_resource_is_reported_once_on_it(write, run_scan):
    root = write({"main.tf": 'resource "google_compute_instance" "vm" {\n  name = "vm"\n  zone = "us-central1-a"\n}\n'
                             'resource "google_compute_disk" "d" {\n  name = "d"\n  zone = google_compute_instance.vm.zone\n}\n'})
    assert [(f.address, f.line) for f in run_scan(root, only=("RES-001",)).findings] == [("google_compute_instance.vm", 3)]


def test_a_candidate_location_copied_from_a_group_of_candidates_stays_there(write, run_scan):
    root = write({"main.tf": 'locals {\n  regions = ["eastus", "eastus2"]\n}\nvariable "pick" {\n  type = number\n}\n'
                             'resource "azurerm_resource_group" "rg" {\n  name     = "rg"\n'
                             '  location = local.regions[var.pick]\n}\n'
                             'resource "azurerm_storage_account" "s" {\n  name     = "s"\n'
                             '  location = azurerm_resource_group.rg.location\n}\n'})
    assert [(f.address, f.line) for f in run_scan(root, only=("RES-001",)).findings] == [("azurerm_resource_group.rg", 9)]


# --- every match of a path, not the first --------------------------------------------------------------------
@pytest.mark.parametrize("second, state, detail", [
    ("westeurope", True, ""),
    ("eastus", False, "replicates to the paired region westus"),       # a second, failing match is a finding
    (Unknown("var.location", kind="variable"), None, ""),              # an unknown one is unresolved
    ("marsnorth", None, ""),                                           # the registry cannot tell its pair
    (None, True, ""),                    # a location left null is no location ("the paired region of None")
])
def test_paired_region_allowed_judges_every_location(second, state, detail):
    vault = tf("azurerm_x", "x", {"replica": [{"location": "westeurope"}, {"location": second}]})
    verdict = paired_region_allowed(vault, {"path": "replica[*].location"}, context(vault))
    assert verdict.state is state and detail in verdict.detail


@pytest.mark.parametrize("second, state, detail", [
    ("nginx@sha256:" + "a" * 64, True, ""),
    ("nginx:1.27", False, "nginx:1.27 is pinned by tag, not by digest"),
    (Unknown("var.image", kind="variable"), None, ""),
])
def test_image_pinned_judges_every_image(second, state, detail):
    pod = tf("x_pod", "p", {"containers": [{"image": "redis@sha256:" + "b" * 64}, {"image": second}]})
    verdict = image_pinned(pod, {"path": "containers[*].image"}, context(pod))
    assert verdict.state is state and detail in verdict.detail


@pytest.mark.parametrize("second, state, detail", [
    (14, True, ""),
    (3, False, "below 7"),
    (Unknown("var.days", kind="variable"), None, ""),
])
def test_retention_at_least_judges_every_retention(second, state, detail):
    database = tf("azurerm_mssql_database", "d", {"short_term_retention_policy": [{"retention_days": 30},
                                                                                 {"retention_days": second}]})
    verdict = retention_at_least(database, {"path": "short_term_retention_policy.retention_days", "min": 7},
                                 context(database))
    assert verdict.state is state and detail in verdict.detail


# A failing match is a finding even when an earlier match of the same path is not known statically.
REGIONS_AFTER_AN_UNKNOWN = '''provider "google" { region = "europe-west4" }
variable "region" {}
resource "google_pubsub_topic" "t" {
  name = "t"
  message_storage_policy {
    allowed_persistence_regions = [var.region, "us-east1"]
  }
}
resource "google_pubsub_topic" "u" {
  name = "u"
  message_storage_policy {
    allowed_persistence_regions = [var.region, "europe-west1"]
  }
}
'''


def test_region_allowed_reports_a_failing_region_after_one_not_known_statically(write, run_scan):
    result = run_scan(write({"main.tf": REGIONS_AFTER_AN_UNKNOWN}), only=("RES-001",))
    assert [(f.path, f.line, f.policy_id) for f in result.findings] == [("main.tf", 6, "RES-001")]
    assert "us-east1 (US, tier third-country)" in result.findings[0].message
    assert [(u.path, u.line, u.policy_id) for u in result.unresolved] == [("main.tf", 12, "RES-001")]


@pytest.mark.parametrize("first, state", [
    (Unknown("var.region", kind="variable"), False),
    ("westeurope", False),
])
def test_region_allowed_judges_every_location(first, state):
    resource = tf("azurerm_x", "x", {"location": first, "region": "eastus"})
    verdict = region_allowed(resource, {"paths": ["location", "region"]}, context(resource))
    assert (verdict.state, verdict.path) == (state, "region")


LEAF_POLICY = """\
id: CUS-001
title: No ingress from anywhere
family: custom
severity: medium
rationale: An ingress rule open to the internet exposes the service.
remediation: Name the networks that may connect.
references: {}
input: terraform
message: "{address} is open to the internet"
checks:
  - match: {terraform: [aws_security_group]}
    assert: {path: "ingress[*].cidr_blocks[*]", op: not_equals, value: 0.0.0.0/0}
"""

INGRESS = '''provider "aws" { region = "eu-west-1" }
variable "admin_cidrs" {}
resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.admin_cidrs
  }
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8", "0.0.0.0/0"]
  }
}
resource "aws_security_group" "admin" {
  name = "admin"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.admin_cidrs
  }
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
'''


def test_a_leaf_reports_a_failing_value_after_one_not_known_statically(write, tmp_path):
    """A leaf holds when every value its path reaches holds: one that fails is the finding, with its own line,
    whatever an earlier one not known statically would be; without one, that one leaves it unresolved."""
    (tmp_path / "policies" / "custom").mkdir(parents=True)
    (tmp_path / "policies" / "custom" / "CUS-001.yaml").write_text(LEAF_POLICY, encoding="utf-8")
    policies = [p for p in policy_module.load((str(tmp_path / "policies"),)) if p.id == "CUS-001"]
    result, _ = scan(ScanRequest((str(write({"main.tf": INGRESS}, tmp_path / "tree")),), tuple(policies), Config()))
    assert [(f.path, f.line, f.policy_id) for f in result.findings] == [("main.tf", 15, "CUS-001")]
    assert "ingress[1].cidr_blocks[1] = 0.0.0.0/0" in result.findings[0].message
    assert [(u.path, u.line, u.address) for u in result.unresolved] == [("main.tf", 24, "aws_security_group.admin")]


@pytest.mark.parametrize("cond, state", [
    ({"path": "names[*]", "op": "equals", "value": "a"}, False),               # "b" fails, whatever the variable is
    ({"not": {"path": "names[*]", "op": "equals", "value": "a"}}, True),       # so one of them is not "a"
    ({"path": "names[*]", "op": "not_equals", "value": "b"}, False),           # none of them is "b": "b" is
    ({"path": "names[*]", "op": "not_equals", "value": "c"}, None),            # the variable may be "c"
])
def test_a_leaf_over_several_values_holds_when_each_holds(cond, state):
    resource = tf("aws_x", "x", {"names": [Unknown("var.name", kind="variable"), "b"]})
    assert judge(resource, cond, None, context(resource)).state is state


IMAGES_POLICY = LEAF_POLICY.replace("input: terraform", "input: kubernetes").replace(
    "{terraform: [aws_security_group]}", "{kubernetes: [Pod]}").replace(
    '{path: "ingress[*].cidr_blocks[*]", op: not_equals, value: 0.0.0.0/0}',
    '{predicate: image_pinned, args: {path: "pod.containers[*].image"}}')

POD = '''apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: redis@sha256:''' + "b" * 64 + '''
    - name: side
      image: nginx:1.27
'''


def test_a_predicate_over_every_match_points_at_the_failing_one(write, tmp_path):
    """image_pinned over `pod.containers[*].image` reported the path as written: the finding was on the line of
    `containers:`, keyed by the pattern, not on the image that is not pinned."""
    (tmp_path / "policies" / "custom").mkdir(parents=True)
    (tmp_path / "policies" / "custom" / "CUS-001.yaml").write_text(IMAGES_POLICY, encoding="utf-8")
    policies = [p for p in policy_module.load((str(tmp_path / "policies"),)) if p.id == "CUS-001"]
    result, _ = scan(ScanRequest((str(write({"pod.yaml": POD}, tmp_path / "tree")),), tuple(policies), Config()))
    assert [(f.path, f.line, f.policy_id) for f in result.findings] == [("pod.yaml", 10, "CUS-001")]
    assert result.findings[0].attribute == "spec.containers[name=side].image"


REPLICAS = '''provider "google" { region = "europe-west4" }
variable "replica_location" {}
resource "google_secret_manager_secret" "s" {
  secret_id = "s"
  replication {
    user_managed {
      replicas {
        location = var.replica_location
      }
      replicas {
        location = "us-east1"
      }
    }
  }
}
'''


def test_a_failing_value_in_a_repeated_block_is_reported_at_its_own_block(write, run_scan):
    """`replicas` written twice: the second replica's location fails, and the finding is on its line, not on the
    first replica's (a plain step into repeated blocks named every one of them by the first one's path)."""
    result = run_scan(write({"main.tf": REPLICAS}), only=("RES-005",))
    assert [(f.path, f.line, f.policy_id) for f in result.findings] == [("main.tf", 11, "RES-005")]
    assert result.findings[0].attribute == "replication.user_managed.replicas.location"   # the fingerprint's key


DYNAMIC_VOLUMES = '''provider "aws" { region = "eu-west-1" }
variable "key" {}
resource "aws_kms_key" "k" {}
locals {
  volumes = [{ name = "/dev/sdf", key = aws_kms_key.k.arn }, { name = "/dev/sdg", key = var.key }]
}
resource "aws_instance" "a" {
  ami           = "ami-1"
  instance_type = "t3.micro"
  root_block_device {
    kms_key_id = aws_kms_key.k.arn
  }
  dynamic "ebs_block_device" {
    for_each = local.volumes
    content {
      device_name = ebs_block_device.value.name
      kms_key_id  = ebs_block_device.value.key
    }
  }
}
'''


def test_a_block_a_dynamic_block_makes_is_located_at_its_content(write, run_scan):
    """The second volume's key is not known statically: unresolved at the content's kms_key_id line, which every
    block of the dynamic block shares, not at the `dynamic` header (`ebs_block_device[1]` named no line)."""
    result = run_scan(write({"main.tf": DYNAMIC_VOLUMES}), only=("CMK-002",))
    assert [(u.path, u.line, u.policy_id) for u in result.unresolved] == [("main.tf", 17, "CMK-002")]
