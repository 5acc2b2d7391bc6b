"""Stage 4: run the selected policies over the model; every check passes, fails or stays unresolved."""
from __future__ import annotations

import datetime
import fnmatch
import posixpath
import itertools
import math
import re
import string
from collections import defaultdict
from dataclasses import replace
from typing import Any

from scanner.config import Config
from scanner.evaluate import overlays
from scanner.evaluate.conditions import judge, judges_alone, reads_others, reads_own_root, reads_own_text
from scanner.evaluate.context import Context
from scanner.evaluate.fingerprint import attribute_in_root, finding_key
from scanner.masking import masked, redact
from scanner.evaluate import messages
from scanner.evaluate.outcome_cache import ONE_PASS, Concluded, Outcome, Unit, Units
from scanner.evaluate.policies import LANGUAGES, Check, Policy
from scanner.evaluate.selection import mode_of
from scanner.evaluate.result import Finding, Passed, Result
from scanner.evaluate.verdict import Verdict, unknown
from scanner.model.paths import Match, resolve, strings_at, without_indices
from scanner.model.rendered import AS_DEPLOYED_FACT, NOT_WRITTEN, SENSITIVE, UNRENDERED_FACT, Place
from scanner.model.resource import META_TYPES, Model, Resource
from scanner.model.values import OneOf, Unknown



class _Formatter(string.Formatter):
    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        return kwargs.get(key, "{" + str(key) + "}")


def _message(template: str, resource: Resource, verdict: Verdict, item: Match | None) -> str:
    fields = {"address": resource.address, "type": resource.type, "name": resource.name,
              "detail": verdict.detail, "path": verdict.key or verdict.path, "item": _item_name(item),
              "values": resource.values}
    text = _Formatter().format(template, **fields)
    if verdict.detail and "{detail}" not in template and verdict.detail not in text:   # evidence said once
        text = f"{text}: {verdict.detail}"
    return text


def _item_name(item: Match | None) -> str:
    if item is None:
        return ""
    if isinstance(item.value, dict) and isinstance(item.value.get("name"), str):
        return item.value["name"]
    return item.location    # where the reader finds it now (`replica[1]`); the key names it for the fingerprint


class _Index:
    """(kind, type) -> resources, for matching policies to resources."""

    def __init__(self, model: Model):
        self.by_kind_type: dict[tuple[str, str], list[Resource]] = defaultdict(list)
        for resource in model.resources:
            self.by_kind_type[(resource.kind, resource.type)].append(resource)

    def matching(self, check: Check) -> list[Resource]:
        lists: list[list[Resource]] = []
        for kind, types in check.match.items():
            for pattern in types:
                if "*" not in pattern:
                    lists.append(self.by_kind_type.get((kind, pattern), []))
                    continue
                lists.extend(resources for (k, type_name), resources in self.by_kind_type.items()
                             if k == kind and type_name not in META_TYPES and fnmatch.fnmatchcase(type_name, pattern))
        if len(lists) == 1:   # in model order already (SEC-002's every text file: no copy, no sort keys)
            return lists[0]
        unique = {id(r): r for out in lists for r in out}.values()   # a resource two patterns match is checked once
        return sorted(unique, key=lambda r: (r.path, r.line, r.address))


