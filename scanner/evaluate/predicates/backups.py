"""Backup predicates (EXIT-003): AWS Backup selections (by reference, ARN wildcard or tag, as AWS combines them)
and DLM policies that pick a resource, Azure VM backups that cover a disk, and retention periods."""
from __future__ import annotations

from typing import Any

from scanner.evaluate.context import Context, may_refer
from scanner.evaluate.predicates.spec import NUMBER, STRING, PredicateSpec, spec
from scanner.evaluate.verdict import PASS, Verdict, at_match, either, every, fail, unknown
from scanner.model.paths import Match, lookup
from scanner.model.resource import Resource
from scanner.model.tags import hidden_tags, known_tags, tags_at
from scanner.model.values import Unknown
from scanner.registries.portability import portability
from scanner.registries.regions import regions

_OPEN = "\0"   # a part of the ARN the code does not fix (account, a generated name): only a `*` matches it all


def _arn(resource: Resource) -> str | None:
    """The resource's ARN as far as the code fixes it (the rest _OPEN), or None when its format is not listed."""
    formats = portability().backup_arns
    if resource.type not in formats:
        return None
    service, kind, attribute = formats[resource.type]
    name = resource.values.get(attribute) if attribute else None
    name = name if isinstance(name, str) and name and "*" not in name else _OPEN
    if service in ("rds", "redshift"):
        name = name.lower()   # RDS and Redshift keep identifiers in lowercase, and name them so in ARNs
    region = resource.values.get("region", resource.provider_values.get("region"))
    region = region if isinstance(region, str) and region and "*" not in region else _OPEN
    # the partition follows the region; one not known statically is read as aws's, as the region tables do
    prefixes = regions().partitions.get("aws", {})
    partition = next((p for prefix, p in prefixes.items() if region.startswith(prefix)), "aws")
    if service == "s3":
        return f"arn:{partition}:s3:::{name}"
    return f"arn:{partition}:{service}:{region}:{_OPEN}:{kind}{name}"


def _arn_covers(entry: Any, resource: Resource) -> bool | None:
    """Whether an entry of `resources` (an ARN, `*` matching any characters) names the resource: for certain when
    it matches whatever the code leaves open; perhaps when it matches some ARN the resource may have."""
    if not isinstance(entry, str):
        return False
    arn = _arn(resource)
    if entry == "*" or (arn is not None and _like(entry, arn)):
        return True
    return None if arn is None or _may_match(entry, arn) else False


_MAX_CELLS = 1_000_000   # pattern length times ARN length: past it a repository's pattern is taken to match perhaps


def _may_match(pattern: str, arn: str) -> bool:
    """Some ARN the resource may have matches the pattern: each open part of `arn` is an account, region or name,
    which holds no `:` or `/`. Table-driven (no recursion, no backtracking): time and depth stay bounded for a
    pattern of any length."""
    if (len(pattern) + 1) * (len(arn) + 1) > _MAX_CELLS:
        return True
    # below[j]: the rest of the pattern after position i matches arn[j:] (the row of i + 1)
    below = [arn[j:].strip(_OPEN) == "" for j in range(len(arn) + 1)]
    for i in range(len(pattern) - 1, -1, -1):
        row = [False] * (len(arn) + 1)
        row[len(arn)] = pattern[i:].strip("*") == ""
        for j in range(len(arn) - 1, -1, -1):
            if pattern[i] == "*":
                row[j] = below[j] or row[j + 1]
            elif arn[j] == _OPEN:
                row[j] = row[j + 1] or (pattern[i] not in ":/" and below[j])
            else:
                row[j] = pattern[i] == arn[j] and below[j + 1]
        below = row
    return below[0]


_CONDITIONS = ("string_equals", "string_like", "string_not_equals", "string_not_like")
_SELECTION = ["aws_backup_selection"]


def _given(value: Any) -> bool:
    """A selection part that is written: not known statically, or a non-empty list."""
    return isinstance(value, Unknown) or (isinstance(value, list) and bool(value))


def _blocks(value: Any) -> list[dict]:
    return [block for block in value if isinstance(block, dict)] if isinstance(value, list) else []


