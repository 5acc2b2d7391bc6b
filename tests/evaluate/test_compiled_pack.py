"""The compiled copy of the built-in pack (policies/compiled.json): current with the YAML, and used for a
file only when it was made from that file's exact bytes, so a stale or damaged copy never changes a rule.

SOVSCAN_UPDATE_PACK=1 rewrites the copy after a policy is edited."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from scanner.evaluate import policies as policy_module
from scanner import pack as pack_module
from scanner.pack import COMPILED, builtin_policy_dir


def _from_yaml(directory: Path) -> list[policy_module.Policy]:
    return [policy_module._policy(policy_module._document(p)[0], p) for p in policy_module._policy_files(directory)]


def _from_copy(directory: Path) -> list[policy_module.Policy]:
    return [policy_module._policy(data, path) for path, data in policy_module._builtin_documents(directory)]


def test_the_compiled_copy_is_current():
    pack = builtin_policy_dir()
    expected = policy_module.compile_pack(pack)
    target = pack / COMPILED
    if os.environ.get("SOVSCAN_UPDATE_PACK"):
        target.write_text(expected, encoding="utf-8")
    assert target.read_text(encoding="utf-8") == expected, \
        "policies/compiled.json is stale: run SOVSCAN_UPDATE_PACK=1 pytest tests/evaluate/test_compiled_pack.py"


def test_the_copy_gives_the_policies_the_yaml_gives():
    pack = builtin_policy_dir()
    assert _from_copy(pack) == _from_yaml(pack)


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    copy = tmp_path / "pack"
    shutil.copytree(builtin_policy_dir(), copy)
    return copy


def test_an_edited_policy_is_read_from_its_yaml(pack):
    edited = pack / "cmk" / "CMK-001.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitle: Edited ", 1), encoding="utf-8")
    loaded = {p.id: p for p in _from_copy(pack)}
    assert loaded["CMK-001"].title.startswith("Edited ")
    assert list(loaded.values()) == _from_yaml(pack)


def test_a_copy_whose_document_was_changed_but_not_its_hash_is_still_taken_as_written(pack):
    """The copy is part of the installed package, trusted as its code is; the hash guards against staleness,
    not against an edited package."""
    data = json.loads((pack / COMPILED).read_text(encoding="utf-8"))
    data["cmk/CMK-001.yaml"]["document"]["title"] = "From the copy"
    (pack / COMPILED).write_text(json.dumps(data), encoding="utf-8")
    assert {p.id: p for p in _from_copy(pack)}["CMK-001"].title == "From the copy"


_FRESH_WITHOUT_DOCUMENT = json.dumps({"cmk/CMK-001.yaml": {
    "sha256": hashlib.sha256((builtin_policy_dir() / "cmk" / "CMK-001.yaml").read_bytes()).hexdigest()}}).encode()


@pytest.mark.parametrize("damage", [b"", b"{", b"[1, 2]", b'{"cmk/CMK-001.yaml": 7}', b'{"cmk/CMK-001.yaml": {"sha256": 1}}',
                                    _FRESH_WITHOUT_DOCUMENT])
def test_a_missing_or_damaged_copy_falls_back_to_the_yaml(pack, damage):
    (pack / COMPILED).write_bytes(damage)
    assert _from_copy(pack) == _from_yaml(pack)
    (pack / COMPILED).unlink()
    assert _from_copy(pack) == _from_yaml(pack)


def test_a_copy_that_differs_from_its_yaml_is_never_used_by_a_cached_run(pack, tmp_path, monkeypatch):
    """A document that does not match its YAML though its hash does (a hand-edited or damaged copy): the pack
    is validated on every run and the YAML is what counts; never a crash."""
    data = json.loads((pack / COMPILED).read_text(encoding="utf-8"))
    data["cmk/CMK-001.yaml"]["document"] = {"id": "CMK-001"}
    (pack / COMPILED).write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(policy_module, "builtin_policy_dir", lambda: pack)
    cache = str(tmp_path / "cache")
    for _ in range(2):
        assert policy_module.load((), cache) == sorted(_from_yaml(pack), key=lambda p: p.id)
    assert not list((tmp_path / "cache").glob("policies/*/*.json"))       # no verdict: validated every time


def test_a_cached_run_loads_the_same_policies_as_an_uncached_one(tmp_path):
    cache = str(tmp_path / "cache")
    policy_module.load((), cache)                       # validates and remembers the verdict
    assert policy_module.load((), cache) == policy_module.load()


def test_the_citation_registries_read_from_the_copy_are_their_yaml(pack):
    copy = pack_module.compiled(pack)
    for name in policy_module.CITATION_REGISTRIES:
        path = pack / "registries" / name
        assert pack_module.compiled_document(copy, pack, path) == policy_module._document(path)[0]
    edited = pack / "registries" / "sources.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert pack_module.compiled_document(copy, pack, edited) is None       # stale: the YAML is read


def test_a_registry_copy_that_differs_from_its_yaml_is_never_used_by_a_cached_run(pack, tmp_path, monkeypatch):
    from scanner import registries
    from scanner.evaluate import citations
    data = json.loads((pack / COMPILED).read_text(encoding="utf-8"))
    data["registries/controls.yaml"]["document"]["sov"]["source"] = "not-a-standard"
    (pack / COMPILED).write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(policy_module, "builtin_policy_dir", lambda: pack)
    cache = str(tmp_path / "cache")
    for _ in range(2):
        policy_module.load((), cache)
    assert not list((tmp_path / "cache").glob("policies/*/*.json"))       # no verdict: validated every time
    assert not registries.validated(str(pack))
    assert citations.load(pack).framework == citations.builtin().framework    # read from the YAML


def test_a_validated_pack_reads_its_citation_registries_from_the_copy_and_gets_what_the_yaml_gives(pack, monkeypatch):
    from scanner import registries
    from scanner.evaluate import citations
    from_yaml = citations.load(pack)
    registries.validated_before(str(pack))
    read = []
    monkeypatch.setattr(citations.yaml, "load", lambda *args, **kwargs: read.append(args) or {})
    assert citations.load(pack) == from_yaml and read == []       # no YAML read: the copy answered
