"""RE2 syntax (Go's regular expressions, as Terraform uses them) parsed into a small tree, and
that tree written out as an equivalent Python pattern.

Every character class is written out explicitly (\\d is [0-9], . is [^\\n], case-insensitive
letters list both cases), so no Python flag or Unicode default changes the meaning; `$` is the end
of the text as in RE2, not "before a final newline" as in Python.

Not supported (FunctionError, so the call is Unknown): Unicode classes (\\p{Greek}), \\C.
Constructs RE2 itself rejects (backreferences, lookaround, possessive repeats) are errors as in
Terraform.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from scanner.model.functions.arguments import FunctionError

MAX_REPEAT = 1_000              # RE2's own limit on {n,m}
_TOP = 0x10FFFF

Ranges = tuple[tuple[int, int], ...]


# --- the tree ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Chars:
    ranges: Ranges


@dataclass(frozen=True)
class Assertion:
    python: str
    start: bool = False   # anchors at the start of the text


@dataclass(frozen=True)
class Concat:
    items: tuple


@dataclass(frozen=True)
class Alternate:
    options: tuple


@dataclass(frozen=True)
class Repeat:
    body: "Node"
    low: int
    high: int | None
    greedy: bool


@dataclass(frozen=True)
class Group:
    body: "Node"
    capture: bool
    name: str | None = None


Node = Union[Chars, Assertion, Concat, Alternate, Repeat, Group]


# --- character sets -------------------------------------------------------------------------------

def normalise(ranges: list[tuple[int, int]]) -> Ranges:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return tuple(merged)


def _complement(ranges: Ranges) -> Ranges:
    out, start = [], 0
    for low, high in ranges:
        if low > start:
            out.append((start, low - 1))
        start = high + 1
    if start <= _TOP:
        out.append((start, _TOP))
    return tuple(out)


def overlap(left: Ranges, right: Ranges) -> bool:
    i = j = 0
    while i < len(left) and j < len(right):
        if left[i][1] < right[j][0]:
            i += 1
        elif right[j][1] < left[i][0]:
            j += 1
        else:
            return True
    return False


_FOLD_EXTRA = {ord("k"): [0x212A], ord("K"): [0x212A], ord("s"): [0x17F], ord("S"): [0x17F],
               0x212A: [ord("k"), ord("K")], 0x17F: [ord("s"), ord("S")]}


def _fold(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Add the other-case forms (simple case folding) of the characters; for very wide ranges only
    of the ASCII letters in them, which is what matters in practice."""
    out = list(ranges)
    for low, high in ranges:
        if high - low > 5_000:
            low, high = max(low, 0x41), min(high, 0x7A)
        for code in range(low, high + 1):
            char = chr(code)
            for variant in (char.lower(), char.upper()):
                if len(variant) == 1 and variant != char:
                    out.append((ord(variant), ord(variant)))
            out.extend((c, c) for c in _FOLD_EXTRA.get(code, ()))
    return out


_DIGIT = ((0x30, 0x39),)
_WORD = normalise([(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)])
_SPACE = normalise([(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)])
_PERL = {"d": _DIGIT, "w": _WORD, "s": _SPACE}
_POSIX = {
    "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)], "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "ascii": [(0, 0x7F)], "blank": [(0x09, 0x09), (0x20, 0x20)], "cntrl": [(0, 0x1F), (0x7F, 0x7F)],
    "digit": [(0x30, 0x39)], "graph": [(0x21, 0x7E)], "lower": [(0x61, 0x7A)], "print": [(0x20, 0x7E)],
    "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)], "space": [(0x09, 0x0D), (0x20, 0x20)],
    "upper": [(0x41, 0x5A)], "word": list(_WORD), "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
}
_WORD_CLASS = "[0-9A-Za-z_]"
_WORD_BOUNDARY = f"(?:(?<={_WORD_CLASS})(?!{_WORD_CLASS})|(?<!{_WORD_CLASS})(?={_WORD_CLASS}))"
_NOT_WORD_BOUNDARY = f"(?:(?<={_WORD_CLASS})(?={_WORD_CLASS})|(?<!{_WORD_CLASS})(?!{_WORD_CLASS}))"


# --- parsing RE2 syntax -------------------------------------------------------------------------