def _named(selection: Resource, via: str, resource: Resource, referring: list[Resource]) -> Verdict:
    """The selection's `via` (resources, not_resources) names the resource: by reference (`referring`: the
    selections whose `via` refers to it) or by an ARN wildcard of its service; an entry not known statically
    may be it."""
    value = selection.values.get(via)
    entries = value if isinstance(value, list) else []
    covered = [_arn_covers(e, resource) for e in entries]
    if any(other is selection for other in referring) or True in covered:
        return PASS
    may = may_refer(selection, via)
    if may:
        return unknown(may)
    arn = next((e for e, c in zip(entries, covered) if c is None), None)
    return unknown(f"whether {arn} (in {selection.address}.{via}) is its ARN") if arn else fail()


def _by_tags(selection: Resource, part: str, tags: dict, hidden: list[Unknown]) -> Verdict:
    """The selection's `part` holds for a resource with these tags, as AWS Backup judges it (case-sensitive):
    any one selection_tag (equal values), or all of its conditions together (string_equals, string_like with
    `*` matching any characters, and their negations string_not_equals and string_not_like). It cannot be told
    when a key, value or tag is not known statically, or for a negation of a tag the resource lacks (AWS does
    not say whether that holds); tags not known statically may make one that fails hold."""
    value = selection.values.get(part)
    if part == "selection_tag":
        held = None if isinstance(value, Unknown) else \
            _any([_holds("string_equals", t.get("key"), t.get("value"), tags) for t in _blocks(value)])
    else:
        held = None if isinstance(value, Unknown) else _all(
            [None if isinstance(condition.get(kind), Unknown) else   # a dynamic block over a variable
             _all([_holds(kind, e.get("key"), e.get("value"), tags) for e in _blocks(condition.get(kind))])
             for condition in _blocks(value) for kind in _CONDITIONS])
    if held is False and not hidden:
        return fail()
    if held:
        return PASS
    return unknown(f"{hidden[0].reason} (its tags, by which {selection.address} selects)" if hidden
                   else f"the tags by which {selection.address} selects ({part})")


def _any(results: list[bool | None]) -> bool | None:
    return True if True in results else None if None in results else False


def _all(results: list[bool | None]) -> bool | None:
    return False if False in results else None if None in results else True


def _holds(kind: str, key: Any, value: Any, tags: dict) -> bool | None:
    if isinstance(key, Unknown) or isinstance(value, Unknown) or not isinstance(key, str):
        return None if isinstance(key, Unknown) or isinstance(value, Unknown) else False
    tag = tags.get(key.removeprefix("aws:ResourceTag/"))
    if isinstance(tag, Unknown):
        return None
    negated = kind.startswith("string_not_")
    if tag is None:
        return None if negated else False
    if kind.endswith("equals"):
        matched = str(tag) == str(value)
    else:
        matched = _like(str(value), str(tag))
        if "?" in str(value) and _like(str(value), str(tag), one="?") != matched:
            return None   # AWS documents `*` alone: whether `?` matches one character, as in IAM, it does not say
    return not matched if negated else matched


def _like(pattern: str, text: str, one: str = "") -> bool:
    """`text` matches a StringLike `pattern`: `*` matches any characters (none too), everything else itself. A
    wildcard match that returns to the last `*` only, never a regular expression, whose backtracking a pattern of
    many `*` written in a repository would make run for minutes. `one` (`?`) matches any one character."""
    p = t = 0
    star, resume = -1, 0
    while t < len(text):
        if p < len(pattern) and pattern[p] == "*":
            star, resume, p = p, t, p + 1
        elif p < len(pattern) and (pattern[p] == text[t] or pattern[p] == one):
            p, t = p + 1, t + 1
        elif star >= 0:
            p, resume = star + 1, resume + 1
            t = resume
        else:
            return False
    return pattern[p:].strip("*") == ""


def _selects(selection: Resource, resource: Resource, tags: dict, hidden: list[Unknown], ctx: Context) -> Verdict:
    """The selection picks the resource as AWS Backup combines its parts: `resources` AND the conditions, or
    `resources` OR the selection_tags (ListOfTags); one part alone decides alone; `not_resources` leaves out
    what it names. AWS does not say how selection_tags and conditions combine: that is decided only when
    every part agrees. A selection of none of them picks every resource of the types the account opted in."""
    values = selection.values
    parts: dict[str, Verdict] = {}
    if _given(values.get("resources")):
        parts["resources"] = _named(selection, "resources", resource,
                                    ctx.model.linking(_SELECTION, "resources", resource))
    for part in ("selection_tag", "condition"):
        if _given(values.get(part)) and (part == "selection_tag" or _conditions_given(values[part])):
            parts[part] = _by_tags(selection, part, tags, hidden)
    listed, conditioned = parts.get("selection_tag"), parts.get("condition")
    if listed and conditioned:
        agreed = {verdict.state for verdict in parts.values()}
        verdict = next(iter(parts.values())) if len(agreed) == 1 else \
            unknown(f"how {selection.address} combines selection_tag with condition (AWS Backup documents "
                    "how each combines with resources, not with each other)")
    elif conditioned:
        verdict = every(parts.values())
    elif parts:
        verdict = either(list(parts.values()))
    else:
        verdict = unknown(f"whether {selection.address}, which names no resources, selection_tag or condition, "
                          "selects it (AWS Backup then selects every resource of the types the account opted in to)")
    if verdict.state is False or not _given(values.get("not_resources")):
        return verdict
    left_out = _named(selection, "not_resources", resource, ctx.model.linking(_SELECTION, "not_resources", resource))
    if left_out.state:
        return fail()
    return verdict if left_out.state is False else left_out


