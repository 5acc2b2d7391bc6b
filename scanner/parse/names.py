"""One string object for each distinct short text the parsers make: the same names, keys and values recur in
every file and every document (on the corpus, 12.6 MB of Terraform strings were 1.2 MB of distinct ones, and
10.8 MB of YAML strings 2.1 MB). Long texts are kept as they are: they rarely repeat, and Python 3.12 never
frees an interned string, so interning them would keep every certificate and script of the scan to its end."""
from __future__ import annotations

import sys

SHARED_LENGTH = 200   # characters: names, keys, regions, image references; not scripts or documents


def shared(text: str) -> str:
    """`text`, or the one object already kept for an equal short text."""
    return sys.intern(text) if len(text) <= SHARED_LENGTH else text
