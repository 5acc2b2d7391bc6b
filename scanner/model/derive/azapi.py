"""Raw ARM resources as the azurerm resources they stand for.

An `azapi_resource` (or `azapi_update_resource`) whose ARM type policies/registries/arm-types.yaml lists gets
a stand-in: a resource of the azurerm type it stands for, with the attributes the registry maps, at the azapi
block's address, file and lines. The CMK, residency and exit rules then judge it as they judge the azurerm
resource, with no rule per ARM type. Each mapped attribute's chain starts at the azapi block (role
"attribute": the value is the azapi block's own, so a rule that judges the block itself, such as RES-001 on
`location`, does not report it twice).

Attributes ARM keeps in a child resource (a storage account's blob versioning lives in its blobServices) are read
from the azapi block of that child type whose `parent_id` (an update's `resource_id`) refers to the block, in the
same root module, located there. A child that may be another block's, or may not exist, decides nothing; without
a child the value is not known statically (it may be written outside the scan), never absent.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from scanner.model.rendered import Place
from scanner.model.resource import SEVERAL, Model, Resource, base_address
from scanner.model.values import Unknown
from scanner.registries.arm_types import ArmAttribute, ArmMapping, Condition, arm_mapping, arm_type

AZAPI_TYPES = ("azapi_resource", "azapi_update_resource")
# The attributes by which an azapi block names the resource it sits under (an update: the one it patches). Code,
# not registry data: like AZAPI_TYPES they are the azapi provider's schema, which _via and _whole rely on as well.
LINKS = {"azapi_resource": ("parent_id",), "azapi_update_resource": ("parent_id", "resource_id")}


@dataclass(frozen=True)
class Child:
    block: Resource
    doubt: Unknown | None   # why it may not be the parent's child, or may not exist; None: it is, for certain
    whole: bool             # azapi_resource: written whole (what its body leaves out takes the ARM default)


def arm_stand_ins(model: Model) -> list[Resource]:
    """One stand-in per azapi block instance of a listed ARM type (and whose `when` may hold)."""
    out = []
    unlinked = _unlinked(model)
    for block in model.of_type(AZAPI_TYPES):
        mapping = arm_mapping(block.type, block.values.get("type"))
        if mapping is not None:
            stand_in = _stand_in(block, mapping, model, unlinked)
            if stand_in is not None:
                out.append(stand_in)
    return out


def _stand_in(block: Resource, mapping: ArmMapping, model: Model,
              unlinked: dict[tuple[str, str], list[Resource]]) -> Resource | None:
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
    for child_type, attributes in sorted(mapping.in_children.items()):
        found = children(model, block, child_type, unlinked)
        if found and not isinstance(applies, Unknown):
            for attribute in attributes:
                _from_children(stand_in, attribute, found, child_type)
        else:
            for name in dict.fromkeys(a.name.split(".", 1)[0] for a in attributes):
                values[name] = Unknown(f"{name} (kept in the child resource {child_type})", kind="expression")
    if any(place.path != block.path for place in stand_in.places.values()):
        stand_in.places[""] = Place(block.path, block.line)
    else:
        stand_in.places = {}    # every line is in the block's own file: `locations` says it
    return stand_in


def children(model: Model, parent: Resource, child_type: str,
             unlinked: dict[tuple[str, str], list[Resource]]) -> list[Child]:
    """The azapi blocks of `child_type` whose link refers to `parent` (reverse links, same root module), and those
    of its root whose link is not known statically, which may be its children. A block whose type is not known
    statically is no child, as it is no stand-in."""
    wanted = child_type.lower()
    single = len(model.at(parent.address, parent.root)) == 1
    found: dict[int, Child] = {}
    for block_type, vias in LINKS.items():
        for via in vias:
            for block in model.linking((block_type,), via, parent):
                if arm_type(block.values.get("type")) == wanted:
                    found.setdefault(id(block), Child(block, _doubt(block, via, parent, single), _whole(block)))
    for block in unlinked.get((parent.root, wanted), []):
        via = _via(block)
        doubt = Unknown(f"{block.address}.{via} = {_shown(block.values.get(via))}, which may be {parent.address}'s id",
                        kind="expression")
        found.setdefault(id(block), Child(block, doubt, _whole(block)))
    return sorted(found.values(), key=lambda c: (c.block.path, c.block.line, c.block.address))


def _doubt(block: Resource, via: str, parent: Resource, single: bool) -> Unknown | None:
    """Why the block that refers to `parent` through `via` may not be its child (or may not exist); None when
    it certainly is: its link is the parent's id, of the one instance the parent has."""
    several = block.values.get(SEVERAL)
    if isinstance(several, Unknown):
        return Unknown(f"whether {block.address} exists ({several.reason})", kind=several.kind)
    value = block.values.get(via)
    if len(block.references.get(via, ())) != 1 or not isinstance(value, Unknown) or value.attribute != "id":
        return Unknown(f"whether {block.address}.{via} names {parent.address} (it refers to "
                       f"{', '.join(sorted(block.references.get(via, ())))} some other way)", kind="expression")
    if not single:
        return Unknown(f"which instance of {base_address(parent.address)} {block.address}.{via} names",
                       kind="expression")
    return None


