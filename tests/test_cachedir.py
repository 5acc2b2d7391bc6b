"""What the caches share (scanner/cachedir.py): the runtime fingerprint, the installed parser versions read
without importlib.metadata, and file digests remembered within a process while a file is unchanged."""
from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

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
