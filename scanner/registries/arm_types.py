"""The ARM type registry (arm-types.yaml): which azurerm resource an azapi block of a given ARM type stands
for, and from which azapi paths the attributes the rules read are taken."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Mapping

from scanner.registries import document

AZAPI_BLOCKS = {"azapi_resource": "resources", "azapi_update_resource": "updates"}

Condition = tuple[tuple[str, str], ...]     # (azapi path, expected value) pairs, all of which must hold


@dataclass(frozen=True)
class ArmAttribute:
    name: str                 # the stand-in's attribute; dotted for a nested block (customer_managed_key.key_vault_key_id)
    source: str               # the azapi path it is read from (location, resource_id, body.properties...)
    when: Condition = ()
    values: Mapping[str, str] = field(default_factory=dict)   # lower-cased ARM value -> azurerm value


@dataclass(frozen=True)
class ArmMapping:
    arm_type: str
    stands_for: str
    attributes: tuple[ArmAttribute, ...]
    when: Condition = ()
    source: str = ""
    # child ARM type -> the stand-in's attributes ARM keeps in that child resource, read from its azapi block
    in_children: Mapping[str, tuple[ArmAttribute, ...]] = field(default_factory=dict)


def _condition(data: Any) -> Condition:
    return tuple(sorted((str(k), str(v)) for k, v in (data or {}).items()))


def _attribute(name: str, data: Any) -> ArmAttribute:
    if isinstance(data, str):
        return ArmAttribute(name, data)
    values = {str(k).lower(): str(v) for k, v in (data.get("values") or {}).items()}
    return ArmAttribute(name, str(data["from"]), _condition(data.get("when")), values)


def _attributes(data: Mapping[str, Any]) -> tuple[ArmAttribute, ...]:
    return tuple(_attribute(str(k), v) for k, v in data.items())


def _mapping(arm_type: str, data: Mapping[str, Any]) -> ArmMapping:
    children = {str(k): _attributes(v) for k, v in (data.get("in_children") or {}).items()}
    return ArmMapping(arm_type, str(data["stands_for"]), _attributes(data["attributes"]), _condition(data.get("when")),
                      str(data.get("source", "")), children)


@functools.lru_cache(maxsize=1)
def arm_types() -> Mapping[tuple[str, str], ArmMapping]:
    """(azapi block type, lower-cased ARM type) -> mapping."""
    data = document("arm-types")
    out: dict[tuple[str, str], ArmMapping] = {}
    for block, section in AZAPI_BLOCKS.items():
        for arm_type, entry in (data.get(section) or {}).items():
            out[(block, str(arm_type).lower())] = _mapping(str(arm_type), entry)
    return out


def arm_type(type_value: object) -> str | None:
    """The lower-cased ARM type of an azapi block's `type` ("<ARM type>@<api version>"); None when it is not a
    string (not known statically)."""
    return type_value.split("@", 1)[0].strip().lower() if isinstance(type_value, str) else None


def arm_mapping(block_type: str, type_value: object) -> ArmMapping | None:
    """The mapping for an azapi block whose `type` is "<ARM type>@<api version>"; None when the type is not
    a string or not listed."""
    listed = arm_type(type_value)
    return None if listed is None else arm_types().get((block_type, listed))


def as_of() -> str:
    return str(document("arm-types")["as_of"])
