"""Strategic-merge patches, merged the way kustomize's kyaml merge2 does.

Maps merge key by key; a scalar or a list the schema does not key is replaced by the patch's; a keyed
list (containers by name, env by name, ports by port and protocol...) merges element by element, the
patch's elements first, as kustomize orders them. `$patch: delete|replace|merge` is honoured on maps and
lists; a patch value of null deletes the field. Fields keep the place of the file that wrote them last.
"""
from __future__ import annotations

from scanner.model.kustomize import schema as schemas
from scanner.model.kustomize.resource import BuildError
from scanner.model.kustomize.schema import Schema
from scanner.model.kustomize.tree import Node, copy, is_blank, scalar_text

DIRECTIVE = "$patch"


def merge(dest: Node, patch: Node) -> Node | None:
    """`patch` merged into `dest` (both objects; `dest` is changed). None: the patch deletes the object."""
    return _walk(dest, patch, None)


def _missing(node: Node | None) -> bool:
    return node is None or node.is_null


def _text(node: Node | None) -> str:
    if node is None or node.is_map or node.is_seq:
        return ""
    return scalar_text(node.value)


def _schema(schema: Schema | None, *nodes: Node | None) -> Schema | None:
    """kyaml's GetSchema: without a schema, an embedded apiVersion/kind names one."""
    if schema is not None:
        return schema
    for node in nodes:
        if node is not None and node.is_map and _text(node.get("apiVersion")) and _text(node.get("kind")):
            found = schemas.for_kind(_text(node.get("apiVersion")), _text(node.get("kind")))
            if found is not None:
                return found
    return None


def _walk(dest: Node | None, patch: Node | None, schema: Schema | None) -> Node | None:
    schema = _schema(schema, dest, patch)
    present = [n for n in (dest, patch) if n is not None and not n.is_null]
    first = present[0] if present else None
    if first is None or first.is_map:
        if any(not n.is_map for n in present):
            raise BuildError("a strategic-merge patch and its target disagree: mapping versus other")
        return _walk_map(dest, patch, schema)
    if first.is_seq:
        if any(not n.is_seq for n in present):
            raise BuildError("a strategic-merge patch and its target disagree: list versus other")
        return _walk_list(dest, patch, schema)
    if any(n.is_map or n.is_seq for n in present):
        raise BuildError("a strategic-merge patch and its target disagree: scalar versus other")
    return patch if patch is not None else dest


def _map_directive(patch: Node) -> str:
    """The `$patch` of a patch mapping, removed from it (kustomize elides it)."""
    found = patch.value.pop(DIRECTIVE, None) if patch.is_map else None
    if found is None:
        return "merge"
    value = _text(found)
    if value not in ("delete", "replace", "merge"):
        raise BuildError(f"unknown patch strategy '{value}'")
    return value


def _walk_map(dest: Node | None, patch: Node | None, schema: Schema | None) -> Node | None:
    if patch is not None and patch.is_null and not _missing(dest):
        return None
    if _missing(dest):
        if patch is None or patch.is_null:
            return None
        if _map_directive(patch) == "delete":
            return None
        dest = copy(patch)
    elif patch is not None:
        directive = _map_directive(patch)
        if directive == "delete":
            return None
        if directive == "replace":
            dest = copy(patch)
    assert dest is not None
    patch_fields = patch.value if patch is not None and patch.is_map else {}
    for key in sorted(set(dest.value) | set(patch_fields), key=str):
        ours, theirs = dest.value.get(key), patch_fields.get(key)
        if theirs is None and ours is not None and ours.is_null:
            if is_blank(ours):          # kustomize drops `key:` written as nothing, keeps `key: null`
                dest.value.pop(key)
            continue
        result = _walk(ours, theirs, schemas.field(schema, key) if schema is not None else None)
        if result is None or result.is_null:
            dest.value.pop(key, None)
        else:
            dest.value[key] = result
    return dest


def _list_directive(patch: Node) -> str:
    """A list's `$patch` is an element holding only that key; kustomize removes such elements."""
    for element in patch.value:
        if element.is_map and DIRECTIVE in element.value:
            if len(element.value) > 1:
                return "merge"
            value = _text(element.value[DIRECTIVE])
            if value not in ("delete", "replace", "merge"):
                raise BuildError(f"unknown patch strategy '{value}'")
            patch.value = [e for e in patch.value if not (e.is_map and _text(e.get(DIRECTIVE)) == value)]
            return value
    return "merge"


def _walk_list(dest: Node | None, patch: Node | None, schema: Schema | None) -> Node | None:
    if schema is None or schema.merge_keys is None:
        return patch if patch is not None else dest
    if _missing(dest):
        if patch is None:
            return None
        dest = copy(patch)
    elif patch is not None:
        if patch.is_null:
            return None
        directive = _list_directive(patch)
        if directive == "delete":
            return None
        if directive == "replace":
            return patch
    assert dest is not None
    if patch is None or patch.is_null:
        patch = Node([], dest.place)    # kustomize still walks our elements: empty ones go, scalars dedupe
    if not schema.merge_keys:
        return _merge_scalars(dest, patch)
    return _merge_keyed(dest, patch, list(schema.merge_keys), schemas.elements(schema))


