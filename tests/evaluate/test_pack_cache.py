"""The built-in policy pack is validated once per version and content: a later run with the same cache
reads the same policies without validating them (nor the built-in profile or the registries); a changed
pack file, or a damaged or forged entry, is validated again; a user's own policies are validated on
every run."""
from __future__ import annotations

import hashlib
import json
import shutil
import zlib
from pathlib import Path

import pytest

from scanner import cli, config as config_module, registries
from scanner.errors import PolicyError
from scanner.evaluate import citations, pack_cache, policy_validation
from scanner.evaluate import policies as policy_module
from scanner.pack import builtin_policy_dir

from tests.evaluate.test_policy_loader import write_policy


@pytest.fixture(autouse=True)
def fresh_process_state(monkeypatch):
    """Each test starts as a new run: no pack known as validated."""
    monkeypatch.setattr(registries, "_VALIDATED_PACKS", set())


def _count_validations(monkeypatch) -> list[str]:
    """Names of what is validated from now on: policy files, configurations, registries."""
    seen: list[str] = []
    real_policy, real_config, real_registry = policy_validation.validate, config_module._validate, registries._check
    monkeypatch.setattr(policy_validation, "validate", lambda data, text, path: seen.append(Path(path).name)
                        or real_policy(data, text, path))
    monkeypatch.setattr(config_module, "_validate", lambda data, path: seen.append(f"config {path}")
                        or real_config(data, path))
    monkeypatch.setattr(registries, "_check", lambda name, data, path: seen.append(f"registry {name}")
                        or real_registry(name, data, path))
    return seen


def _entry(cache: Path) -> Path:
    entries = sorted(cache.glob("policies/*/*.json"))
    assert len(entries) == 1
    return entries[0]


def test_a_second_run_reads_the_same_policies_without_validating_them(tmp_path, monkeypatch):
    cold = policy_module.load()
    cache = tmp_path / "cache"
    assert policy_module.load((), str(cache)) == cold
    assert _entry(cache).name == pack_cache.pack_key(builtin_policy_dir()) + ".json"
    monkeypatch.setattr(registries, "_VALIDATED_PACKS", set())      # the next run is a new process
    registries.document.cache_clear()
    citations.builtin.cache_clear()
    seen = _count_validations(monkeypatch)
    assert policy_module.load((), str(cache)) == cold
    config = config_module.load(None, str(tmp_path), None, str(cache))
    assert config.profile == "default"
    registries.document("regions")
    assert citations.builtin().framework
    assert seen == []
    registries.document.cache_clear()
    citations.builtin.cache_clear()


def test_without_a_cache_everything_is_validated(tmp_path, monkeypatch):
    policy_module.load((), str(tmp_path / "cache"))
    seen = _count_validations(monkeypatch)
    assert policy_module.load() == policy_module.load((), None)
    config_module.load(None, str(tmp_path), None, None)
    assert seen.count("CMK-001.yaml") == 2 and "config <defaults>" not in seen
    assert any(s.startswith("config ") and s.endswith("default.yaml") for s in seen)


