"""Stage 4: run the selected policies over the model and collect findings and unresolved checks."""
from __future__ import annotations

import datetime
import fnmatch
import json
import string
from dataclasses import dataclass, field

from scanner.config import Config
from scanner.evaluate import registries
from scanner.evaluate.context import Context
from scanner.evaluate.fingerprint import finding_key
from scanner.evaluate.masking import redact
from scanner.evaluate.operators import OPERATORS
from scanner.evaluate.paths import Match, lookup, resolve
from scanner.evaluate.policies import Check, Policy
from scanner.evaluate.predicates import PREDICATES
from scanner.evaluate.verdict import PASS, Verdict, fail
from scanner.model.resource import META_TYPES, Model, Resource
from scanner.model.values import Unknown
from scanner.notices import Notice

LEVEL_RANK = {"none": 0, "note": 1, "warning": 2, "error": 3}


@dataclass(frozen=True)
class Finding:
    policy_id: str
    family: str
    severity: str
    level: str           # SARIF level after enforcement: error | warning | note
    kind: str            # fail | open (open: the check could not be resolved)
    message: str
    path: str
    line: int
    address: str
    attribute: str
    fingerprint: str
    resource_type: str = ""
    mode: str = "deny"   # deny | audit
    evidence: str = ""
    resource_line: int = 0
    resource_end_line: int = 0
    suppression: Suppression | None = None

    @property
    def active(self) -> bool:
        return self.suppression is None

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.line, self.policy_id, self.address, self.attribute, self.kind)


@dataclass(frozen=True)
class Suppression:
    kind: str             # inSource (a comment) | external (configuration or baseline)
    justification: str
    owner: str = ""
    until: str = ""


@dataclass
class Result:
    findings: list[Finding]
    unresolved: list[Finding]
    policies: list[Policy]
    notices: list[Notice] = field(default_factory=list)
    checks: int = 0
    passes: int = 0
    waiver_problems: list[Notice] = field(default_factory=list)   # expired, reason-less or unused waivers
    migration: list[Notice] = field(default_factory=list)         # other scanners' skip comments, listed only
    stale_baseline: list[dict] = field(default_factory=list)      # baseline entries that no longer match
    haven: object = None                                          # per-cluster Haven pre-flight summary
    posture: list[dict] = field(default_factory=list)             # providers with jurisdiction and SEAL range

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.active]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if not f.active]

    def exit_code(self, fail_on: str) -> int:
        if fail_on == "never":
            return 0
        threshold = LEVEL_RANK[fail_on]
        failing = [f for f in self.active if f.mode == "deny" and LEVEL_RANK[f.level] >= threshold]
        return 1 if failing else 0


class _Formatter(string.Formatter):
    def get_value(self, key, args, kwargs):
        return kwargs.get(key, "{" + str(key) + "}")


def _message(template: str, resource: Resource, verdict: Verdict, item: Match | None) -> str:
    fields = {"address": resource.address, "type": resource.type, "name": resource.name,
              "detail": verdict.detail, "path": verdict.key or verdict.path, "item": _item_name(item)}
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