def _merge_scalars(dest: Node, patch: Node) -> Node:
    """A list merged as a set of scalars (finalizers): the patch's first, then the rest of ours."""
    seen: set[str] = set()
    merged = []
    for element in patch.value + dest.value:
        text = _text(element)
        if text not in seen:
            seen.add(text)
            merged.append(element)
    dest.value = merged
    return dest


def _key_values(element: Node, keys: list[str]) -> tuple[str, ...]:
    return tuple(_text(element.get(k)) if element.is_map else "" for k in keys)


def _match(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[bool, tuple[str, ...]]:
    common, merged = False, []
    for x, y in zip(a, b):
        if x == y:
            common = True
            merged.append(x)
        elif x and y:
            return False, ()
        else:
            merged.append(x or y)
    return common, tuple(merged)


def _valid(values_list: list[tuple[str, ...]], values: tuple[str, ...], keys: list[str]) -> tuple[list[str], list[str]]:
    """kyaml's validateKeys: only keys some element gives a value for take part in matching."""
    used = {keys[i] for vs in values_list for i, v in enumerate(vs) if v}
    if not used:
        return keys, list(values)
    return [k for k in keys if k in used], [v for i, v in enumerate(values) if v or keys[i] in used]


def _find(elements: list[Node], keys: list[str], values: list[str]) -> Node | None:
    for element in elements:
        if element.is_map and all(k in element.value and _text(element.value[k]) == v for k, v in zip(keys, values)):
            return element
    return None


def _field(item: Node, key: str, value: str) -> Node | None:
    """kyaml's FieldMatcher: the field `key` of a mapping, when its text is `value` ("" = any)."""
    child = item.get(key)
    if child is None or (value and _text(child) != value):
        return None
    return child


def _set_element(items: list[Node], element: Node | None, keys: list[str], values: list[str]) -> list[Node]:
    """kyaml's ElementSetter, literally: elements matching keys/values are replaced by `element` (dropped
    when None); with fewer values than keys the last match decides; empty elements are dropped."""
    by_mapping = bool(keys) and keys[0] != "" and bool(values) and values[0] != ""
    result, found_any = [], False
    for item in items:
        if item.is_null or (item.is_map and not item.value):
            continue
        if not item.is_map:
            if by_mapping or values:
                result.append(item)
            continue
        matched: Node | None = None
        found = True
        for j, key in enumerate(keys):
            if j < len(values):
                matched = _field(item, key, values[j])
            if matched is None:
                found = False
                break
        if not found:
            if values:
                result.append(item)
            continue
        found_any = True
        if element is not None:
            result.append(element)
    if element is not None and not found_any:
        result.append(element)
    return result


def _append_ours(items: list[Node], dest: Node, keys: list[str]) -> list[Node]:
    """kyaml's appendListNode in prepend mode: our elements re-set into the patch-ordered items."""
    for element in list(dest.value):
        values: list[str] = []
        for key in keys:
            child = element.get(key) if element.is_map else None
            if child is None:
                items.append(element)
                continue
            values.append(_text(child))
        if len(keys) > 1:
            items = _set_element(items, None, keys, values)
        items = _set_element(items, element, keys, values)
    return items


def _merge_keyed(dest: Node, patch: Node, keys: list[str], element_schema: Schema) -> Node:
    values_list: list[tuple[str, ...]] = []
    for element in patch.value + dest.value:
        values = _key_values(element, keys)
        if values not in values_list:
            values_list.append(values)
    if len(keys) > 1:
        for i in range(len(values_list)):
            for j in range(len(values_list)):
                matched, merged = _match(values_list[i], values_list[j])
                if matched:
                    values_list[i] = values_list[j] = merged
        values_list = list(dict.fromkeys(values_list))
    items: list[Node] = []
    valid_keys, valid_values = keys, [""] * len(keys)
    for values in values_list:
        valid_keys, valid_values = _valid(values_list, values, keys)
        own_keys, own_values = _valid([tuple(valid_values)], tuple(valid_values), valid_keys)
        ours, theirs = _find(dest.value, own_keys, own_values), _find(patch.value, own_keys, own_values)
        result = _walk(ours, theirs, element_schema)
        if result is None or result.is_null or (result.is_map and not result.value):
            dest.value = _set_element(dest.value, None, valid_keys, valid_values)
            continue
        for key, value in zip(valid_keys, valid_values):
            if key not in result.value and value:
                result.value[key] = Node(value, result.place)
        items = _set_element(items, result, valid_keys, valid_values)
    if values_list:
        dest.value = _append_ours(items, dest, valid_keys)
    return dest
