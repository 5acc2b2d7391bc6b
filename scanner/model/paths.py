"""Attribute paths in policies: `a.b`, `containers[*].image`, `containers[name=app]`, `add[=NET_ADMIN]`,
`pod.containers[*]`.

Terraform nested blocks are lists of objects; a plain step into a list looks into every element, so
`network_rules.default_action` works whether the block is written once or repeated. `pod.` starts at
the pod spec of any pod-bearing Kubernetes kind.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from scanner.masking import looks_like_a_token, names_a_secret, redact
from scanner.model.resource import Resource
from scanner.model.values import OneOf, Unknown

# a key; what a bracket selects: every item, one by index, the items whose field is a value, or (no field) the
# plain items that are one (`add[=NET_ADMIN]`, the key a fingerprint names such an item by)
_NAME, _CHOICE = r"[^.\[\]]+", r"\*|\d+|[^\]=]*=[^\]]*"
_SELECT = rf"\[(?:{_CHOICE})\]"
_STEP = re.compile(rf"({_NAME})|\[({_CHOICE})\]")
_WELL_FORMED = re.compile(rf"(?:{_NAME}|{_SELECT})(?:{_SELECT})*(?:\.{_NAME}(?:{_SELECT})*)*")


@dataclass(frozen=True)
class Match:
    value: Any
    location: str   # path for the location table (list indices as [i])
    key: str        # path for fingerprints (list items keyed by name where they have one)


def well_formed(path: str) -> bool:
    """Names joined by dots, each followed by any number of `[*]`, `[N]`, `[key=value]` or `[=value]`: what `split`
    reads in full (it skips what it cannot read, so `tags[[x` would read as `tags.x`)."""
    return _WELL_FORMED.fullmatch(path) is not None


@functools.lru_cache(maxsize=4096)   # the policies' few paths, resolved on every resource they judge
def split(path: str) -> tuple[tuple[str, str], ...]:
    return tuple(("key", name) if name else ("select", bracket) for name, bracket in _STEP.findall(path))


def _join(base: str, name: str) -> str:
    return f"{base}.{name}" if base else name


def resolve(resource: Resource, path: str, start: Any = None, base: Match | None = None) -> list[Match]:
    """Every value the path reaches; [] when nothing is there. Unknown values are returned as matches."""
    if start is None:
        start, base = resource.values, Match(resource.values, "", "")
        if path == "pod" or path.startswith("pod."):
            if not resource.pod_spec_path:
                return []
            path = resource.pod_spec_path + path[3:]
    matches = [base or Match(start, "", "")]
    for kind, step in split(path):
        matches = [m for current in matches for m in _step(resource, current, kind, step)]
    return matches


def _step(resource: Resource, current: Match, kind: str, step: str) -> list[Match]:
    value = current.value
    if isinstance(value, Unknown):
        return [current]
    if kind == "key":
        if isinstance(value, list):     # implicit: look into every element (Terraform nested blocks)
            # a block written more than once is located by its index, at its own line; the key stays plain, so a
            # fingerprint does not change when blocks are added or reordered
            return [m for i, item in enumerate(value)
                    for m in _step(resource, Match(item, f"{current.location}[{i}]" if len(value) > 1
                                                   else current.location, current.key), kind, step)]
        if isinstance(value, dict) and step in value:
            return [Match(value[step], _join(current.location, step), _join(current.key, step))]
        return []
    if not isinstance(value, list):
        return []
    keys = item_keys(nameable(resource, current.location, value), IDENTITY_FIELDS)
    if step == "*":
        return [_item(current, i, item, keys[i]) for i, item in enumerate(value)]
    if step.isdigit():
        index = int(step)
        return [_item(current, index, value[index], keys[index])] if index < len(value) else []
    field, _, wanted = step.partition("=")
    out = []
    for i, item in enumerate(value):
        if _is(item, field, wanted):
            out.append(_item(current, i, item, keys[i]))
        elif _may_select(item, field, wanted):
            # an item not known statically, or whose `field` is not, may be the one: what the path reaches in it
            # cannot be told (never passed over, never judged as if it were the one)
            unknown = item if isinstance(item, Unknown) else item[field]
            out.append(Match(Unknown(f"whether {current.key or 'the list'}[{i}] is the [{step}] item "
                                     f"({unknown.reason})", kind=unknown.kind),
                             f"{current.location}[{i}]", f"{current.key}[{i}]"))
    return out


def _is(item: Any, field: str, wanted: str) -> bool:
    """The item `[field=wanted]` selects; `[=wanted]` a plain item that is `wanted`."""
    if field:
        return isinstance(item, dict) and str(item.get(field)) == wanted
    return _plain(item) and str(item) == wanted


def _may_select(item: Any, field: str, wanted: str) -> bool:
    """An item `[field=wanted]` may select: one not known statically, or whose `field` is not (one of a few
    candidates: when `wanted` is among them; a whole item that is one of a few is a plain value, which only
    `[=wanted]` selects)."""
    found = item if isinstance(item, Unknown) else item.get(field) if isinstance(item, dict) else None
    if isinstance(found, OneOf):
        return (found is not item or not field) and wanted in (str(c) for c in found.candidates)
    return isinstance(found, Unknown)


def _item(current: Match, index: int, item: Any, key: str) -> Match:
    return Match(item, f"{current.location}[{index}]", current.key + key)


# What names an item of a list in a fingerprint: a container's, an env entry's, a volume's, a node pool's `name`; a
# port without a name by its containerPort (with the protocol, the key Kubernetes merges ports by); a repeated
# Terraform block without a name by what its provider allows once per list: a replica's region (`region_name` of a
# DynamoDB table's, `region` of a secret's), a geo-location's or geo-replica's `location`, a disk's `lun` or a
# block device's `device_name`. Fields of the providers' schemas, not facts that change with the world: code.
IDENTITY_FIELDS = ("name", "containerPort", "region_name", "region", "location", "lun", "device_name")


def nameable(resource: Resource, location: str, items: list[Any]) -> list[Any]:
    """The items of the list at `location` as `item_keys` may name them: without the identity fields, or the plain
    values, a variable marked sensitive gave (a fingerprint, and the attribute path reports show, would carry the
    value), and without the plain values of a list whose name says it may hold secrets (`admin_passwords`)."""
    if names_a_secret(without_indices(location).rsplit(".", 1)[-1]):
        items = [None if _plain(item) else item for item in items]
    if not resource.chains:
        return items
    return [_nameable(resource, f"{location}[{index}]", item) for index, item in enumerate(items)]


def _nameable(resource: Resource, location: str, item: Any) -> Any:
    if isinstance(item, dict):
        return {field: value for field, value in item.items()
                if field not in IDENTITY_FIELDS or not resource.sensitive_at(f"{location}.{field}")}
    return None if _name_like(item) and resource.sensitive_at(location) else item


def item_keys(items: list[Any], fields: tuple[str, ...]) -> list[str]:
    """How a fingerprint names each item of the list: `[field=value]` by the first of `fields` whose value no other
    item shares, a plain item by its value (`[=NET_ADMIN]`) where no other item is that value, so that inserting an
    item above leaves the others' fingerprints as they were; else `[index]`."""
    identities = [_identities(item, fields) for item in items]
    counts: dict[tuple[str, str], int] = {}
    for found in identities:
        for identity in found:
            counts[identity] = counts.get(identity, 0) + 1
    return [next((f"[{field}={value}]" for field, value in found if counts[field, value] == 1), f"[{index}]")
            for index, found in enumerate(identities)]


