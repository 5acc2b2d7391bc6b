"""yamldecode and yamlencode as Terraform's YAML library (go-cty-yaml) does them.

Decoding uses PyYAML only to parse into nodes; scalars are resolved by go-cty-yaml's rules, which
are YAML 1.1's (yes/no/on/off and y/n are bools, timestamps become RFC 3339 strings), not PyYAML's.
Aliases are expanded within the size budget, so an alias bomb is "too large", not a hang.
Encoding writes go-cty-yaml's layout through PyYAML's emitter (a port of the same libyaml emitter):
block style, every string double-quoted (or a literal block when it has a newline), keys sorted.
"""
from __future__ import annotations

import datetime
import re
from typing import Any, Callable

import yaml

from scanner.model.functions.arguments import (
    MAX_VALUE_SIZE, FunctionError, TooLarge, known, number_result, number_text, parse_number, string,
)

_TAG = "tag:yaml.org,2002:"
_RESOLVABLE = {"", _TAG + "str", _TAG + "bool", _TAG + "int", _TAG + "float", _TAG + "null",
               _TAG + "timestamp", _TAG + "binary"}
_BOOLS = {**dict.fromkeys(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"], True),
          **dict.fromkeys(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"], False)}
_NULLS = {"", "~", "null", "Null", "NULL"}
_INFINITIES = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"}
_INTEGER = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_TIMESTAMP = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?"
                        r"(Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?))?")


class _NodeLoader(yaml.SafeLoader):
    """Parses and composes only; an untagged scalar keeps the empty tag so we resolve it ourselves."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return ""
        return super().resolve(kind, value, implicit)


def _hint(text: str) -> str:
    if not text:
        return "N"
    first = text[0]
    if first in "+-":
        return "S"
    if first.isdigit() and first.isascii():
        return "D"
    if first in "yYnNtTfFoO~":
        return "M"
    return "." if first == "." else ""


def _timestamp(text: str) -> str | None:
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    year, month, day = (int(match.group(i)) for i in (1, 2, 3))
    clock = match.group(5, 6, 7) if match.group(4) else match.group(10, 11, 12)
    hour, minute, second = (int(c) if c else 0 for c in clock)
    zone = match.group(9) or "Z"
    try:
        moment = datetime.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if zone in ("Z", "+00:00", "-00:00") else zone)


def _go_integer(text: str) -> int | None:
    body = text.lstrip("+-")
    negative = text.startswith("-")
    try:
        if re.fullmatch(r"0[0-7]+", body):
            value = int(body, 8)
        else:
            value = int(body, 0)
    except ValueError:
        return None
    value = -value if negative else value
    return value if -(2 ** 63) <= value < 2 ** 64 else None


def _scalar(tag: str, text: str, style: str | None) -> Any:  # noqa: C901 - go-cty-yaml's resolution order
    if tag == "!":
        tag = _TAG + "str"
    if tag not in _RESOLVABLE:
        raise FunctionError(f"unsupported YAML tag {tag!r}")
    hint = _hint(text)
    if hint and tag not in (_TAG + "str", _TAG + "binary"):
        if style in ("'", '"'):
            return text
        if text in _BOOLS:
            return _BOOLS[text]
        if text in _NULLS:
            return None
        if text in _INFINITIES or (tag == "" and text in (".nan", ".NaN", ".NAN")):
            raise FunctionError("infinite and not-a-number values are not supported")
        if hint == ".":
            number = parse_number(text)
            if number is not None:
                return number
        if hint in "DS":
            stamp = _timestamp(text) if tag in ("", _TAG + "timestamp") else None
            if stamp is not None:
                return stamp
            if _INTEGER.fullmatch(text):
                tag = _TAG + "int"
            elif _FLOAT.fullmatch(text):
                tag = _TAG + "float"
    return _tagged(tag, text)


def _tagged(tag: str, text: str) -> Any:
    if tag in ("", _TAG + "str"):
        return text
    if tag == _TAG + "binary":
        if re.fullmatch(r"[A-Za-z0-9+/=\s]*", text) is None:
            raise FunctionError("cannot parse a !!binary value: not valid base64")
        return text
    if tag == _TAG + "bool" and text in _BOOLS:
        return _BOOLS[text]
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "timestamp" and _timestamp(text) is not None:
        return _timestamp(text)
    if tag in (_TAG + "int", _TAG + "float"):
        plain = text.replace("_", "")
        number = parse_number(plain)
        if number is None:
            number = _go_integer(plain)
        if number is not None:
            return number_result(number)
    raise FunctionError(f"cannot parse {text[:20]!r} as {tag.replace(_TAG, '!!')}")


class _Converter:
    def __init__(self) -> None:
        self.size = 0
        self.active: set[int] = set()

    def value(self, node: yaml.Node) -> Any:
        self.size += 1 + (len(node.value) if isinstance(node, yaml.ScalarNode) else 0)
        if self.size > MAX_VALUE_SIZE:
            raise TooLarge("YAML document (after expanding aliases)")
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node.tag, node.value, node.style)
        if id(node) in self.active:
            raise FunctionError("YAML alias refers to itself")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.value(item) for item in node.value]
            return self.mapping(node)
        finally:
            self.active.discard(id(node))

    def mapping(self, node: yaml.Node) -> dict:
        out: dict = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == "<<" and key_node.style is None \
                    and key_node.tag in ("", _TAG + "merge"):
                self.merge(out, self.value(value_node))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise FunctionError("only strings are allowed as mapping keys")
            key = self.value(key_node)
            if key is None:
                raise FunctionError("mapping key cannot be null")
            out[string(key)] = self.value(value_node)
        return out

    def merge(self, out: dict, merged: Any) -> None:
        for part in (merged if isinstance(merged, list) else [merged]):
            if not isinstance(part, dict):
                raise FunctionError("cannot merge a non-mapping into a mapping")
            out.update(part)


def yamldecode(text: Any) -> Any:
    source = string(text)
    try:
        node = yaml.compose(source, Loader=_NodeLoader)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 0
        raise FunctionError(f"invalid YAML at line {line}: {error.problem}") from None
    except yaml.YAMLError:
        raise FunctionError("invalid YAML") from None
    return None if node is None else _Converter().value(node)


# --- encoding ---------------------------------------------------------------------------------------

def _events(value: Any, out: list) -> None:
    if isinstance(value, list):
        out.append(yaml.SequenceStartEvent(None, None, True, flow_style=False))
        for item in value:
            _events(item, out)
        out.append(yaml.SequenceEndEvent())
    elif isinstance(value, dict):
        out.append(yaml.MappingStartEvent(None, None, True, flow_style=False))
        for key in sorted(value):
            _events(str(key), out)
            _events(value[key], out)
        out.append(yaml.MappingEndEvent())
    else:
        text, style = _scalar_text(value)
        out.append(yaml.ScalarEvent(None, None, (True, True), text, style=style))


def _scalar_text(value: Any) -> tuple[str, str | None]:
    if value is None:
        return "null", None
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    if isinstance(value, (int, float)):
        return number_text(number_result(value)), None
    if isinstance(value, str):
        return value, ("|" if "\n" in value else '"')
    raise FunctionError(f"cannot encode a {type(value).__name__} as YAML")


def yamlencode(value: Any) -> str:
    known(value)
    events: list = [yaml.StreamStartEvent(), yaml.DocumentStartEvent(explicit=False)]
    _events(value, events)
    events += [yaml.DocumentEndEvent(explicit=False), yaml.StreamEndEvent()]
    text = yaml.emit(events, allow_unicode=True)
    if len(text) > MAX_VALUE_SIZE:
        raise TooLarge("result")
    return text


FUNCTIONS: dict[str, Callable[..., Any]] = {"yamldecode": yamldecode, "yamlencode": yamlencode}
