"""Terraform's date functions over RFC 3339 timestamps: formatdate timeadd timecmp.

timestamp() and plantimestamp() depend on when Terraform runs, so they stay Unknown. Times are kept
to the nanosecond as Go does; timeadd writes RFC 3339 without fractional seconds, as Go's
time.RFC3339 layout does.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

from scanner.model.functions.arguments import FunctionError, string

_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))")
_EPOCH = datetime.datetime(1970, 1, 1)
_NANOS = 1_000_000_000
_DURATION_UNITS = {"ns": 1, "us": 1_000, "\u00b5s": 1_000, "\u03bcs": 1_000, "ms": 1_000_000,
                   "s": _NANOS, "m": 60 * _NANOS, "h": 3600 * _NANOS}
_MAX_DURATION = 2 ** 63 - 1


@dataclass(frozen=True)
class Moment:
    """An instant (nanoseconds since 1970 UTC) and the UTC offset it was written with."""
    nanos: int
    offset_minutes: int

    def local(self) -> tuple[datetime.datetime, int]:
        shifted = self.nanos + self.offset_minutes * 60 * _NANOS
        seconds, fraction = divmod(shifted, _NANOS)
        try:
            return _EPOCH + datetime.timedelta(seconds=seconds), fraction
        except OverflowError:
            raise FunctionError("the time is outside the years 1 to 9999") from None


def parse_timestamp(text: Any) -> Moment:
    match = _RFC3339.fullmatch(string(text, "timestamp"))
    if match is None:
        raise FunctionError("not a valid RFC3339 timestamp")
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    offset = 0
    if match.group(8) != "Z":
        hours, minutes = int(match.group(10)), int(match.group(11))
        if hours > 24 or minutes > 59:
            raise FunctionError("not a valid RFC3339 timestamp: UTC offset out of range")
        offset = (hours * 60 + minutes) * (-1 if match.group(9) == "-" else 1)
    try:
        local = datetime.datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise FunctionError("not a valid RFC3339 timestamp: a date or time field is out of range") from None
    fraction = match.group(7) or ".0"
    nanos = int(fraction[1:10].ljust(9, "0"))
    seconds = int((local - _EPOCH).total_seconds()) - offset * 60
    return Moment(seconds * _NANOS + nanos, offset)


def _rfc3339(moment: Moment) -> str:
    local, _ = moment.local()
    hours, minutes = divmod(abs(moment.offset_minutes), 60)
    zone = "Z" if moment.offset_minutes == 0 else f"{'-' if moment.offset_minutes < 0 else '+'}{hours:02d}:{minutes:02d}"
    return (f"{local.year:04d}-{local.month:02d}-{local.day:02d}T"
            f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}{zone}")


_DURATION_PART = re.compile("(\\d*)(?:\\.(\\d*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")


def parse_duration(text: Any) -> int:
    """Go's time.ParseDuration, in nanoseconds: "1h30m", "-1.5h", "300ms"; "0" alone is allowed."""
    source = string(text, "duration")
    body = source[1:] if source[:1] in ("+", "-") else source
    if body == "0":
        return 0
    if not body:
        raise FunctionError("invalid duration ''")
    total, position = Fraction(0), 0
    while position < len(body):
        part = _DURATION_PART.match(body, position)
        if part is None or not (part.group(1) or part.group(2)):
            raise FunctionError(f"invalid duration {source!r}")
        whole, fraction, unit = part.groups()
        amount = Fraction(int(whole or "0")) + (Fraction(int(fraction), 10 ** len(fraction)) if fraction else 0)
        total += amount * _DURATION_UNITS[unit]
        position = part.end()
    if total > _MAX_DURATION:
        raise FunctionError(f"invalid duration {source!r}: out of range")
    return -int(total) if source.startswith("-") else int(total)


def timeadd(timestamp: Any, duration: Any) -> str:
    moment = parse_timestamp(timestamp)
    return _rfc3339(Moment(moment.nanos + parse_duration(duration), moment.offset_minutes))


def timecmp(left: Any, right: Any) -> int:
    first, second = parse_timestamp(left), parse_timestamp(right)
    return (first.nanos > second.nanos) - (first.nanos < second.nanos)


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _date_tokens(spec: str) -> list[str]:
    """Go's splitDateFormat: quoted literals, runs of one letter, and other text."""
    tokens: list[str] = []
    index = 0
    while index < len(spec):
        char = spec[index]
        if char == "'":
            end = index + 1
            if spec.startswith("''", index):
                end = index + 2
            else:
                while end < len(spec) and (spec[end] != "'" or spec.startswith("''", end)):
                    end += 2 if spec.startswith("''", end) else 1
                end = min(end + 1, len(spec))
        elif char.isascii() and char.isalpha():
            end = index + 1
            while end < len(spec) and spec[end] == char:
                end += 1
        else:
            end = index + 1
            while end < len(spec) and spec[end] != "'" and not (spec[end].isascii() and spec[end].isalpha()):
                end += 1
        tokens.append(spec[index:end])
        index = end
    return tokens


def _verb(token: str, local: datetime.datetime, offset: int) -> str:  # noqa: C901 - one case per verb
    letter, width = token[0], len(token)
    hour12 = local.hour % 12 or 12
    numeric = {"M": local.month, "D": local.day, "h": local.hour, "H": hour12, "m": local.minute, "s": local.second}
    if letter == "Y" and width in (2, 4):
        return f"{local.year % 100:02d}" if width == 2 else f"{local.year:04d}"
    if letter == "M" and width in (3, 4):
        return _MONTHS[local.month - 1][:3] if width == 3 else _MONTHS[local.month - 1]
    if letter in numeric and width in (1, 2):
        return f"{numeric[letter]:0{width}d}"
    if letter == "E" and width in (3, 4):
        name = _WEEKDAYS[local.weekday()]
        return name[:3] if width == 3 else name
    if letter in "Aa" and width == 2:
        marker = "AM" if local.hour < 12 else "PM"
        return marker if letter == "A" else marker.lower()
    if letter == "Z" and width in (1, 3, 4, 5):
        sign, (hours, minutes) = "-" if offset < 0 else "+", divmod(abs(offset), 60)
        if width == 1:
            return "Z" if offset == 0 else f"{sign}{hours:02d}:{minutes:02d}"
        if width == 3 and offset == 0:
            return "UTC"
        return f"{sign}{hours:02d}{minutes:02d}" if width in (3, 4) else f"{sign}{hours:02d}:{minutes:02d}"
    raise FunctionError(f"invalid date format verb {token!r}")


def formatdate(spec: Any, timestamp: Any) -> str:
    moment = parse_timestamp(timestamp)
    local, _ = moment.local()
    out: list[str] = []
    for token in _date_tokens(string(spec, "format")):
        if token.startswith("'"):
            if len(token) == 1 or not token.endswith("'"):
                raise FunctionError("unterminated literal '")
            out.append("'" if token == "''" else token[1:-1].replace("''", "'"))
        elif token[0].isascii() and token[0].isalpha():
            out.append(_verb(token, local, moment.offset_minutes))
        else:
            out.append(token)
    return "".join(out)


FUNCTIONS: dict[str, Callable[..., Any]] = {"formatdate": formatdate, "timeadd": timeadd, "timecmp": timecmp}
