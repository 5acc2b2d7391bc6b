"""Unknown: a value that cannot be known statically, and why.

Three-valued logic: a check on an Unknown value is neither a pass nor a violation.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unknown:
    reason: str                   # what blocked it: "var.location", "data.azurerm_client_config.x", ...
    refers_to: str | None = None  # resource address when the value is an attribute of a known resource

    def __repr__(self) -> str:
        return f"Unknown({self.reason})"


def is_unknown(value: object) -> bool:
    return isinstance(value, Unknown)


def first_unknown(*values: object) -> Unknown | None:
    for value in values:
        if isinstance(value, Unknown):
            return value
        if isinstance(value, list):
            found = first_unknown(*value)
            if found:
                return found
        if isinstance(value, dict):
            found = first_unknown(*value.values())
            if found:
                return found
    return None
