"""Residency predicates: effective regions, replication/backup/log targets, provider SEAL, placement."""
from __future__ import annotations

import pytest

from scanner.config import Config
from scanner.evaluate.context import Context
from scanner.evaluate.predicates.core import region_allowed
from scanner.evaluate.verdict import PASS, Verdict
from scanner.model.derive import derive
from scanner.model.paths import lookup
from scanner.evaluate.predicates.residency import (RESIDENCY, effective_region_allowed, global_service,
                                                   target_region_allowed)
from scanner.model.resource import Model, Resource
from scanner.model.values import Unknown

MATRIX = {"public-cloud": {"high": "red", "some": "red"}, "market-sovereign": {"high": "red", "some": "green"}}


def res(rtype: str, name: str, values: dict, provider: str = "", provider_values: dict | None = None,
        references: dict | None = None, path: str = "main.tf", line: int = 1) -> Resource:
    address = f"{rtype}.{name}" if rtype not in ("provider", "terraform_required_provider") else name
    return Resource("terraform", rtype, address, path, line, values, {}, references=references or {},
                    provider=provider or rtype.split("_", 1)[0], provider_values=provider_values or {})


def ctx(*resources: Resource, config: Config | None = None) -> Context:
    model = Model(list(resources))
    derive(model)
    return Context(model, config or Config())


def provider_seal(declaration: Resource, args: dict, context: Context) -> Verdict:
    """RES-007 judges the provider_source the model derives from a provider's first declaration."""
    return _judged(RESIDENCY["provider_seal"].function, declaration, args, context)


def placement_allowed(declaration: Resource, args: dict, context: Context) -> Verdict:
    return _judged(RESIDENCY["placement_allowed"].function, declaration, args, context)


def _judged(predicate, declaration: Resource, args: dict, context: Context) -> Verdict:
    subject = next((r for r in context.model.by_type("provider_source")
                    if (r.path, r.line) == (declaration.path, declaration.line)), None)
    return predicate(subject, args, context) if subject is not None else PASS


def required(name: str, source: object, path: str = "versions.tf", line: int = 3) -> Resource:
    return res("terraform_required_provider", f"terraform.required_providers.{name}",
               {"source": source} if source is not None else {}, path=path, line=line)


# --- effective_region_allowed ------------------------------------------------------------------
def test_the_resource_region_wins_over_the_provider_region():
    key = res("aws_kms_key", "k", {"region": "eu-west-1"}, provider_values={"region": "us-east-1"})
    assert effective_region_allowed(key, {"paths": ["region"]}, ctx(key)).state is True


def test_a_provider_region_outside_the_tier_fails_and_names_the_provider():
    key = res("aws_kms_replica_key", "r", {}, provider="aws.us", provider_values={"region": "us-east-1"})
    verdict = effective_region_allowed(key, {"paths": ["region"]}, ctx(key))
    assert verdict.state is False and "provider aws.us" in verdict.detail


def test_the_tier_and_allow_list_come_from_the_config():
    key = res("aws_kms_key", "k", {}, provider_values={"region": "eu-west-2"})
    assert effective_region_allowed(key, {}, ctx(key)).state is False
    assert effective_region_allowed(key, {}, ctx(key, config=Config(residency_tier="adequacy"))).state is True
    assert effective_region_allowed(key, {}, ctx(key, config=Config(allow_regions=("eu-west-2",)))).state is True


@pytest.mark.parametrize("values, provider_values", [
    ({"region": Unknown("var.region")}, {}),
    ({}, {"region": Unknown("var.region")}),
    ({}, {}),                                 # set by the environment (AWS_REGION)
])
def test_an_unknown_effective_region_is_unresolved(values, provider_values):
    key = res("aws_kms_key", "k", values, provider_values=provider_values)
    assert effective_region_allowed(key, {"paths": ["region"]}, ctx(key)).state is None


def test_a_region_in_a_repeated_block_is_keyed_by_it_and_located_by_its_index():
    table = res("aws_dynamodb_table", "t", {"replica": [{"region_name": "eu-central-1"}, {"region_name": "us-east-1"}]})
    replica = lookup(table, "replica[*]")[1]
    verdict = effective_region_allowed(table, {"paths": ["region_name"]}, ctx(table), replica)
    assert (verdict.state, verdict.path, verdict.key) == (False, "replica[1].region_name",
                                                          "replica[region_name=us-east-1].region_name")


