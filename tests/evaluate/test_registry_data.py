"""Provider facts the predicates apply are registry data: the loaded tables hold them, the predicates read them
from there, and a malformed entry is refused naming the file and the field (exit 2)."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Iterator

import pytest

from scanner import cli, registries
from scanner.errors import PolicyError
from scanner.evaluate.predicates import backups
from scanner.evaluate.predicates import exit as exit_predicates
from scanner.model.resource import Resource
from scanner.pack import builtin_policy_dir
from scanner.registries.portability import portability
from scanner.registries.regions import regions

Breaking = Callable[[str, str, str], Path]


@pytest.fixture
def broken(tmp_path, monkeypatch) -> Iterator[Breaking]:
    """Breaks one file of a copy of the built-in registries, which the registry loader then reads unvalidated."""
    shutil.copytree(builtin_policy_dir() / "registries", tmp_path / "registries")
    monkeypatch.setattr(registries, "builtin_policy_dir", lambda: tmp_path)
    monkeypatch.setattr(registries, "_VALIDATED_PACKS", set())
    registries.document.cache_clear()

    def breaking(name: str, old: str, new: str) -> Path:
        path = tmp_path / "registries" / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return path

    yield breaking
    registries.document.cache_clear()


def _refused(name: str) -> str:
    with pytest.raises(PolicyError) as raised:
        registries.document(name)
    return str(raised.value)


# --- EXIT-004: the storage endpoint domain of each provider ----------------------------------------
def test_the_registry_holds_the_storage_domains():
    assert portability().storage_domains == {"aws": ("amazonaws.com", "amazonaws.com.cn", "amazonaws.eu"),
                                             "azurerm": ("windows.net",), "google": ("googleapis.com",)}


def _velero_at(url: str) -> SimpleNamespace:
    location = Resource("kubernetes", "BackupStorageLocation", "BackupStorageLocation/velero/copy", "velero.yaml", 1,
                        {"spec": {"config": {"s3Url": url}}})
    return SimpleNamespace(of_type=lambda kinds: [location])


def test_a_velero_location_is_at_the_provider_whose_storage_domain_the_registry_gives(monkeypatch):
    ctx = _velero_at("https://s3.eu-west-1.amazonaws.com")
    assert not exit_predicates._velero_elsewhere(ctx, "aws")
    assert exit_predicates._velero_elsewhere(ctx, "google")
    assert not exit_predicates._velero_elsewhere(_velero_at("https://s3.gra.io.cloud.ovh.net"), "ovh")  # not listed
    edited = dataclasses.replace(portability(), storage_domains={"aws": ("amazonaws.eu",)})
    monkeypatch.setattr(exit_predicates, "portability", lambda: edited)
    assert exit_predicates._velero_elsewhere(ctx, "aws")


@pytest.mark.parametrize("url", ["https://s3.eusc-de-east-1.amazonaws.eu", "https://s3.cn-north-1.amazonaws.com.cn"])
def test_a_velero_location_in_another_aws_partition_is_still_at_aws(url):
    """The European Sovereign Cloud and China are AWS too: a backup there leaves the data with its provider."""
    assert not exit_predicates._velero_elsewhere(_velero_at(url), "aws")
    assert exit_predicates._velero_elsewhere(_velero_at(url), "google")


def test_a_velero_location_at_another_provider_is_elsewhere_whichever_of_its_domains_the_provider_has():
    assert exit_predicates._velero_elsewhere(_velero_at("https://storage.googleapis.com"), "aws")
    assert exit_predicates._velero_elsewhere(_velero_at("https://s3.fr-par.scw.cloud"), "aws")


def test_a_storage_domain_that_is_no_domain_is_refused(broken):
    path = broken("portability.yaml", "  aws: [amazonaws.com,", "  aws: [https://amazonaws.com,")
    assert _refused("portability") == (f"{path}: storage_domains.aws.0: 'https://amazonaws.com' does not match "
                                       "'^[a-z0-9-]+(\\\\.[a-z0-9-]+)+$'")


@pytest.mark.parametrize("name, old, new", [
    ("portability.yaml", "\nstorage_domains:", "\nstorage_domain:"),
    ("regions.yaml", "\ntiers:", "\ntier:"),
    ("secret-detectors.yaml", "\ndetectors:", "\ndetectors:\n  []\ndetektors:"),
])
def test_a_misspelt_section_of_a_registry_is_refused(broken, name, old, new):
    """A section under a name the loader does not read would leave the code on its defaults, silently."""
    path = broken(name, old, new)
    refused = _refused(name.removesuffix(".yaml"))
    assert refused.startswith(f"{path}: ") and "Additional properties are not allowed" in refused


# --- EXIT-003: the ARN partition of an AWS region ---------------------------------------------------
def test_the_registry_holds_the_aws_partitions():
    assert regions().partitions == {"aws": {"cn-": "aws-cn", "us-gov-": "aws-us-gov", "eusc-": "aws-eusc",
                                            "us-iso-": "aws-iso", "us-isob-": "aws-iso-b", "eu-isoe-": "aws-iso-e",
                                            "us-isof-": "aws-iso-f"}}


def _database(region: object) -> Resource:
    return Resource("terraform", "aws_db_instance", "aws_db_instance.db", "main.tf", 1, {"identifier": "orders"},
                    provider="aws", provider_values={"region": region})


@pytest.mark.parametrize("region, arn", [
    ("eu-west-1", "arn:aws:rds:eu-west-1:\0:db:orders"),
    ("cn-northwest-1", "arn:aws-cn:rds:cn-northwest-1:\0:db:orders"),
    ("us-gov-west-1", "arn:aws-us-gov:rds:us-gov-west-1:\0:db:orders"),
    ("eusc-de-east-1", "arn:aws-eusc:rds:eusc-de-east-1:\0:db:orders"),
    ("us-isob-east-1", "arn:aws-iso-b:rds:us-isob-east-1:\0:db:orders"),   # not aws-iso: us-iso- is no prefix of it
    ("eu-isoe-west-1", "arn:aws-iso-e:rds:eu-isoe-west-1:\0:db:orders"),
    (None, "arn:aws:rds:\0:\0:db:orders"),     # a region not known: aws's, its region open
])
def test_an_arn_is_in_the_partition_the_registry_gives_its_region(region, arn):
    assert backups._arn(_database(region)) == arn


def test_the_arn_partition_is_read_from_the_registry(monkeypatch):
    edited = dataclasses.replace(regions(), partitions={"aws": {"eusc-": "aws-example"}})
    monkeypatch.setattr(backups, "regions", lambda: edited)
    assert backups._arn(_database("eusc-de-east-1")) == "arn:aws-example:rds:eusc-de-east-1:\0:db:orders"
    assert backups._arn(_database("cn-north-1")) == "arn:aws:rds:cn-north-1:\0:db:orders"


# --- RES-001/RES-005: locations that are no region ----------------------------------------------------
def test_the_registry_says_which_locations_are_no_region():
    table = regions()
    assert table.names_no_region("azurerm", "global") and table.names_no_region("google", "Global")
    assert not table.names_no_region("aws", "global") and not table.names_no_region("azurerm", "westeurope")


def test_a_location_is_no_region_only_where_the_registry_says_so(monkeypatch):
    """`global` passes the region rules because the registry lists it, not because the code knows the word."""
    from scanner.config import Config
    from scanner.evaluate.context import Context
    from scanner.evaluate.predicates import core
    from scanner.model.resource import Model
    assert core.region_verdict("azurerm", "global", "location", Context(Model([]), Config())).state is True
    edited = dataclasses.replace(regions(), not_regions={})
    monkeypatch.setattr(Context, "regions", property(lambda self: edited))
    verdict = core.region_verdict("azurerm", "global", "location", Context(Model([]), Config()))
    assert verdict.state is None and "does not list it" in verdict.blocker


@pytest.mark.parametrize("old, new, expected", [
    ('"cn-": aws-cn', '"cn-": AWS CN', "providers.aws.partitions.cn-: 'AWS CN' does not match '^[a-z][a-z0-9-]*$'"),
    ('"cn-": aws-cn', '"cn": aws-cn', "providers.aws.partitions: 'cn' does not match '^[a-z][a-z0-9-]*-$'"),
])
def test_a_malformed_partition_is_refused(broken, old, new, expected):
    path = broken("regions.yaml", old, new)
    assert _refused("regions") == f"{path}: {expected}"


# --- a broken registry stops the run ----------------------------------------------------------------
@pytest.mark.parametrize("name, old, new, expected", [
    ("portability.yaml", "  google: [googleapis.com]\n", "  google: googleapis.com\n",
     "storage_domains.google: 'googleapis.com' is not of type 'array'"),
    ("regions.yaml", '"us-gov-": aws-us-gov', '"us-gov-": [aws-us-gov]',
     "providers.aws.partitions.us-gov-: ['aws-us-gov'] is not of type 'string'"),
])
def test_a_broken_registry_the_predicates_read_is_exit_2(broken, tmp_path, capsys, name, old, new, expected):
    path = broken(name, old, new)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n', encoding="utf-8")
    code = cli.main(["scan", str(root), "--cache-dir", str(tmp_path / "cache")])
    err = capsys.readouterr().err
    assert code == 2 and f"{path}: {expected}" in err
