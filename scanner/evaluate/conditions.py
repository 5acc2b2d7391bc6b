"""The condition language of policy files, judged over one resource: three-valued (pass, fail, cannot tell).

    all / any / not            combine conditions
    {path, op, value}          compare the value(s) at an attribute path (scanner/evaluate/operators.py)
    {predicate, args}          a named judgement (scanner/evaluate/predicates/)
    {linked: {type, via, where}}
                               some resource of `type` whose attribute `via` refers to this one (and that
                               satisfies `where`): "a customer-managed-key resource points at this account"
"""
from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Iterator

from scanner.evaluate.context import Context, may_refer
from scanner.evaluate.operators import OPERATORS
from scanner.evaluate.predicates import PREDICATES
from scanner.evaluate.predicates.spec import PredicateSpec
from scanner.evaluate.verdict import PASS, Verdict, either, every, fail, unknown
from scanner.model.paths import Match, lookup
from scanner.model.rendered import Place
from scanner.model.resource import Resource
from scanner.model.values import Unknown

if TYPE_CHECKING:
    from scanner.evaluate.policies import Check


def judge(resource: Resource, cond: dict[str, Any], item: Match | None, ctx: Context) -> Verdict:
    if "all" in cond:
        return every([judge(resource, c, item, ctx) for c in cond["all"]])
    if "any" in cond:
        return either([judge(resource, c, item, ctx) for c in cond["any"]])
    if "not" in cond:
        inner = judge(resource, cond["not"], item, ctx)
        if inner.state is True:
            return fail(inner.path, inner.detail, inner.key)
        return inner.negate() if inner.state is None else PASS
    if "linked" in cond:
        return linked(resource, cond["linked"], ctx)
    if "predicate" in cond:
        return _predicate(resource, cond, item, ctx)
    return leaf(resource, cond, item)


def reads_others(cond: Any) -> bool:
    """The condition (or list of them) looks beyond the resource: a `linked` resource, or a predicate that
    reads other resources or derived facts (a namespace's NetworkPolicies, a PodDisruptionBudget, a cluster)."""
    return any("linked" in part or (spec is not None and bool(spec.reads or spec.derived)) for part, spec in _parts(cond))


def judges_alone(check: Check) -> bool:
    """Neither the check's `where` nor its assertion reads beyond the resource."""
    return not reads_others([check.assertion, check.where])


def reads_own_text(check: Check) -> bool:
    """The check reads the text of its resource's file (a secret detector), besides the resource itself."""
    return any(spec is not None and spec.own_text for _, spec in _parts([check.assertion, check.where]))


def reads_own_root(check: Check) -> bool:
    """The check reads other resources of its resource's Terraform root module (a location it copies)."""
    return any(spec is not None and spec.own_root for _, spec in _parts([check.assertion, check.where]))


def _parts(cond: Any) -> Iterator[tuple[dict[str, Any], PredicateSpec | None]]:
    """Each condition in `cond` and in those it combines (all, any, not), with its predicate's spec if it has one."""
    if isinstance(cond, list):
        for item in cond:
            yield from _parts(item)
        return
    if not isinstance(cond, dict):
        return
    yield cond, PREDICATES.get(cond["predicate"]) if isinstance(cond.get("predicate"), str) else None
    for key in ("all", "any", "not"):
        if key in cond:
            yield from _parts(cond[key])


def _predicate(resource: Resource, cond: dict[str, Any], item: Match | None, ctx: Context) -> Verdict:
    verdict = PREDICATES[cond["predicate"]].function(resource, cond.get("args", {}), ctx, item)
    if item is not None and verdict.path and item.location and not verdict.path.startswith(item.location + "."):
        # a path relative to the item (a predicate that looked its attributes up from the resource returns one
        # under the item already: prefixed again, it named no attribute, and its chain was lost)
        return Verdict(verdict.state, f"{item.location}.{verdict.path}", f"{item.key}.{verdict.key}",
                       verdict.detail, verdict.blocker)
    return verdict


