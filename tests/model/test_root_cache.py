"""The root cache: a hit gives back exactly what evaluating the root module gave (resources with their
values, Unknowns, lines, references and chains; notices; visited directories); a changed file in any module
the root calls (local or installed), a changed var file, tfvars or file() read, another sovscan or a
damaged, foreign or malformed entry is a miss that is evaluated again and rewritten; writers in two
processes leave whole entries; roots a plan values, or whose module source is not a literal, are not cached."""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import zlib
from pathlib import Path

import pytest

from scanner.model import codec
from scanner.model import terraform as tf_model
from scanner.model.rendered import Place
from scanner.model.terraform import cache as cache_module
from scanner.model.terraform import emit
from scanner.model.terraform.cache import RootCache
from scanner.model.values import OneOf, Unknown
from scanner.notices import NOT_EVALUATED
from scanner.parse import terraform
from scanner.cachedir import sealed
from scanner.parse.codec import Unencodable
from scanner.parse.modules import parse_manifest
from scanner.parse.plan import Plan
from scanner.parse.packed import PackedTerraform, pack
from scanner.discover import Source

PROD = "envs/prod"
INSTALLED = "envs/prod/.terraform/modules/avm"
MANIFEST = json.dumps({"Modules": [
    {"Key": "", "Source": "", "Dir": "."},
    {"Key": "registry", "Source": "registry.terraform.io/Azure/avm/azurerm", "Version": "1.0.0",
     "Dir": ".terraform/modules/avm"}]})

# Two roots calling one local module (which calls another, and one that is not in the scan: a notice both
# roots would give, said once); prod also calls an installed registry module, reads a file with file(),
# has tfvars and a count past the instance limit (a limit notice).
FILES: dict[str, str] = {
    "envs/prod/main.tf": '''variable "location" {}
variable "name" {
  default = "rg-prod"
}
module "app" {
  source   = "../../modules/app"
  location = var.location
}
module "registry" {
  source  = "Azure/avm/azurerm"
  version = "1.0.0"
}
resource "azurerm_resource_group" "rg" {
  name     = var.name
  location = var.location
  tags     = { policy = file("${path.module}/policy.json"), listed = length(fileset(path.module, "*.json")) }
}
resource "azurerm_public_ip" "many" {
  count    = 300
  name     = "ip-${count.index}"
  location = var.location
}
''',
    "envs/prod/terraform.tfvars": 'location = "westeurope"\n',
    "envs/prod/policy.json": '{"owner": "ops"}\n',
    "envs/dev/main.tf": '''module "app" {
  source   = "../../modules/app"
  location = "eastus"
}
''',
    "modules/app/main.tf": '''variable "location" {}
locals {
  zone = var.location == "westeurope" ? "eu" : "us"
}
resource "azurerm_storage_account" "sa" {
  location                 = var.location
  account_replication_type = local.zone == "eu" ? "GRS" : "LRS"
  key_vault_id             = module.sub.vault_id
  principal                = data.azurerm_client_config.me.object_id
  dynamic "network_rules" {
    for_each = ["a", "b"]
    content {
      name = network_rules.value
    }
  }
}
module "sub" {
  source = "./sub"
}
module "gone" {
  source = "./gone"
}
''',
    "modules/app/sub/main.tf": '''resource "azurerm_key_vault" "kv" {
  location = "westeurope"
}
output "vault_id" {
  value = azurerm_key_vault.kv.id
}
''',
    f"{INSTALLED}/main.tf": 'resource "azurerm_container_registry" "acr" {\n  location = "northeurope"\n}\n',
}


def _build(files: dict[str, str], cache: RootCache | None = None, var_files: tuple[str, ...] = (),
           plans: list[Plan] | None = None):
    parsed = [terraform.parse_text(path, text) for path, text in sorted(files.items()) if path.endswith(".tf")]
    tfvars = [terraform.parse_text(path, text) for path, text in sorted(files.items()) if path.endswith(".tfvars")]
    given = [terraform.parse_text(f"vars/{n}.tfvars", text) for n, text in enumerate(var_files)]
    manifests = {PROD: parse_manifest(MANIFEST, PROD)}
    digests = {path: hashlib.sha256(text.encode()).hexdigest() for path, text in files.items()}   # as parsing records
    return tf_model.build(parsed, tfvars, given, dict(files), digests, manifests, {INSTALLED}, plans, cache)


