"""Raw ARM resources as the azurerm resources they stand for.

An `azapi_resource` (or `azapi_update_resource`) whose ARM type policies/registries/arm-types.yaml lists gets
a stand-in: a resource of the azurerm type it stands for, with the attributes the registry maps, at the azapi
block's address, file and lines. The CMK, residency and exit rules then judge it as they judge the azurerm
resource, with no rule per ARM type. Each mapped attribute's chain starts at the azapi block (role
"attribute": the value is the azapi block's own, so a rule that judges the block itself, such as RES-001 on
`location`, does not report it twice).
"""
from __future__ import annotations

import json
from typing import Any

from scanner.model.rendered import Place
from scanner.model.resource import Model, Resource
from scanner.model.values import Unknown
from scanner.registries.arm_types import ArmAttribute, ArmMapping, Condition, arm_mapping

AZAPI_TYPES = ("azapi_resource", "azapi_update_resource")


def arm_stand_ins(model: Model) -> list[Resource]:
    """One stand-in per azapi block instance of a listed ARM type (and whose `when` may hold)."""
    out = []
    for block in model.of_type(AZAPI_TYPES):
        mapping = arm_mapping(block.type, block.values.get("type"))
        if mapping is not None:
            stand_in = _stand_in(block, mapping)
            if stand_in is not None:
                out.append(stand_in)
    return out


def _stand_in(block: Resource, mapping: ArmMapping) -> Resource | None:
    applies = _holds(block, mapping.when)
    if applies is False:
        return None
    values: dict[str, Any] = {}
    stand_in = Resource("terraform", mapping.stands_for, block.address, block.path, block.line, values,
                        {"": block.line}, provider=block.provider, provider_values=block.provider_values,
                        module=block.module, root=block.root, end_line=block.end_line,
                        facts={"stands_for": f"{block.address} ({mapping.arm_type})"})
    for attribute in mapping.attributes:
        value = _attribute_value(block, attribute, applies)
        if value is not None:
            _set(stand_in, attribute, value, block, certain=not isinstance(applies, Unknown))
    for name, child in sorted(mapping.in_children.items()):
        values[name] = Unknown(f"{name} (kept in the child resource {child})", kind="expression")
    return stand_in


def _attribute_value(block: Resource, attribute: ArmAttribute, applies: bool | Unknown) -> Any:
    """The stand-in's value: None when absent, an Unknown when the block-level or attribute-level `when`
    cannot be decided statically (never a guess)."""
    if isinstance(applies, Unknown):
        return Unknown(f"whether {block.address} applies ({applies.reason})", kind=applies.kind)
    holds = _holds(block, attribute.when)
    if holds is False:
        return None
    if isinstance(holds, Unknown):
        return holds
    value = value_at(block, attribute.source)
    if isinstance(value, str) and value.lower() in attribute.values:
        return attribute.values[value.lower()]
    return value


def _set(stand_in: Resource, attribute: ArmAttribute, value: Any, block: Resource, certain: bool) -> None:
    """Write the value at the attribute's (dotted) name, located at the azapi path it came from. Only a
    stand-in that certainly applies carries the block's references (a link that may not exist is no link)."""
    head, *rest = attribute.name.split(".")
    target = stand_in.values
    for step in [head, *rest][:-1]:
        target = target.setdefault(step, {})
    target[attribute.name.split(".")[-1]] = value
    line = block.line_of(attribute.source)
    top = attribute.source.split(".", 1)[0]
    for name in dict.fromkeys([head, attribute.name]):
        stand_in.locations[name] = line
        stand_in.chains[name] = block.chain_of(attribute.source)   # the nearest entry of `body` with its own
    if certain and top in block.references:
        stand_in.references = {**stand_in.references, attribute.name: block.references[top]}
    # a caller's argument only when it is the value itself, or the whole top attribute (`body = var.body`):
    # an entry inside an argument (`sku = var.sku`) may be the variable's optional() default
    origin = block.origins.get(attribute.source) or block.origins.get(top)
    if origin is not None:
        stand_in.origins[attribute.name] = origin
    if top in block.literal_paths:
        stand_in.literal_paths = stand_in.literal_paths | {attribute.name}


def _holds(block: Resource, condition: Condition) -> bool | Unknown:
    """Every (path, value) of the condition holds (case-insensitively); an Unknown when one cannot be told."""
    for path, wanted in condition:
        seen = value_at(block, path)
        if isinstance(seen, Unknown):
            return seen
        if seen is None or str(seen).lower() != wanted.lower():
            return False
    return True


def value_at(block: Resource, path: str) -> Any:
    """The value at a dotted path of the azapi block; `body` may be an object or JSON text (azapi v1's
    `jsonencode(...)`). None when absent; the Unknown itself when a step is not known statically."""
    head, _, rest = path.partition(".")
    value = block.values.get(head)
    if head == "body" and isinstance(value, str):
        value = _decoded(value)
    for step in rest.split(".") if rest else []:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]            # a nested block written once
        if not isinstance(value, dict):
            return value if isinstance(value, Unknown) else None
        value = value.get(step)
    return value


def _decoded(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return Unknown("a body that is not JSON", kind="expression")
