"""Terraform's regular expressions run on Python's engine, safely, with Go's matching loops.

RE2 is linear in its input, Python's backtracking engine is not. Before a pattern runs on a text,
its tree (re2_syntax) is analysed: a pattern whose backtracking could exceed REGEX_STEP_BUDGET on
that text (nested or overlapping repetitions, ambiguous alternatives), or a text over
MAX_REGEX_INPUT, is refused with PatternTooComplex rather than run. The estimate is conservative: it
may refuse a safe pattern, never run one it rates over the budget.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from scanner.model.functions.arguments import FunctionError, TooLarge, bounded_length
from scanner.model.functions.re2_syntax import (
    Alternate, Assertion, Chars, Concat, Group, Node, Ranges, Repeat, emit, normalise, overlap, parse,
)

MAX_REGEX_INPUT = 100_000
MAX_PATTERN_LENGTH = 4_000
REGEX_STEP_BUDGET = 10 ** 8     # backtracking steps we allow Python's engine, estimated


class PatternTooComplex(TooLarge):
    def __init__(self, why: str):
        super().__init__("regular expression", f"regular expression too large/complex to evaluate statically ({why})")


# --- how much backtracking a pattern can cost -------------------------------------------------------

def _chars(node: Node) -> Ranges:
    """Every character the node could consume (an over-approximation)."""
    if isinstance(node, Chars):
        return node.ranges
    if isinstance(node, Assertion):
        return ()
    parts: tuple = ()
    if isinstance(node, Concat):
        parts = node.items
    elif isinstance(node, Alternate):
        parts = node.options
    elif isinstance(node, (Repeat, Group)):
        parts = (node.body,)
    return normalise([r for part in parts for r in _chars(part)])


def _width(node: Node) -> int | None:
    """The fixed number of characters the node matches, or None when it varies."""
    if isinstance(node, Chars):
        return 1
    if isinstance(node, Assertion):
        return 0
    if isinstance(node, Group):
        return _width(node.body)
    if isinstance(node, Concat):
        widths = [_width(i) for i in node.items]
        return None if None in widths else sum(w for w in widths if w is not None)
    if isinstance(node, Alternate):
        options = {_width(o) for o in node.options}
        return options.pop() if len(options) == 1 else None
    inner = _width(node.body)
    return inner * node.low if node.low == node.high and inner is not None else None


def _unwrap(node: Node) -> Node:
    while isinstance(node, Group):
        node = node.body
    return node


def _disjoint_options(node: Alternate) -> bool:
    sets = [_chars(o) for o in node.options]
    return not any(overlap(a, b) for i, a in enumerate(sets) for b in sets[i + 1:])


def _unambiguous_iterations(body: Node) -> bool:
    """Whether repeating body can split a text into iterations in only one way, and cheaply."""
    inner = _unwrap(body)
    if isinstance(inner, Chars):
        return True
    if _width(inner) and _alternatives_disjoint(inner) and not _has_variable_repeat(inner):
        return True
    if isinstance(inner, Concat) and len(inner.items) > 1:
        for edge, rest in ((inner.items[-1], inner.items[:-1]), (inner.items[0], inner.items[1:])):
            delimiter = _unwrap(edge)
            if isinstance(delimiter, Chars) and not overlap(delimiter.ranges, _chars(Concat(tuple(rest)))):
                return True
    return False


def _alternatives_disjoint(node: Node) -> bool:
    if isinstance(node, Alternate):
        return _disjoint_options(node) and all(_alternatives_disjoint(o) for o in node.options)
    if isinstance(node, (Concat,)):
        return all(_alternatives_disjoint(i) for i in node.items)
    if isinstance(node, (Group, Repeat)):
        return _alternatives_disjoint(node.body)
    return True


def _has_variable_repeat(node: Node) -> bool:
    if isinstance(node, Repeat):
        return node.low != node.high or _has_variable_repeat(node.body)
    if isinstance(node, Concat):
        return any(_has_variable_repeat(i) for i in node.items)
    if isinstance(node, Alternate):
        return any(_has_variable_repeat(o) for o in node.options)
    if isinstance(node, Group):
        return _has_variable_repeat(node.body)
    return False


@dataclass
class _Open:
    """A variable-length part that later parts may still take characters from by backtracking."""
    chars: Ranges
    cost: float     # log of the ways the text up to here can be split among open parts


class _Cost:
    """Walks the tree in matching order keeping the open parts; the largest cost seen bounds the
    backtracking (log of steps) per starting position."""

    def __init__(self, length: int):
        self.unbounded = math.log(length + 2)
        self.worst = 0.0

    def walk(self, node: Node, opens: list[_Open]) -> list[_Open]:  # noqa: C901 - one case per node
        if isinstance(node, Chars):
            return [o for o in opens if overlap(o.chars, node.ranges)]
        if isinstance(node, Assertion):
            return opens
        if isinstance(node, Group):
            return self.walk(node.body, opens)
        if isinstance(node, Concat):
            for item in node.items:
                opens = self.walk(item, opens)
            return opens
        if isinstance(node, Alternate):
            merged: list[_Open] = []
            for option in node.options:
                merged.extend(self.walk(option, list(opens)))
            if not _disjoint_options(node):
                merged.append(self.open(_chars(node), math.log(len(node.options)), opens))
            return merged
        return self.repeat(node, opens)

    def repeat(self, node: Repeat, opens: list[_Open]) -> list[_Open]:
        if node.high is not None and node.high <= 1:     # at most once: no iterations to split
            if node.low == 1:
                return self.walk(node.body, opens)
            taken = self.walk(node.body, list(opens))
            return opens + taken + [self.open(_chars(node.body), math.log(2), opens)]
        if not _unambiguous_iterations(node.body):
            raise PatternTooComplex("nested or ambiguous repetition")
        for _ in range(min(node.low, 1)):
            opens = self.walk(node.body, opens)
        if node.low == node.high:
            return opens
        if not isinstance(_unwrap(node.body), Chars):
            self.walk(node.body, [])
        choices = self.unbounded if node.high is None or node.high > 64 else math.log(node.high - node.low + 1)
        return opens + [self.open(_chars(node.body), choices, opens)]

    def open(self, chars: Ranges, choices: float, opens: list[_Open]) -> _Open:
        before = max((o.cost for o in opens if overlap(o.chars, chars)), default=0.0)
        entry = _Open(chars, before + choices)
        self.worst = max(self.worst, entry.cost)
        return entry


def _anchored(node: Node) -> bool:
    node = _unwrap(node)
    if isinstance(node, Concat) and node.items:
        return _anchored(node.items[0])
    return isinstance(node, Assertion) and node.start


# --- compiled patterns and Go's matching loops -------------------------------------------------------

@dataclass(frozen=True)
class Pattern:
    tree: Node
    compiled: re.Pattern
    group_names: tuple        # per capture group: its name, or None

    def check(self, text: str) -> None:
        """Raise PatternTooComplex when matching this text could take too long."""
        if len(text) > MAX_REGEX_INPUT:
            raise PatternTooComplex(f"input over {MAX_REGEX_INPUT} characters")
        cost = _Cost(len(text))
        cost.walk(self.tree, [])
        total = cost.worst + (0.0 if _anchored(self.tree) else cost.unbounded)
        if total > math.log(REGEX_STEP_BUDGET):
            raise PatternTooComplex("overlapping repetitions")

    def matches(self, text: str) -> list[re.Match]:
        """Every match as Go's FindAll gives them: an empty match right after a match is skipped."""
        self.check(text)
        out: list[re.Match] = []
        position, previous_end = 0, -1
        while position <= len(text):
            match = self.compiled.search(text, position)
            if match is None:
                break
            accept = True
            if match.end() == position:
                accept = match.start() != previous_end
                position += 1
            else:
                position = match.end()
            previous_end = match.end()
            if accept:
                out.append(match)
        return out

    def replace(self, text: str, template: str) -> str:
        """Go's ReplaceAllString: `$1`, `${1}`, `$name`, `${name}`, `$$` in the template."""
        self.check(text)
        pieces: list[str] = []
        last, position, built = 0, 0, 0
        while position <= len(text):
            match = self.compiled.search(text, position)
            if match is None:
                break
            pieces.append(text[last:match.start()])
            built += match.start() - last
            if match.end() > last or match.start() == 0:
                pieces.append(expand(template, match, self.group_names))
                built += len(pieces[-1])
            bounded_length(built)
            last = match.end()
            position = match.end() if match.end() > position else position + 1
        pieces.append(text[last:])
        return "".join(pieces)


def expand(template: str, match: re.Match, names: tuple) -> str:
    out: list[str] = []
    index = 0
    while index < len(template):
        char = template[index]
        if char != "$":
            out.append(char)
            index += 1
            continue
        reference = re.match(r"\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))", template[index:])
        if template.startswith("$$", index):
            out.append("$")
            index += 2
        elif reference is None:
            out.append("$")
            index += 1
        else:
            out.append(_group_text(match, reference.group(1) or reference.group(2), names))
            index += reference.end()
    return "".join(out)


def _group_text(match: re.Match, name: str, names: tuple) -> str:
    if name.isdigit():
        number = int(name)
        return (match.group(number) or "") if number <= len(names) else ""
    return (match.group(name) or "") if name in names else ""


@functools.lru_cache(maxsize=256)
def compile_re2(pattern: str) -> Pattern:
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternTooComplex(f"pattern over {MAX_PATTERN_LENGTH} characters")
    tree, names = parse(pattern)
    try:
        compiled = re.compile(emit(tree))
    except (re.error, RecursionError, OverflowError) as error:
        raise FunctionError(f"invalid regular expression: {error}") from None
    return Pattern(tree, compiled, names)
