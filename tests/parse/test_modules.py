from __future__ import annotations

import json
import os

import pytest

from scanner.parse.modules import InstalledModule, module_key, parse_manifest, read_manifest

MANIFEST = json.dumps({"Modules": [
    {"Key": "", "Source": "", "Dir": "."},
    {"Key": "vpc", "Source": "registry.terraform.io/terraform-aws-modules/vpc/aws", "Version": "5.1.0",
     "Dir": ".terraform/modules/vpc"},
    {"Key": "vpc.subnets", "Source": "./modules/subnets", "Dir": ".terraform/modules/vpc/modules/subnets"},
    {"Key": "shared", "Source": "../../modules/shared", "Dir": "../../modules/shared"},
    {"Key": "git", "Source": "git::https://example.com/net.git?ref=v1.2.0", "Dir": ".terraform\\modules\\git"},
]})


def test_records_with_paths_relative_to_the_root_module_and_the_repository() -> None:
    manifest = parse_manifest(MANIFEST, "envs/prod")
    assert manifest.path == "envs/prod/.terraform/modules/modules.json"
    assert manifest.notices == ()
    assert dict(manifest.modules) == {
        "": InstalledModule("", "", "", "", ".", "envs/prod"),
        "git": InstalledModule("git", "module.git", "git::https://example.com/net.git?ref=v1.2.0", "",
                               ".terraform/modules/git", "envs/prod/.terraform/modules/git"),
        "shared": InstalledModule("shared", "module.shared", "../../modules/shared", "", "../../modules/shared",
                                  "modules/shared"),
        "vpc": InstalledModule("vpc", "module.vpc", "registry.terraform.io/terraform-aws-modules/vpc/aws", "5.1.0",
                               ".terraform/modules/vpc", "envs/prod/.terraform/modules/vpc"),
        "vpc.subnets": InstalledModule("vpc.subnets", "module.vpc.module.subnets", "./modules/subnets", "",
                                       ".terraform/modules/vpc/modules/subnets",
                                       "envs/prod/.terraform/modules/vpc/modules/subnets"),
    }


def test_a_root_module_at_the_scan_root() -> None:
    manifest = parse_manifest(MANIFEST, "")
    assert manifest.modules[""].path == ""
    assert manifest.modules["vpc"].path == ".terraform/modules/vpc"
    assert "shared" not in manifest.modules          # ../../modules/shared leaves the scan root from here
    assert [n.message for n in manifest.notices] == ["modules.json: module 'shared' has a Dir outside the scan root; refused"]


@pytest.mark.parametrize("record, notice", [
    ({"Key": "evil", "Source": "x", "Dir": "/etc"}, "absolute Dir"),
    ({"Key": "evil", "Source": "x", "Dir": "C:/Windows"}, "absolute Dir"),
    ({"Key": "evil", "Source": "x", "Dir": "../../../.."}, "outside the scan root"),
    ({"Key": "evil", "Source": "x", "Dir": ".terraform/modules/../../../../../x"}, "outside the scan root"),
    ({"Key": "evil", "Source": "x", "Dir": "..\\..\\..\\x"}, "outside the scan root"),
    ({"Key": "evil", "Source": "x", "Dir": ""}, "empty or invalid Dir"),
    ({"Key": "evil", "Source": "x", "Dir": "a\0b"}, "empty or invalid Dir"),
    ({"Key": "../x", "Source": "x", "Dir": "x"}, "invalid Key"),
    ({"Key": "a..b", "Source": "x", "Dir": "x"}, "invalid Key"),
    ({"Key": 1, "Dir": "x"}, "without Key and Dir"),
    ({"Key": "a"}, "without Key and Dir"),
    ("record", "without Key and Dir"),
])
def test_hostile_records_are_refused_with_a_notice(record, notice) -> None:
    manifest = parse_manifest(json.dumps({"Modules": [{"Key": "ok", "Source": "s", "Dir": "m"}, record]}), "envs/prod")
    assert list(manifest.modules) == ["ok"]
    assert len(manifest.notices) == 1 and notice in manifest.notices[0].message
    assert manifest.notices[0].path == "envs/prod/.terraform/modules/modules.json"


@pytest.mark.parametrize("text, notice", [
    ("{", "not valid JSON"),
    ("[]", "no Modules list"),
    ('{"Modules": {}}', "no Modules list"),
    ("[" * 50_000, "not valid JSON"),
    ('{"Modules": [{"Key": "a", "Dir": "x"}, {"Key": "a", "Dir": "y"}]}', "two records for module 'a'"),
])
def test_broken_manifests_are_notices(text, notice) -> None:
    manifest = parse_manifest(text, "")
    assert any(notice in n.message for n in manifest.notices)


def test_an_empty_manifest_and_odd_fields() -> None:
    assert parse_manifest("", "x").modules == {} and parse_manifest("", "x").notices == ()
    manifest = parse_manifest('{"Modules": [{"Key": "a", "Dir": "m", "Source": 5, "Version": null}]}', "")
    assert manifest.modules["a"] == InstalledModule("a", "module.a", "", "", "m", "m")


@pytest.mark.parametrize("address, key", [
    ("module.vpc", "vpc"), ('module.storage["eu"].module.kv', "storage.kv"), ("module.a[0].module.b[12]", "a.b"),
    ('module.a["x.y\\"z"]', "a"), ("", ""), ("aws_s3_bucket.b", "aws_s3_bucket.b"),
])
def test_module_keys_of_instance_addresses(address, key) -> None:
    assert module_key(address) == key


def test_for_call_finds_the_installed_module_of_an_instance() -> None:
    manifest = parse_manifest(MANIFEST, "envs/prod")
    assert manifest.for_call('module.vpc["a"].module.subnets[0]').key == "vpc.subnets"
    assert manifest.for_call("module.nope") is None


def test_reading_from_disk_refuses_a_manifest_linked_from_outside(tmp_path) -> None:
    repo = tmp_path / "repo"
    (repo / "envs" / "prod" / ".terraform" / "modules").mkdir(parents=True)
    (repo / "envs" / "prod" / ".terraform" / "modules" / "modules.json").write_text(MANIFEST)
    assert read_manifest(str(repo), "envs/prod").modules["vpc"].version == "5.1.0"
    assert read_manifest(str(repo), "envs/dev").modules == {}          # no terraform init there
    outside = tmp_path / "outside.json"
    outside.write_text(MANIFEST)
    (repo / "envs" / "dev" / ".terraform" / "modules").mkdir(parents=True)
    os.symlink(outside, repo / "envs" / "dev" / ".terraform" / "modules" / "modules.json")
    manifest = read_manifest(str(repo), "envs/dev")
    assert manifest.modules == {} and "inside the scan root" in manifest.notices[0].message