class _Parser:
    def __init__(self, pattern: str):
        self.text = pattern
        self.pos = 0
        self.names: list[str | None] = []

    def error(self, message: str) -> FunctionError:
        return FunctionError(f"invalid regular expression: {message}")

    def peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.text[index] if index < len(self.text) else ""

    def parse(self) -> Node:
        node = self.alternation(frozenset(), depth=0)
        if self.pos < len(self.text):
            raise self.error("unexpected )")
        return node

    def alternation(self, flags: frozenset, depth: int) -> Node:
        if depth > 100:
            raise FunctionError("regular expression groups nested too deeply to evaluate statically")
        options = [self.concat(flags, depth)]
        while self.peek() == "|":
            self.pos += 1
            options.append(self.concat(flags, depth))
        return options[0] if len(options) == 1 else Alternate(tuple(options))

    def concat(self, flags: frozenset, depth: int) -> Node:
        items: list[Node] = []
        while self.peek() not in ("", "|", ")"):
            if self.text.startswith("(?", self.pos) and self._flag_group_ends_here():
                flags = self.flags(flags)
                continue
            atom = self.atom(flags, depth)
            if isinstance(atom, list):     # \\Q...\\E: a repetition after it applies to its last character
                items.extend(atom)
                if items:
                    items[-1] = self.quantified(items[-1], flags)
            else:
                items.append(self.quantified(atom, flags))
        return items[0] if len(items) == 1 else Concat(tuple(items))

    def _flag_group_ends_here(self) -> bool:
        match = re.match(r"\(\?[imsU-]*\)", self.text[self.pos:])
        return match is not None

    def flags(self, flags: frozenset) -> frozenset:
        end = self.text.index(")", self.pos)
        spec = self.text[self.pos + 2:end]
        self.pos = end + 1
        return self._apply_flags(flags, spec)

    def _apply_flags(self, flags: frozenset, spec: str) -> frozenset:
        on, _, off = spec.partition("-")
        if not spec or spec.endswith("-") or "-" in off:
            raise self.error("invalid flags")
        return (flags | frozenset(on)) - frozenset(off)

    def quantified(self, atom: Node, flags: frozenset) -> Node:
        bounds = self.repeat_bounds()
        if bounds is None:
            return atom
        greedy = True
        if self.peek() == "?":
            self.pos += 1
            greedy = False
        if "U" in flags:
            greedy = not greedy
        if self.repeat_bounds(look_only=True) is not None:
            raise self.error("invalid nested repetition operator")
        return Repeat(atom, bounds[0], bounds[1], greedy)

    def repeat_bounds(self, look_only: bool = False) -> tuple[int, int | None] | None:
        char = self.peek()
        simple = {"*": (0, None), "+": (1, None), "?": (0, 1)}
        if char in simple:
            if not look_only:
                self.pos += 1
            return simple[char]
        if char != "{":
            return None
        match = re.match(r"\{(\d+)(,(\d*))?\}", self.text[self.pos:])
        if match is None:
            return None
        low = int(match.group(1))
        high = low if match.group(2) is None else (int(match.group(3)) if match.group(3) else None)
        if low > MAX_REPEAT or (high is not None and (high > MAX_REPEAT or high < low)):
            raise self.error("invalid repeat count")
        if not look_only:
            self.pos += match.end()
        return low, high

    def atom(self, flags: frozenset, depth: int) -> Node | list:
        char = self.peek()
        if char in ("*", "+", "?") or (char == "{" and self.repeat_bounds(look_only=True) is not None):
            raise self.error("missing argument to repetition operator")
        self.pos += 1
        if char == "(":
            return self.group(flags, depth)
        if char == "[":
            return self.char_class(flags)
        if char == ".":
            return Chars(((0, _TOP),) if "s" in flags else ((0, 9), (11, _TOP)))
        if char == "^":
            return Assertion("(?m:^)" if "m" in flags else r"\A", start="m" not in flags)
        if char == "$":
            return Assertion("(?m:$)" if "m" in flags else r"\Z")
        if char == "\\":
            return self.escape(flags)
        return self.literal(ord(char), flags)

    def literal(self, code: int, flags: frozenset) -> Chars:
        ranges = [(code, code)]
        return Chars(normalise(_fold(ranges) if "i" in flags else ranges))

    def group(self, flags: frozenset, depth: int) -> Node:
        name: str | None = None
        capture = True
        if self.peek() == "?":
            match = re.match(r"\?(?:P?<([A-Za-z0-9_]+)>|([imsU-]*):)", self.text[self.pos:])
            if match is None:
                raise self.error("unsupported group syntax (lookaround, backreference or comment)")
            self.pos += match.end()
            if match.group(1) is not None:
                name = match.group(1)
                if name in self.names:
                    raise self.error(f"duplicate capture group name {name}")
            else:
                capture = False
                flags = self._apply_flags(flags, match.group(2)) if match.group(2) else flags
        if capture:
            self.names.append(name)
        body = self.alternation(flags, depth + 1)
        if self.peek() != ")":
            raise self.error("missing )")
        self.pos += 1
        return Group(body, capture, name)

    def escape(self, flags: frozenset) -> Node | list:  # noqa: C901 - one case per escape
        char = self.peek()
        self.pos += 1
        if char == "":
            raise self.error("trailing backslash")
        if char in "dws":
            return Chars(_PERL[char])
        if char in "DWS":
            return Chars(_complement(_PERL[char.lower()]))
        if char == "b":
            return Assertion(_WORD_BOUNDARY)
        if char == "B":
            return Assertion(_NOT_WORD_BOUNDARY)
        if char == "A":
            return Assertion(r"\A", start=True)
        if char == "z":
            return Assertion(r"\Z")
        if char == "Q":
            end = self.text.find(r"\E", self.pos)
            end = len(self.text) if end < 0 else end
            quoted = self.text[self.pos:end]
            self.pos = min(end + 2, len(self.text))
            return [self.literal(ord(c), flags) for c in quoted]
        if char in "pP":
            raise FunctionError("Unicode character classes (\\p) are not supported statically")
        self.pos -= 1
        return self.literal(self.char_escape(), flags)

    def char_escape(self) -> int:
        """The character of an escape that stands for one character (after the backslash)."""
        char = self.peek()
        self.pos += 1
        controls = {"a": 7, "f": 12, "t": 9, "n": 10, "r": 13, "v": 11}
        if char in controls:
            return controls[char]
        if char == "x":
            match = re.match(r"\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{2})", self.text[self.pos:])
            if match is None:
                raise self.error("invalid escape sequence")
            self.pos += match.end()
            code = int(match.group(1) or match.group(2), 16)
            if code > _TOP:
                raise self.error("invalid escape sequence")
            return code
        if char in "01234567":
            match = re.match(r"[0-7]{0,2}", self.text[self.pos:])
            digits = char + (match.group(0) if match else "")
            if char != "0" and len(digits) == 1:
                raise self.error("backreferences are not supported by RE2")
            self.pos += len(digits) - 1
            return int(digits, 8)
        if char and char.isascii() and not char.isalnum():
            return ord(char)
        raise self.error("invalid escape sequence")

    def char_class(self, flags: frozenset) -> Chars:
        negate = self.peek() == "^"
        if negate:
            self.pos += 1
        ranges: list[tuple[int, int]] = []
        first = True
        while first or self.peek() != "]":
            if self.peek() == "":
                raise self.error("missing ]")
            first = False
            posix = re.match(r"\[:(\^?)([a-z]+):\]", self.text[self.pos:])
            if posix:
                if posix.group(2) not in _POSIX:
                    raise self.error("invalid character class range")
                found = normalise(_POSIX[posix.group(2)])
                ranges.extend(_complement(found) if posix.group(1) else found)
                self.pos += posix.end()
                continue
            if self.peek() == "\\" and self.peek(1) in "dwsDWSpP":
                escaped = self.peek(1)
                self.pos += 2
                if escaped in "pP":
                    raise FunctionError("Unicode character classes (\\p) are not supported statically")
                found = _PERL[escaped.lower()]
                ranges.extend(_complement(found) if escaped.isupper() else found)
                continue
            low = self.class_char()
            high = low
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                high = self.class_char()
                if high < low:
                    raise self.error("invalid character class range")
            ranges.append((low, high))
        self.pos += 1
        found = normalise(_fold(ranges) if "i" in flags else ranges)
        return Chars(_complement(found) if negate else found)

    def class_char(self) -> int:
        char = self.peek()
        if char == "\\":
            self.pos += 1
            return self.char_escape()
        self.pos += 1
        return ord(char)


