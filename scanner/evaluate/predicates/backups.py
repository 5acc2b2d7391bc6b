"""Backup predicates (EXIT-003): AWS Backup selections and DLM policies that pick a resource by rule, Azure VM
backups that cover a disk, and retention periods. Selection by reference is the `linked` condition's job."""
from __future__ import annotations

import re
from typing import Any

from scanner.evaluate.context import Context
from scanner.evaluate.predicates.spec import NUMBER, STRING, PredicateSpec, spec
from scanner.evaluate.verdict import PASS, Verdict, every, fail, unknown
from scanner.model.paths import Match, lookup
from scanner.model.resource import Resource
from scanner.model.tags import hidden_tags, known_tags, tags_at
from scanner.model.values import Unknown

_ARN_SERVICE = {"aws_db_instance": "rds", "aws_rds_cluster": "rds", "aws_docdb_cluster": "rds",
                "aws_neptune_cluster": "rds", "aws_dynamodb_table": "dynamodb", "aws_efs_file_system":
                "elasticfilesystem", "aws_redshift_cluster": "redshift", "aws_ebs_volume": "ec2",
                "aws_s3_bucket": "s3", "aws_fsx_lustre_file_system": "fsx"}


def _wildcard_covers(entry: Any, resource_type: str) -> bool:
    if not isinstance(entry, str) or "*" not in entry:
        return False
    service = _ARN_SERVICE.get(resource_type)
    return entry == "*" or (service is not None and f":{service}:" in entry)


_CONDITIONS = ("string_equals", "string_like", "string_not_equals", "string_not_like")


def _selects_by_tag(selection: Resource) -> bool:
    """The selection picks resources by tag (a selection_tag or a condition)."""
    if selection.values.get("selection_tag"):
        return True
    conditions = selection.values.get("condition")
    return isinstance(conditions, Unknown) or any(isinstance(c, dict) and any(c.get(kind) for kind in _CONDITIONS)
                                                  for c in _blocks(conditions))


def _blocks(value: Any) -> list[dict]:
    return [block for block in value if isinstance(block, dict)] if isinstance(value, list) else []


def _tag_selected(selection: Resource, tags: dict) -> bool | None:
    """True when the selection picks a resource with these tags by tag, as AWS Backup does (case-sensitive): any
    one selection_tag (equal values), or all of its conditions together (string_equals, string_like with `*`
    matching any characters, and their negations string_not_equals and string_not_like); None when that
    cannot be told: a key, value or tag not known statically, or a negation of a tag the resource lacks (AWS
    does not say whether that holds)."""
    listed, conditions = selection.values.get("selection_tag"), selection.values.get("condition")
    if isinstance(listed, Unknown) or isinstance(conditions, Unknown):
        return None
    results = [_holds("string_equals", t.get("key"), t.get("value"), tags) for t in _blocks(listed)]
    entries = [(kind, entry) for condition in _blocks(conditions) for kind in _CONDITIONS
               for entry in _blocks(condition.get(kind))]
    if entries:
        together = [_holds(kind, e.get("key"), e.get("value"), tags) for kind, e in entries]
        results.append(False if False in together else None if None in together else True)
    return True if True in results else None if None in results else False


def _holds(kind: str, key: Any, value: Any, tags: dict) -> bool | None:
    if isinstance(key, Unknown) or isinstance(value, Unknown) or not isinstance(key, str):
        return None if isinstance(key, Unknown) or isinstance(value, Unknown) else False
    tag = tags.get(key.removeprefix("aws:ResourceTag/"))
    if isinstance(tag, Unknown):
        return None
    negated = kind.startswith("string_not_")
    if tag is None:
        return None if negated else False
    matched = str(tag) == str(value) if kind.endswith("equals") else _like(str(value)).fullmatch(str(tag)) is not None
    return not matched if negated else matched


def _like(pattern: str) -> re.Pattern[str]:
    """A StringLike value: `*` matches any characters (none too), everything else itself."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


def aws_backup_rule_selected(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """An aws_backup_selection picks the resource by rule: by its tags (`path`, default the resource's
    and the provider's default tags) or by an ARN wildcard for its service. Selection by reference is
    the `linked` predicate's job."""
    found = tags_at(resource, args.get("path"), base)   # `tags = var.tags` may carry the tag a selection picks by
    if isinstance(found, Unknown):
        return unknown(found.reason, args["path"])
    tags, hidden = found
    blocker = elsewhere = ""
    for selection in ctx.of_type(["aws_backup_selection"]):
        chosen = selection.values.get("resources")
        by_tag = _tag_selected(selection, tags)
        if by_tag is False and hidden and _selects_by_tag(selection):
            by_tag = None
        selects = by_tag or (isinstance(chosen, list) and any(_wildcard_covers(e, resource.type) for e in chosen))
        if selection.root == resource.root:
            if selects:
                return PASS
            if by_tag is None:
                blocker = blocker or (f"{hidden[0].reason} (its tags, by which {selection.address} selects)" if hidden
                                      else f"the tags by which {selection.address} selects (selection_tag, condition)")
        elif (selects or by_tag is None) and not elsewhere:
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
    return every(_retention(match.value, path, minimum, unit) for match in matches)


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