def _as_data(model) -> tuple:
    """Everything the Terraform model hands on, comparable with ==."""
    return model.resources, model.notices, model.visited


@pytest.fixture
def evaluated_roots(monkeypatch) -> list[str]:
    """The root modules evaluated (not read from the cache), in order."""
    roots: list[str] = []
    real = emit.run

    def counting(instance) -> None:
        if not instance.address:
            roots.append(instance.root)
        real(instance)
    monkeypatch.setattr(emit, "run", counting)
    return roots


def _entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("roots/*/*.json"))


def test_a_warm_build_is_the_uncached_build_exactly(tmp_path, evaluated_roots):
    uncached = _as_data(_build(FILES))
    cache = RootCache(str(tmp_path / "cache"))
    evaluated_roots.clear()
    assert _as_data(_build(FILES, cache)) == uncached
    assert evaluated_roots == ["envs/dev", PROD] and len(_entries(tmp_path / "cache")) == 2
    evaluated_roots.clear()
    warm = _build(FILES, cache)
    assert evaluated_roots == []
    assert _as_data(warm) == uncached
    resources, notices, visited = _as_data(warm)
    told = [n for n in notices if n.kind == NOT_EVALUATED]
    assert [(n.path, n.line) for n in told] == [("modules/app/main.tf", 20)]       # said once, as uncached
    assert any("at most 256 instances" in n.message for n in notices)
    assert visited == {"envs/dev", PROD, "modules/app", "modules/app/sub", INSTALLED}
    account = next(r for r in resources if r.address == "module.app.azurerm_storage_account.sa" and r.root == PROD)
    assert account.values["account_replication_type"] == "GRS" and account.values["network_rules"][1] == {"name": "b"}
    principal = account.values["principal"]
    assert type(principal) is Unknown and principal.kind == "data"
    assert (Place("envs/prod/terraform.tfvars", 1), "tfvars") in account.chains["location"]
    assert account.references["key_vault_id"] == frozenset({"module.app.module.sub.azurerm_key_vault.kv"})
    group = next(r for r in resources if r.address == "azurerm_resource_group.rg")
    assert group.values["tags"] == {"policy": '{"owner": "ops"}\n', "listed": 1}


def test_resources_read_back_share_equal_tables_as_evaluated_ones_do(tmp_path, evaluated_roots):
    """Two roots' instances of one module have equal location tables, and equal values: one object each, from
    the cache too."""
    cache = RootCache(str(tmp_path / "cache"))
    _build(FILES, cache)
    evaluated_roots.clear()
    warm = _build(FILES, cache)
    assert evaluated_roots == []
    dev, prod = (next(r for r in warm.resources if r.address == "module.app.azurerm_storage_account.sa" and
                      r.root == root) for root in ("envs/dev", PROD))
    assert dev.locations == prod.locations and dev.locations is prod.locations
    assert dev.literal_paths is prod.literal_paths
    dev_vault, prod_vault = (next(r for r in warm.resources if r.type == "azurerm_key_vault" and r.root == root)
                             for root in ("envs/dev", PROD))   # two entries: one str for each equal short text
    assert dev_vault.values["location"] == "westeurope" and dev_vault.values["location"] is prod_vault.values["location"]


def _packed(files: dict[str, str]) -> list[PackedTerraform]:
    """The .tf files as parsing hands them to the model."""
    return [pack(terraform.parse_text(path, text), Source(path, "terraform", "/nowhere/" + path),
                 hashlib.sha256(text.encode()).hexdigest()) for path, text in sorted(files.items()) if path.endswith(".tf")]


@pytest.fixture
def unpacked_directories(monkeypatch) -> list[str]:
    """The directories of the packed files unpacked, in order."""
    unpacked: list[str] = []
    real = PackedTerraform.unpack

    def counting(self: PackedTerraform) -> terraform.TerraformFile:
        unpacked.append(self.path.rsplit("/", 1)[0])
        return real(self)
    monkeypatch.setattr(PackedTerraform, "unpack", counting)
    return unpacked


def _packed_build(files: dict[str, str], cache: RootCache | None = None):
    tfvars = [terraform.parse_text(path, text) for path, text in sorted(files.items()) if path.endswith(".tfvars")]
    digests = {path: hashlib.sha256(text.encode()).hexdigest() for path, text in files.items()}
    return tf_model.build(_packed(files), tfvars, [], dict(files), digests, {PROD: parse_manifest(MANIFEST, PROD)},
                          {INSTALLED}, None, cache)


