"""How Terraform functions take arguments and give results, in the model's plain Python values.

Values are str, int, float, bool, None, list and dict; a value that cannot be known is an Unknown.
An implementation raises FunctionError (Terraform would report an error: the result is Unknown with
the reason) or meets an Unknown nested in an argument (UnknownInside: that Unknown is the result).
`guarded` turns both, and any slip on hostile input, into an Unknown, so nothing escapes a call.

Terraform converts arguments to the parameter's type (a number where a string is wanted becomes its
decimal text, "true" where a bool is wanted becomes true); the converters here do the same.
"""
from __future__ import annotations

import inspect
import math
import unicodedata
from decimal import Decimal
from typing import Any, Callable

from scanner.model.values import Unknown, first_unknown

MAX_VALUE_SIZE = 1_000_000
"""The most any function may build: characters of a string, or elements of a collection counted
through all its levels. A result over it is Unknown("... too large to evaluate statically")."""

MAX_INTEGER_BITS = 512
"""Terraform numbers carry 512 bits of precision; a larger integer would not be exact there either."""


class FunctionError(Exception):
    """Terraform would fail this call; the message says why (never with a secret in it)."""


class TooLarge(FunctionError):
    """Over a size or complexity bound (Unknown kind "limit")."""

    def __init__(self, what: str, message: str = ""):
        super().__init__(message or f"{what} too large to evaluate statically")


class UnknownInside(Exception):
    """An argument holds an Unknown where the result depends on it."""

    def __init__(self, unknown: Unknown):
        super().__init__(unknown.reason)
        self.unknown = unknown


_SLIPS = (TypeError, ValueError, ArithmeticError, LookupError, RecursionError, UnicodeError, MemoryError)


def guarded(name: str, implementation: Callable[..., Any], accepts_unknown: bool = False) -> Callable[..., Any]:
    """The implementation as Terraform's function `name`: an Unknown argument gives that Unknown
    (unless the implementation accepts_unknown and decides itself), an error gives
    Unknown("name(): reason"), and nothing raises."""
    fewest, most = _arity(inspect.signature(implementation))

    def call(*args: Any) -> Any:
        for arg in args:
            if isinstance(arg, Unknown) and not accepts_unknown:
                return arg
        if not fewest <= len(args) <= most:
            return Unknown(f"{name}(): wrong number of arguments", kind="function")
        try:
            result = implementation(*args)
        except UnknownInside as inside:
            return inside.unknown
        except FunctionError as error:
            return Unknown(f"{name}(): {error}", kind="limit" if isinstance(error, TooLarge) else "function")
        except _SLIPS as slip:
            return Unknown(f"{name}(): cannot evaluate these arguments ({type(slip).__name__})", kind="function")
        if isinstance(result, str) and not result.isascii():
            result = unicodedata.normalize("NFC", result)
        return result

    call.__name__ = name
    call.__doc__ = implementation.__doc__
    return call


def _arity(signature: inspect.Signature) -> tuple[int, float]:
    """The fewest and most positional arguments `signature.bind(*args)` accepts (checked once here, not
    bound on every call); a required keyword-only parameter accepts none."""
    fewest, most = 0, 0.0
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            most += 1
            fewest += parameter.default is parameter.empty
        elif parameter.kind is parameter.VAR_POSITIONAL:
            most = math.inf
        elif parameter.kind is parameter.KEYWORD_ONLY and parameter.default is parameter.empty:
            return 1, 0
    return fewest, most


# --- what a value is -------------------------------------------------------------------------------

def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def known(value: Any) -> Any:
    """The value when nothing in it is Unknown; otherwise the first Unknown is the call's result."""
    unknown = first_unknown(value)
    if unknown is not None:
        raise UnknownInside(unknown)
    return value


def size_of(value: Any, budget: int = MAX_VALUE_SIZE) -> int:
    """The characters of every string in the value plus one per element at every level (map keys
    count as strings); stops counting once past budget."""
    total = 0
    stack = [value]
    while stack and total <= budget:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, list):
            total += len(item)
            stack.extend(item)
        elif isinstance(item, dict):
            total += len(item) + sum(len(key) for key in item)
            stack.extend(item.values())
    return total


def bounded(value: Any, what: str = "result") -> Any:
    if size_of(value) > MAX_VALUE_SIZE:
        raise TooLarge(what)
    return value


def bounded_length(length: int, what: str = "result") -> None:
    """Raise before building something of this many characters or elements."""
    if length > MAX_VALUE_SIZE:
        raise TooLarge(what)


# --- numbers -----------------------------------------------------------------------------------------

def number_result(value: int | float) -> int | float:
    """A Terraform number: integral values are ints, never inf or nan, never beyond 512 bits."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise FunctionError("result is not a finite number")
        if value.is_integer():
            value = int(value)
    if isinstance(value, int) and value.bit_length() > MAX_INTEGER_BITS:
        raise TooLarge("number")
    return value


def number_text(value: int | float) -> str:
    """Terraform's decimal text of a number: no exponent, no trailing zeros (1e20 -> "100000000000000000000")."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer():
        return str(int(value))
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