class _Run:
    """One run of the policies: the outcome lists it fills."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.findings: list[Finding] = []
        self.unresolved: list[Finding] = []
        self.passed: list[Passed] = []
        self.checks = 0
        # the passes of the policy being judged, by id() of their resource: a policy's checks that hold on one
        # resource share one record (SEC-002's four on every text file of a large repository)
        self._passes: tuple[str, dict[int, Passed]] = ("", {})
        self.build_of: dict[int, str] = {}   # id(finding) -> build root of the rendered object it is about

    def record(self, into: list[Finding], finding: Finding, resource: Resource) -> None:
        into.append(finding)
        if resource.places:
            self.build_of[id(finding)] = resource.root

    def check_in(self, unit: Unit, policy: Policy, number: int, resource: Resource, mode: str) -> None:
        """Check `number` of `policy` on `resource` of an outcome cache unit: what the unit remembers, else
        judged and recorded for it."""
        check = policy.checks[number]
        if unit.remembered is None:
            unit.made.extend(self._recorded(policy, number, resource, mode))
            return
        concluded = unit.remembered.get((policy.id, number, id(resource)))
        if concluded is not None and not _countable(concluded, check, resource):
            self.check(policy, check, resource, mode)
        elif concluded is not None:
            self._replay(policy, concluded, resource)

    def _recorded(self, policy: Policy, number: int, resource: Resource, mode: str) -> list[Outcome]:
        """Check `number` of `policy` on `resource`, and what it added (nothing when it did not apply)."""
        checks, findings, unresolved, passed = self.checks, len(self.findings), len(self.unresolved), len(self.passed)
        self.check(policy, policy.checks[number], resource, mode)
        if self.checks == checks:
            return []
        concluded = Concluded(self.checks - checks, len(self.passed) - passed, tuple(self.findings[findings:]),
                              tuple(self.unresolved[unresolved:]))
        return [Outcome(policy.id, number, resource, ONE_PASS if concluded == ONE_PASS else concluded)]

    def _replay(self, policy: Policy, concluded: Concluded, resource: Resource) -> None:
        """Add what a check of `policy` concluded on `resource` in an earlier run, as `check` would add it."""
        self.checks += concluded.checks
        self.findings.extend(concluded.findings)
        self.unresolved.extend(concluded.unresolved)
        self.passed.extend([self._pass(policy, resource)] * concluded.passes)

    def judge(self, resource: Resource, condition: dict[str, Any], item: Match | None) -> Verdict:
        """The condition's verdict; when a value it reads is one of a few candidates, the verdict every
        candidate agrees on."""
        verdict = judge(resource, condition, item, self.ctx)
        if verdict.state is not None or item is not None:
            return verdict
        return by_candidates(resource, condition, verdict, self.ctx)

    def check(self, policy: Policy, check: Check, resource: Resource, mode: str) -> None:
        if check.where is not None:
            applies = self.judge(resource, check.where, None)
            if applies.state is False:
                return
            if applies.state is None:
                self.checks += 1
                self.record(self.unresolved, _finding(policy, check, resource, applies, None, mode, "open"), resource)
                return
        items: list[Match | None] = [None]
        if check.each:
            known, hidden = _items(resource, check.each)
            items = list(known)
            if hidden is not None:   # items not known statically (a dynamic block over a variable): not judged,
                self.checks += 1     # so not passed either
                verdict = Verdict(None, hidden.location or check.each, hidden.key or check.each, "",
                                  hidden.value.reason)
                self.record(self.unresolved, _finding(policy, check, resource, verdict, None, mode, "open"), resource)
        for item in items:
            self.checks += 1
            parts = _conjuncts(check.assertion)
            verdicts = [self.judge(resource, part, item) for part in parts]
            partial = resource.facts.get(UNRENDERED_FACT)
            if partial:
                verdicts = [_on_partial_render(resource, check, part, verdict, partial)
                            for part, verdict in zip(parts, verdicts)]
            failed = _by_attribute([v for v in verdicts if v.state is False])
            undecided = next((v for v in verdicts if v.state is None), None)
            if failed:   # each written attribute that fails is a finding of its own (hostPID, hostIPC, ...)
                written = [v for v in failed if _written(resource, v.path)]
                for verdict in written or failed[:1]:
                    self.record(self.findings, _finding(policy, check, resource, verdict, item, mode, "fail"), resource)
            elif undecided is not None:
                self.record(self.unresolved, _finding(policy, check, resource, undecided, item, mode, "open"), resource)
            else:
                self.passed.append(self._pass(policy, resource))

    def _pass(self, policy: Policy, resource: Resource) -> Passed:
        """The record of a check of `policy` that held on `resource`: one for all such checks."""
        policy_id, passes = self._passes
        if policy_id != policy.id:
            passes = {}
            self._passes = (policy.id, passes)
        passed = passes.get(id(resource))
        if passed is None:
            passed = passes[id(resource)] = Passed(policy.id, resource.address, resource.path, resource.line,
                                                   resource.terraform_root)
        return passed


def _on_partial_render(resource: Resource, check: Check, part: dict[str, Any], verdict: Verdict,
                       partial: str) -> Verdict:
    """A verdict on an object of a build rendered in part: neither pass nor violation, except a failure
    on the object alone when the object is as deployed (its build lacks only other objects). A pass may
    not hold for what is missing, and a failure that reads other objects (no NetworkPolicy selects it)
    may be answered by them."""
    if verdict.state is None:
        return verdict
    alone = not reads_others([part, check.where])
    if verdict.state is False and resource.facts.get(AS_DEPLOYED_FACT) and alone:
        return verdict
    return unknown(partial, verdict.path)


def _by_attribute(failed: list[Verdict]) -> list[Verdict]:
    """One verdict per failing attribute; parts that fail on the same attribute say all they found, in order
    (a Key Vault outside the EU that also replicates to a paired region is both)."""
    merged: dict[str, Verdict] = {}
    for verdict in failed:
        key = verdict.key or verdict.path
        first = merged.get(key)
        if first is None:
            merged[key] = verdict
        elif verdict.detail and verdict.detail not in first.detail:
            merged[key] = replace(first, detail=f"{first.detail}; {verdict.detail}" if first.detail else verdict.detail)
    return list(merged.values())


MAX_VARIANTS = 32


def by_candidates(resource: Resource, condition: dict[str, Any], undecided: Verdict, ctx: Context) -> Verdict:
    """Judge the resource once per combination of the candidates its OneOf values may take (at most
    MAX_VARIANTS); a verdict all of them share is the verdict, otherwise it stays undecided."""
    choices = _one_ofs(resource.values, ())
    if not choices or math.prod(len(c.candidates) for _, c in choices) > MAX_VARIANTS:
        return undecided
    verdicts = []
    for combination in itertools.product(*(c.candidates for _, c in choices)):
        values = resource.values
        for (path, _), value in zip(choices, combination):
            values = _replaced(values, path, value)
        verdicts.append(judge(replace(resource, values=values), condition, None, ctx))
    states = {v.state for v in verdicts}
    if states == {True}:
        return verdicts[0]
    if states == {False}:
        first = verdicts[0]
        shown = " or ".join(map(str, dict.fromkeys(c for _, o in choices for c in o.candidates)))
        # the detail is the first combination's: say which that is when it does not (the paired region of eastus)
        unnamed = [str(o.candidates[0]) for _, o in choices if not _names(first.detail, str(o.candidates[0]))]
        said = f"for {' and '.join(unnamed)}; " if unnamed else ""
        return Verdict(False, first.path, first.key, f"{first.detail} ({said}it is one of {shown}, and each fails)",
                       line=first.line)
    return undecided


def _names(detail: str, value: str) -> bool:
    """The detail names the value as a word of its own (eastus, not the eastus in eastus2)."""
    return re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", detail) is not None


def _one_ofs(value: Any, path: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], OneOf]]:
    if isinstance(value, OneOf):
        return [(path, value)]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in _one_ofs(item, path + (key,))]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in _one_ofs(item, path + (index,))]
    return []


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    """A copy of `value` with the element at `path` replaced (the original is shared, never changed)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replaced(value[head], rest, new)}
    copied = list(value)
    copied[head] = _replaced(copied[head], rest, new)
    return copied