def linked(resource: Resource, args: dict[str, Any], ctx: Context) -> Verdict:
    """Another resource of `type` refers to this one through `via` (and satisfies `where`). A resource of
    that type whose `via` could not be resolved might be the one: then it cannot be told."""
    types = args["type"] if isinstance(args["type"], list) else [args["type"]]
    via = args["via"]
    blocker, rejected = "", ""
    decided: tuple[tuple[Place, str], ...] = ()
    for other in ctx.model.linking(types, via, resource):
        if "where" not in args:
            return PASS
        verdict = judge(other, args["where"], None, ctx)
        if verdict.state:
            return PASS
        if verdict.state is None:
            blocker = verdict.blocker
        else:
            rejected = f"{other.address}: {verdict.detail or verdict.key + ' does not qualify'}"
            decided = other.chain_of(verdict.path)   # its value, and where that was set (a caller's argument)
    for other in ctx.model.of_type(types):   # one whose link is not known may be the one (same root only)
        if other.root != resource.root:
            continue
        may = may_refer(other, via)
        # it may be the one only if it qualifies: one that `where` rejects would not count even if it were
        if may and ("where" not in args or judge(other, args["where"], None, ctx).state is not False):
            return unknown(may)
    if blocker:
        return unknown(blocker)
    if rejected:
        return Verdict(False, detail=rejected, decided=decided)
    return fail(detail=f"no {' or '.join(types)} refers to it")


# --- leaves: {path, op, value} --------------------------------------------------------------------
def leaf(resource: Resource, cond: dict[str, Any], item: Match | None) -> Verdict:
    path, op = cond["path"], cond["op"]
    matches = lookup(resource, path, item)
    location = (item.location + "." + path) if item and item.location else path
    key = (item.key + "." + path) if item and item.key else path
    if op in ("exists", "absent"):
        return _presence(matches, op, location, key)
    if op in ("literal", "not_literal"):
        return _literal(resource, matches, op, location, key)
    if not matches:
        return fail(location, f"{key} is not set", key)
    verdicts = [_compare(match, op, cond.get("value"), location, key) for match in matches]
    judged = every(verdicts)
    # The detail of a holding leaf is the evidence when a `not` turns it into a failure.
    return verdicts[0] if judged.state is True else judged


def _compare(match: Match, op: str, wanted: Any, location: str, key: str) -> Verdict:
    """One match of a leaf's path against its operator."""
    location, key = match.location or location, match.key or key
    if isinstance(match.value, Unknown):
        return Verdict(None, location, key, "", match.value.reason)
    held = OPERATORS[op](match.value, wanted)
    if held is None:
        return Verdict(None, location, key, "",
                       f"whether {key} matches the policy's pattern (it could run too long on the value)")
    hidden = next((v for v in match.value if isinstance(v, Unknown)), None) \
        if op == "contains" and isinstance(match.value, list) else None
    if not held and hidden is not None:   # `[var.x]`: the entry not known statically may be the one
        return Verdict(None, location, key, "", hidden.reason)
    return Verdict(held, location, key, f"{_shown_path(key, location)} = {shown(match.value)}")


_PLAIN_ITEM = re.compile(r"\[=[^\]]*\]$")   # the key of a plain item: `add[=NET_ADMIN]`


def _shown_path(key: str, location: str) -> str:
    """The key, but a plain item by its place, where the reader finds it now: `add[1] = NET_ADMIN`, where
    `add[=NET_ADMIN] = NET_ADMIN` would say the value twice and not where it is."""
    plain = _PLAIN_ITEM.search(key)
    if plain is None or not location.endswith("]"):
        return key
    return key[:plain.start()] + location[location.rindex("["):]


def _presence(matches: list[Match], op: str, location: str, key: str) -> Verdict:
    present, blocker = False, ""
    for match in matches:
        value = match.value
        if isinstance(value, Unknown):
            if value.refers_to:
                present = True
            else:
                blocker = value.reason
        elif value not in (None, [], "", {}):
            present = True
    if not present and blocker:
        return Verdict(None, location, key, "", blocker)
    holds = present if op == "exists" else not present
    said = f"{key} is set" if present else f"{key} is not set"
    return Verdict(holds, location, key, said)


def _literal(resource: Resource, matches: list[Match], op: str, location: str, key: str) -> Verdict:
    written = [m for m in matches if m.value not in (None, "")]
    if resource.kind == "terraform":
        is_literal = any(m.location in resource.literal_paths for m in written)
    else:
        is_literal = any(not isinstance(m.value, (Unknown, dict, list)) for m in written)
    if is_literal if op == "literal" else not is_literal:
        return Verdict(True, location, key)
    return Verdict(False, location, key, "written as a literal value")


def shown(value: object) -> str:

    text = json.dumps(value) if isinstance(value, bool) or value is None else str(value)
    return text if len(text) <= 80 else text[:77] + "..."