def _conditions_given(conditions: Any) -> bool:
    """`condition { ... }` holds an entry (or one not known statically): an empty block selects nothing by tag."""
    return isinstance(conditions, Unknown) or any(isinstance(c.get(kind), Unknown) or _blocks(c.get(kind))
                                                  for c in _blocks(conditions) for kind in _CONDITIONS)


def aws_backup_rule_selected(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """An aws_backup_selection picks the resource: by reference or ARN wildcard (`resources`, less
    `not_resources`), by its tags (`path`, default the resource's and the provider's default tags) in
    selection_tag or condition blocks, combined as AWS Backup documents."""
    found = tags_at(resource, args.get("path"), base)   # `tags = var.tags` may carry the tag a selection picks by
    tags, hidden = ({}, [found]) if isinstance(found, Unknown) else found
    blocker = elsewhere = ""
    for selection in ctx.of_type(_SELECTION):
        verdict = _selects(selection, resource, tags, hidden, ctx)
        if selection.root == resource.root:
            if verdict.state:
                return PASS
            blocker = blocker or verdict.blocker
        elif verdict.state is not False and not elsewhere:
            # a selection picks by tag or wildcard in the account and region it is deployed to: another root
            # module's holds only if that root deploys where this one does, which the code does not say
            elsewhere = _in_another_root(selection, "selects")
    if blocker or elsewhere:
        return unknown(blocker or elsewhere)
    return fail(detail="no aws_backup_selection selects it")


def _in_another_root(selector: Resource, verb: str) -> str:
    """What an AWS Backup selection or DLM policy of another root module may do: it picks resources in the
    account and region it is deployed to, which the code does not tie to this root's."""
    return (f"{selector.address} in root module {selector.root or '.'} {verb} it if that root deploys to the "
            "same AWS account and region")


def dlm_selected(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """An EBS volume that an enabled aws_dlm_lifecycle_policy snapshots: the policy's target_tags are all
    among the volume's tags (its own and the provider's default tags), and its resource_types include VOLUME
    (the default). A policy targets the volumes of the account and region it is deployed to: one in another
    root module holds only if that root deploys there, which the code does not say (unresolved)."""
    tags, hidden = known_tags(resource), hidden_tags(resource)
    own = resource.values.get("tags")
    blocker = elsewhere = ""
    for policy in ctx.of_type(["aws_dlm_lifecycle_policy"]):
        state = policy.values.get("state", "ENABLED")
        if not isinstance(state, Unknown) and str(state).upper() == "DISABLED":
            continue
        selects = _dlm_targets(policy, tags, own, bool(hidden))
        if selects is True and isinstance(state, Unknown) and policy.root == resource.root:
            blocker = blocker or f"whether {policy.address} is enabled (state: {state.reason})"
            continue
        if policy.root != resource.root:
            if selects is not False and not elsewhere:
                elsewhere = _in_another_root(policy, "snapshots")
        elif selects is True:
            return PASS
        elif selects is None:
            blocker = blocker or (f"{hidden[0].reason} (its tags, by which {policy.address} targets volumes)" if hidden else
                                  f"the target_tags of {policy.address} against the volume's tags")
    if blocker or elsewhere:
        return unknown(blocker or elsewhere)
    return fail(detail="no aws_backup_selection or enabled aws_dlm_lifecycle_policy snapshots it")


def _dlm_targets(policy: Resource, tags: dict, own: Any, hidden: bool = False) -> bool | None:
    """True when one of the policy's details targets a volume with these tags, None when that is not known."""
    undecided = False
    for details in policy.values.get("policy_details") or []:
        if not isinstance(details, dict):
            continue
        kinds, wanted = details.get("resource_types", ["VOLUME"]), details.get("target_tags")
        if isinstance(kinds, Unknown) or isinstance(wanted, Unknown):
            undecided = True
            continue
        if not isinstance(wanted, dict) or not wanted or "VOLUME" not in (kinds or ["VOLUME"]):
            continue
        seen = [tags.get(key) for key in wanted]
        if isinstance(own, Unknown) or any(isinstance(v, Unknown) for v in [*wanted.values(), *seen]):
            undecided = True
        elif all(tag is not None and str(tag) == str(value) for tag, value in zip(seen, wanted.values())):
            return True
        elif hidden:
            undecided = True    # the provider's default tags, not known statically, may carry the target tags
    return None if undecided else False


def vm_backed_up(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The virtual machine the value at `path` refers to is protected by azurerm_backup_protected_vm
    (used on a data disk attachment: the disk is backed up with its VM). A VM named by a literal id is not in
    the code: a protected VM of the root with that source_vm_id backs it up, else whatever backs it up is
    managed where the VM is (unresolved, as a value not known statically is)."""
    path = args.get("path", "virtual_machine_id")
    found = [m.value for m in lookup(resource, path, base)]
    machines = resource.references.get(path, frozenset())
    if not machines:
        if found and isinstance(found[0], Unknown):
            return unknown(found[0].reason, path)
        if found and isinstance(found[0], str) and found[0]:
            return _literal_vm_backed_up(resource, found[0], path, ctx)
        return fail(path, "refers to no virtual machine in the code")
    blocker = ""
    for protected in ctx.of_type(["azurerm_backup_protected_vm"]):
        # references name resources of their own root module: the same address in another root is another VM
        if protected.root != resource.root:
            continue
        chosen = protected.references.get("source_vm_id", frozenset())
        if machines & chosen:
            return PASS
        value = protected.values.get("source_vm_id")
        if isinstance(value, Unknown) and value.refers_to is None and not chosen and not blocker:
            blocker = f"{value.reason} ({protected.address}.source_vm_id, which may be {', '.join(sorted(machines))})"
    if blocker:
        return unknown(blocker, path)
    return fail(path, f"{', '.join(sorted(machines))} is not protected by azurerm_backup_protected_vm")


def _literal_vm_backed_up(resource: Resource, vm_id: str, path: str, ctx: Context) -> Verdict:
    for protected in ctx.of_type(["azurerm_backup_protected_vm"]):
        source = protected.values.get("source_vm_id")
        if protected.root == resource.root and isinstance(source, str) and source.lower() == vm_id.lower():
            return PASS     # ARM ids compare without case
    return unknown(f"whether the virtual machine {vm_id} is backed up (it is not in the scan: its id is written out, "
                   "so what protects it is managed where the VM is)", path)


def retention_at_least(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """Every backup retention at `path` is at least `min` (days unless `unit` says otherwise). `default`
    is the provider's value when the argument is omitted; without one, omitting it is a finding."""
    path, minimum, unit = args["path"], float(args["min"]), args.get("unit", "days")
    matches = [m for m in lookup(resource, path, base) if m.value is not None]
    if not matches:
        if "default" in args and float(args["default"]) >= minimum:
            return PASS
        shown = f" (provider default {args['default']} {unit})" if "default" in args else ""
        return fail(path, f"{path} is not set{shown}")
    return every(at_match(_retention(match.value, path, minimum, unit), path, match.location, match.key)
                 for match in matches)


def _retention(value: Any, path: str, minimum: float, unit: str) -> Verdict:
    if isinstance(value, Unknown):
        return unknown(value.reason, path)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return fail(path, f"{path} = {value!r} is not a number")
    if number >= minimum:
        return PASS
    return fail(path, f"{path} = {value} {unit}, below {minimum:g}")


BACKUPS: dict[str, PredicateSpec] = {
    "aws_backup_rule_selected": spec(aws_backup_rule_selected, optional={"path": STRING},
                                     reads=("aws_backup_selection resources",)),
    "dlm_selected": spec(dlm_selected, reads=("aws_dlm_lifecycle_policy resources",)),
    "vm_backed_up": spec(vm_backed_up, optional={"path": STRING}, reads=("azurerm_backup_protected_vm resources",)),
    "retention_at_least": spec(retention_at_least, required={"path": STRING, "min": NUMBER},
                               optional={"default": NUMBER, "unit": STRING}),
}
