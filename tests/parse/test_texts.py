"""ScannedTexts: the model reads a file's text again when it needs it; parsing keeps none."""
from __future__ import annotations

import pytest

from scanner.discover import discover
from scanner.parse import texts as texts_module
from scanner.parse.files import parse_all
from scanner.parse.texts import ScannedTexts


def _parsed(tmp_path, files: dict[str, bytes]):
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)
    parsed, _ = parse_all(discover(str(tmp_path))[0])
    return parsed


def test_parsing_keeps_no_text_and_the_texts_are_read_as_parsing_read_them(tmp_path):
    parsed = _parsed(tmp_path, {"main.tf": b'resource "a" "b" {}\n', "notes.md": "\ufeffcaf\u00e9\n".encode("utf-8"),
                                "empty.txt": b"", "bin.dat": b"\xff\xfe\x00"})
    assert not any(hasattr(f, "text") for f in parsed)
    texts = ScannedTexts(parsed)
    assert sorted(texts) == ["main.tf", "notes.md"] and len(texts) == 2   # empty and non-UTF-8 files have none
    assert texts["notes.md"] == "caf\u00e9\n"                                 # the byte-order mark is dropped
    assert texts["main.tf"] == 'resource "a" "b" {}\n'
    assert "empty.txt" not in texts and texts.get("bin.dat") is None
    with pytest.raises(KeyError):
        texts["other.tf"]


def test_a_file_changed_removed_or_swapped_for_a_link_after_parsing_reads_as_empty_and_is_noticed(tmp_path):
    """The model reads what was parsed and discovered, or nothing: never other bytes, never through a link
    made after discovery checked the file."""
    outside = tmp_path / "outside.txt"
    outside.write_text("token: ghp_outside\n")
    scanned = tmp_path / "repo"
    parsed = _parsed(scanned, {"a.txt": b"one\n", "b.txt": b"two\n", "c.txt": b"three\n", "d.txt": b"four\n",
                               "e.txt": b"five\n"})
    texts = ScannedTexts(parsed)
    (scanned / "a.txt").unlink()
    (scanned / "b.txt").write_bytes(b"\xff\xfe")
    (scanned / "c.txt").write_bytes(b"three, edited\n")
    (scanned / "d.txt").unlink()
    (scanned / "d.txt").symlink_to(outside)
    (scanned / "e.txt").write_bytes(b"five\n")      # rewritten with the same bytes: still what was parsed
    assert [texts[p] for p in ("a.txt", "b.txt", "c.txt", "d.txt", "e.txt")] == ["", "", "", "", "five\n"]
    assert [(n.path, n.level) for n in texts.notices()] == [(p, "warning") for p in ("a.txt", "b.txt", "c.txt", "d.txt")]
    assert "changed while it was scanned" in texts.notices()[0].message
    own = texts.only([f for f in parsed if f.source.path in ("a.txt", "e.txt")])
    assert sorted(own) == ["a.txt", "e.txt"] and own["a.txt"] == "" and len(own.notices()) == 4


def test_recent_texts_are_kept_within_a_bound_in_characters(tmp_path, monkeypatch):
    """A kustomization or a template is read once per build or module instance that asks: the newest texts
    are kept, up to a number of characters, so that a few large files cannot make the model hold them all;
    the newest is kept whatever its size (the objects of one large file are judged one after another).
    (Editing a file after parsing shows which texts were read again: those read as empty.)"""
    monkeypatch.setattr(texts_module, "RECENT_CHARACTERS", 10)
    texts = ScannedTexts(_parsed(tmp_path, {"a.txt": b"aaaa\n", "b.txt": b"bbbb\n", "c.txt": b"c" * 20 + b"\n",
                                            "d.txt": b"dd\n"}))
    assert texts["a.txt"] == "aaaa\n" and texts["b.txt"] == "bbbb\n"
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_bytes(b"edited\n")
    assert texts["a.txt"] == "aaaa\n" and texts["b.txt"] == "bbbb\n"     # both within the bound: kept
    assert texts["c.txt"] == "c" * 20 + "\n"                             # over the bound on its own: kept alone
    (tmp_path / "c.txt").write_bytes(b"edited\n")
    assert texts["c.txt"] == "c" * 20 + "\n"     # the newest, read again and again: read once
    assert texts["a.txt"] == ""                   # let go for c: read again, and found edited
    assert texts["d.txt"] == "dd\n" and texts["c.txt"] == ""