def evaluate(model: Model, policies: list[Policy], config: Config, today: datetime.date | None = None,
             units: Units | None = None) -> Result:
    """`units`: the outcome cache's units of this model (scanner/evaluate/outcome_cache.py): a check that judges
    a resource alone replays a unit's remembered outcome, or is judged and recorded for it."""
    ctx = Context(model, config, today or datetime.date.today())
    index = _Index(model)
    run = _Run(ctx)
    for policy in policies:
        mode = mode_of(config, policy, ctx.today)
        if mode == "off":
            continue
        for number, check in enumerate(policy.checks):
            alone, text, root = judges_alone(check), reads_own_text(check), reads_own_root(check)
            for resource in index.matching(check):
                unit = units.of(resource, text, root) if units is not None and alone else None
                if unit is None:
                    run.check(policy, check, resource, mode)
                else:
                    run.check_in(unit, policy, number, resource, mode)
    findings = overlays.named(run.findings, run.build_of, model.builds)
    unresolved = overlays.named(run.unresolved, run.build_of, model.builds)
    distinct, open_checks = _distinct(findings), _distinct(unresolved)
    # a check whose finding repeats another (one module called the same way from two roots) is reported once,
    # and counted once, so passes, findings and unresolved checks add up to the run's checks
    repeats = len(findings) - len(distinct) + len(unresolved) - len(open_checks)
    return Result(distinct, open_checks, list(policies), run.passed, checks=run.checks - repeats)


