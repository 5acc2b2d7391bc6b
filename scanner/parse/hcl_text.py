"""HCL source read as text, where the parsed tree does not say it: which lines an attribute's expression spans,
and the `key = "literal"` pairs written on them.

A settings string such as `jsonencode({ user = var.u, password = "..." })` evaluates to one string: the
tree knows the attribute holds a reference, not which of its keys are written as literals. The source does.
"""
from __future__ import annotations

import json
import re
from typing import Iterator

_PAIR = re.compile(r'(?:"([^"\\]+)"|([A-Za-z0-9_.-]+))\s*[=:]\s*"((?:[^"\\]|\\.)*)"')   # key = "literal"
_LIST_PAIR = re.compile(r'(?:"([^"\\]+)"|([A-Za-z0-9_.-]+))\s*[=:]\s*\[([^\]]*)\]')   # key = ["literal", ...]
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_HEREDOC = re.compile(r"<<-?\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")
_OPENING, _CLOSING = "([{", ")]}"


def expression_lines(lines: list[str], start: int) -> list[tuple[int, str]]:
    """(number, code) of the expression that begins on line `start` (1-based): brackets counted outside
    strings (and outside the `${...}` inside them), comments (`#`, `//`, `/* */`) left out, heredocs read to
    their end."""
    out: list[tuple[int, str]] = []
    depth, number = 0, start
    modes = ["code"]        # code | string | template (a `${` or `%{` in a string) | brace (a `{` in a template)
    while number <= len(lines):
        code, depth = _line(lines[number - 1], modes, depth)
        out.append((number, code))
        heredoc = _HEREDOC.search(code) if modes == ["code"] else None
        if heredoc:   # its body is text, read as written, to the line that ends it; the expression goes on after it
            end = next((n for n in range(number + 1, len(lines) + 1) if lines[n - 1].strip() == heredoc.group(1)),
                       len(lines) + 1)
            out += [(n, lines[n - 1]) for n in range(number + 1, end)]
            number = end
        if depth <= 0 and modes == ["code"]:
            return out
        number += 1
    return out


def _line(line: str, modes: list[str], depth: int) -> tuple[str, int]:
    """One line's code without comments, and the bracket depth after it; `modes` carries over to the next."""
    code: list[str] = []
    at = 0
    while at < len(line):
        char, mode = line[at], modes[-1]
        if mode == "comment":
            if line.startswith("*/", at):
                modes.pop()
                at += 1
            at += 1
            continue
        code.append(char)
        if mode == "string":
            if char == "\\" and at + 1 < len(line):
                code.append(line[at + 1])
                at += 1
            elif char == '"':
                modes.pop()
            elif line.startswith(("${", "%{"), at):
                code.append("{")
                modes.append("template")
                at += 1
        elif char == '"':
            modes.append("string")
        elif mode in ("template", "brace") and char in "{}":
            if char == "{":
                modes.append("brace")
            else:
                modes.pop()
        elif mode == "code" and (char == "#" or line.startswith("//", at)):
            code.pop()
            break
        elif mode == "code" and line.startswith("/*", at):
            code.pop()
            modes.append("comment")
            at += 1
        elif mode == "code":
            depth += (char in _OPENING) - (char in _CLOSING)
        at += 1
    return "".join(code), depth


def written_pairs(lines: list[tuple[int, str]]) -> Iterator[tuple[int, str, str]]:
    """(line, key, literal) of each `key = "literal"`, `"key": "literal"` and `key = ["literal", ...]` on the
    lines, the literal with its escapes read."""
    for number, code in lines:
        pairs = [(f.group(1) or f.group(2), f.group(3)) for f in _PAIR.finditer(code)]
        pairs += [(f.group(1) or f.group(2), item) for f in _LIST_PAIR.finditer(code)
                  for item in _STRING.findall(f.group(3))]
        for key, written in pairs:
            try:
                literal = json.loads(f'"{written}"')
            except ValueError:
                literal = written
            yield number, key, literal
