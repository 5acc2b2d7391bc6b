"""Three-valued logic, predicate by predicate: each predicate is given a resource it really judges, with an
Unknown exactly where it looks, and must answer "cannot tell" (never a violation, never a pass).

Predicates whose inputs can never be Unknown (configuration, file paths, Kubernetes YAML, live HCC results,
derived facts that are plain booleans) are listed with the reason; a new predicate must join one of the
two tables, so the test fails until someone decided which."""
from __future__ import annotations

import datetime
from typing import Any

import pytest

from scanner.config import Config
from scanner.evaluate.context import Context
from scanner.evaluate.predicates import PREDICATES
from scanner.model.derive import derive
from scanner.model.resource import Model, Resource
from scanner.model.values import Unknown

BLOCKED = Unknown("var.blocked", kind="variable")


def tf(rtype: str, name: str, values: dict[str, Any], **kwargs: Any) -> Resource:
    kwargs.setdefault("provider", rtype.split("_", 1)[0])
    return Resource("terraform", rtype, f"{rtype}.{name}", "main.tf", 1, values, {k: 2 for k in values}, **kwargs)


def required(name: str, source: Any) -> Resource:
    return Resource("terraform", "terraform_required_provider", f"terraform.required_providers.{name}", "versions.tf",
                    3, {"source": source}, {"": 3, "source": 3})


PROVIDER_CONFIG = Config(seal_target=4, sovereignty_requirement="high", classification="dv")
MATRIX = {"public-cloud": {"high": "red", "some": "red"}}