def _countable(concluded: Concluded, check: Check, resource: Resource) -> bool:
    """The remembered counts are ones the check could make on the resource: no more checks than it has items
    (an entry another job wrote could ask for billions of passes)."""
    if check.each:
        known, hidden = _items(resource, check.each)
        items = len(known) + (hidden is not None)
    else:
        items = 1
    return 0 <= concluded.passes <= concluded.checks <= max(items, 1)


def _items(resource: Resource, each: str) -> tuple[list[Match], Match | None]:
    """The items at `each` a check judges one by one, and the first that is not known statically (the list
    itself, or an element of it)."""
    matches = resolve(resource, each)
    return [m for m in matches if not isinstance(m.value, Unknown)], \
        next((m for m in matches if isinstance(m.value, Unknown)), None)


def _written(resource: Resource, path: str) -> bool:
    """The verdict points at an attribute written in the block (not at one that is missing)."""
    return bool(path) and path in resource.locations and any(
        m.value not in (None, "", [], {}) for m in resolve(resource, path))


def _conjuncts(assertion: dict[str, Any]) -> list[dict[str, Any]]:
    """The parts of a top-level `all:` (nested ones flattened), each judged on its own so that every
    failing part is reported; any other assertion is one part."""
    if "all" not in assertion:
        return [assertion]
    return [part for inner in assertion["all"] for part in _conjuncts(inner)]


def _finding(policy: Policy, check: Check, resource: Resource, verdict: Verdict, item: Match | None,
             mode: str, kind: str) -> Finding:
    location = check.location if check.location else verdict.path or (item.location if item else "")
    key = verdict.key or (item.key if item else "")
    place = Place(resource.path, verdict.line) if verdict.line else resource.place_of(location)
    path, line = place.path, place.line
    if kind == "open":
        heads = {lang: messages.undecided(policy, resource.address, verdict.blocker, lang) for lang in LANGUAGES}
        level = "note"
    else:
        heads = {lang: _message(messages.template(policy, check, lang), resource, verdict, item) for lang in LANGUAGES}
        level = policy.level_of(check) if mode == "deny" else _audit_level(policy.level_of(check))
    notes: list[tuple[str, str, bool]] = []   # (note, place, the place is a plan) after the message
    chain = ((path, line, "attribute"),) if verdict.line else \
        tuple((p.path, p.line, role) for p, role in resource.chain_of(location))
    chain += tuple((p.path, p.line, role) for p, role in verdict.decided)
    origin = resource.origins.get(without_indices(location))
    if resource.user_site is not None:   # downloaded module code: the user changes it at the module call
        notes.append(("installed", f"{resource.path}:{line}", False))
        path, line = resource.user_site.path, resource.user_site.line
    elif origin is not None and kind == "fail":   # the value was written at a module call site
        notes.append(("passed", f"{resource.path}:{line}", False))
        path, line = origin.path, origin.line
    default = _module_default(resource, location, chain) if kind == "fail" and origin is None and resource.user_site is None \
        else None
    if default is not None and resource.call_site is not None:   # the caller decides: report at each call
        notes.append(("default", f"{default[0]}:{default[1]}", False))
        path, line = resource.call_site.path, resource.call_site.line
    else:
        decided = _decided_at(chain, path, line)
        if decided and kind == "fail":
            notes.append(("set", *decided))
    texts = {lang: redact(head + "".join(messages.note(name, messages.plan_place(where, lang) if plan else where, lang)
                                         for name, where, plan in notes)) for lang, head in heads.items()}
    detail = redact(verdict.detail)
    if any(role == SENSITIVE for *_, role in chain):   # as Terraform hides a value a sensitive variable gave
        secret = strings_at(resource, location)
        texts = {lang: masked(text, secret) for lang, text in texts.items()}
        detail = masked(detail, secret)
    own_file = not resource.places or path == resource.path   # the resource's lines are lines of this file
    # Module code shared by several roots has the same addresses under each: the root tells them apart.
    shared = resource.module and resource.root and not path.startswith(resource.root + "/")
    identity = attribute_in_root(key, resource.root) if shared else key
    return Finding(policy.id, policy.family, policy.severity, level, kind, texts["en"], path, line,
                   resource.address, key, finding_key(policy.id, path, resource.address, identity),
                   resource.type, mode, detail, resource.line if own_file else 0,
                   resource.end_line if own_file else 0, chain=chain,
                   translations=tuple((lang, text) for lang, text in texts.items() if lang != "en"),
                   root=resource.terraform_root, check=policy.number_of(check))


