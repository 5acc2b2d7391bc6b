"""A short seeded run of the mutation fuzzer (bench/fuzz.py; the long run is in the README): no mutated
input may make sovscan exit 3, print a traceback, hang, or change an untouched neighbour's findings."""
from __future__ import annotations

import os
import sys

import pytest

from bench import fuzz

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin",
                                reason="the fuzzer isolates each scan in a forked process")

NOT_SCANNED = ("config-file", "policy-file", "odd-file-names")   # may exit 2 (configuration, policy errors)
SCANNED_FILE_CLASSES = tuple(m.name for m in fuzz.MUTATIONS if m.name not in NOT_SCANNED)


def _report(summary: fuzz.Summary) -> str:
    return "\n".join(f"case {case.number} [{case.mutation}] {case.seed}/{case.target}: {outcome.problem}: "
                     f"{fuzz._first_line(outcome)}" for case, outcome in summary.failures)


def test_mutated_repositories_never_make_a_bug_a_hang_or_a_changed_neighbour():
    summary = fuzz.run(seed=17, count=250, timeout=60, classes=SCANNED_FILE_CLASSES, payload=100_000)
    assert summary.cases == 250 and set(summary.by_class) == set(SCANNED_FILE_CLASSES)
    assert summary.failures == [], _report(summary)
    assert set(summary.by_exit) <= {"0", "1"}


def test_mutated_configuration_policy_files_and_file_names_are_not_a_bug():
    summary = fuzz.run(seed=17, count=30, timeout=60, classes=NOT_SCANNED, payload=100_000)
    assert summary.failures == [], _report(summary)


def test_cases_are_the_same_for_the_same_seed(tmp_path):
    first, again = fuzz.plan(5, 40), fuzz.plan(5, 40)
    assert first == again and len({c.mutation for c in first}) == len(fuzz.MUTATIONS)
    case = next(c for c in first if c.mutation == "huge-numbers")
    fuzz.materialise(case, 5, tmp_path / "one")
    fuzz.materialise(case, 5, tmp_path / "two")
    mutated = (tmp_path / "one" / "repo" / case.target).read_bytes()
    assert mutated == (tmp_path / "two" / "repo" / case.target).read_bytes()
    assert mutated != (case.seed / case.target).read_bytes()