def test_packed_files_are_unpacked_once_each_only_for_the_roots_evaluated(tmp_path, unpacked_directories):
    """Which directories call which comes from the module sources beside each packed tree: a warm build
    unpacks nothing, and a changed module unpacks what the roots evaluated again visit, each directory once."""
    assert _as_data(_packed_build(FILES)) == _as_data(_build(FILES))
    assert sorted(unpacked_directories) == sorted({p.rsplit("/", 1)[0] for p in FILES if p.endswith(".tf")})
    cache = RootCache(str(tmp_path / "cache"))
    _packed_build(FILES, cache)
    unpacked_directories.clear()
    assert _as_data(_packed_build(FILES, cache)) == _as_data(_build(FILES))
    assert unpacked_directories == []
    changed = {**FILES, "envs/dev/main.tf": FILES["envs/dev/main.tf"].replace("eastus", "westeurope")}
    assert _as_data(_packed_build(changed, cache)) == _as_data(_build(changed))
    assert unpacked_directories == ["envs/dev", "modules/app", "modules/app/sub"]


@pytest.mark.parametrize("path, again", [
    ("modules/app/sub/main.tf", ["envs/dev", PROD]),        # called by both, through modules/app
    ("modules/app/main.tf", ["envs/dev", PROD]),
    (f"{INSTALLED}/main.tf", [PROD]),                         # installed for prod only
    ("envs/prod/terraform.tfvars", [PROD]),
    ("envs/prod/policy.json", [PROD]),                        # read by file() and listed by fileset()
    ("envs/dev/main.tf", ["envs/dev"]),
])
def test_a_changed_file_that_a_root_reads_is_a_miss(tmp_path, evaluated_roots, path, again):
    cache = RootCache(str(tmp_path / "cache"))
    _build(FILES, cache)
    changed = {**FILES, path: FILES[path].replace("westeurope", "germanywestcentral").replace("ops", "sec") + "\n"}
    uncached = _as_data(_build(changed))
    evaluated_roots.clear()
    assert _as_data(_build(changed, cache)) == uncached
    assert evaluated_roots == again
    evaluated_roots.clear()
    _build(changed, cache)
    assert evaluated_roots == []


def test_a_new_file_a_root_lists_or_a_new_module_directory_is_a_miss(tmp_path, evaluated_roots):
    cache = RootCache(str(tmp_path / "cache"))
    _build(FILES, cache)
    listed = {**FILES, "envs/prod/other.json": "{}\n"}           # fileset() lists it, nothing reads it
    uncached = _as_data(_build(listed))
    evaluated_roots.clear()
    assert _as_data(_build(listed, cache)) == uncached
    assert evaluated_roots == [PROD]
    arrived = {**FILES, "modules/app/gone/main.tf": 'resource "azurerm_dns_zone" "z" {\n  name = "a"\n}\n'}
    uncached = _as_data(_build(arrived))
    evaluated_roots.clear()
    assert _as_data(_build(arrived, cache)) == uncached
    assert evaluated_roots == ["envs/dev", PROD]


def test_a_changed_var_file_is_a_miss(tmp_path, evaluated_roots):
    cache = RootCache(str(tmp_path / "cache"))
    _build(FILES, cache, var_files=('location = "westeurope"\n',))
    other = ('location = "eastus"\n',)
    uncached = _as_data(_build(FILES, var_files=other))
    evaluated_roots.clear()
    assert _as_data(_build(FILES, cache, var_files=other)) == uncached
    assert evaluated_roots == ["envs/dev", PROD]
    evaluated_roots.clear()
    _build(FILES, cache)                                        # no var file at all: another key too
    assert evaluated_roots == ["envs/dev", PROD]


def test_another_sovscan_does_not_read_the_entry(tmp_path, evaluated_roots):
    _build(FILES, RootCache(str(tmp_path / "cache")))
    uncached = _as_data(_build(FILES))
    evaluated_roots.clear()
    other = RootCache(str(tmp_path / "cache"), fingerprint=hashlib.sha256(b"sovscan 9.9").hexdigest())
    assert _as_data(_build(FILES, other)) == uncached
    assert evaluated_roots == ["envs/dev", PROD]
    assert len(_entries(tmp_path / "cache")) == 4


