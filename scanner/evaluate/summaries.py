"""Summaries computed after the run from the outcomes and the model's derived facts: the Haven pre-flight
per cluster in HCC's own terms, the live HCC results, and the indicative sovereignty posture."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from scanner.evaluate.result import Result
from scanner.model.derive.providers import PROVIDER_SOURCE_TYPE
from scanner.model.resource import Model, Resource
from scanner.model.values import Unknown
from scanner.registries.kubernetes import mandatory_hcc_checks
from scanner.registries.providers import ProviderEntry, providers

_RANK = {"pass": 0, "open": 1, "fail": 2}


@dataclass(frozen=True)
class ClusterSummary:
    """The static pre-flight of one Terraform cluster against HCC's own list of mandatory checks (15 in
    v12.8.0), in HCC's order. Each check is pass | fail | open (a value it needs is not known statically)
    | unchecked (no rule of this run judged it for this cluster) | cannot (nothing in the code can decide
    it: HCC's self tests, its checksum, conformance)."""
    address: str
    path: str
    line: int
    checks: tuple[tuple[str, str], ...]     # (HCC label, state), every mandatory check in HCC's order

    def count(self, state: str) -> int:
        return sum(1 for _, s in self.checks if s == state)

    def labels(self, state: str) -> list[str]:
        return [label for label, s in self.checks if s == state]

    @property
    def total(self) -> int:
        return len(self.checks)


@dataclass(frozen=True)
class LiveSummary:
    """One HCC results file, counted the way HCC prints its own result line (mandatory checks only)."""
    path: str
    version: str
    compliant: bool | None
    results: tuple[tuple[str, str], ...]    # (label, YES | NO | SKIPPED | UNKNOWN)

    def count(self, result: str) -> int:
        return sum(1 for _, r in self.results if r == result)

    def line(self) -> str:
        verdict = {True: "This is a Haven Compliant cluster.", False: "This is NOT a Haven Compliant cluster.",
                   None: ""}[self.compliant]
        return (f"Results: {self.count('YES')} out of {len(self.results)} checks passed, {self.count('SKIPPED')} "
                f"checks skipped, {self.count('UNKNOWN')} checks unknown. {verdict}").rstrip()


@dataclass(frozen=True)
class HavenSummary:
    clusters: tuple[ClusterSummary, ...] = ()
    live: tuple[LiveSummary, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.clusters or self.live)


@dataclass(frozen=True)
class ProviderPosture:
    """One cloud provider the repository uses, with the provider registry's jurisdiction and SEAL range."""
    source: str
    name: str
    known: bool
    jurisdiction: str = ""
    control: str = ""
    operations: str = ""
    hosting_type: str = ""
    seal: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return data if self.known else {"source": self.source, "name": self.name, "known": False}


def summarise(result: Result, model: Model) -> Result:
    return result.but(haven=HavenSummary(tuple(_clusters(result, model)), tuple(_live(model))),
                      posture=posture(model))


def _outcomes(result: Result) -> dict[tuple[str, str], str]:
    states: dict[tuple[str, str], str] = {}
    for passed in result.passed:
        states.setdefault((passed.policy_id, passed.address), "pass")
    for kind, findings in (("open", result.unresolved), ("fail", result.findings)):
        for finding in findings:
            for address in (finding.address,) + finding.instances:
                states[(finding.policy_id, address)] = _worst(states.get((finding.policy_id, address)), kind)
    return states


def _clusters(result: Result, model: Model) -> list[ClusterSummary]:
    mandatory = mandatory_hcc_checks()
    order = {c.name: i for i, c in enumerate(mandatory)}
    covering = sorted(((p.haven_check, p.id) for p in result.policies
                       if p.family == "haven" and p.haven_check in order),
                      key=lambda item: (order[item[0]], item[1]))
    if not covering:
        return []
    outcomes = _outcomes(result)
    summaries: dict[tuple[str, str, int], ClusterSummary] = {}
    for cluster in sorted(model.clusters.values(), key=lambda c: (c.resource.path, c.resource.line, c.resource.address)):
        states: dict[str, str] = {}
        for name, policy_id in covering:
            seen = [outcomes[(policy_id, a)] for a in sorted(cluster.addresses) if (policy_id, a) in outcomes]
            for state in seen:
                states[name] = _worst(states.get(name), state)
        resource = cluster.resource
        key = (resource.address, resource.path, resource.line)
        if not states or key in summaries:   # a module's cluster called from several roots: one line
            continue
        checks = tuple((c.label, states.get(c.name) or ("unchecked" if c.preflight else "cannot")) for c in mandatory)
        summaries[key] = ClusterSummary(resource.address, resource.path, resource.line, checks)
    return list(summaries.values())


def _worst(old: str | None, new: str) -> str:
    return new if old is None or _RANK[new] > _RANK[old] else old


def _live(model: Model) -> list[LiveSummary]:
    by_file: dict[str, list[Resource]] = {}
    for check in model.by_type("hcc_check"):
        by_file.setdefault(check.path, []).append(check)
    out = []
    for path, checks in by_file.items():
        mandatory = [c.values for c in checks if not c.values.get("suggested")]
        first = checks[0].values
        out.append(LiveSummary(path, str(first.get("version") or "HCC"), first.get("compliant"),
                               tuple((str(v.get("label")), str(v.get("result"))) for v in mandatory)))
    return out


def posture(model: Model) -> list[ProviderPosture]:
    """The repository's indicative sovereignty posture: every cloud provider it declares, with the provider
    registry's jurisdiction and SEAL range. Shown in every profile; it fails nothing by itself (RES-007 and
    RES-010 do, when the profile sets a SEAL target or a sovereignty requirement)."""
    out = []
    for resource in model.by_type(PROVIDER_SOURCE_TYPE):
        source = resource.values.get("source")
        if isinstance(source, Unknown) or not isinstance(source, str):
            continue
        state, entry = resource.values.get("registry"), resource.values.get("entry")
        if state == "unknown" or not isinstance(entry, ProviderEntry):
            out.append(ProviderPosture(source, source, False))
            continue
        if state == "operator-unknown":
            entry = providers().get(source, entry)   # the provider's own figures
        if entry.hosting_type == "none":
            continue
        out.append(ProviderPosture(source, entry.name, True, entry.hq_jurisdiction, entry.control, entry.operations,
                                   entry.hosting_type, entry.seal))
    return sorted(out, key=lambda p: p.source)