# --- writing the Python pattern ------------------------------------------------------------------

def _code(code: int) -> str:
    char = chr(code)
    if char.isascii() and char.isalnum():
        return char
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _class(ranges: Ranges) -> str:
    if not ranges:
        return "(?!)"
    if len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
        return _code(ranges[0][0])
    complement = _complement(ranges)
    negate = len(complement) < len(ranges)
    shown = complement if negate else ranges
    if not shown:
        return r"[\x00-\U0010ffff]"
    body = "".join(_code(low) if low == high else f"{_code(low)}-{_code(high)}" for low, high in shown)
    return f"[{'^' if negate else ''}{body}]"


def emit(node: Node) -> str:
    if isinstance(node, Chars):
        return _class(node.ranges)
    if isinstance(node, Assertion):
        return node.python
    if isinstance(node, Concat):
        return "".join(f"(?:{emit(i)})" if isinstance(i, Alternate) else emit(i) for i in node.items)
    if isinstance(node, Alternate):
        return "|".join(emit(option) for option in node.options)
    if isinstance(node, Group):
        if not node.capture:
            return f"(?:{emit(node.body)})"
        return f"(?P<{node.name}>{emit(node.body)})" if node.name else f"({emit(node.body)})"
    body = emit(node.body)
    if not isinstance(node.body, (Chars, Group)):
        body = f"(?:{body})"
    high = "" if node.high is None else str(node.high)
    bounds = f"{{{node.low}}}" if node.high == node.low else f"{{{node.low},{high}}}"
    return body + bounds + ("" if node.greedy else "?")


def parse(pattern: str) -> tuple[Node, tuple]:
    """The pattern's tree and, per capture group in order, its name or None."""
    parser = _Parser(pattern)
    return parser.parse(), tuple(parser.names)
