"""Table tests for the most used judgements: customer_key, region_verdict and the linked: condition."""
from __future__ import annotations

import datetime
from typing import Any

import pytest

from scanner.config import Config
from scanner.evaluate.conditions import judge
from scanner.evaluate.context import Context
from scanner.evaluate.predicates.core import customer_key, region_verdict
from scanner.model.derive import derive
from scanner.model.resource import Model, Resource
from scanner.model.values import Unknown

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
VARIABLE = Unknown("var.key", kind="variable")


@pytest.mark.parametrize("value, references, state, detail", [
    (KEY, {}, True, ""),
    (VAULT_KEY, {}, True, ""),
    (DATA_KEY, {}, True, ""),                                    # a key looked up by data source is the customer's
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
    ("aws", "mars-north-1", Config(), True, ""),                        # unknown ids: RES-013's job
])
def test_region_verdict(provider, region, config, state, detail):
    verdict = region_verdict(provider, region, "location", context(config=config))
    assert verdict.state is state
    assert detail in verdict.detail


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
])
def test_linked(others, args, state):
    ctx = context(ACCOUNT, *others)
    assert judge(ACCOUNT, {"linked": args}, None, ctx).state is state
