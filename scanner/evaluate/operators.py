"""Leaf comparisons: `{path, op, value}`. Each returns True, False, or None (cannot tell)."""
from __future__ import annotations

import functools
import re
from typing import Any, Callable

from scanner.model.functions.arguments import FunctionError
from scanner.model.functions.re2 import PatternTooComplex, compile_re2


def as_number(value: Any) -> float | None:
    """A number, also one written as a string ("30"), as comparisons read it; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _compare(test: Callable[[float, float], bool]) -> Callable[[Any, Any], bool | None]:
    def compare(seen: Any, wanted: Any) -> bool | None:
        a, b = as_number(seen), as_number(wanted)
        if a is None or b is None:
            return False
        return test(a, b)
    return compare


def _equals(seen: Any, wanted: Any) -> bool:
    if isinstance(seen, str) and isinstance(wanted, str):
        return seen.lower() == wanted.lower()
    if isinstance(wanted, bool) and isinstance(seen, str):
        return seen.lower() == str(wanted).lower()
    return seen == wanted


def _in(seen: Any, wanted: Any) -> bool:
    return any(_equals(seen, w) for w in (wanted if isinstance(wanted, list) else [wanted]))


def _regex(seen: Any, wanted: Any) -> bool | None:
    """Searched as Terraform's regex() searches, RE2 syntax (checked when the policy loaded); None when matching
    this value could run away (a repository's own policy may hold `^(a+)+$`)."""
    if not isinstance(seen, str):
        return False
    pattern = _bounded(str(wanted), len(seen))
    return None if pattern is None else pattern.search(seen) is not None


@functools.lru_cache(maxsize=4096)
def _bounded(pattern: str, length: int) -> re.Pattern | None:
    """The compiled pattern, when matching it on a text of this length has a bounded cost (the estimate reads
    only the length); None otherwise."""
    try:
        compiled = compile_re2(pattern)
        compiled.check(" " * length)
    except (PatternTooComplex, FunctionError):
        return None
    return compiled.compiled


def _not_regex(seen: Any, wanted: Any) -> bool | None:
    found = _regex(seen, wanted)
    return None if found is None else not found


def _truthy(seen: Any, _: Any) -> bool:
    if isinstance(seen, str):
        return seen.lower() in ("true", "yes", "1", "on")
    return bool(seen)


def _contains(seen: Any, wanted: Any) -> bool:
    if isinstance(seen, list):
        return any(_equals(item, wanted) for item in seen)
    return isinstance(seen, str) and str(wanted) in seen


OPERATORS: dict[str, Callable[[Any, Any], bool | None]] = {
    "equals": _equals,
    "not_equals": lambda s, w: not _equals(s, w),
    "in": _in,
    "not_in": lambda s, w: not _in(s, w),
    "regex": _regex,
    "not_regex": _not_regex,
    "gt": _compare(lambda a, b: a > b),
    "ge": _compare(lambda a, b: a >= b),
    "lt": _compare(lambda a, b: a < b),
    "le": _compare(lambda a, b: a <= b),
    "contains": _contains,
    "truthy": _truthy,
    "falsy": lambda s, w: not _truthy(s, w),
}

# Operators about presence or about how a value was written; the engine evaluates these itself.
STRUCTURAL = ("exists", "absent", "literal", "not_literal")