# --- target_region_allowed ---------------------------------------------------------------------
TRAIL_ARGS = {"path": "s3_bucket_name", "types": ["aws_s3_bucket"], "provider": "aws", "region_paths": ["region"]}


def trail(value: object) -> Resource:
    return res("aws_cloudtrail", "t", {"s3_bucket_name": value}, references={"s3_bucket_name": frozenset({"aws_s3_bucket.logs"})})


def test_the_target_region_comes_from_the_target_resource():
    london = res("aws_s3_bucket", "logs", {"bucket": "logs"}, provider_values={"region": "eu-west-2"})
    verdict = target_region_allowed(trail("logs"), TRAIL_ARGS, ctx(trail("logs"), london))
    assert verdict.state is False and "aws_s3_bucket.logs" in verdict.detail
    frankfurt = res("aws_s3_bucket", "logs", {"bucket": "logs"}, provider_values={"region": "eu-central-1"})
    assert target_region_allowed(trail("logs"), TRAIL_ARGS, ctx(trail("logs"), frankfurt)).state is True


def test_a_literal_arn_names_its_region_and_a_plain_name_cannot_be_placed():
    plan = res("aws_backup_plan", "p", {"rule": [{"copy_action": [{"destination_vault_arn":
                                                                    "arn:aws:backup:us-west-2:1:backup-vault:x"}]}]})
    args = {"path": "rule.copy_action.destination_vault_arn", "types": ["aws_backup_vault"], "provider": "aws"}
    assert target_region_allowed(plan, args, ctx(plan)).state is False
    named = res("aws_cloudtrail", "t", {"s3_bucket_name": "somebody-elses-bucket"})
    verdict = target_region_allowed(named, TRAIL_ARGS, ctx(named))
    assert verdict.state is None and verdict.blocker == "the region of somebody-elses-bucket"   # the message adds
                                                                                             # "is not known statically"


def test_nothing_targeted_passes():
    empty = res("aws_cloudtrail", "t", {})
    assert target_region_allowed(empty, TRAIL_ARGS, ctx(empty)).state is True


@pytest.mark.parametrize("target_values, target_provider", [
    ({"region": Unknown("var.region")}, {}),
    ({}, {"region": Unknown("var.region")}),
    ({}, {}),
])
def test_an_unknown_target_region_is_unresolved(target_values, target_provider):
    bucket = res("aws_s3_bucket", "logs", target_values, provider_values=target_provider)
    assert target_region_allowed(trail("logs"), TRAIL_ARGS, ctx(trail("logs"), bucket)).state is None


def test_an_unknown_unreferenced_target_is_unresolved():
    blind = res("aws_cloudtrail", "t", {"s3_bucket_name": Unknown("module.logs (source not fetched)")})
    assert target_region_allowed(blind, TRAIL_ARGS, ctx(blind)).state is None


# --- provider_seal -----------------------------------------------------------------------------
def test_no_target_means_nothing_is_checked():
    entry = required("azurerm", "hashicorp/azurerm")
    assert provider_seal(entry, {}, ctx(entry)).state is True


def test_a_hyperscaler_misses_seal_4_and_an_eu_community_cloud_reaches_it():
    azure, stackit = required("azurerm", "hashicorp/azurerm"), required("stackit", "stackitcloud/stackit", line=6)
    context = ctx(azure, stackit, config=Config(seal_target=4))
    verdict = provider_seal(azure, {}, context)
    assert verdict.state is False and "0-1" in verdict.detail
    assert provider_seal(stackit, {}, context).state is True


def test_the_target_derives_from_the_sovereignty_requirement():
    assert Config().seal_level() is None
    assert Config(sovereignty_requirement="none").seal_level() is None
    assert Config(sovereignty_requirement="some").seal_level() == 2
    assert Config(sovereignty_requirement="high").seal_level() == 4
    assert Config(seal_target=1, sovereignty_requirement="high").seal_level() == 1


def test_each_provider_is_reported_once_at_its_first_declaration():
    first = required("aws", "hashicorp/aws", path="a/versions.tf")
    again = required("aws", "registry.terraform.io/hashicorp/aws", path="b/versions.tf")
    context = ctx(first, again, config=Config(seal_target=2))
    assert provider_seal(first, {}, context).state is False
    assert provider_seal(again, {}, context).state is True


def test_a_provider_block_without_required_providers_is_reported_itself():
    block = res("provider", "provider.google", {"region": "europe-west4"}, provider="google")
    assert provider_seal(block, {}, ctx(block, config=Config(seal_target=2))).state is False


