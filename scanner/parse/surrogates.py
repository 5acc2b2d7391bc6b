"""Lone surrogates: escapes such as `\\ud800` decode to code points no UTF-8 writer accepts, so a report that
quoted one would fail half-written. The parsers replace them with U+FFFD before anything reads the value."""
from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def replace_surrogates(text: str) -> str:
    return _SURROGATE.sub(REPLACEMENT, text) if _SURROGATE.search(text) else text
