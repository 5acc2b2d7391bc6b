"""SEC-001 in a settings string that holds JSON: a VM extension's `settings` and `protected_settings`
(`jsonencode({...})` or a heredoc), where a domain-join password or a storage key is written into the
extension's configuration.

Each leaf of the JSON is judged by its own key (`credentials.host` is a host); a generic one (`value`) by a
secret name beside it, else by the key around it. A leaf is written out when the whole attribute is literal,
or when its `key = "literal"` is written on the attribute's own lines beside references (the finding is
then on that line; scanner/parse/hcl_text.py reads them). A secret that only a variable's default, a local
or a tfvars file holds is SEC-004's, not this rule's.
"""
from __future__ import annotations

import json
from typing import Any, Iterator

from scanner.evaluate.context import Context
from scanner.evaluate.predicates.secrets import and_more, below_item, is_secret_name, rules, secret_value, shown_secret
from scanner.evaluate.predicates.spec import STRING, PredicateSpec, spec
from scanner.evaluate.verdict import PASS, Verdict
from scanner.model.paths import Match, lookup, without_indices
from scanner.model.resource import Resource
from scanner.model.values import Unknown
from scanner.parse.hcl_text import expression_lines, written_pairs

_NAME_KEYS = ("name", "key")

Hit = tuple[str, str, str, Any, int]     # location, key, name, value, line (0: the attribute's own)


def secret_settings(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """No leaf of the settings JSON at `path` has a secret-looking name and a secret written out as a literal."""
    hits = [hit for match in lookup(resource, args["path"], base) for hit in _hits(resource, match, ctx)]
    if not hits:
        return PASS
    location, key, name, value, line = hits[0]
    return Verdict(False, below_item(location, base, "location"), below_item(key, base, "key"),
                   shown_secret(name, value) + and_more(len(hits) - 1), line=line)


def _hits(resource: Resource, match: Match, ctx: Context) -> list[Hit]:
    """Every secret leaf when the attribute is all literal; beside references, each whose `key = "value"` is
    written on the attribute's lines, on that line; when references leave the whole string unknown, each
    secret-named `key = "literal"` written there."""
    if isinstance(match.value, Unknown):
        return [(f"{match.location}.{key}", f"{match.key}.{key}", key, value, line)
                for line, key, value in written_pairs(_attribute_lines(resource, match.location, ctx))
                if is_secret_name(key) and secret_value(value)]
    literal = match.location in resource.literal_paths or _made_in_place(resource, match.location)
    written = None if literal else list(written_pairs(_attribute_lines(resource, match.location, ctx)))
    hits = []
    for name, own, value, location, key in _leaves(match):
        if not is_secret_name(name) or not secret_value(value):
            continue
        line = 0 if written is None else next((n for n, k, v in written if k == own and v == value), -1)
        if line >= 0:
            hits.append((location, key, name, value, line))
    return hits


def _leaves(match: Match) -> Iterator[tuple[str, str, Any, str, str]]:
    """(name it is judged by, key as written, value, location, key) per leaf of the JSON, through nested
    objects and lists."""
    if not isinstance(match.value, str):
        return
    try:
        data = json.loads(match.value)
    except (ValueError, RecursionError):
        return
    stack: list[tuple[Any, str, str]] = [(data, "", "")]
    while stack:
        node, dotted, parent = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        sibling = next((node[k] for k in _NAME_KEYS if isinstance(node, dict) and isinstance(node.get(k), str)), "")
        for name, item in items:
            path = f"{dotted}.{name}" if dotted else str(name)
            own = parent if isinstance(name, int) else str(name)
            if isinstance(item, (dict, list)):
                if path.count(".") < 16:
                    stack.append((item, path, own))
                continue
            judged = own
            if own.lower() in rules().generic_leaves:
                judged = sibling if sibling and is_secret_name(sibling) else (parent or own)
            yield judged, own, item, f"{match.location}.{path}", f"{match.key}.{path}"


def _attribute_lines(resource: Resource, location: str, ctx: Context) -> list[tuple[int, str]]:
    """The lines of the attribute's expression at `location`, in every block that holds it (each of a scale
    set's extension blocks)."""
    wanted = without_indices(location)
    starts = sorted({n for key, n in resource.locations.items() if without_indices(key) == wanted})
    if resource.kind != "terraform" or not starts:
        return []
    lines = ctx.model.texts.get(resource.path, "").splitlines()
    return [line for start in starts for line in expression_lines(lines, start)]


def _made_in_place(resource: Resource, location: str) -> bool:
    """The attribute's value is made in its own block from what is written there (`jsonencode({...})` of
    literals): nothing outside the block, no variable, local, caller or for_each element, decided it."""
    return resource.kind == "terraform" and location in resource.locations and \
        not resource.chains.get(location) and not resource.chains.get(without_indices(location)) and \
        not resource.address.endswith("]") and "." not in location   # each.value, a dynamic block's iterator


SETTINGS_SECRETS: dict[str, PredicateSpec] = {
    "secret_settings": spec(secret_settings, required={"path": STRING}, registries=("secret-detectors",),
                            own_text=True),   # the attribute's lines in its file
}