def _unlinked(model: Model) -> dict[tuple[str, str], list[Resource]]:
    """(root, lower-cased ARM type) -> the azapi blocks whose link to the resource they sit under is not known
    statically and refers to no block: any block of their root may be that resource (as the `linked` condition
    holds for a link it cannot resolve). A literal id names no block of the scan."""
    out: dict[tuple[str, str], list[Resource]] = {}
    for block in model.of_type(AZAPI_TYPES):
        value, listed = block.values.get(_via(block)), arm_type(block.values.get("type"))
        if block.kind == "terraform" and listed and isinstance(value, Unknown) and value.refers_to is None \
                and not any(block.references.get(via) for via in LINKS[block.type]):
            out.setdefault((block.root, listed), []).append(block)
    return out


def _via(block: Resource) -> str:
    """The attribute that links the block: an update names what it patches by resource_id, unless by parent_id."""
    patch = block.type == "azapi_update_resource" and block.values.get("parent_id") is None
    return "resource_id" if patch else "parent_id"


def _whole(block: Resource) -> bool:
    return block.type == "azapi_resource"


def _shown(value: Any) -> str:
    return value.reason if isinstance(value, Unknown) else str(value)


def _from_children(stand_in: Resource, attribute: ArmAttribute, found: list[Child], child_type: str) -> None:
    """The attribute as the children say it: each one written whole says it (absent: the ARM default), an update
    only when it writes it. Children that disagree, or one that may not be a child, leave it unknown."""
    said = [(child, _attribute_value(child.block, attribute, True))
            for child in found if child.whole or _writes(child.block, attribute)]
    if not said:
        silent = ", ".join(c.block.address for c in found)
        _set(stand_in, attribute, Unknown(f"{attribute.name} (kept in the child resource {child_type}, which {silent} "
                                          "does not set)", kind="expression"), found[0].block, certain=False)
        return
    doubt = next((child.doubt for child, _ in said if child.doubt is not None), None)
    distinct = {json.dumps(value, sort_keys=True, default=repr) for _, value in said}
    if doubt is not None:
        value: Any = doubt
    elif len(distinct) > 1:
        value = Unknown(f"{attribute.name}: {' and '.join(c.block.address for c, _ in said)} set it differently",
                        kind="expression")
    else:
        value = said[0][1]
    _set(stand_in, attribute, value, said[0][0].block, certain=doubt is None and len(distinct) == 1)


def _writes(block: Resource, attribute: ArmAttribute) -> bool:
    """The block's body says something about the attribute: its source, or a path its `when` reads."""
    return any(value_at(block, path) is not None for path in (attribute.source, *(p for p, _ in attribute.when)))


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
    """Write the value at the attribute's (dotted) name, located at the azapi path of `block` (the stand-in's own
    or a child's) it came from; None leaves it absent, located where it would be written. Only a stand-in that
    certainly applies carries the block's references (a link that may not exist is no link)."""
    head, *rest = attribute.name.split(".")
    target = stand_in.values
    for step in [head, *rest][:-1]:
        target = target.setdefault(step, {})
    if value is not None:
        target[attribute.name.split(".")[-1]] = value
    line = block.line_of(attribute.source)
    top = attribute.source.split(".", 1)[0]
    for name in dict.fromkeys([head, attribute.name]):
        if name == head and head in stand_in.places and name != attribute.name:
            continue    # a block entry another attribute of it was read from keeps its place
        stand_in.locations[name] = line
        stand_in.places[name] = Place(block.path, line)
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
    `jsonencode(...)`). None when absent; the Unknown itself when a step is not known statically, or when the
    body is no object (a list, a number, JSON text of either): what ARM would read there cannot be told."""
    head, _, rest = path.partition(".")
    value = block.values.get(head)
    if head == "body":
        value = _body(value)
    for step in rest.split(".") if rest else []:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]            # a nested block written once
        if not isinstance(value, dict):
            return value if isinstance(value, Unknown) else None
        value = value.get(step)
    return value


def _body(value: Any) -> Any:
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        value = value[0]                # written as a block once (.tf.json); JSON text of a list is a list
    decoded = _decoded(value) if isinstance(value, str) else value
    if decoded is None or isinstance(decoded, (dict, Unknown)):
        return decoded
    return Unknown(f"a body that is not an object ({_shown_kind(decoded)})", kind="expression")


def _shown_kind(value: Any) -> str:
    return {list: "a list", str: "a string", bool: "a boolean"}.get(type(value), "a number")


def _decoded(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return Unknown("a body that is not JSON", kind="expression")
