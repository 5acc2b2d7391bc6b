from __future__ import annotations

import os

from scanner import discover as discover_module
from scanner.discover import SKIPPED_CACHE, SKIPPED_THIRD_PARTY, classify, discover


def test_classifies_by_name():
    assert classify("main.tf") == "terraform"
    assert classify("main.tf.json") == "terraform-json"
    assert classify("prod.tfvars") == "tfvars"
    assert classify("x.auto.tfvars.json") == "tfvars"
    assert classify("terraform.tfstate.backup") == "tfstate"
    assert classify("plan.tfplan") == "tfstate"
    assert classify("deploy.YAML") == "yaml"
    assert classify("README.md") == "text"


def test_walks_sorted_with_default_and_user_excludes(write):
    root = write({"b/main.tf": "", "a/x.yaml": "", ".git/config": "", ".terraform/modules/m/main.tf": "",
                  "node_modules/p/x.yaml": "", "vendor/skip.tf": "", "c/keep.tf": ""})
    sources, notices = discover(str(root), ("vendor",))
    assert [s.path for s in sources] == ["a/x.yaml", "b/main.tf", "c/keep.tf"]
    assert [(n.path, n.level, n.message) for n in notices] == [("node_modules", "note", SKIPPED_THIRD_PARTY)]


def test_third_party_directories_are_left_out_with_a_note_so_none_hides_code(write):
    root = write({"infra/main.tf": "", "infra/venv/hidden.tf": "", "app/.venv/lib/x.yaml": "",
                  "app/__pycache__/m.pyc": "", "lib/__pycache__/main.tf": "", ".tox/py/x.yaml": ""})
    sources, notices = discover(str(root), ())
    assert [s.path for s in sources] == ["infra/main.tf"]
    # a __pycache__ of bytecode alone is what every Python package has: no note for it
    assert sorted(n.path for n in notices if n.message == SKIPPED_THIRD_PARTY) == \
        [".tox", "app/.venv", "infra/venv", "lib/__pycache__"]
    _, excluded = discover(str(root), ("venv",))      # left out by the user as well: no note for it
    assert "infra/venv" not in [n.path for n in excluded]


def test_exclude_glob_on_paths(write):
    root = write({"envs/dev/main.tf": "", "envs/prod/main.tf": ""})
    sources, _ = discover(str(root), ("envs/dev/*",))
    assert [s.path for s in sources] == ["envs/prod/main.tf"]


def test_symlink_loop_ends_with_a_notice(write, tmp_path):
    root = write({"mod/main.tf": ""})
    os.symlink(root / "mod", root / "mod" / "loop")
    sources, notices = discover(str(root))
    assert [s.path for s in sources] == ["mod/main.tf"]
    assert any("symlink" in n.message for n in notices)


def test_symlink_out_of_root_is_not_followed(write, tmp_path):
    outside = tmp_path / "outside"
    write({"secret.tf": "x"}, outside)
    root = write({"main.tf": ""}, tmp_path / "root")
    os.symlink(outside / "secret.tf", root / "linked.tf")
    os.symlink(outside, root / "linked_dir")
    sources, notices = discover(str(root))
    assert [s.path for s in sources] == ["main.tf"]
    assert {n.path for n in notices} == {"linked.tf", "linked_dir"}


def test_binary_and_oversized_files_are_skipped_with_a_notice(write, monkeypatch):
    root = write({"bin.tf": b"\x00\x01\x02binary", "big.yaml": "a: " + "x" * 200, "ok.tf": "", "image.png": b"\x89PNG\x00"})
    monkeypatch.setattr(discover_module, "MAX_FILE_BYTES", 100)
    sources, notices = discover(str(root))
    assert [s.path for s in sources] == ["ok.tf"]
    assert [(n.path, n.message.split(":")[0]) for n in notices] == [("big.yaml", "skipped"), ("bin.tf", "skipped")]


def test_unreadable_file_is_a_notice(write):
    root = write({"ok.tf": ""})
    os.symlink(root / "missing.tf", root / "dangling.tf")
    sources, notices = discover(str(root))
    assert [s.path for s in sources] == ["ok.tf"]
    assert [n.path for n in notices] == ["dangling.tf"]
    assert notices[0].message == "cannot read file: it does not exist (a broken symlink?)"
    os.symlink(root / "loop.tf", root / "loop.tf")                 # a link to itself: a loop, not a broken link
    _, notices = discover(str(root))
    assert [(n.path, n.message) for n in notices] == [
        ("dangling.tf", "cannot read file: it does not exist (a broken symlink?)"),
        ("loop.tf", "cannot read file: a symbolic link loop (it leads back to itself)")]


def test_single_file_root(write):
    root = write({"main.tf": ""})
    sources, notices = discover(str(root / "main.tf"))
    assert [(s.path, s.kind) for s in sources] == [("main.tf", "terraform")]


def test_a_tagged_cache_directory_is_left_out_and_an_untagged_one_is_not(write):
    root = write({"cache/CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n", "cache/parse/x.json": "{}",
                  "cache/deeper/main.tf": "", "notes/CACHEDIR.TAG": "Signature: something else\n",
                  "notes/main.tf": "", "main.tf": ""})
    sources, notices = discover(str(root), own_cache=os.path.realpath(root / "cache"))
    assert [s.path for s in sources] == ["main.tf", "notes/CACHEDIR.TAG", "notes/main.tf"]   # read as any text file
    assert notices == []


def test_a_tagged_directory_that_is_not_the_scans_cache_is_left_out_with_a_notice(write):
    """Anyone can tag a directory: a pull request that tags infra/ must not hide its code unseen."""
    root = write({"infra/CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n",
                  "infra/main.tf": 'resource "aws_s3_bucket" "b" {}\n', "main.tf": ""})
    sources, notices = discover(str(root), own_cache=os.path.realpath(root / ".cache"))
    assert [s.path for s in sources] == ["main.tf"]
    assert [(n.path, n.message, n.level, n.kind) for n in notices] == [("infra", SKIPPED_CACHE, "warning", "cache-skipped")]
    _, notices = discover(str(root / "infra"))
    assert [(n.path, n.message) for n in notices] == [(".", SKIPPED_CACHE)]


def test_another_sovscan_cache_or_a_known_tools_cache_is_left_out_with_a_note(write):
    """A cache an earlier run with another --cache-dir made, or pytest's and mypy's, is expected: a note, which
    --strict does not fail on; any other tagged directory is a warning."""
    signature = "Signature: 8a477f597d28d172789f06886806bc55\n"
    root = write({".pytest_cache/CACHEDIR.TAG": signature, ".pytest_cache/v/x.tf": "",
                  "old-cache/CACHEDIR.TAG": signature + "# This directory holds sovscan's caches: parsed files\n",
                  "old-cache/parse/x.tf": "", "infra/CACHEDIR.TAG": signature, "infra/main.tf": "", "main.tf": ""})
    sources, notices = discover(str(root))
    assert [s.path for s in sources] == ["main.tf"]
    assert [(n.path, n.level) for n in notices] == [(".pytest_cache", "note"), ("infra", "warning"),
                                                    ("old-cache", "note")]