def _module_default(resource: Resource, location: str,
                    chain: tuple[tuple[str, int, str], ...]) -> tuple[str, int] | None:
    """The place of a module's own variable default that decided the value, when the resource is in a
    module instance another module calls (its caller could have passed the value)."""
    written = [place for place in chain if place[2] not in NOT_WRITTEN]
    if not resource.module or not written or without_indices(location) not in resource.passthrough:
        return None
    where, number, role = written[-1]
    directory = posixpath.dirname(resource.path)
    return (where, number) if role == "default" and posixpath.dirname(where) == directory else None


def _decided_at(chain: tuple[tuple[str, int, str], ...], path: str, line: int) -> tuple[str, bool] | None:
    """Where the value was written when that is not where the finding points (a tfvars entry, a variable
    default, a local, the plan: then True); None when the finding's own line wrote it."""
    written = [(p, n, role) for p, n, role in chain if role not in NOT_WRITTEN]
    if not written or written[-1][:2] == (path, line):
        return None
    where, number, role = written[-1]
    return (where, True) if role == "plan" else (f"{where}:{number}", False)


def _distinct(findings: list[Finding]) -> list[Finding]:
    """Sorted, without repeats: a module called the same way from several roots yields the same finding."""
    return sorted({(f.fingerprint, f.line, f.message, f.kind): f for f in findings}.values(), key=lambda f: f.sort_key)


def grouped(result: Result) -> Result:
    """One finding per place: the same rule on the same line and attribute from several instances of a
    module (called several times, or from several roots) is one finding listing the other instances.
    Run after waivers and the baseline, which may treat instances differently."""
    findings, unresolved = _grouped(result.findings), _grouped(result.unresolved)
    # the same finding on one instance from several roots is one entry: its checks count once, as it is shown
    folded = _stands_for(result.findings) + _stands_for(result.unresolved) - _stands_for(findings) - _stands_for(unresolved)
    return result.but(findings=findings, unresolved=unresolved, checks=result.checks - folded)


def _stands_for(findings: list[Finding]) -> int:
    return sum(len(f.addresses) for f in findings)


def _grouped(findings: list[Finding]) -> list[Finding]:
    groups: dict[tuple[Any, ...], list[Finding]] = {}
    for finding in sorted(findings, key=lambda f: f.sort_key):
        key = (finding.policy_id, finding.line, finding.path, finding.attribute, finding.kind,
               finding.message.replace(finding.address, ""), finding.suppression)
        groups.setdefault(key, []).append(finding)
    out = []
    for members in groups.values():
        first = members[0]
        others = tuple(dict.fromkeys(f.address for f in members[1:] if f.address != first.address))
        out.append(replace(first, instances=others) if others else first)
    return sorted(out, key=lambda f: f.sort_key)


def _audit_level(level: str) -> str:
    return "warning" if level == "error" else level