class Engine:
    def __init__(self, model: Model, config: Config, today: datetime.date):
        self.model = model
        self.config = config
        self.today = today
        self.context = Context(model, config, registries.regions(), today)
        self.context.condition = lambda resource, cond: self.condition(resource, cond, None)
        self.index: dict[tuple[str, str], list[Resource]] = {}
        for resource in model.resources:
            self.index.setdefault((resource.kind, resource.type), []).append(resource)

    # --- conditions -----------------------------------------------------------------------------
    def condition(self, resource: Resource, cond: dict, item: Match | None) -> Verdict:
        if "all" in cond:
            results = [self.condition(resource, c, item) for c in cond["all"]]
            failed = next((r for r in results if r.state is False), None)
            if failed:
                return failed
            undecided = next((r for r in results if r.state is None), None)
            return undecided or PASS
        if "any" in cond:
            results = [self.condition(resource, c, item) for c in cond["any"]]
            if any(r.state for r in results):
                return PASS
            undecided = next((r for r in results if r.state is None), None)
            return undecided or results[0]
        if "not" in cond:
            inner = self.condition(resource, cond["not"], item)
            if inner.state is True:
                return fail(inner.path, inner.detail, inner.key)
            return inner.negate() if inner.state is None else PASS
        if "predicate" in cond:
            verdict = PREDICATES[cond["predicate"]](resource, cond.get("args", {}), self.context, item)
            if item is not None and verdict.path and item.location:
                return Verdict(verdict.state, f"{item.location}.{verdict.path}", f"{item.key}.{verdict.key}",
                               verdict.detail, verdict.blocker)
            return verdict
        return self.leaf(resource, cond, item)

    def leaf(self, resource: Resource, cond: dict, item: Match | None) -> Verdict:
        path, op = cond["path"], cond["op"]
        matches = lookup(resource, path, item)
        location = (item.location + "." + path) if item and item.location else path
        key = (item.key + "." + path) if item and item.key else path
        if op in ("exists", "absent"):
            return self._presence(matches, op, location, key)
        if op in ("literal", "not_literal"):
            return self._literal(resource, matches, op, location, key)
        if not matches:
            return fail(location, f"{key} is not set", key)
        operator = OPERATORS[op]
        for match in matches:
            if isinstance(match.value, Unknown):
                return Verdict(None, match.location or location, match.key or key, "", match.value.reason)
            if not operator(match.value, cond.get("value")):
                return Verdict(False, match.location or location, match.key or key,
                               f"{match.key or key} = {_shown(match.value)}")
        return Verdict(True, matches[0].location or location, matches[0].key or key)

    def _presence(self, matches: list[Match], op: str, location: str, key: str) -> Verdict:
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
        if holds:
            return Verdict(True, location, key)
        return Verdict(False, location, key, f"{key} is not set" if op == "exists" else f"{key} is set")

    def _literal(self, resource: Resource, matches: list[Match], op: str, location: str, key: str) -> Verdict:
        written = [m for m in matches if m.value not in (None, "")]
        if resource.kind == "terraform":
            is_literal = any(m.location in resource.literal_paths for m in written)
        else:
            is_literal = any(not isinstance(m.value, (Unknown, dict, list)) for m in written)
        if is_literal if op == "literal" else not is_literal:
            return Verdict(True, location, key)
        return Verdict(False, location, key, "written as a literal value")

    # --- running --------------------------------------------------------------------------------
    def matching(self, check: Check) -> list[Resource]:
        out: list[Resource] = []
        for kind, types in check.match.items():
            for pattern in types:
                if "*" not in pattern:
                    out.extend(self.index.get((kind, pattern), []))
                    continue
                for (k, type_name), resources in self.index.items():
                    if k == kind and type_name not in META_TYPES and fnmatch.fnmatchcase(type_name, pattern):
                        out.extend(resources)
        unique = {id(r): r for r in out}.values()   # a resource two patterns match is checked once
        return sorted(unique, key=lambda r: (r.path, r.line, r.address))

    def run(self, policies: list[Policy]) -> Result:
        result = Result([], [], policies)
        for policy in policies:
            mode = self.config.mode(policy.id, policy.family, self.today)
            if mode == "off":
                continue
            for check in policy.checks:
                for resource in self.matching(check):
                    self._check(policy, check, resource, mode, result)
        result.findings = _distinct(result.findings)
        result.unresolved = _distinct(result.unresolved)
        return result

    def _check(self, policy: Policy, check: Check, resource: Resource, mode: str, result: Result) -> None:
        if check.where is not None:
            applies = self.condition(resource, check.where, None)
            if applies.state is False:
                return
            if applies.state is None:
                result.checks += 1
                result.unresolved.append(self._finding(policy, check, resource, applies, None, mode, "open"))
                return
        items: list[Match | None] = [None]
        if check.each:
            items = [m for m in resolve(resource, check.each) if not isinstance(m.value, Unknown)]
        for item in items:
            result.checks += 1
            verdict = self.condition(resource, check.assertion, item)
            if verdict.state is True:
                result.passes += 1
            elif verdict.state is False:
                result.findings.append(self._finding(policy, check, resource, verdict, item, mode, "fail"))
            else:
                result.unresolved.append(self._finding(policy, check, resource, verdict, item, mode, "open"))

    def _finding(self, policy: Policy, check: Check, resource: Resource, verdict: Verdict, item: Match | None,
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
            level = policy.level if mode == "deny" else _audit_level(policy.level)
        path = resource.path
        if location in resource.origins and kind == "fail":   # the value was written at a module call site
            message += f" (passed to {resource.path}:{line})"
            path, line = resource.origins[location]
        return Finding(policy.id, policy.family, policy.severity, level, kind, redact(message), path, line,
                       resource.address, key, finding_key(policy.id, path, resource.address, key),
                       resource.type, mode, redact(verdict.detail), resource.line, resource.end_line)


def _distinct(findings: list[Finding]) -> list[Finding]:
    """Sorted, without repeats: a module called the same way from several roots (examples/*) yields the
    same resource address in the same file, which is one finding for its reader, not several."""
    seen, out = set(), []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        key = (finding.fingerprint, finding.line, finding.message, finding.kind)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out


def _audit_level(level: str) -> str:
    return "warning" if level == "error" else level


def _shown(value: object) -> str:
    text = json.dumps(value) if isinstance(value, bool) or value is None else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def evaluate(model: Model, policies: list[Policy], config: Config, today: datetime.date | None = None) -> Result:
    return Engine(model, config, today or datetime.date.today()).run(policies)