# name -> (resources, index of the judged resource (or the type of a derived subject), args, config)
CASES: dict[str, tuple[list[Resource], Any, dict[str, Any], Config]] = {
    "customer_key": ([tf("aws_ebs_volume", "v", {"kms_key_id": BLOCKED})], 0, {"path": "kms_key_id"}, Config()),
    "region_allowed": ([tf("azurerm_storage_account", "s", {"location": BLOCKED})], 0, {}, Config()),
    "region_known": ([tf("azurerm_storage_account", "s", {"location": BLOCKED})], 0, {}, Config()),
    "paired_region_allowed": ([tf("azurerm_storage_account", "s", {"location": BLOCKED})], 0, {}, Config()),
    "image_pinned": ([tf("x_container", "c", {"image": BLOCKED})], 0, {}, Config()),
    "ebs_cmk": ([tf("aws_ebs_volume", "v", {"kms_key_id": BLOCKED})], 0, {}, Config()),
    "hsm_backed": ([tf("azurerm_key_vault", "k", {"sku_name": BLOCKED})], 0,
                   {"path": "sku_name", "accepted": ["premium"]}, Config(classification="dv")),
    "duration_within": ([tf("aws_kms_key", "k", {"deletion_window_in_days": BLOCKED})], 0,
                        {"path": "deletion_window_in_days", "min_days": 7}, Config()),
    "effective_region_allowed": ([tf("aws_kms_key", "k", {"region": BLOCKED})], 0, {}, Config()),
    "target_region_allowed": ([tf("aws_cloudtrail", "t", {"s3_bucket_name": BLOCKED})], 0,
                              {"path": "s3_bucket_name"}, Config()),
    "provider_seal": ([required("aws", BLOCKED)], "provider_source", {}, PROVIDER_CONFIG),
    "placement_allowed": ([required("aws", BLOCKED)], "provider_source", {"matrix": MATRIX}, PROVIDER_CONFIG),
    "secret_named": ([tf("x_secret_setting", "s", {"key": BLOCKED})], 0, {"path": "key"}, Config()),
    "secret_settings": ([tf("azurerm_virtual_machine_extension", "e", {"protected_settings": BLOCKED})], 0,
                        {"path": "protected_settings"}, Config()),
    "secret_entries": ([tf("azurerm_linux_web_app", "a", {"app_settings": BLOCKED})], 0, {"path": "app_settings"},
                       Config()),
    "output_exposes_no_secret": ([tf("output", "o", {"value": BLOCKED}, provider="")], 0, {}, Config()),
    "backend_settings_written": ([tf("terraform_backend", "b", {"type": "s3"}, provider="")], 0, {}, Config()),
    "token_automount_disabled": ([Resource("kubernetes", "Pod", "Pod/default/p", "p.yaml", 1,
                                           {"spec": {"serviceAccountName": "ops"}}, {}, pod_spec_path="spec")],
                                 0, {}, Config()),
    "portable_alternative": ([tf("aws_db_instance", "d", {"engine": BLOCKED})], 0, {"engine": True}, Config()),
    "lockin_inventory": ([tf("aws_db_instance", "d", {"engine": BLOCKED}),
                          Resource("file", "repository", ".", "README.md", 1, {"root": ""}, {})], 1, {}, Config()),
    # tags not known statically matter where a selection picks by tag (with none at all, nothing selects it)
    "aws_backup_rule_selected": ([tf("aws_db_instance", "d", {"tags": BLOCKED}),
                                  tf("aws_backup_selection", "s", {"selection_tag": [
                                      {"type": "STRINGEQUALS", "key": "backup", "value": "daily"}]})],
                                 0, {"path": "tags"}, Config()),
    "dlm_selected": ([tf("aws_ebs_volume", "v", {"tags": BLOCKED}),
                      tf("aws_dlm_lifecycle_policy", "p", {"policy_details": [{"target_tags": {"Snapshot": "daily"}}]})],
                     0, {}, Config()),
    "vm_backed_up": ([tf("azurerm_virtual_machine_data_disk_attachment", "a", {"virtual_machine_id": BLOCKED})], 0,
                     {}, Config()),
    "retention_at_least": ([tf("aws_db_instance", "d", {"backup_retention_period": BLOCKED})], 0,
                           {"path": "backup_retention_period", "min": 7}, Config()),
    "critical_data_copied": ([tf("aws_s3_bucket", "b", {"tags": BLOCKED})], 0, {"path": "tags"}, Config()),
    "exit_plan_tested": ([Resource("file", "repository", ".", "EXIT.md", 1, {"exit_plan": BLOCKED}, {})], 0, {},
                         Config()),
    "image_registry_allowed": ([tf("x_container", "c", {"image": BLOCKED})], 0, {}, Config()),
    "image_version_fixed": ([tf("x_container", "c", {"image": BLOCKED})], 0, {}, Config()),
    "cluster_zones": ([tf("azurerm_kubernetes_cluster", "k", {"default_node_pool": [{"zones": BLOCKED}]})], 0, {},
                      Config()),
    "worker_minimum": ([tf("azurerm_kubernetes_cluster", "k", {"default_node_pool": [{"node_count": BLOCKED}]})], 0,
                       {}, Config()),
    "node_os_hardened": ([tf("azurerm_kubernetes_cluster", "k", {"default_node_pool": [{"os_sku": BLOCKED}]})], 0,
                         {}, Config()),
    "nodes_private": ([tf("aws_eks_node_group", "n", {"subnet_ids": [BLOCKED]})], 0, {}, Config()),
    "gke_nodes_private": ([tf("google_container_cluster", "g", {"node_pool": [{"name": "apps", "network_config": [
        {"enable_private_nodes": BLOCKED}]}]})], 0, {}, Config()),
    "k8s_version_recent": ([tf("aws_eks_cluster", "e", {"version": BLOCKED})], 0, {}, Config()),
    "addon_present": ([tf("helm_release", "r", {"chart": BLOCKED}), tf("aws_eks_cluster", "e", {})], 1,
                      {"charts": ["cert-manager"]}, Config()),
    "eks_network_policy": ([tf("aws_eks_addon", "a", {"addon_name": BLOCKED}), tf("aws_eks_cluster", "e", {})], 1,
                           {"charts": ["cilium"]}, Config()),
    "effective": ([tf("x_container", "c", {"read_only": BLOCKED})], 0, {"path": "read_only"}, Config()),
    "inherits_from_source": ([tf("aws_ebs_snapshot", "s", {"volume_id": BLOCKED})], 0,
                             {"path": "volume_id", "types": ["aws_ebs_volume"]}, Config()),
    "version_pinned": ([tf("terraform_required_provider", "aws", {"version": BLOCKED}, provider="")], 0, {}, Config()),
    "source_ref_pinned": ([tf("module_call", "m", {"source": BLOCKED}, provider="")], 0, {}, Config()),
}

# Predicates for which an Unknown value is no finding by what they judge, and why (the test asserts a pass).
UNKNOWN_IS_NOT_THEIR_SUBJECT = {
    "region_known": "judges the region ids written statically; a value not known statically is RES-001's "
                    "unresolved check, not a second one",
    "secret_entries": "judges entries written literally in the block; an Unknown value is not written here",
    "secret_settings": "judges literals written on the attribute's own lines; an Unknown value whose lines hold "
                       "none is not written there",
    "output_exposes_no_secret": "judges where the value comes from; an unknown non-secret variable exposes nothing",
    "region_known": "judges written region ids; an Unknown one is region_allowed's to report (RES-001), once",
}

