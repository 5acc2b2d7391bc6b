"""Reading a file up to a limit: what it holds, never the limit's worth of memory first."""
from __future__ import annotations

import os
import tracemalloc

from scanner import regular_file
from scanner.regular_file import read_bytes


def test_a_small_file_read_under_a_large_limit_asks_for_no_more_memory_than_it_holds(tmp_path):
    path = tmp_path / "entry.json"
    path.write_bytes(b"x" * 1000)
    tracemalloc.start()
    try:
        data = read_bytes(str(path), 256 * 1024 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert data == b"x" * 1000
    assert peak < 1024 * 1024   # read(limit + 1) asked for 256 MB at once: refused under `ulimit -v`


def test_at_most_limit_plus_one_bytes_are_read(tmp_path):
    path = tmp_path / "big"
    path.write_bytes(b"y" * 5000)
    assert read_bytes(str(path), 100) == b"y" * 101
    assert read_bytes(str(path), 5000) == b"y" * 5000
    assert read_bytes(str(path), 4999) == b"y" * 5000


def test_a_file_that_grew_since_its_size_was_taken_is_read_on_to_the_limit(tmp_path, monkeypatch):
    path = tmp_path / "growing"
    path.write_bytes(b"z" * 3000)
    fstat = os.fstat

    def earlier_size(fd):   # the size as it was before a writer appended 2,000 bytes
        status = fstat(fd)
        return os.stat_result((status.st_mode, *status[1:6], 1000, *status[7:]))
    monkeypatch.setattr(regular_file.os, "fstat", earlier_size)
    assert read_bytes(str(path), 10_000) == b"z" * 3000
    assert read_bytes(str(path), 2000) == b"z" * 2001
