"""Terraform's numeric functions: abs ceil floor log max min parseint pow signum.

log and pow compute in 64-bit floats as Terraform does, so their rounding matches; a result that is
infinite or not a number is Unknown, never inf or nan.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from scanner.model.functions.arguments import MAX_INTEGER_BITS, FunctionError, TooLarge, integer, number, number_result

MAX_PARSEINT_DIGITS = 160   # 512 bits need at most 155 decimal digits


def abs_(value: Any) -> int | float:
    return abs(number(value))


def ceil(value: Any) -> int:
    return math.ceil(number(value))


def floor(value: Any) -> int:
    return math.floor(number(value))


def log(value: Any, base: Any) -> int | float:
    num, base_num = float(number(value, "number")), float(number(base, "base"))
    if num <= 0 or base_num <= 0 or base_num == 1:
        raise FunctionError("result is not a finite number")
    return number_result(math.log(num) / math.log(base_num))


def max_(*values: Any) -> int | float:
    if not values:
        raise FunctionError("must pass at least one number")
    return max(number(v) for v in values)


def min_(*values: Any) -> int | float:
    if not values:
        raise FunctionError("must pass at least one number")
    return min(number(v) for v in values)


def _digit_value(char: str, base: int) -> int:
    if "0" <= char <= "9":
        digit = ord(char) - ord("0")
    elif "a" <= char <= "z":
        digit = ord(char) - ord("a") + 10
    elif "A" <= char <= "Z":
        digit = ord(char) - ord("A") + (36 if base > 36 else 10)
    else:
        digit = 99
    if digit >= base:
        raise FunctionError(f"cannot parse the string as a base {base} integer")
    return digit


def parseint(text: Any, base: Any) -> int:
    if not isinstance(text, str):
        raise FunctionError("first argument must be a string")
    radix = integer(base, "base")
    if not 2 <= radix <= 62:
        raise FunctionError("base must be a whole number between 2 and 62 inclusive")
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits:
        raise FunctionError(f"cannot parse the string as a base {radix} integer")
    if len(digits) > MAX_PARSEINT_DIGITS:
        raise TooLarge("number")
    value = 0
    for char in digits:
        value = value * radix + _digit_value(char, radix)
    value = -value if text.startswith("-") else value
    if value.bit_length() > MAX_INTEGER_BITS:
        raise TooLarge("number")
    return value


def pow_(value: Any, power: Any) -> int | float:
    try:
        result = math.pow(float(number(value, "number")), float(number(power, "power")))
    except OverflowError:
        raise FunctionError("result is not a finite number") from None
    except ValueError:
        raise FunctionError("result is not a number") from None
    return number_result(result)


def signum(value: Any) -> int:
    num = integer(value, "number")
    return (num > 0) - (num < 0)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": abs_, "ceil": ceil, "floor": floor, "log": log, "max": max_, "min": min_,
    "parseint": parseint, "pow": pow_, "signum": signum,
}