def test_the_fingerprint_follows_the_version_the_format_and_the_parse_code(monkeypatch):
    today = cache_module.model_fingerprint()
    assert RootCache("x").fingerprint == today
    monkeypatch.setattr(cache_module, "__version__", "0.0.0-other")
    other_version = cache_module.model_fingerprint()
    monkeypatch.undo()
    monkeypatch.setattr(cache_module, "FORMAT", "sovscan-root-cache/0")
    other_format = cache_module.model_fingerprint()
    monkeypatch.undo()
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "another parser")
    assert len({today, other_version, other_format, cache_module.model_fingerprint()}) == 4


def _dev_entry(tmp_path: Path) -> tuple[RootCache, Path, tuple]:
    files = {k: v for k, v in FILES.items() if not k.startswith("envs/prod")}
    cache = RootCache(str(tmp_path / "cache"))
    _build(files, cache)
    (entry,) = _entries(tmp_path / "cache")
    return cache, entry, _as_data(_build(files))


def test_flipped_bytes_and_truncations_are_misses_that_are_rebuilt(tmp_path):
    cache, entry, uncached = _dev_entry(tmp_path)
    files = {k: v for k, v in FILES.items() if not k.startswith("envs/prod")}
    good = entry.read_bytes()
    header = good.index(b"\n") + 1
    chooser = random.Random(7)
    positions = sorted(set(range(0, header + 8)) | set(chooser.sample(range(len(good)), min(60, len(good)))))
    for position in positions:
        for damaged in (good[:position] + bytes([good[position] ^ 0x01]) + good[position + 1:], good[:position]):
            entry.write_bytes(damaged)
            assert _as_data(_build(files, cache)) == uncached
            assert entry.read_bytes() == good      # evaluated again and written again
    entry.write_bytes(b"")
    assert _as_data(_build(files, cache)) == uncached


def _forge(entry: Path, key: str, body: object, form: str = cache_module.FORMAT) -> None:
    """An entry with a valid checksum around `body`: what only someone writing the cache could make."""
    entry.write_bytes(sealed(json.dumps(body).encode(), key, form))


def _body(entry: Path) -> dict:
    return json.loads(zlib.decompress(entry.read_bytes().partition(b"\n")[2]))


def _broken(body: dict, where: str) -> dict:
    """The entry's body with one part made into something encode never writes."""
    body = json.loads(json.dumps(body))
    rows = body["resources"]["resources"]
    if where == "row length":
        rows[0].append(1)
    elif where == "line":
        rows[0][4] = "1"
    elif where == "location":
        rows[0][6] = {"x": True}
    elif where == "place index":
        rows[0][16] = 10 ** 6
    elif where == "tag":
        rows[0][5] = {"x": {"\0": "pickle", "v": "gASV"}}
    elif where == "unknown":
        rows[0][5] = {"x": {"\0": "unknown", "v": ["r", None, None]}}
    elif where == "table":
        rows[0][14] = {"\0": "unknown", "v": ["r", None, None, ""]}
    elif where == "key":
        rows[0][5] = {"x": {"\0": "map", "items": [[[1], 2]]}}
    elif where == "notice":
        body["notices"] = [["a", 1, "m", "note"]]
    elif where == "notice level":     # SARIF would carry it as it is, and no schema allows it
        body["notices"] = [["a", 1, "m", "critical", ""]]
    elif where == "read":
        body["reads"] = [["open", "/etc/passwd", 0, "x"]]
    elif where == "extra":
        body["code"] = "print(1)"
    return body


@pytest.mark.parametrize("where", ["row length", "line", "location", "place index", "tag", "unknown", "table",
                                   "key", "notice", "notice level", "read", "extra"])
def test_a_malformed_entry_with_a_valid_checksum_is_a_miss(tmp_path, where):
    cache, entry, uncached = _dev_entry(tmp_path)
    files = {k: v for k, v in FILES.items() if not k.startswith("envs/prod")}
    body = _body(entry)
    _forge(entry, entry.stem, body)
    assert _as_data(_build(files, cache)) == uncached          # the forge itself is faithful
    _forge(entry, entry.stem, _broken(body, where))
    assert _as_data(_build(files, cache)) == uncached
    assert entry.read_bytes() != b"" and _body(entry) == body   # rewritten


