"""Terraform's format() and formatlist(): printf-style verbs with Terraform's rules.

Verbs: %% %v %#v %t %b %d %o %x %X %e %E %f %g %G %s %q; flags space + - 0 #; width; .precision;
[n] argument index. Widths count user-perceived characters. %v of a number is Go's shortest %g
(1000000 is "1e+06"); %v of a collection, and %#v of anything, is its JSON. Decimal rounding of
%e/%f/%g is half-to-even on the number's shortest decimal form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any, Callable

from scanner.model.functions import graphemes
from scanner.model.functions.arguments import (
    FunctionError, TooLarge, UnknownInside, bounded_length, boolean, known, number, sequence, string,
)
from scanner.model.functions.encoding import json_string, json_text

MAX_NUMBER_PRECISION = 1_000
_VERB = re.compile(r"%([ +\-0#]*)([1-9][0-9]*)?(\.[0-9]*)?(?:\[([1-9][0-9]*)\])?([A-Za-z])?")
_DECIMALS = Context(prec=MAX_NUMBER_PRECISION + 400, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Verb:
    flags: str
    width: int | None
    precision: int | None
    argument: int          # 1-based
    mode: str


def _pad(verb: Verb, text: str) -> str:
    if verb.width is None:
        return text
    missing = verb.width - graphemes.count(text)
    if missing <= 0:
        return text
    fill = ("0" if "0" in verb.flags else " ") * missing
    return text + fill if "-" in verb.flags else fill + text


def _magnitude(value: int | float) -> Decimal:
    """|value| as the decimal it is written as (a float's shortest form, which is what the user wrote)."""
    return Decimal(abs(value)) if isinstance(value, int) else Decimal(repr(abs(value)))


def _digits(exact: Decimal) -> tuple[str, int]:
    """Digits without trailing zeros and the exponent e such that the value is 0.digits * 10**e."""
    if exact == 0:
        return "", 0
    _, digits, exponent = exact.normalize(_DECIMALS).as_tuple()
    text = "".join(map(str, digits))
    return text, len(text) + int(exponent)


def _shortest(value: int | float) -> tuple[str, int]:
    return _digits(_magnitude(value))


def _rounded(value: int | float, significant: int) -> tuple[str, int]:
    exact = _magnitude(value)
    if exact == 0:
        return "", 0
    quantum = Decimal(1).scaleb(exact.adjusted() - significant + 1)
    return _digits(exact.quantize(quantum, context=_DECIMALS))


def _exponent_form(digits: str, exponent: int, decimals: int, letter: str) -> str:
    digits = (digits or "0").ljust(decimals + 1, "0")
    shown = 0 if digits.strip("0") == "" else exponent - 1
    mantissa = digits[0] + ("." + digits[1:decimals + 1] if decimals > 0 else "")
    return f"{mantissa}{letter}{'-' if shown < 0 else '+'}{abs(shown):02d}"


def _fixed_form(value: int | float, decimals: int) -> str:
    return format(_magnitude(value).quantize(Decimal(1).scaleb(-decimals), context=_DECIMALS), "f")


def _general(value: int | float, precision: int | None, letter: str) -> str:
    """Go's %g: shortest digits (or `precision` significant ones), exponent form outside 1e-4..1e6."""
    digits, exponent = _shortest(value) if precision is None else _rounded(value, max(precision, 1))
    if not digits:
        return "0"
    limit = 6 if precision is None else max(precision, 1)
    if precision is not None and limit > len(digits) and len(digits) >= exponent:
        limit = len(digits)
    if exponent - 1 < -4 or exponent - 1 >= limit:
        return _exponent_form(digits, exponent, len(digits) - 1, letter)
    if exponent <= 0:
        return "0." + "0" * -exponent + digits
    return digits[:exponent].ljust(exponent, "0") + ("." + digits[exponent:] if len(digits) > exponent else "")


def _float_text(verb: Verb, value: int | float) -> str:
    precision = verb.precision
    if verb.mode in "eE":
        decimals = 6 if precision is None else precision
        digits, exponent = _rounded(value, decimals + 1)
        body = _exponent_form(digits, exponent, decimals, verb.mode)
    elif verb.mode == "f":
        body = _fixed_form(value, 6 if precision is None else precision)
    else:
        body = _general(value, precision, "e" if verb.mode == "g" else "E")
    sign = "-" if value < 0 else ("+" if "+" in verb.flags else (" " if " " in verb.flags else ""))
    missing = 0 if verb.width is None else max(verb.width - len(sign) - len(body), 0)
    if "0" in verb.flags:
        return sign + "0" * missing + body
    if "-" in verb.flags:
        return sign + body + " " * missing
    return " " * missing + sign + body


def _integer_text(verb: Verb, value: int | float) -> str:
    if isinstance(value, float):
        raise FunctionError(f"unsupported value for %{verb.mode}: an integer is required")
    base = {"b": 2, "d": 10, "o": 8, "x": 16, "X": 16}[verb.mode]
    digits = format(abs(value), {2: "b", 8: "o", 10: "d", 16: "x"}[base])
    digits = digits.upper() if verb.mode == "X" else digits
    prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(verb.mode, "") if "#" in verb.flags else ""
    sign = "-" if value < 0 else ("+" if "+" in verb.flags else (" " if " " in verb.flags else ""))
    zeros = 0
    if verb.precision is not None:
        if verb.precision == 0 and value == 0:
            return ""
        zeros = max(verb.precision - len(digits), 0)
    length = len(sign) + len(prefix) + zeros + len(digits)
    left = right = 0
    if verb.width is not None and length < verb.width:
        if "-" in verb.flags:
            right = verb.width - length
        elif "0" in verb.flags and verb.precision is None:
            zeros = verb.width - length
        else:
            left = verb.width - length
    return " " * left + sign + prefix + "0" * zeros + digits + " " * right


def _format_one(verb: Verb, value: Any) -> str:
    if verb.mode != "v" and value is None:
        raise FunctionError(f"unsupported value for %{verb.mode}: null value cannot be formatted")
    if verb.mode == "v":
        if "#" not in verb.flags and isinstance(value, str):
            return _pad(verb, value)
        if "#" not in verb.flags and isinstance(value, (int, float)) and not isinstance(value, bool):
            return _pad(verb, _general(number(value), None, "e"))
        return _pad(verb, json_text(value))
    if verb.mode == "t":
        return "true" if boolean(value) else "false"
    if verb.mode in "bdoxX":
        return _integer_text(verb, number(value))
    if verb.mode in "eEfgG":
        return _float_text(verb, number(value))
    if verb.mode in "sq":
        text = string(value)
        if verb.precision:
            text = "".join(graphemes.clusters(text)[:verb.precision])
        return _pad(verb, text if verb.mode == "s" else json_string(text))
    raise FunctionError(f"unsupported format verb %{verb.mode}")


def _verb(match: re.Match, argument: int) -> Verb:
    flags, width, precision, index, mode = match.groups()
    if mode is None:
        raise FunctionError(f"invalid format string starting at offset {match.start()}")
    width_value = int(width) if width else None
    precision_value = int(precision[1:] or "0") if precision else None
    if (width_value or 0) > MAX_NUMBER_PRECISION * 1000:
        raise TooLarge("format width")
    if mode in "eEfgG" and (precision_value or 0) > MAX_NUMBER_PRECISION:
        raise TooLarge("format precision")
    return Verb(flags, width_value, precision_value, int(index) if index else argument, mode)


def format_values(spec: str, values: list) -> str:
    out: list[str] = []
    position, next_argument, highest, built = 0, 1, 0, 0
    while position < len(spec):
        percent = spec.find("%", position)
        if percent < 0:
            out.append(spec[position:])
            break
        out.append(spec[position:percent])
        if spec.startswith("%%", percent):
            out.append("%")
            position = percent + 2
            continue
        match = _VERB.match(spec, percent)
        assert match is not None     # the pattern matches any "%"
        verb = _verb(match, next_argument)
        if verb.argument > len(values):
            raise FunctionError(f"not enough arguments for {match.group(0)!r} at offset {percent}")
        out.append(_format_one(verb, values[verb.argument - 1]))
        built += len(out[-1]) + percent - position
        bounded_length(built)
        highest, next_argument = max(highest, verb.argument), verb.argument + 1
        position = match.end()
    if highest < len(values):
        raise FunctionError("too many arguments; no verbs in format string" if highest == 0
                            else f"too many arguments; only {highest} used by format string")
    return "".join(out)


def format_(spec: Any, *values: Any) -> str:
    return format_values(string(spec, "format"), [known(v) for v in values])


def formatlist(spec: Any, *values: Any) -> list:
    """One format() per position of the list arguments (all of one length); other arguments repeat.
    An element that is Unknown makes that one result Unknown."""
    text = string(spec, "format")
    lengths = {len(sequence(v)) for v in values if isinstance(v, list)}
    if len(lengths) > 1:
        raise FunctionError("all list arguments must have the same length")
    count = lengths.pop() if lengths else 1
    bounded_length(count * max(len(text), 1))
    out: list = []
    for position in range(count):
        row = [v[position] if isinstance(v, list) else v for v in values]
        try:
            out.append(format_values(text, [known(v) for v in row]))
        except UnknownInside as inside:
            out.append(inside.unknown)
        bounded_length(sum(len(item) for item in out if isinstance(item, str)))
    return out


FUNCTIONS: dict[str, Callable[..., Any]] = {"format": format_, "formatlist": formatlist}