_DECIMAL_CHARS = frozenset("0123456789+-.eE")


def parse_number(text: str) -> int | float | None:
    """A string in Terraform's decimal number syntax as a number, or None."""
    if not text or len(text) > 400 or not set(text) <= _DECIMAL_CHARS:
        return None
    try:
        exact = Decimal(text)
    except ArithmeticError:
        return None
    if not exact.is_finite() or abs(exact.adjusted()) > 300:
        return None
    if exact == exact.to_integral_value():
        return number_result(int(exact))
    return number_result(float(exact))


# --- conversions to a parameter's type -------------------------------------------------------------

def string(value: Any, what: str = "argument") -> str:
    known(value)
    if isinstance(value, str):
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return number_text(value)
    if value is None:
        raise FunctionError(f"{what} must not be null")
    raise FunctionError(f"{what} must be a string, not a {type_name(value)}")


def number(value: Any, what: str = "argument") -> int | float:
    known(value)
    if is_number(value):
        return number_result(value)
    if isinstance(value, str):
        parsed = parse_number(value)
        if parsed is not None:
            return parsed
        raise FunctionError(f"{what} must be a number; the string is not a decimal number")
    if value is None:
        raise FunctionError(f"{what} must not be null")
    raise FunctionError(f"{what} must be a number, not a {type_name(value)}")


def integer(value: Any, what: str = "argument") -> int:
    result = number(value, what)
    if isinstance(result, float):
        raise FunctionError(f"{what} must be a whole number")
    return result


def boolean(value: Any, what: str = "argument") -> bool:
    known(value)
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    if value is None:
        raise FunctionError(f"{what} must not be null")
    raise FunctionError(f"{what} must be a bool, not a {type_name(value)}")


def sequence(value: Any, what: str = "argument") -> list:
    """A list, tuple or set (all lists here); its elements may still be Unknown."""
    if isinstance(value, Unknown):
        raise UnknownInside(value)
    if isinstance(value, list):
        return value
    if value is None:
        raise FunctionError(f"{what} must not be null")
    raise FunctionError(f"{what} must be a list, not a {type_name(value)}")


def mapping(value: Any, what: str = "argument") -> dict:
    """A map or object; its values may still be Unknown."""
    if isinstance(value, Unknown):
        raise UnknownInside(value)
    if isinstance(value, dict):
        return value
    if value is None:
        raise FunctionError(f"{what} must not be null")
    raise FunctionError(f"{what} must be a map or object, not a {type_name(value)}")


def strings(value: Any, what: str = "argument") -> list[str]:
    """A list of strings (numbers and bools convert); a null element is an error."""
    items = sequence(value, what)
    return [string(item, f"element {index} of {what}") for index, item in enumerate(items)]


# --- equality, sets and element types ------------------------------------------------------------

def same(left: Any, right: Any) -> bool:
    """Terraform equality: true is not 1, 1 is 1.0, collections compare element by element."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if is_number(left) or is_number(right):
        return is_number(left) and is_number(right) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    return type(left) is type(right) and left == right


def unify(items: list, what: str = "argument") -> list:
    """Elements of one list type: mixed strings with numbers or bools all become strings (Terraform's
    type unification); numbers with bools have no common type."""
    kinds = {type_name(item) for item in items if item is not None}
    if len(kinds) <= 1 or not kinds <= {"string", "number", "bool"}:
        return items
    if "string" not in kinds:
        raise FunctionError(f"{what} mixes numbers and bools, which have no common type")
    return [None if item is None else string(item) for item in items]


def distinct_values(items: list) -> list:
    """The items without those `same` as an earlier one, in order; by a key where every item has one (a long
    list compared pairwise is quadratic: distinct() over a thousand-item local took seconds)."""
    try:
        seen: dict[Any, Any] = {}
        for item in items:
            seen.setdefault(equality_key(item), item)
        return list(seen.values())
    except TypeError:                  # an item without a key (a value of another type): compare pairwise
        out: list = []
        for item in items:
            if not any(same(item, earlier) for earlier in out):
                out.append(item)
        return out


def equality_key(value: Any) -> Any:
    """A hashable key, equal for two values exactly when `same` holds (TypeError for a value without one)."""
    if isinstance(value, bool):
        return ("bool", value)
    if is_number(value):
        return ("number", value)       # 1 and 1.0 make equal keys, as Terraform compares them
    if isinstance(value, list):
        return ("list", tuple(equality_key(item) for item in value))
    if isinstance(value, dict):
        return ("map", tuple(sorted((key, equality_key(item)) for key, item in value.items())))
    if value is None or isinstance(value, str):
        return (type(value).__name__, value)
    raise TypeError(type(value).__name__)


def as_set(items: list, what: str = "argument") -> list:
    """A Terraform set as a list: no duplicates; strings, numbers and bools in Terraform's order
    (lexical, numeric, false first); other elements in first-seen order."""
    known(items)
    values = distinct_values(unify(items, what))
    kinds = {type_name(item) for item in values}
    if kinds == {"string"} or kinds == {"number"} or kinds == {"bool"}:
        return sorted(values)
    return values