def test_every_flipped_byte_and_truncation_of_the_entry_is_validated_again(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    policy_module.load((), str(cache))
    entry = _entry(cache)
    good = entry.read_bytes()
    pack = builtin_policy_dir()
    positions = sorted(set(range(0, len(good), max(1, len(good) // 200))) | set(range(len(good) - 8, len(good))))
    for position in positions:
        for damaged in (good[:position] + bytes([good[position] ^ 0x20]) + good[position + 1:], good[:position]):
            entry.write_bytes(damaged)
            assert not pack_cache.validated(str(cache), pack)
    seen = _count_validations(monkeypatch)
    policy_module.load((), str(cache))
    assert "CMK-001.yaml" in seen and entry.read_bytes() == good          # validated and written again


def _forge(entry: Path, key: str, names: object, form: str = pack_cache.FORMAT) -> None:
    compressed = zlib.compress(json.dumps(names).encode())
    header = {"format": form, "key": key, "sha256": hashlib.sha256(compressed).hexdigest()}
    entry.write_bytes(json.dumps(header).encode() + b"\n" + compressed)


def test_an_entry_for_other_files_another_format_or_another_key_is_a_miss(tmp_path):
    cache = tmp_path / "cache"
    policy_module.load((), str(cache))
    entry, pack = _entry(cache), builtin_policy_dir()
    names = pack_cache.pack_files(pack)
    key = entry.stem
    _forge(entry, key, names)
    assert pack_cache.validated(str(cache), pack)                       # the forge itself is faithful
    _forge(entry, key, names[:-1])
    assert not pack_cache.validated(str(cache), pack)
    _forge(entry, key, names, form="sovscan-parse-cache/1")
    assert not pack_cache.validated(str(cache), pack)
    _forge(entry, "0" * 64, names)
    assert not pack_cache.validated(str(cache), pack)
    _forge(entry, key, {"code": "print(1)"})
    assert not pack_cache.validated(str(cache), pack)


def test_the_key_follows_every_file_of_the_pack_and_the_version(tmp_path, monkeypatch):
    pack = tmp_path / "pack"
    shutil.copytree(builtin_policy_dir(), pack)
    first = pack_cache.pack_key(pack)
    keys = {first}
    for name in ("cmk/CMK-001.yaml", "registries/regions.yaml", "profiles/default.yaml"):
        target = pack / name
        original = target.read_bytes()
        target.write_bytes(original + b"\n# edited\n")
        keys.add(pack_cache.pack_key(pack))
        target.write_bytes(original)
    (pack / "cmk" / "CMK-999.yaml").write_text("id: CMK-999\n")
    keys.add(pack_cache.pack_key(pack))
    (pack / "cmk" / "CMK-999.yaml").unlink()
    monkeypatch.setattr(pack_cache, "__version__", "9.9.9")
    keys.add(pack_cache.pack_key(pack))
    monkeypatch.undo()
    assert pack_cache.pack_key(pack) == first and len(keys) == 6
    assert pack_cache.pack_key(pack) == pack_cache.pack_key(builtin_policy_dir())    # not tied to where it lies


def test_a_users_policy_is_validated_on_every_run(tmp_path, capsys, write):
    root = write({"main.tf": 'resource "azurerm_storage_account" "a" {\n  name = "a"\n}\n'}, tmp_path / "repo")
    (tmp_path / "mine").mkdir()
    folder = write_policy(tmp_path / "mine", "{predicate: customer_key}")
    cache = tmp_path / "cache"
    for _ in range(2):
        code = cli.main(["scan", str(root), "--policies", str(folder), "--cache-dir", str(cache)])
        assert code == 2
        assert capsys.readouterr().err == (
            f"sovscan: error: {folder / 'custom' / 'CUS-001.yaml'}:13: checks[0].assert.args: 'path' is a required "
            "property (predicate customer_key takes path (required))\n")


def test_no_cache_writes_no_verdict(tmp_path, write, capsys):
    root = write({"main.tf": 'resource "azurerm_storage_account" "a" {\n  name = "a"\n}\n'}, tmp_path / "repo")
    cache = tmp_path / "cache"
    assert cli.main(["scan", str(root), "--no-cache", "--cache-dir", str(cache), "--fail-on", "never"]) == 0
    assert not cache.exists()
    assert cli.main(["scan", str(root), "--cache-dir", str(cache), "--fail-on", "never"]) == 0
    assert _entry(cache).stem == pack_cache.pack_key(builtin_policy_dir())


def test_a_pack_edited_between_runs_of_one_process_is_validated_again(tmp_path, monkeypatch):
    pack = tmp_path / "pack"
    shutil.copytree(builtin_policy_dir(), pack)
    monkeypatch.setattr(policy_module, "builtin_policy_dir", lambda: pack)
    cache = str(tmp_path / "cache")
    assert [p.id for p in policy_module.load((), cache)] == [p.id for p in policy_module.load()]
    policy = pack / "cmk" / "CMK-001.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("\nseverity: ", "\nseverity: huge-", 1), encoding="utf-8")
    with pytest.raises(PolicyError, match=r"CMK-001\.yaml:\d+: severity: 'huge-"):
        policy_module.load((), cache)
