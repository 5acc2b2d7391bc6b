"""The HCL parser: python-hcl2's, and for identifiers beyond ASCII the same grammar with the identifier
terminal widened the way Terraform reads identifiers.

HCL identifiers are Unicode (`café = 1`: ID_Start, then ID_Continue or `-`, UAX #31), but python-hcl2's
grammar spells NAME as ASCII, so such a file fails to parse and would silently not be judged. The grammar
text is python-hcl2's own, read from the installed package; only the NAME line is replaced, at run
time. Building that parser takes a second or two, so it is built once per process and only for a file
with non-ASCII text that the standard parser rejects.
"""
from __future__ import annotations

import functools
import importlib.resources
import re
import sys

import hcl2
from hcl2.postlexer import PostLexer
from lark import Lark, Tree
from lark.exceptions import UnexpectedInput

_NAME_LINE = re.compile(r"^NAME\s*:.*$", re.MULTILINE)


def parse_tree(text: str) -> Tree:
    """The Lark tree of an HCL file. Raises lark's errors for text that is not HCL."""
    try:
        return hcl2.parses_to_tree(text)
    except UnexpectedInput:
        widened = None if text.isascii() else _unicode_parser()
        if widened is None:
            raise
    # As hcl2.parses_to_tree: the grammar needs a final newline.
    return widened.parse(text + "\n")


def syntax_depth(tree: Tree) -> int:
    """How deep the tree nests, counted without recursion (a hostile file may nest thousands deep)."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))
    return deepest


@functools.lru_cache(maxsize=1)
def _unicode_parser() -> Lark | None:
    """python-hcl2's grammar with Terraform's identifiers; None when its NAME terminal is not where it was."""
    grammar = importlib.resources.files("hcl2").joinpath("hcl2.lark").read_text(encoding="utf-8")
    widened, replaced = _NAME_LINE.subn(lambda _: f"NAME : /{_identifier_regex()}/", grammar)
    if replaced != 1:
        return None
    return Lark(widened, parser="lalr", propagate_positions=True, postlex=PostLexer())


def _identifier_regex() -> str:
    """ASCII as python-hcl2 has it, plus every non-ASCII character Python (like HCL, per UAX #31) lets
    start an identifier, and those that may only continue one."""
    start, rest = [], []
    for code in range(0x80, sys.maxunicode + 1):
        char = chr(code)
        if char.isidentifier():
            start.append(code)
        elif ("a" + char).isidentifier():
            rest.append(code)
    return f"[a-zA-Z_{_ranges(start)}][a-zA-Z0-9_{_ranges(sorted(start + rest))}-]*"


def _ranges(codes: list[int]) -> str:
    """Code points as character-class ranges: [0xe0, 0xe1, 0xe2] -> "à-â"."""
    out = []
    first = previous = codes[0]
    for code in codes[1:] + [-1]:
        if code == previous + 1:
            previous = code
            continue
        out.append(chr(first) if first == previous else f"{chr(first)}-{chr(previous)}")
        first = previous = code
    return "".join(out)
