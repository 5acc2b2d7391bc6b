"""Terraform's encoding functions: base64, CSV, JSON, URL and text encodings (YAML is in yaml_codec.py).

jsonencode writes what Terraform writes: keys sorted, no spaces, numbers in plain decimal, and
Go's escaping of <, >, & and the line/paragraph separators. base64gzip is left out: Go's gzip
output is not byte-identical to zlib's.
"""
from __future__ import annotations

import base64
import binascii
import json
import urllib.parse
from decimal import Decimal
from typing import Any, Callable

from scanner.model.functions.arguments import (
    FunctionError, TooLarge, bounded, bounded_length, known, number_result, number_text, string,
)

# --- JSON --------------------------------------------------------------------------------------------

_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_string(text: str) -> str:
    """A JSON string literal as Go's encoding/json writes it."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        text = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    quoted = json.dumps(text, ensure_ascii=False)
    if any(c in quoted for c in _GO_ESCAPES):
        quoted = "".join(_GO_ESCAPES.get(c, c) for c in quoted)
    return quoted


def json_text(value: Any) -> str:
    """The value as Terraform's jsonencode writes it; Unknown anywhere in it is the result."""
    known(value)
    parts: list[str] = []
    _write_json(value, parts)
    text = "".join(parts)
    bounded_length(len(text))
    return text


def _write_json(value: Any, parts: list[str]) -> None:
    if value is None:
        parts.append("null")
    elif isinstance(value, bool):
        parts.append("true" if value else "false")
    elif isinstance(value, (int, float)):
        parts.append(number_text(number_result(value)))
    elif isinstance(value, str):
        parts.append(json_string(value))
    elif isinstance(value, list):
        parts.append("[")
        for index, item in enumerate(value):
            if index:
                parts.append(",")
            _write_json(item, parts)
        parts.append("]")
    elif isinstance(value, dict):
        parts.append("{")
        for index, key in enumerate(sorted(value)):
            if index:
                parts.append(",")
            parts.append(json_string(str(key)) + ":")
            _write_json(value[key], parts)
        parts.append("}")
    else:
        raise FunctionError(f"cannot encode a {type(value).__name__} as JSON")


def jsonencode(value: Any) -> str:
    return json_text(value)


def _json_number(text: str) -> int | float:
    exact = Decimal(text)
    if abs(exact.adjusted()) > 300:
        raise TooLarge("number")
    if exact == exact.to_integral_value():
        return number_result(int(exact))
    return number_result(float(exact))


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise FunctionError(f"duplicate {key!r} property in JSON object")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise FunctionError(f"{name} is not valid JSON")


def jsondecode(text: Any) -> Any:
    source = string(text)
    try:
        value = json.loads(source, parse_float=_json_number, parse_int=_json_number,
                           parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise FunctionError(f"invalid JSON at line {error.lineno}, column {error.colno}") from None
    return bounded(value)


# --- base64, URL and text encodings -----------------------------------------------------------------

def base64encode(text: Any) -> str:
    body = string(text)
    bounded_length(len(body.encode()) * 4 // 3 + 4)
    return base64.b64encode(body.encode()).decode("ascii")


def _base64_bytes(text: str) -> bytes:
    compact = text.replace("\r", "").replace("\n", "")
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise FunctionError("failed to decode base64 data") from None


def base64decode(text: Any) -> str:
    try:
        return _base64_bytes(string(text)).decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError("the result of decoding the provided string is not valid UTF-8") from None


def urlencode(text: Any) -> str:
    return urllib.parse.quote_plus(string(text).encode(), safe="")


_IANA_CODECS = {
    "utf-8": "utf-8", "utf8": "utf-8", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be",
    "koi8-r": "koi8-r", "koi8-u": "koi8-u",
    **{f"iso-8859-{n}": f"iso8859-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16)},
    **{f"iso_8859-{n}": f"iso8859-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16)},
    **{f"windows-{n}": f"cp{n}" for n in range(1250, 1259)},
}


def _codec(name: Any) -> str:
    label = string(name, "encoding").strip().lower()
    if label not in _IANA_CODECS:
        raise FunctionError(f"encoding {label!r} is not supported statically")
    return _IANA_CODECS[label]


def textencodebase64(text: Any, encoding: Any) -> str:
    codec = _codec(encoding)
    try:
        encoded = string(text).encode(codec)
    except UnicodeEncodeError:
        raise FunctionError("the given string contains characters that cannot be represented in this encoding") from None
    bounded_length(len(encoded) * 4 // 3 + 4)
    return base64.b64encode(encoded).decode("ascii")


def textdecodebase64(text: Any, encoding: Any) -> str:
    codec = _codec(encoding)
    try:
        decoded = _base64_bytes(string(text)).decode(codec)
    except UnicodeDecodeError:
        decoded = "\ufffd"
    if "\ufffd" in decoded:
        raise FunctionError("the given string contains symbols that are not defined for this encoding")
    return decoded


# --- CSV ---------------------------------------------------------------------------------------------

def _csv_records(text: str) -> list[list[str]]:
    """Go's encoding/csv: RFC 4180 quoting, no bare quotes in unquoted fields, blank lines skipped."""
    text = text.replace("\r\n", "\n")
    records: list[list[str]] = []
    position, line = 0, 1
    while position < len(text):
        if text[position] == "\n":
            position, line = position + 1, line + 1
            continue
        record: list[str] = []
        while True:
            field, position, line = _csv_field(text, position, line)
            record.append(field)
            if position < len(text) and text[position] == ",":
                position += 1
                continue
            position, line = position + 1, line + 1
            break
        records.append(record)
        bounded_length(len(records))
    return records


def _csv_field(text: str, position: int, line: int) -> tuple[str, int, int]:
    if position < len(text) and text[position] == '"':
        out: list[str] = []
        position += 1
        while True:
            end = text.find('"', position)
            if end < 0:
                raise FunctionError(f'CSV parse error on line {line}: extraneous or missing " in quoted-field')
            out.append(text[position:end])
            line += text.count("\n", position, end)
            if text.startswith('""', end):
                out.append('"')
                position = end + 2
                continue
            position = end + 1
            if position < len(text) and text[position] not in ",\n":
                raise FunctionError(f'CSV parse error on line {line}: extraneous or missing " in quoted-field')
            return "".join(out), position, line
    end = position
    while end < len(text) and text[end] not in ",\n":
        end += 1
    field = text[position:end]
    if '"' in field:
        raise FunctionError(f'CSV parse error on line {line}: bare " in non-quoted-field')
    return field, end, line


def csvdecode(text: Any) -> list[dict]:
    records = _csv_records(string(text))
    if not records:
        raise FunctionError("missing header line")
    header = records[0]
    if len(set(header)) != len(header):
        raise FunctionError("duplicate column name in the header line")
    rows = []
    for number, record in enumerate(records[1:], 2):
        if len(record) != len(header):
            raise FunctionError(f"CSV parse error on record {number}: wrong number of fields")
        rows.append(dict(zip(header, record)))
    return rows


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "base64decode": base64decode, "base64encode": base64encode, "csvdecode": csvdecode,
    "jsondecode": jsondecode, "jsonencode": jsonencode, "textdecodebase64": textdecodebase64,
    "textencodebase64": textencodebase64, "urlencode": urlencode,
}