def test_an_entry_of_another_format_or_key_is_a_miss(tmp_path, evaluated_roots):
    cache, entry, uncached = _dev_entry(tmp_path)
    files = {k: v for k, v in FILES.items() if not k.startswith("envs/prod")}
    body = _body(entry)
    evaluated_roots.clear()
    _forge(entry, entry.stem, body, form="sovscan-root-cache/0")
    assert _as_data(_build(files, cache)) == uncached and evaluated_roots == ["envs/dev"]
    evaluated_roots.clear()
    _forge(entry, "0" * 64, body)
    assert _as_data(_build(files, cache)) == uncached and evaluated_roots == ["envs/dev"]


def test_a_root_a_plan_values_or_with_a_computed_source_is_not_cached(tmp_path, evaluated_roots):
    computed = {**FILES, "envs/dev/main.tf": FILES["envs/dev/main.tf"].replace('"../../modules/app"',
                                                                             '"../../modules/${"app"}"')}
    cache = RootCache(str(tmp_path / "cache"))
    _build(computed, cache)
    assert len(_entries(tmp_path / "cache")) == 1              # prod's
    plan = Plan("envs/prod/plan.json", "1.2", "1.9.0", {"location": "germanywestcentral"}, {}, {}, {}, directory=PROD)
    prod = {k: v for k, v in FILES.items() if not k.startswith("envs/dev")}     # the only root: the plan's
    cache = RootCache(str(tmp_path / "other"))
    planned = _as_data(_build(prod, cache, plans=[plan]))
    assert planned == _as_data(_build(prod, plans=[plan])) and planned != _as_data(_build(prod))
    assert _entries(tmp_path / "other") == []


def _write_and_read(directory: str, rounds: int) -> None:
    """Build again and again in one cache directory: every result must be the uncached one."""
    expected = _as_data(_build(FILES))
    for _ in range(rounds):
        cache = RootCache(directory)
        if _as_data(_build(FILES, cache)) != expected:
            os._exit(1)
    os._exit(0 if cache.writable else 2)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks the writers")
def test_concurrent_writers_leave_whole_entries(tmp_path, monkeypatch):
    directory = str(tmp_path / "cache")
    real = RootCache.get
    monkeypatch.setattr(RootCache, "get", lambda self, key, files, share=None: None if random.random() < 0.5 else
                        real(self, key, files, share))          # half the roots written again each round
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_write_and_read, args=(directory, 15)) for _ in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(120)
    assert [w.exitcode for w in writers] == [0, 0]
    monkeypatch.undo()
    assert len(_entries(tmp_path / "cache")) == 2
    assert not list((tmp_path / "cache").glob("roots/*/.*.tmp"))
    cache = RootCache(directory)
    roots = [p for p in _entries(tmp_path / "cache")]
    assert all(cache_module.verified_body(p.read_bytes(), p.stem, cache_module.FORMAT) for p in roots)
    assert _as_data(_build(FILES, cache)) == _as_data(_build(FILES))


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path):
    (tmp_path / "a-file").write_text("not a directory")
    cache = RootCache(str(tmp_path / "a-file"))
    assert _as_data(_build(FILES, cache)) == _as_data(_build(FILES))
    assert not cache.writable


def test_a_run_that_wrote_entries_keeps_the_directory_under_its_limit(tmp_path):
    _build(FILES, RootCache(str(tmp_path / "cache"), limit=1))
    assert _entries(tmp_path / "cache") == []


@pytest.mark.parametrize("value", [float("nan"), [1, {"a": float("nan")}], {float("nan"): 1}, {1, 2}, (1, 2),
                                   Place("a", 1), b"x"])
def test_values_that_would_not_read_back_identical_are_not_cached(value):
    with pytest.raises(Unencodable):
        codec.encode_value(value)


@pytest.mark.parametrize("value", [
    None, True, 0, -1.5, -0.0, float("inf"), 10 ** 40, "\ud800", {"\0": "map"}, {"\0x": 1, "y": [1, None]},
    {1: "a", 1.5: "b", None: "c", True: "d"}, Unknown("var.x", kind="variable"),
    Unknown("aws_s3_bucket.b.arn", refers_to="aws_s3_bucket.b", attribute="arn", kind="computed"),
    OneOf("var.env", None, None, "variable", ("a", 1, None)), {"a": [Unknown("x"), {"b": OneOf("y", candidates=(1, 2))}]},
])
def test_values_read_back_identical(value):
    again = json.loads(json.dumps(codec.encode_value(value)), object_hook=codec.object_hook)
    assert again == value and type(again) is type(value)
    if isinstance(value, dict):
        assert [type(k) for k in again] == [type(k) for k in value]
