"""--changed-since finds changed lines in time linear in the file for the shared start and end, so a pull
request cannot stall the scan with a huge file of repeated lines; a large changed middle counts as changed
in full (more in focus, never less)."""
from __future__ import annotations

import pytest

from scanner.focus import MAX_DIFF_MIDDLE, MAX_EDITS, _changed_lines, _edit_script, changed_since
from tests.security.conftest import git


def text(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


BASE = [f"line {n}" for n in range(1, 11)]   # line 1 .. line 10


@pytest.mark.parametrize("new, expected", [
    (["new"] + BASE, {1}),                                     # insert at the start
    (BASE[:5] + ["new"] + BASE[5:], {6}),                      # insert in the middle
    (BASE + ["new"], {11}),                                    # insert at the end
    (BASE[1:], {1}),                                           # delete the first line: the line after it
    (BASE[:4] + BASE[5:], {4, 5}),                             # delete line 5: the lines either side
    (BASE[:-1], {9}),                                          # delete the last line: the line before it
    (["changed"] + BASE[1:], {1}),                             # replace the first line
    (BASE[:4] + ["a", "b"] + BASE[5:], {5, 6}),                # replace line 5 with two lines
    (BASE[:-1] + ["changed"], {10}),                           # replace the last line
    (BASE, set()),                                             # no change
    ([], {1}),                                                 # everything deleted: line 1 of the empty file
])
def test_changed_lines_at_start_middle_and_end(new, expected):
    assert _changed_lines(text(BASE), text(new) if new else b"") == frozenset(expected)


def test_one_change_among_twenty_thousand_identical_lines_is_that_line():
    # difflib on the whole file (the old way) takes minutes on this input
    old = ["  tags = {}"] * 20_000
    new = list(old)
    new[12_345] = '  location = "eastus"'
    assert _changed_lines(text(old), text(new)) == frozenset({12_346})


def test_a_line_inserted_among_identical_lines_marks_one_line():
    old = ["x"] * 20_000
    new = old[:7_000] + ["y"] + old[7_000:]
    assert _changed_lines(text(old), text(new)) == frozenset({7_001})


def test_edits_at_both_ends_of_a_run_of_repeated_lines_are_found_exactly():
    old = ["a"] + ["x"] * 1_997 + ["b"]
    new = ["c"] + ["x"] * 1_000 + ["y"] + ["x"] * 997 + ["d"]
    assert _changed_lines(text(old), text(new)) == frozenset({1, 1_002, 2_000})


def test_a_middle_of_repeated_lines_with_more_edits_than_the_limit_counts_in_full():
    # difflib's matcher (the old way) took 90 seconds on this input
    old = ["a"] + ["x"] * 1_998 + ["b"]
    new = ["c"] + ["y", "x"] * 999 + ["d"]
    assert _edit_script(old, new) is None
    assert _changed_lines(text(old), text(new)) == frozenset(range(1, 2_001))


@pytest.mark.parametrize("old, new, script", [
    ("abc", "abc", []),
    ("", "ab", [("insert", 0), ("insert", 1)]),
    ("ab", "", [("delete", 0), ("delete", 0)]),
    # the example of Myers' paper: -a -b c +b a b -b a +c
    ("abcabba", "cbabac", [("delete", 0), ("delete", 0), ("insert", 1), ("delete", 4), ("insert", 5)]),
])
def test_the_edit_script_is_a_shortest_one(old, new, script):
    assert _edit_script(list(old), list(new)) == script


def test_the_edit_limit_is_exact():
    assert _edit_script([], ["x"] * MAX_EDITS) == [("insert", n) for n in range(MAX_EDITS)]
    assert _edit_script([], ["x"] * (MAX_EDITS + 1)) is None


def test_a_large_changed_middle_counts_every_new_line_in_it():
    size = MAX_DIFF_MIDDLE + 1
    old = ["head"] + [f"old {n}" for n in range(size)] + ["tail"]
    new = ["head"] + [f"new {n}" for n in range(size)] + ["tail"]
    assert _changed_lines(text(old), text(new)) == frozenset(range(2, size + 2))


def test_a_large_deletion_marks_the_lines_either_side():
    old = ["head"] + [f"old {n}" for n in range(MAX_DIFF_MIDDLE + 1)] + ["tail"]
    assert _changed_lines(text(old), text(["head", "tail"])) == frozenset({1, 2})


def test_changed_since_on_a_committed_huge_file_reports_the_one_changed_line(repo):
    lines = ["# padding"] * 20_000
    (repo / "infra" / "big.tf").write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "big file")
    lines[19_990] = "# changed"
    (repo / "infra" / "big.tf").write_text("\n".join(lines) + "\n", encoding="utf-8")
    change = changed_since("HEAD")
    assert change.focus.files == {"infra/big.tf": frozenset({19_991})}
