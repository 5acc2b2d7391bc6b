"""Stage 4: run the selected policies over the model; every check passes, fails or stays unresolved."""
from __future__ import annotations

import datetime
import fnmatch
import itertools
import math
import string
from collections import defaultdict
from dataclasses import replace
from typing import Any

from scanner.config import Config
from scanner.evaluate.conditions import judge
from scanner.evaluate.context import Context
from scanner.evaluate.fingerprint import finding_key
from scanner.evaluate.policies import Check, Policy
from scanner.evaluate.result import Finding, Passed, Result
from scanner.evaluate.verdict import Verdict
from scanner.model.paths import Match, resolve
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
    if verdict.detail and "{detail}" not in template:
        text = f"{text}: {verdict.detail}"
    return text


def _item_name(item: Match | None) -> str:
    if item is None:
        return ""
    if isinstance(item.value, dict) and isinstance(item.value.get("name"), str):
        return item.value["name"]
    return item.key


class _Index:
    """(kind, type) -> resources, for matching policies to resources."""

    def __init__(self, model: Model):
        self.by_kind_type: dict[tuple[str, str], list[Resource]] = defaultdict(list)
        for resource in model.resources:
            self.by_kind_type[(resource.kind, resource.type)].append(resource)

    def matching(self, check: Check) -> list[Resource]:
        out: list[Resource] = []
        for kind, types in check.match.items():
            for pattern in types:
                if "*" not in pattern:
                    out.extend(self.by_kind_type.get((kind, pattern), []))
                    continue
                for (k, type_name), resources in self.by_kind_type.items():
                    if k == kind and type_name not in META_TYPES and fnmatch.fnmatchcase(type_name, pattern):
                        out.extend(resources)
        unique = {id(r): r for r in out}.values()   # a resource two patterns match is checked once
        return sorted(unique, key=lambda r: (r.path, r.line, r.address))


class _Run:
    """One run of the policies: the outcome lists it fills."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.findings: list[Finding] = []
        self.unresolved: list[Finding] = []
        self.passed: list[Passed] = []
        self.checks = 0

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
                self.unresolved.append(_finding(policy, check, resource, applies, None, mode, "open"))
                return
        items: list[Match | None] = [None]
        if check.each:
            items = [m for m in resolve(resource, check.each) if not isinstance(m.value, Unknown)]
        for item in items:
            self.checks += 1
            verdict = self.judge(resource, check.assertion, item)
            if verdict.state is True:
                self.passed.append(Passed(policy.id, resource.address, resource.path, resource.line))
            elif verdict.state is False:
                self.findings.append(_finding(policy, check, resource, verdict, item, mode, "fail"))
            else:
                self.unresolved.append(_finding(policy, check, resource, verdict, item, mode, "open"))


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
        return Verdict(False, first.path, first.key, f"{first.detail} (it is one of {shown}, and each fails)")
    return undecided


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


def evaluate(model: Model, policies: list[Policy], config: Config, today: datetime.date | None = None) -> Result:
    ctx = Context(model, config, today or datetime.date.today())
    index = _Index(model)
    run = _Run(ctx)
    for policy in policies:
        mode = _mode(config, policy, ctx.today)
        if mode == "off":
            continue
        for check in policy.checks:
            for resource in index.matching(check):
                run.check(policy, check, resource, mode)
    return Result(_distinct(run.findings), _distinct(run.unresolved), list(policies), run.passed, checks=run.checks)


def _mode(config: Config, policy: Policy, today: datetime.date) -> str:
    """The configured enforcement: by id, by an earlier id (alias), by opt-in group, else by family. An
    opt-in policy is off until the configuration names it or its group."""
    keys = policy.names + ((policy.opt_in,) if policy.opt_in else ())
    named = next((n for n in keys if n in config.enforcement), None)
    if named is None and policy.opt_in:
        return "off"
    return config.mode(named or policy.id, policy.family, today)


def _finding(policy: Policy, check: Check, resource: Resource, verdict: Verdict, item: Match | None,
             mode: str, kind: str) -> Finding:
    location = check.location if check.location else verdict.path or (item.location if item else "")
    key = verdict.key or (item.key if item else "")
    line = resource.line_of(location)
    if kind == "open":
        message = f"{resource.address}: could not verify {policy.title[0].lower() + policy.title[1:]}: " \
                  f"{verdict.blocker or 'value not known statically'} is not known statically"
        level = "note"
    else:
        message = _message(check.message or policy.message, resource, verdict, item)
        level = policy.level_of(check) if mode == "deny" else _audit_level(policy.level_of(check))
    path = resource.path
    origin = resource.origins.get(location)
    if origin is not None and kind == "fail":   # the value was written at a module call site
        message += f" (passed to {resource.path}:{line})"
        path, line = origin.path, origin.line
    chain = tuple((p.path, p.line, role) for p, role in resource.chain_of(location))
    decided = _decided_at(chain, path, line)
    if decided and kind == "fail":
        message += f" (set in {decided})"
    return Finding(policy.id, policy.family, policy.severity, level, kind, message, path, line,
                   resource.address, key, finding_key(policy.id, path, resource.address, key),
                   resource.type, mode, verdict.detail, resource.line, resource.end_line, chain=chain)


def _decided_at(chain: tuple[tuple[str, int, str], ...], path: str, line: int) -> str:
    """Where the value was written when that is not where the finding points: a tfvars entry, a variable
    default, a local; "" when the finding's own line wrote it."""
    written = [(p, n) for p, n, role in chain if role != "attribute"]
    if not written or written[-1] == (path, line):
        return ""
    return f"{written[-1][0]}:{written[-1][1]}"


def _distinct(findings: list[Finding]) -> list[Finding]:
    """Sorted, without repeats: a module called the same way from several roots yields the same finding."""
    return sorted({(f.fingerprint, f.line, f.message, f.kind): f for f in findings}.values(), key=lambda f: f.sort_key)


def grouped(result: Result) -> Result:
    """One finding per place: the same rule on the same line and attribute from several instances of a
    module (called several times, or from several roots) is one finding listing the other instances.
    Run after waivers and the baseline, which may treat instances differently."""
    return result.but(findings=_grouped(result.findings), unresolved=_grouped(result.unresolved))


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