def test_the_eusc_variant_is_chosen_by_region():
    entry = required("aws", "hashicorp/aws")
    block = res("provider", "provider.aws", {"region": "eusc-de-east-1"}, provider="aws", path="main.tf")
    context = ctx(entry, block, config=Config(seal_target=2))
    assert provider_seal(entry, {}, context).state is True


@pytest.mark.parametrize("source", [Unknown("var.source"), "example/unheard-of"])
def test_an_unknown_or_unregistered_source_is_unresolved(source):
    entry = required("thing", source)
    assert provider_seal(entry, {}, ctx(entry, config=Config(seal_target=4))).state is None


def test_openstack_needs_a_known_operator():
    entry = required("openstack", "terraform-provider-openstack/openstack")
    unknown_operator = res("provider", "provider.openstack", {"auth_url": "https://keystone.example.org:5000/v3"},
                           provider="openstack")
    assert provider_seal(entry, {}, ctx(entry, unknown_operator, config=Config(seal_target=3))).state is None
    cleura = res("provider", "provider.openstack", {"auth_url": "https://fra1.citycloud.com:5000"}, provider="openstack")
    assert provider_seal(entry, {}, ctx(entry, cleura, config=Config(seal_target=3))).state is True


# --- placement_allowed -------------------------------------------------------------------------
def test_placement_follows_the_matrix():
    azure, ovh = required("azurerm", "hashicorp/azurerm"), required("ovh", "ovh/ovh", line=6)
    some = ctx(azure, ovh, config=Config(sovereignty_requirement="some"))
    assert placement_allowed(azure, {"matrix": MATRIX}, some).state is False
    assert placement_allowed(ovh, {"matrix": MATRIX}, some).state is True
    high = ctx(azure, ovh, config=Config(sovereignty_requirement="high"))
    assert placement_allowed(ovh, {"matrix": MATRIX}, high).state is False
    assert placement_allowed(azure, {"matrix": MATRIX}, ctx(azure)).state is True


def test_utility_providers_have_no_placement():
    entry = required("random", "hashicorp/random")
    assert placement_allowed(entry, {"matrix": MATRIX}, ctx(entry, config=Config(sovereignty_requirement="high"))).state is True


# --- global_service ----------------------------------------------------------------------------
def test_only_listed_global_services_are_reported():
    services = {"aws_cloudfront_distribution": "edge caches worldwide"}
    cdn, bucket = res("aws_cloudfront_distribution", "c", {}), res("aws_s3_bucket", "b", {})
    verdict = global_service(cdn, {"services": services}, ctx(cdn))
    assert verdict.state is False and verdict.detail == "edge caches worldwide"
    assert global_service(bucket, {"services": services}, ctx(bucket)).state is True
    assert global_service(cdn, {}, ctx(cdn)).state is True


# --- Unknown is never a violation --------------------------------------------------------------
@pytest.mark.parametrize("name, resource, args", [
    ("effective_region_allowed", res("aws_kms_key", "k", {"region": Unknown("var.r")}), {"paths": ["region"]}),
    ("target_region_allowed", res("aws_cloudtrail", "t", {"s3_bucket_name": Unknown("var.bucket")}), TRAIL_ARGS),
    ("provider_seal", required("aws", Unknown("var.source")), {}),
    ("placement_allowed", required("aws", Unknown("var.source")), {"matrix": MATRIX}),
])
def test_every_residency_predicate_leaves_an_unknown_value_unresolved(name, resource, args):
    config = Config(seal_target=4, sovereignty_requirement="high")
    context = ctx(resource, config=config)
    verdict = _judged(RESIDENCY[name].function, resource, args, context) if name in ("provider_seal", "placement_allowed") \
        else RESIDENCY[name].function(resource, args, context)
    assert verdict.state is None
    assert verdict.blocker


