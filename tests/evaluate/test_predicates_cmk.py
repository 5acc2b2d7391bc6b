"""CMK predicates: EBS account defaults, HSM-backed keys by profile, key-lifetime durations."""
from __future__ import annotations

import pytest

from scanner.config import Config
from scanner.evaluate.context import Context
from scanner.model.derive import derive
from scanner.evaluate.predicates.cmk import (CMK, duration_days, duration_within, ebs_cmk, hsm_backed,
                                            inherits_from_source)
from scanner.model.resource import Model, Resource
from scanner.model.values import Unknown


def res(rtype: str, name: str, values: dict, root: str = "", provider_values: dict | None = None,
        references: dict | None = None) -> Resource:
    return Resource("terraform", rtype, f"{rtype}.{name}", "main.tf", 1, values, {}, references=references or {},
                    provider=rtype.split("_", 1)[0], provider_values=provider_values or {}, root=root)


def ctx(*resources: Resource, config: Config | None = None) -> Context:
    model = Model(list(resources))
    derive(model)
    return Context(model, config or Config())


KMS_REF = Unknown("aws_kms_key.k.arn (known after apply)", refers_to="aws_kms_key.k")
EU = {"region": "eu-central-1"}


# --- ebs_cmk -----------------------------------------------------------------------------------
def test_a_volume_with_a_customer_key_passes_and_an_aws_managed_alias_fails():
    good = res("aws_ebs_volume", "a", {"kms_key_id": KMS_REF})
    bad = res("aws_ebs_volume", "b", {"kms_key_id": "alias/aws/ebs"})
    assert ebs_cmk(good, {"path": "kms_key_id"}, ctx(good)).state is True
    verdict = ebs_cmk(bad, {"path": "kms_key_id"}, ctx(bad))
    assert verdict.state is False and "provider-managed" in verdict.detail


def test_without_a_key_the_region_default_decides():
    volume = res("aws_ebs_volume", "v", {}, provider_values=EU)
    switch = res("aws_ebs_encryption_by_default", "on", {"enabled": True}, provider_values=EU)
    key = res("aws_ebs_default_kms_key", "k", {"key_arn": KMS_REF}, provider_values=EU)
    assert ebs_cmk(volume, {"path": "kms_key_id"}, ctx(volume)).state is False
    assert ebs_cmk(volume, {"path": "kms_key_id"}, ctx(volume, switch, key)).state is True


def test_a_default_key_in_another_region_or_root_does_not_count():
    volume = res("aws_ebs_volume", "v", {}, provider_values=EU)
    switch = res("aws_ebs_encryption_by_default", "on", {}, provider_values={"region": "eu-west-1"})
    key = res("aws_ebs_default_kms_key", "k", {"key_arn": KMS_REF}, provider_values={"region": "eu-west-1"})
    assert ebs_cmk(volume, {"path": "kms_key_id"}, ctx(volume, switch, key)).state is False
    other_root = [res(r.type, r.name, r.values, root="other", provider_values=EU) for r in (switch, key)]
    assert ebs_cmk(volume, {"path": "kms_key_id"}, ctx(volume, *other_root)).state is False


def test_a_disabled_default_does_not_count():
    volume = res("aws_ebs_volume", "v", {}, provider_values=EU)
    switch = res("aws_ebs_encryption_by_default", "off", {"enabled": False}, provider_values=EU)
    key = res("aws_ebs_default_kms_key", "k", {"key_arn": KMS_REF}, provider_values=EU)
    assert ebs_cmk(volume, {"path": "kms_key_id"}, ctx(volume, switch, key)).state is False


@pytest.mark.parametrize("volume_values, switch_values, key_values", [
    ({"kms_key_id": Unknown("var.key")}, {"enabled": True}, {"key_arn": KMS_REF}),
    ({}, {"enabled": Unknown("var.ebs_default")}, {"key_arn": KMS_REF}),
    ({}, {"enabled": True}, {"key_arn": Unknown("var.default_key")}),
])
def test_unknown_keys_or_switches_are_unresolved_never_violations(volume_values, switch_values, key_values):
    volume = res("aws_ebs_volume", "v", volume_values, provider_values=EU)
    switch = res("aws_ebs_encryption_by_default", "s", switch_values, provider_values=EU)
    key = res("aws_ebs_default_kms_key", "k", key_values, provider_values=EU)
    assert ebs_cmk(volume, {"path": "kms_key_id"}, ctx(volume, switch, key)).state is None


# --- hsm_backed --------------------------------------------------------------------------------
HSM_ARGS = {"path": "key_type", "accepted": ["RSA-HSM", "EC-HSM"]}


def test_hsm_is_only_required_when_the_profile_asks():
    key = res("azurerm_key_vault_key", "k", {"key_type": "RSA"})
    assert hsm_backed(key, HSM_ARGS, ctx(key)).state is True
    assert hsm_backed(key, HSM_ARGS, ctx(key, config=Config(classification="bbn2"))).state is True
    dv = hsm_backed(key, HSM_ARGS, ctx(key, config=Config(classification="dv")))
    assert dv.state is False and "classification dv" in dv.detail
    assert hsm_backed(key, HSM_ARGS, ctx(key, config=Config(seal_target=3))).state is False
    assert hsm_backed(key, HSM_ARGS, ctx(key, config=Config(seal_target=2))).state is True


def test_hsm_values_and_defaults():
    dv = Config(classification="dv")
    hsm = res("azurerm_key_vault_key", "k", {"key_type": "rsa-hsm"})
    assert hsm_backed(hsm, HSM_ARGS, ctx(hsm, config=dv)).state is True
    template = res("google_kms_crypto_key", "g", {})
    args = {"path": "version_template.protection_level", "accepted": ["HSM"], "default": "SOFTWARE"}
    verdict = hsm_backed(template, args, ctx(template, config=dv))
    assert verdict.state is False and "SOFTWARE" in verdict.detail


