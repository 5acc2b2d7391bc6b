"""--changed-since finds changed lines in time linear in the file for the shared start and end, so a pull
request cannot stall the scan with a huge file of repeated lines; a large changed middle counts as changed
in full (more in focus, never less)."""
from __future__ import annotations

import pytest

from scanner.focus import MAX_DIFF_MIDDLE, _changed_lines, changed_since
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