# --- never silent, one entry per fact (RES-001, RES-002, RES-013 together) ------------------------------
@pytest.mark.parametrize("text, expected", [
    # a known provider with an id its table lacks: the RES-013 note, and RES-001 cannot place it (unresolved, so
    # `--only RES-001` is not silent about it)
    ('resource "aws_s3_bucket" "b" {\n  region = "mars-north-1"\n}\n', [("finding", "RES-013", 2),
                                                                         ("open", "RES-001", 2)]),
    # a provider without a region table: RES-001 unresolved, naming provider and id
    ('resource "digitalocean_droplet" "d" {\n  region = "nyc3"\n}\n', [("open", "RES-001", 2)]),
    ('provider "digitalocean" {\n  region = "nyc3"\n}\n', [("open", "RES-002", 2)]),
    # a value not known statically: RES-001 unresolved only, RES-013 does not repeat it
    ('variable "r" {}\nresource "aws_s3_bucket" "b" {\n  region = var.r\n}\n', [("open", "RES-001", 3)]),
    # a known non-EU region: the RES-001 finding only
    ('resource "aws_s3_bucket" "b" {\n  region = "us-east-1"\n}\n', [("finding", "RES-001", 2)]),
    ('provider "alicloud" {\n  region = "cn-hangzhou"\n}\n', [("finding", "RES-002", 2)]),
])
def test_each_region_fact_gives_one_finding(write, run_scan, text, expected):
    result = run_scan(write({"main.tf": text}), only=("RES-001", "RES-002", "RES-013"))
    entries = sorted([("finding", f.policy_id, f.line) for f in result.findings] +
                     [("open", f.policy_id, f.line) for f in result.unresolved])
    assert entries == expected


def test_the_unresolved_entry_names_the_provider_and_the_region():
    droplet = res("digitalocean_droplet", "d", {"region": "nyc3"})
    verdict = region_allowed(droplet, {"paths": ["region"]}, ctx(droplet))
    assert verdict.state is None and "provider digitalocean" in verdict.blocker and "nyc3" in verdict.blocker


def test_a_region_the_registry_does_not_list_is_unresolved_for_res_001_alone(write, run_scan):
    """`--only RES-001` on an id the table lacks said nothing at all: RES-001 passed it, leaving it to RES-013."""
    result = run_scan(write({"main.tf": 'resource "azurerm_resource_group" "rg" {\n  name     = "rg"\n'
                                        '  location = "marsnorth"\n}\n'}), only=("RES-001",))
    assert result.findings == [] and [(u.policy_id, u.line) for u in result.unresolved] == [("RES-001", 3)]
    assert "marsnorth (provider azurerm's table in policies/registries/regions.yaml" in result.unresolved[0].message


def test_an_azure_zone_number_is_no_region_id(write, run_scan):
    """`zone = "1"` on an Azure VM is a zone of its location: RES-013 called it an unknown region, and RES-001 could
    not place it."""
    text = ('resource "azurerm_linux_virtual_machine" "vm" {\n  name     = "vm"\n  location = "westeurope"\n'
            '  zone     = "1"\n}\n')
    result = run_scan(write({"main.tf": text}), only=("RES-001", "RES-013"))
    assert (result.findings, result.unresolved) == ([], [])


def test_an_azure_zone_not_known_statically_is_no_region_either(write, run_scan):
    """`zone = var.zone` on an Azure disk is a zone of its location whatever the variable holds (azurerm's zone is
    a zone number): RES-001 was unresolved on it, though the location decides."""
    text = ('variable "zone" {}\nresource "azurerm_managed_disk" "d" {\n  name     = "d"\n  location = "westeurope"\n'
            '  zone     = var.zone\n}\nresource "azurerm_managed_disk" "e" {\n  name     = "e"\n  location = "eastus"\n'
            '  zone     = var.zone\n}\n')
    result = run_scan(write({"main.tf": text}), only=("RES-001", "RES-013"))
    assert [(f.path, f.line, f.policy_id) for f in result.findings] == [("main.tf", 9, "RES-001")]
    assert result.unresolved == []


def test_a_replica_is_fingerprinted_by_its_region_and_still_shown_where_it_is(write, run_scan):
    """A replica inserted above leaves the finding's fingerprint; the message and line name the block as written."""
    replica = '  replica {{\n    region_name = "{0}"\n  }}\n'
    table = 'resource "aws_dynamodb_table" "t" {{\n  name = "t"\n{0}}}\n'
    one = run_scan(write({"main.tf": table.format(replica.format("us-east-1"))}), only=("RES-005",)).findings
    two = run_scan(write({"main.tf": table.format(replica.format("eu-central-1") + replica.format("us-east-1"))}),
                   only=("RES-005",)).findings
    assert [f.fingerprint for f in one] == [f.fingerprint for f in two]
    assert [(f.line, f.attribute, f.message.split(" is ")[0]) for f in two] == [
        (7, "replica[region_name=us-east-1].region_name", "aws_dynamodb_table.t: replica replica[1]")]