def test_an_unknown_protection_level_is_unresolved():
    key = res("azurerm_key_vault_key", "k", {"key_type": Unknown("var.key_type")})
    assert hsm_backed(key, HSM_ARGS, ctx(key, config=Config(classification="dv"))).state is None


# --- durations ---------------------------------------------------------------------------------
@pytest.mark.parametrize("value, days", [
    ("7776000s", 90.0), ("86400.5s", 86400.5 / 86400), ("P90D", 90.0), ("P1Y", 365.0), ("PT24H", 1.0),
    ("P12M", 365.0), (30, 30.0), ("soon", None), ("P", None), (True, None),
])
def test_duration_days(value, days):
    assert duration_days(value) == days


def test_duration_within_bounds_default_and_unknown():
    key = res("google_kms_crypto_key", "k", {"rotation_period": "31536001s"})
    assert duration_within(key, {"path": "rotation_period", "max_days": 365}, ctx(key)).state is False
    assert duration_within(key, {"path": "rotation_period", "max_days": 366}, ctx(key)).state is True
    empty = res("google_kms_crypto_key", "e", {})
    assert duration_within(empty, {"path": "rotation_period", "max_days": 365}, ctx(empty)).state is False
    args = {"path": "destroy_scheduled_duration", "min_days": 7, "default": "2592000s"}
    assert duration_within(empty, args, ctx(empty)).state is True
    unknown = res("google_kms_crypto_key", "u", {"rotation_period": Unknown("var.period")})
    assert duration_within(unknown, {"path": "rotation_period", "max_days": 365}, ctx(unknown)).state is None


def test_duration_within_less_another_and_the_missing_block_named():
    def key(automatic: dict) -> object:
        return res("azurerm_key_vault_key", "k", {"rotation_policy": [{"expire_after": "P2Y", "automatic": [automatic]}]})
    args = {"path": "rotation_policy.expire_after", "less": "rotation_policy.automatic.time_before_expiry",
            "max_days": 365}
    half_year = key({"time_before_expiry": "P1Y6M"})          # rotates 185 days after creation
    assert duration_within(half_year, args, ctx(half_year)).state is True
    month = key({"time_before_expiry": "P30D"})
    verdict = duration_within(month, args, ctx(month))
    assert verdict.state is False and verdict.detail == (
        "rotation_policy.expire_after = P2Y less rotation_policy.automatic.time_before_expiry = P30D (700 days) is "
        "longer than 365 days")
    unknown = key({"time_before_expiry": Unknown("var.before")})
    assert duration_within(unknown, args, ctx(unknown)).state is None
    bare = res("azurerm_key_vault_key", "b", {})
    verdict = duration_within(bare, {"path": "rotation_policy.automatic.time_after_creation"}, ctx(bare))
    assert (verdict.state, verdict.path, verdict.detail) == (
        False, "rotation_policy.automatic.time_after_creation", "rotation_policy is not set")


# --- Unknown is never a violation --------------------------------------------------------------
@pytest.mark.parametrize("name, args", [
    ("ebs_cmk", {"path": "key"}),
    ("hsm_backed", {"path": "key", "accepted": ["HSM"]}),
    ("duration_within", {"path": "key", "min_days": 7, "max_days": 30}),
])
@pytest.mark.parametrize("unknown_value", [Unknown("var.x"), Unknown("module.m (source not fetched)")])
def test_every_cmk_predicate_leaves_an_unknown_value_unresolved(name, args, unknown_value):
    resource = res("x_thing", "a", {"key": unknown_value}, provider_values=EU)
    verdict = CMK[name].function(resource, args, ctx(resource, config=Config(classification="dv")))
    assert verdict.state is None
    assert verdict.blocker


# --- inherits_from_source -------------------------------------------------------------------------
VOLUME = res("aws_ebs_volume", "v", {"kms_key_id": KMS_REF})
VOLUME_ID = Unknown("aws_ebs_volume.v.id", refers_to="aws_ebs_volume.v", attribute="id", kind="computed")
SNAPSHOT_ARGS = {"path": "volume_id", "types": ["aws_ebs_volume"]}


@pytest.mark.parametrize("values, references, others, state, detail", [
    ({"volume_id": VOLUME_ID}, {"volume_id": frozenset({"aws_ebs_volume.v"})}, [VOLUME], True, ""),
    ({"volume_id": "vol-0123456789abcdef0"}, {}, [], None, ""),              # the source is elsewhere
    ({"volume_id": VOLUME_ID}, {"volume_id": frozenset({"aws_ebs_volume.v"})}, [], None, ""),  # not in this scan
    ({}, {}, [], False, "volume_id is not set"),
])
def test_a_snapshot_is_judged_through_its_source(values, references, others, state, detail):
    snapshot = res("aws_ebs_snapshot", "s", values, references=references)
    verdict = inherits_from_source(snapshot, SNAPSHOT_ARGS, ctx(snapshot, *others))
    assert verdict.state is state
    assert detail in verdict.detail


def test_a_source_elsewhere_is_named_in_the_blocker():
    snapshot = res("aws_ebs_snapshot", "s", {"volume_id": "vol-0123456789abcdef0"})
    assert inherits_from_source(snapshot, SNAPSHOT_ARGS, ctx(snapshot)).blocker == (
        "the encryption of its source vol-0123456789abcdef0 (no aws_ebs_volume in the scanned code)")
