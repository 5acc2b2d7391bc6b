"""Template line markers: which template line produced each line of a rendered Helm manifest.

Before rendering, a comment `#@sovscan:<file>:<line>` is put on a line of its own before the template
lines where that is safe; Go templates copy comments through untouched, so in the output every line
belongs to the last marker above it. A marker is safe where it cannot change what YAML reads:

- outside template actions, `define`/`block` bodies (their text is included elsewhere, often inside a
  name), block scalars (`|`, `>`), multi-line quoted scalars, and the deeper lines that continue a
  scalar or flow collection begun above (after `key: value`, `key:` + text, `? key`);
- not where whitespace trimming would glue it to content: after a line ending in `-}}` (unless
  nothing but control actions came before in the file) or before a line starting with `{{-` (unless
  the action's output starts with a newline, `nindent`, or the line is control actions only).

The caller still checks that the marked render has the key paths of the plain one and drops the
markers of a template where it does not; `mark(…, documents_only=True)` is the coarser fallback: one
marker before each top-level `apiVersion:`, the KICS technique.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MARKER = re.compile(r"#@sovscan:(\d+):(\d+)")
_CONTROL_WORDS = frozenset({"if", "else", "end", "range", "with", "define", "block", "break", "continue"})
_OPENS = frozenset({"if", "range", "with", "define", "block"})
_KEY = re.compile(r"""^\s*(?:-\s+)*(?:"[^"]*"|'[^']*'|[^\s#'"\[\]{},][^#]*?)\s*:(?:\s|$)""")
_SEQUENCE_ITEM = re.compile(r"^\s*-(?:\s|$)")
_BLOCK_SCALAR = re.compile(r"(?:^|\s|:|-)[|>][0-9+-]*\s*(?:#.*)?$")
_NINDENT = re.compile(r"\bnindent\s+\d+\s*$")


@dataclass(frozen=True)
class Action:
    start: int          # offset of `{{`
    end: int            # offset after `}}`
    trims_left: bool    # `{{-`
    trims_right: bool   # `-}}`
    word: str           # control keyword, "comment", "assign" or "" for an action that prints
    body: str
    in_define: bool     # inside a define/block body (or opening one)
    define_after: bool  # a define/block body is open after it


def actions(text: str) -> list[Action]:
    """The `{{ … }}` actions of a Go template, skipping strings, raw strings and comments inside them."""
    found: list[Action] = []
    stack: list[str] = []
    position = 0
    while (start := text.find("{{", position)) >= 0:
        close = _closing(text, start + 2)
        end = min(close + 2, len(text))
        inner = text[start + 2:close]
        trims_left = inner[:1] == "-" and inner[1:2].isspace()
        trims_right = inner[-1:] == "-" and inner[-2:-1].isspace()
        body = inner[1 if trims_left else 0:len(inner) - (1 if trims_right else 0)].strip()
        word = _word(body)
        in_define = "define" in stack or word in ("define", "block")
        if word in _OPENS:
            stack.append("define" if word in ("define", "block") else word)
        elif word == "end" and stack:
            stack.pop()
        found.append(Action(start, end, trims_left, trims_right, word, body, in_define, "define" in stack))
        position = end
    return found


def _closing(text: str, position: int) -> int:
    """Offset of the `}}` that closes the action whose body starts at position (len(text) when none)."""
    while position < len(text):
        char = text[position]
        if char in "\"'":
            position = _after_quoted(text, position, char)
        elif char == "`":
            found = text.find("`", position + 1)
            position = len(text) if found < 0 else found + 1
        elif text.startswith("/*", position):
            found = text.find("*/", position + 2)
            position = len(text) if found < 0 else found + 2
        elif text.startswith("}}", position):
            return position
        else:
            position += 1
    return len(text)


def _after_quoted(text: str, position: int, quote: str) -> int:
    position += 1
    while position < len(text) and text[position] not in (quote, "\n"):
        position += 2 if text[position] == "\\" else 1
    return position + 1


def _word(body: str) -> str:
    if body.startswith("/*"):
        return "comment"
    if re.match(r"\$\w*\s*:?=", body):
        return "assign"
    match = re.match(r"[a-z]+", body)
    return match.group(0) if match and match.group(0) in _CONTROL_WORDS else ""


@dataclass(frozen=True)
class TemplateLine:
    number: int
    yaml: str               # the line with each action replaced by `X`: the YAML structure visible in it
    in_action: bool         # starts inside an action (a multi-line action or comment)
    in_define: bool         # part of a define/block body, or opens or closes one
    starts_with_action: bool
    starts_trimmed: bool    # begins with `{{-`
    ends_trimmed: bool      # ends with `-}}`
    control_only: bool      # prints nothing: control actions, comments, assignments and spaces only
    opens_newline: bool     # begins with `{{- … | nindent N }}`: its output starts with a newline
    prints: bool            # text outside actions or an action that prints


def template_lines(text: str) -> list[TemplateLine]:
    found = actions(text)
    lines: list[TemplateLine] = []
    offset, index, define_open = 0, 0, False
    for number, raw in enumerate(text.split("\n"), start=1):
        end = offset + len(raw)
        while index < len(found) and found[index].end <= offset:
            define_open = found[index].define_after
            index += 1
        covering = []
        for action in found[index:]:
            if action.start >= end:
                break
            covering.append(action)
        lines.append(_template_line(number, raw, offset, covering, define_open))
        offset = end + 1
    return lines


def _template_line(number: int, raw: str, offset: int, covering: list[Action], define_open: bool) -> TemplateLine:
    end = offset + len(raw)
    masked = list(raw)
    for action in covering:
        for position in range(max(action.start, offset), min(action.end, end)):
            masked[position - offset] = "\0"
    joined = "".join(masked)
    outside = joined.replace("\0", "").strip()
    in_action = bool(covering) and covering[0].start < offset
    first_column = offset + len(raw) - len(raw.lstrip())
    first = covering[0] if covering and covering[0].start == first_column and raw.strip() else None
    last = covering[-1] if covering and covering[-1].end <= end and not raw[covering[-1].end - offset:].strip() else None
    silent = all(action.word and action.end <= end for action in covering)
    return TemplateLine(
        number=number,
        yaml=re.sub("\0+", "X", joined),
        in_action=in_action,
        in_define=define_open or any(action.in_define for action in covering),
        starts_with_action=first is not None,
        starts_trimmed=first is not None and first.trims_left,
        ends_trimmed=last is not None and last.trims_right,
        control_only=bool(covering) and not in_action and silent and not outside,
        opens_newline=first is not None and not first.word and bool(_NINDENT.search(first.body)),
        prints=bool(outside) or not silent,
    )


class _YamlState:
    """What the YAML read so far makes of the next line: inside a block scalar or a multi-line quote."""

    def __init__(self) -> None:
        self.block_column: int | None = None   # inside a block scalar whose node starts at this column
        self.quote: str | None = None          # inside a quoted scalar opened on an earlier line
        self.scalar_column: int | None = None  # after `key: value`: deeper lines continue that scalar
        self.open_column: int | None = None    # the last `key:` without a value, which deeper lines may give

    def admits_marker(self, line: TemplateLine) -> bool:
        """Whether a comment line may stand before this line; advances over it."""
        if line.in_action or line.in_define:
            return False
        text = line.yaml
        if self.quote is not None:
            if _closes(text, self.quote):
                self.quote = None
            return False
        indent = len(text) - len(text.lstrip())
        if self.block_column is not None:
            if not text.strip() or line.starts_with_action or indent > self.block_column:
                return False
            self.block_column = None
        if self.scalar_column is not None and text.strip():
            if indent > self.scalar_column:
                return False
            self.scalar_column = None
        return self._node_start(line)

    def _node_start(self, line: TemplateLine) -> bool:
        text = line.yaml
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            return False   # no content of its own: the next line gets the marker
        if stripped == "---" or stripped.startswith("--- ") or stripped == "...":
            return True
        if stripped.startswith("? "):   # an explicit key: what follows on deeper lines belongs to it
            self.scalar_column = len(text) - len(text.lstrip())
            return True
        key = _KEY.match(text)
        item = _SEQUENCE_ITEM.match(text)
        if key is None and item is None:
            if not line.starts_with_action:   # a scalar or flow collection going on over the next lines
                self.scalar_column = self.open_column if self.open_column is not None else 0
            return line.starts_with_action
        value = (text[key.end():] if key else text[item.end():] if item else "").split(" #")[0].strip()
        self.open_column = None if value else _node_column(text, key is not None)
        if _BLOCK_SCALAR.search(" " + value) and value[:1] in "|>":
            self.block_column = _node_column(text, key is not None)
        elif value and not (value[0] in "&!" and len(value.split()) == 1):   # an anchor or tag alone may open a block
            self.quote = _open_quote(value)
            self.scalar_column = _node_column(text, key is not None)
        return True


def _node_column(text: str, is_key: bool) -> int:
    prefix = re.match(r"^(\s*)((?:-\s+)*)", text)
    assert prefix is not None
    if is_key:
        return len(prefix.group(1)) + len(prefix.group(2))
    return len(prefix.group(1)) + max(prefix.group(2).rfind("-"), 0)


def _open_quote(value: str) -> str | None:
    """The quote character when the value opens a quoted scalar it does not close on this line."""
    value = value.lstrip()
    if value[:1] not in ("'", '"'):
        return None
    return None if _closes(value[1:], value[0]) else value[0]


def _closes(text: str, quote: str) -> bool:
    position = 0
    while position < len(text):
        char = text[position]
        if quote == '"' and char == "\\":
            position += 2
            continue
        if char == quote:
            if quote == "'" and text[position + 1:position + 2] == "'":
                position += 2
                continue
            return True
        position += 1
    return False


def mark(text: str, file_id: int, documents_only: bool = False) -> str:
    """The template with a marker line before every line where one is safe (see the module docstring).

    documents_only: only before top-level `apiVersion:` lines, the coarse fallback.
    """
    state = _YamlState()
    out: list[str] = []
    previous: TemplateLine | None = None
    printed = False   # something other than comments and blank lines was printed above (outside defines)
    for line, raw in zip(template_lines(text), text.split("\n")):
        admitted = state.admits_marker(line)
        wanted = raw.startswith("apiVersion:") if documents_only else admitted
        if wanted and admitted and _trims_allow(line, previous, printed):
            out.append(f"#@sovscan:{file_id}:{line.number}")
        out.append(raw)
        if line.prints and not line.in_define and not line.yaml.lstrip().startswith("#"):
            printed = True
        previous = line
    return "\n".join(out)


def _trims_allow(line: TemplateLine, previous: TemplateLine | None, printed: bool) -> bool:
    """Neither neighbour's whitespace trimming can glue the marker to printed content."""
    if previous is not None and previous.ends_trimmed and printed:
        return False
    return not line.starts_trimmed or line.opens_newline or (line.control_only and not line.ends_trimmed)


def rendered_line_sources(rendered: str) -> list[tuple[int, int] | None]:
    """For each line of a rendered manifest (0-based), the (file id, template line) of the marker above it."""
    current: tuple[int, int] | None = None
    sources: list[tuple[int, int] | None] = []
    for raw in rendered.split("\n"):
        found = MARKER.findall(raw)
        last = (int(found[-1][0]), int(found[-1][1])) if found else None
        if last is not None and raw.lstrip().startswith("#"):
            current = last
        sources.append(current)
        if last is not None:
            current = last
    return sources
