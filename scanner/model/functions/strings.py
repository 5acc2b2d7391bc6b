"""Terraform's string functions (format and formatlist are in formatting.py).

Lengths, offsets and reversal work on user-perceived characters (graphemes.py), as Terraform's do;
upper/lower/title map one character at a time as Go does ("ß" stays "ß"); regex, regexall and
replace with a /pattern/ run RE2 patterns through re2.py, which refuses what could run too long.
"""
from __future__ import annotations

import unicodedata
from typing import Any, Callable

from scanner.model.functions import graphemes
from scanner.model.functions.arguments import (
    FunctionError, bounded_length, integer, known, sequence, string,
)
from scanner.model.functions.re2 import compile_re2


def chomp(text: Any) -> str:
    return string(text).rstrip("\r\n")


def endswith(text: Any, suffix: Any) -> bool:
    return string(text).endswith(string(suffix))


def startswith(text: Any, prefix: Any) -> bool:
    return string(text).startswith(string(prefix))


def strcontains(text: Any, part: Any) -> bool:
    return string(part) in string(text)


def indent(spaces: Any, text: Any) -> str:
    count, body = integer(spaces, "spaces"), string(text)
    if count < 0:
        raise FunctionError("spaces must not be negative")
    bounded_length(len(body) + body.count("\n") * count)
    return body.replace("\n", "\n" + " " * count)


def join(separator: Any, *lists: Any) -> str:
    glue = string(separator, "separator")
    if not lists:
        raise FunctionError("at least one list is required")
    items: list[str] = []
    for number, items_in in enumerate(lists, 1):
        for index, item in enumerate(sequence(known(items_in), f"list {number}")):
            if item is None:
                raise FunctionError(f"element {index} of list {number} is null; cannot concatenate null values")
            items.append(string(item, f"element {index} of list {number}"))
    bounded_length(sum(len(i) for i in items) + len(glue) * len(items))
    return glue.join(items)


def _map_characters(text: str, mapping: Callable[[str], str]) -> str:
    """Go maps case one character at a time (simple case mapping): a character whose full mapping
    is longer ("ß" -> "SS") stays as it is."""
    if text.isascii():
        return mapping(text)
    out = []
    for char in text:
        mapped = "i" if char == "\u0130" and mapping is str.lower else mapping(char)
        out.append(mapped if len(mapped) == 1 else char)
    return "".join(out)


def lower(text: Any) -> str:
    return _map_characters(string(text), str.lower)


def upper(text: Any) -> str:
    return _map_characters(string(text), str.upper)


def _separates_words(char: str) -> bool:
    """Go's strings.Title: ASCII letters, digits and underscore join; other ASCII separates; beyond
    ASCII letters and digits join and spaces separate."""
    if char.isascii():
        return not (char.isalnum() or char == "_")
    if unicodedata.category(char)[0] in "LN" and unicodedata.category(char) not in ("Nl", "No"):
        return False
    return char.isspace()


def title(text: Any) -> str:
    out, previous = [], " "
    for char in string(text):
        if _separates_words(previous):
            titled = char.title()
            out.append(titled if len(titled) == 1 else char)
        else:
            out.append(char)
        previous = char
    return "".join(out)


def split(separator: Any, text: Any) -> list[str]:
    glue, body = string(separator, "separator"), string(text)
    parts = list(body) if glue == "" else body.split(glue)
    bounded_length(len(parts) + len(body))
    return parts


def strrev(text: Any) -> str:
    return "".join(reversed(graphemes.clusters(string(text))))


def substr(text: Any, offset: Any, length: Any) -> str:
    """Go's algorithm, quirks included: a negative offset past the start begins at the start, and
    with a negative offset a length of 0 means "to the end"."""
    characters = graphemes.clusters(string(text))
    start, count = integer(offset, "offset"), integer(length, "length")
    if start < 0:
        start += len(characters)
    elif count == 0:
        return ""
    rest = characters[start:] if start > 0 else characters
    if count <= 0:
        return "".join(rest)
    return "".join(rest[:count])


def trim(text: Any, cutset: Any) -> str:
    return string(text).strip(string(cutset, "cutset"))


def trimprefix(text: Any, prefix: Any) -> str:
    body, head = string(text), string(prefix, "prefix")
    return body[len(head):] if head and body.startswith(head) else body


def trimsuffix(text: Any, suffix: Any) -> str:
    body, tail = string(text), string(suffix, "suffix")
    return body[:-len(tail)] if tail and body.endswith(tail) else body


_GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0")


def _go_space(char: str) -> bool:
    return char in _GO_SPACE or (not char.isascii() and unicodedata.category(char) in ("Zs", "Zl", "Zp"))


def trimspace(text: Any) -> str:
    body = string(text)
    start, end = 0, len(body)
    while start < end and _go_space(body[start]):
        start += 1
    while end > start and _go_space(body[end - 1]):
        end -= 1
    return body[start:end]


# --- regular expressions --------------------------------------------------------------------------

def _result_shape(names: tuple) -> str:
    if not names:
        return "string"
    named = [n for n in names if n is not None]
    if named and len(named) != len(names):
        raise FunctionError("invalid regular expression: cannot mix both named and unnamed capture groups")
    return "object" if named else "list"


def _match_result(match: Any, names: tuple, shape: str) -> Any:
    if shape == "string":
        return match.group(0)
    if shape == "list":
        return list(match.groups())
    return {name: match.group(name) for name in names}


def regex(pattern: Any, text: Any) -> Any:
    compiled = compile_re2(string(pattern, "pattern"))
    shape = _result_shape(compiled.group_names)
    found = compiled.matches(string(text))
    if not found:
        raise FunctionError("pattern did not match any part of the given string")
    return _match_result(found[0], compiled.group_names, shape)


def regexall(pattern: Any, text: Any) -> list:
    compiled = compile_re2(string(pattern, "pattern"))
    shape = _result_shape(compiled.group_names)
    found = compiled.matches(string(text))
    bounded_length(len(found) * (1 + len(compiled.group_names)))
    return [_match_result(match, compiled.group_names, shape) for match in found]


def replace(text: Any, search: Any, replacement: Any) -> str:
    body, needle, new = string(text), string(search, "substring"), string(replacement, "replacement")
    if len(needle) > 1 and needle.startswith("/") and needle.endswith("/"):
        return compile_re2(needle[1:-1]).replace(body, new)
    occurrences = body.count(needle) if needle else len(body) + 1
    bounded_length(len(body) + (len(new) - len(needle)) * occurrences)
    return body.replace(needle, new)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "chomp": chomp, "endswith": endswith, "indent": indent, "join": join, "lower": lower,
    "regex": regex, "regexall": regexall, "replace": replace, "split": split,
    "startswith": startswith, "strcontains": strcontains, "strrev": strrev, "substr": substr,
    "title": title, "trim": trim, "trimprefix": trimprefix, "trimspace": trimspace,
    "trimsuffix": trimsuffix, "upper": upper,
}