# Predicates whose inputs are never Unknown, and why.
NO_UNKNOWN_INPUT = {
    "environment": "reads the configuration only",
    "environment_in": "reads the configuration only",
    "outside_demonstration": "reads the file path only",
    "global_service": "reads the resource type only",
    "hcc_passed": "reads the live HCC result, a fixed vocabulary (YES/NO/SKIPPED/UNKNOWN)",
    "lock_file_committed": "reads the derived root_module facts (plain booleans)",
    "default_deny_policy": "reads the derived namespace facts (plain booleans)",
    "self_managed_node_group": "reads the derived cluster facts (whether an autoscaling group is or may be a node "
                               "group: where user data is unknown, it may be)",
    "secret_text": "reads file text",
    "tfvars_secrets": "reads literal tfvars entries only",
    "ci_no_inline_secrets": "reads CI YAML, which has no unknown values",
    "ci_oidc_federation": "reads CI YAML, which has no unknown values",
    "vendor_neutral": "reads Kubernetes YAML, which has no unknown values",
    "apparmor_annotations": "reads Kubernetes YAML, which has no unknown values",
    "disruption_budget": "reads Kubernetes YAML, which has no unknown values",
    "replicated": "reads Kubernetes YAML, which has no unknown values",
    "route_tls": "reads Kubernetes YAML, which has no unknown values",
    "ingress_tls": "reads Kubernetes YAML, which has no unknown values",
    "host_path_volumes": "reads Kubernetes YAML, which has no unknown values",
    "host_namespaces": "reads Kubernetes YAML, which has no unknown values",
    "image_registries_listed": "reads the configuration only",
    "image_region_allowed": "reads the derived image_registry (a host from Kubernetes YAML)",
    "images_from_eu_registries": "reads the derived container_images (image references from Kubernetes YAML)",
    "secret_material": "reads Kubernetes YAML, which has no unknown values",
}


def test_every_predicate_is_classified():
    assert set(CASES) | set(NO_UNKNOWN_INPUT) == set(PREDICATES)
    assert not set(CASES) & set(NO_UNKNOWN_INPUT)
    assert set(UNKNOWN_IS_NOT_THEIR_SUBJECT) <= set(CASES)


def _judge(name: str) -> Any:
    resources, subject, args, config = CASES[name]
    model = Model(list(resources))
    derive(model)
    judged = model.by_type(subject)[0] if isinstance(subject, str) else resources[subject]
    return PREDICATES[name].function(judged, args, Context(model, config, datetime.date(2026, 11, 23)), None)


@pytest.mark.parametrize("name", sorted(set(CASES) - set(UNKNOWN_IS_NOT_THEIR_SUBJECT)))
def test_an_unknown_input_leaves_the_check_unresolved(name):
    verdict = _judge(name)
    assert verdict.state is None, f"{name} decided {verdict}"
    assert verdict.blocker


@pytest.mark.parametrize("name", sorted(UNKNOWN_IS_NOT_THEIR_SUBJECT))
def test_an_unknown_value_that_is_not_the_subject_passes(name):
    assert _judge(name).state is True


def test_replicas_that_are_not_a_number_leave_the_replica_check_unresolved(write, run_scan):
    """A manifest template not yet filled in (`replicas: {{replicas}}` reads as a mapping) is not a single
    replica: WL-010 said "spec.replicas is {'replicas': None}" and failed it."""
    root = write({"vtgate.yaml": "apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: vtgate\nspec:\n"
                                 "  replicas: {{replicas}}\n  template:\n    spec:\n      containers:\n"
                                 "        - name: vtgate\n          image: registry.example.nl/vtgate:2.1.0\n"
                                 "          ports: [{containerPort: 15001}]\n"})
    result = run_scan(root, only=("WL-010",))
    assert result.findings == []
    assert [(f.policy_id, f.line, f.message) for f in result.unresolved] == [
        ("WL-010", 6, "ReplicationController/default/vtgate: could not verify workloads run more than one replica or "
                      "are autoscaled: spec.replicas (not a number) is not known statically")]


def test_replicas_written_without_a_value_are_one_and_an_autoscaler_decides_a_templated_count(write, run_scan):
    """`replicas:` with nothing after it (a Helm value left unset renders so) is Kubernetes' default, one; a
    templated count whose HorizontalPodAutoscaler keeps three replicas passes."""
    workload = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n"
                "  template:\n    spec:\n      containers:\n        - name: app\n"
                "          image: registry.example.nl/app:2.1.0\n          ports: [{{containerPort: 80}}]\n")
    hpa = ("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: scaled\nspec:\n"
           "  scaleTargetRef: {kind: Deployment, name: scaled, apiVersion: apps/v1}\n  minReplicas: 3\n"
           "  maxReplicas: 6\n")
    root = write({"empty.yaml": workload.format(name="empty", replicas=""),
                  "scaled.yaml": workload.format(name="scaled", replicas="{{replicas}}") + "---\n" + hpa})
    result = run_scan(root, only=("WL-010",))
    assert [(f.path, f.message) for f in result.findings] == [
        ("empty.yaml", "Deployment/default/empty can run with a single replica: spec.replicas is not set (1) and no "
                       "HorizontalPodAutoscaler scales it")]
    assert result.unresolved == []
