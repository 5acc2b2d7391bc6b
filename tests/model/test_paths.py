"""Attribute paths as policies write them."""
from __future__ import annotations

import pytest

from scanner.model import paths


@pytest.mark.parametrize("path, ok", [("a", True), ("a.b", True), ("a[0].b", True), ("pod.containers[*]", True),
                                      ("a[name=x].b", True), ("tags[[x", False), ("a..b", False), (".a", False),
                                      ("a.", False), ("a[0]b", False), ("a.[0]", False), ("", False),
                                      ("[*].a", True), ("a[0][name=x]", True), ("a[x=]", True), ("a[=x]", False),
                                      ("a[0", False), ("a]", False)])
def test_a_path_is_well_formed_when_split_reads_it_in_full(path, ok):
    assert paths.well_formed(path) is ok