def _identities(item: Any, fields: tuple[str, ...]) -> list[tuple[str, str]]:
    """(field, value) of each of `fields` the item has a written value for (a string or a number); ("", value) of a
    plain item that reads as a name."""
    if not isinstance(item, dict):
        return [("", str(item))] if _name_like(item) else []
    return [(field, str(item[field])) for field in fields
            if isinstance(item.get(field), (str, int)) and not isinstance(item.get(field), bool)]


# A plain item names itself when it reads as a name: a capability, a region or zone id, a flag, a CIDR range, an
# OAuth scope. Not one longer than 63 characters, the limit of a DNS label and of a Kubernetes label value, which
# those names fit in: a script in `command` or `args`, a policy document or a certificate would be carried in the
# key, and a one-character edit of it would make the finding a new one. Only letters, digits and `_ . : / -`: no
# space (a command line, a sentence), no `=` (`--token=...` carries a value, maybe a secret), no `@` (a URL's
# credentials), no `]` (the key would not read back as a path), nothing that does not print. Nor what looks like a
# credential (long, letters mixed with digits) or what the secret detectors find: reports print the key in full.
_NAME_LIKE = re.compile(r"[A-Za-z0-9_.:/-]{1,63}")


def _name_like(item: Any) -> bool:
    return _plain(item) and _reads_as_a_name(str(item))


@functools.lru_cache(maxsize=4096)
def _reads_as_a_name(text: str) -> bool:
    """Once per distinct value: the secret detectors run over it, and a list step asks for each item it keys."""
    return _NAME_LIKE.fullmatch(text) is not None and not looks_like_a_token(text) and redact(text) == text


def _plain(item: Any) -> bool:
    """A string or a number (not a boolean: `true` names nothing)."""
    return isinstance(item, (str, int, float)) and not isinstance(item, bool)


def lookup(resource: Resource, path: str, base: Match | None = None) -> list[Match]:
    """`resolve` from the resource, or from a list item when the policy iterates (`each`)."""
    return resolve(resource, path, base.value, base) if base is not None else resolve(resource, path)


def without_indices(path: str) -> str:
    """The same path for the location table, which has no list indices (`node_pool.node_config`)."""
    return re.sub(r"\[\d+\]", "", path)


def strings_at(resource: Resource, path: str) -> list[str]:
    """The strings of the value at `path` (all of them, in lists and maps)."""
    found: list[str] = []
    stack = [match.value for match in resolve(resource, path)] if path else []
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found
