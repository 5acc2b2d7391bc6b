"""What the caches share (scanner/cachedir.py): the runtime fingerprint, the installed parser versions read
without importlib.metadata, and file digests remembered within a process while a file is unchanged."""
from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from scanner import cachedir


def test_an_installed_distribution_is_named_by_its_dist_info(tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "fakeparser").mkdir(parents=True)
    (site / "fakeparser" / "__init__.py").write_text("")
    (site / "fake_parser-2.5.1.dist-info").mkdir()
    (site / "other_fake_parser-9.9.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(site))
    assert cachedir.installed("fakeparser", "fake-parser") == "fake_parser-2.5.1.dist-info"
    (site / "fake_parser-2.5.1.dist-info").rmdir()
    assert cachedir.installed("fakeparser", "fake-parser") == \
        f"fake-parser at {site / 'fakeparser' / '__init__.py'}"
    assert cachedir.installed("no_such_module_here", "nothing") == "nothing missing"
    sys.modules.pop("fakeparser", None)


def test_an_egg_info_and_a_one_file_module_are_named_too(tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "fakeyaml").mkdir(parents=True)
    (site / "fakeyaml" / "__init__.py").write_text("")
    (site / "FakeYAML-6.0.1-py3.11.egg-info").mkdir()
    (site / "fakeyaml_extras-1.0.egg-info").mkdir()          # another distribution that shares the prefix
    (site / "onefile.py").write_text("")
    (site / "one.file-3.2.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(site))
    assert cachedir.installed("fakeyaml", "FakeYAML") == "FakeYAML-6.0.1-py3.11.egg-info"
    (site / "FakeYAML-6.0.1-py3.11.egg-info").rename(site / "FakeYAML-6.1-py3.11.egg-info")
    assert cachedir.installed("fakeyaml", "FakeYAML") == "FakeYAML-6.1-py3.11.egg-info"   # an upgrade in place
    assert cachedir.installed("onefile", "one-file") == "one.file-3.2.dist-info"


def test_the_installed_parsers_are_found():
    for module, distribution in (("hcl2", "python-hcl2"), ("lark", "lark"), ("yaml", "PyYAML")):
        assert cachedir.installed(module, distribution).endswith(".dist-info")


def test_the_runtime_fingerprint_follows_the_version_and_the_parsers(monkeypatch):
    today = cachedir.runtime_fingerprint()
    monkeypatch.setattr(cachedir, "__version__", "0.0.0-other")
    other_version = cachedir.runtime_fingerprint()
    monkeypatch.undo()
    monkeypatch.setattr(cachedir, "installed", lambda module, distribution: f"{distribution}-0.0.dist-info")
    other_parsers = cachedir.runtime_fingerprint()
    monkeypatch.undo()
    assert len({today, other_version, other_parsers, cachedir.runtime_fingerprint()}) == 3


def test_a_file_digest_follows_the_file(tmp_path):
    target = tmp_path / "module.py"
    target.write_bytes(b"one")
    assert cachedir.file_digest(target) == hashlib.sha256(b"one").digest()
    target.write_bytes(b"three")                             # another size
    assert cachedir.file_digest(target) == hashlib.sha256(b"three").digest()
    status = target.stat()
    target.write_bytes(b"THREE")                             # the same size, another time
    os.utime(target, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000))
    assert cachedir.file_digest(target) == hashlib.sha256(b"THREE").digest()
    status = target.stat()
    target.write_bytes(b"three")                             # the same size and, as cp -p leaves it, the same time
    os.utime(target, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert cachedir.file_digest(target) == hashlib.sha256(b"three").digest()


def test_an_unchanged_file_is_not_read_again(tmp_path, monkeypatch):
    target = tmp_path / "module.py"
    target.write_bytes(b"one")
    first = cachedir.file_digest(target)
    monkeypatch.setattr(Path, "read_bytes", lambda self: (_ for _ in ()).throw(AssertionError("read again")))
    assert cachedir.file_digest(target) == first


# --- entries another job wrote: read as data, never followed or waited on ---------------------------------

def _whole_scan_entries(cache: Path) -> dict[str, list[Path]]:
    return {kind: sorted(cache.glob(f"{kind}/*/*.json")) for kind in ("parse", "roots", "results", "policies")}


def _scan(tree: Path, cache: Path, cwd: Path) -> str:
    import subprocess
    done = subprocess.run([sys.executable, "-m", "scanner", "scan", str(tree), "--cache-dir", str(cache),
                           "-f", f"json={cwd / 'out.json'}", "--fail-on", "never"], cwd=cwd, timeout=120,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    import json
    return json.dumps(json.load(open(cwd / "out.json"))["findings"], sort_keys=True)


def test_an_entry_that_is_a_fifo_or_a_link_out_of_the_cache_is_a_miss(tmp_path):
    """Every cache's entries replaced by a FIFO (a plain open would block the scan for ever) or by a symbolic
    link to a file elsewhere: each is a miss, the scan gives the result it gives without them."""
    tree = tmp_path / "repo"
    tree.mkdir()
    (tree / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    (tree / "k8s.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n"
                                   "  containers:\n    - {name: c, image: 'nginx:1.27.3'}\n")
    cache = tmp_path / "cache"
    expected = _scan(tree, cache, tmp_path)
    entries = _whole_scan_entries(cache)
    assert all(entries.values()), entries
    outside = tmp_path / "outside.json"
    outside.write_bytes((entries["results"][0]).read_bytes())
    for replace in ("fifo", "link"):
        for paths in _whole_scan_entries(cache).values():
            for entry in paths:
                entry.unlink()
                if replace == "fifo":
                    os.mkfifo(entry)
                else:
                    entry.symlink_to(outside)
        assert _scan(tree, cache, tmp_path) == expected


def test_reading_an_entry_refuses_links_and_fifos(tmp_path):
    regular = tmp_path / "entry.json"
    regular.write_bytes(b"header\nbody")
    assert cachedir.read_entry(regular) == b"header\nbody"
    link = tmp_path / "link.json"
    link.symlink_to(regular)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for refused in (link, fifo, tmp_path):
        try:
            cachedir.read_entry(refused)
        except OSError:
            continue
        raise AssertionError(f"{refused} was read")


def test_a_date_past_its_range_in_a_parse_entry_is_a_miss(tmp_path):
    from scanner.discover import Source
    from scanner.parse.cache import FORMAT, ParseCache, Parsed
    from scanner.parse.yaml import parse_stream
    import json
    cache = ParseCache(str(tmp_path))
    key = cache.key("a.yaml", "yaml", b"when: 2024-01-02\n")
    cache.put("a.yaml", key, Parsed(None, tuple(parse_stream("a.yaml", "when: 2024-01-02\n")[0]), ()))
    source = Source("a.yaml", "yaml", str(tmp_path / "a.yaml"))
    assert cache.get(source, key, "") is not None
    entry = cache.entry(key)
    line, _, packed = cachedir.verified_body(entry.read_bytes(), key, FORMAT).partition(b"\n")
    data = json.loads(line)
    assert data["documents"][0][1]["when"] == {"\0": "date", "v": 738887}   # 2024-01-02's ordinal
    data["documents"][0][1]["when"] = {"\0": "date", "v": 10 ** 30}
    entry.write_bytes(cachedir.sealed(json.dumps(data).encode() + b"\n" + packed, key, FORMAT))
    assert cache.get(source, key, "") is None


def test_entries_are_never_written_or_evicted_through_a_link_in_the_cache(tmp_path):
    """Another job turned a shard, and a whole cache's directory, into links to elsewhere: writes there fail
    (the scan goes on without the cache) and eviction does not follow them."""
    cache, outside = tmp_path / "cache", tmp_path / "outside"
    outside.mkdir()
    (cache / "parse").mkdir(parents=True)
    (cache / "parse" / "ab").symlink_to(outside)
    (cache / "roots").symlink_to(outside)
    for target in (cache / "parse" / "ab" / "abc.json", cache / "roots" / "cd" / "cde.json"):
        try:
            cachedir.write_atomically(target, b"entry", str(cache))
        except OSError:
            continue
        raise AssertionError(f"{target} was written")
    assert list(outside.rglob("*")) == []
    cachedir.write_atomically(cache / "results" / "ef" / "efg.json", b"entry", str(cache))
    assert (cache / "results" / "ef" / "efg.json").read_bytes() == b"entry"
    linked = tmp_path / "linked-cache"
    linked.symlink_to(cache)                      # the cache directory itself may be a link: the user chose it
    cachedir.write_atomically(linked / "results" / "ef" / "efh.json", b"entry", str(linked))
    assert (cache / "results" / "ef" / "efh.json").exists()
    victim = outside / "ab"
    victim.mkdir()
    old = victim / "notes.tmp"
    old.write_text("not sovscan's")
    os.utime(old, (1, 1))
    cachedir.keep_under_limit(cache / "roots", written=10 ** 9, limit=1)
    assert old.exists() and not (outside / "last-size-check").exists()


def test_an_entry_of_more_values_than_an_entry_holds_is_not_read(monkeypatch):
    """A small entry can inflate to a body that takes gigabytes once read as JSON (`[{},{},...]`): past
    MAX_VALUES values it is a miss before json.loads sees it."""
    bomb = b"[" + b"{}," * 999 + b"{}]"
    honest = b'{"a": [1, 2, 3], "b": {"c": "d"}}'
    monkeypatch.setattr(cachedir, "MAX_VALUES", 100)
    assert cachedir.verified_body(cachedir.sealed(bomb, "k", "f"), "k", "f") is None
    assert cachedir.verified_body(cachedir.sealed(honest, "k", "f"), "k", "f") == honest
    assert len(cachedir.sealed(b"[" + b"{}," * 10 ** 6 + b"{}]", "k", "f")) < 20_000   # 3 MB of it, sealed


def test_entries_are_never_read_or_touched_through_a_link_in_the_cache(tmp_path):
    """Another job turned a shard, a kind's directory and the size-check marker into links to elsewhere: an
    entry there is not read (a miss), its time is not refreshed, and the marker is replaced, not written
    through (it used to create or touch the file it named, anywhere)."""
    cache, outside = tmp_path / "cache", tmp_path / "outside"
    (outside / "ab").mkdir(parents=True)
    entry = outside / "ab" / "abc.json"
    entry.write_bytes(cachedir.sealed(b"[]", "abc", "f"))
    os.utime(entry, (1, 1))
    (cache / "parse").mkdir(parents=True)
    (cache / "parse" / "ab").symlink_to(outside / "ab")
    (cache / "roots").symlink_to(outside)
    for linked in (cache / "parse" / "ab" / "abc.json", cache / "roots" / "ab" / "abc.json"):
        with pytest.raises(OSError):
            cachedir.read_entry(linked)
        cachedir.refresh(linked)
    assert entry.stat().st_mtime == 1
    (cache / "results").mkdir()
    marker, victim = cache / "results" / "last-size-check", tmp_path / "victim"
    marker.symlink_to(victim)
    cachedir.keep_under_limit(cache / "results", written=10 ** 9, limit=1)
    assert not victim.exists() and marker.is_file() and not marker.is_symlink()
    real = cache / "results" / "cd" / "cde.json"
    cachedir.write_atomically(real, cachedir.sealed(b"[]", "cde", "f"), str(cache))
    assert cachedir.verified_body(cachedir.read_entry(real), "cde", "f") == b"[]"


def test_with_a_cache_secret_only_an_entry_sealed_with_it_is_read(monkeypatch):
    """A cache in the project directory (GitLab caches no other) can hold entries a commit put there, sealed
    with a checksum anyone can compute: with SOVSCAN_CACHE_SECRET set, those are misses."""
    monkeypatch.delenv(cachedir.SECRET_VARIABLE, raising=False)
    plain = cachedir.sealed(b"[1]", "k", "f")
    monkeypatch.setenv(cachedir.SECRET_VARIABLE, "one")
    keyed = cachedir.sealed(b"[1]", "k", "f")
    assert cachedir.verified_body(keyed, "k", "f") == b"[1]"
    assert cachedir.verified_body(plain, "k", "f") is None
    monkeypatch.setenv(cachedir.SECRET_VARIABLE, "another")
    assert cachedir.verified_body(keyed, "k", "f") is None
    monkeypatch.delenv(cachedir.SECRET_VARIABLE)
    assert cachedir.verified_body(keyed, "k", "f") is None
    assert cachedir.verified_body(plain, "k", "f") == b"[1]"


def test_each_cache_keeps_its_entries_in_a_folder_of_its_own_that_the_directory_check_knows(tmp_path):
    """The folder names are written once (ENTRY_KINDS): a cache whose folder the check for foreign files did
    not know would have its own cache directory reported as holding other files."""
    from scanner.evaluate.outcome_cache import OutcomeCache
    from scanner.model.build_cache import BuildCache
    from scanner.model.terraform.cache import RootCache
    from scanner.parse.cache import ParseCache
    from scanner.result_cache import ResultCache
    caches = [OutcomeCache, BuildCache, RootCache, ParseCache, ResultCache]
    kinds = [cache.kind for cache in caches]
    assert len(set(kinds)) == len(kinds) and set(kinds) <= set(cachedir.ENTRY_KINDS)
    assert set(cachedir.ENTRY_KINDS) - set(kinds) == {"policies"}     # the policy pack's verdict (pack_cache)
    assert cachedir.CACHE_ENTRIES == {cachedir.CACHEDIR_TAG, *cachedir.ENTRY_KINDS}
    key = "ab" + "0" * 62
    assert ParseCache(str(tmp_path)).entry(key) == tmp_path / "parse" / "ab" / f"{key}.json"
    assert RootCache(str(tmp_path)).entries() == tmp_path / "roots"
