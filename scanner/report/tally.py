"""Counts the reports share: outcomes per policy, per family, per control or objective, and per (policy,
target), all from the result alone so every format (and the organisation merge) counts the same way.

A check that held is one `Passed`; a finding is one failed check (a waived one is counted as waived, not as
failed); an unresolved check is one unresolved. The four add up to the run's checks.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from scanner.evaluate import citations
from scanner.evaluate.policies import Policy
from scanner.evaluate.result import LEVEL_RANK, Finding, Result

OUTCOMES = ("passed", "failed", "unresolved", "waived")


@dataclass(frozen=True)
class Tally:
    passed: int = 0
    failed: int = 0
    unresolved: int = 0
    waived: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.passed + other.passed, self.failed + other.failed, self.unresolved + other.unresolved,
                     self.waived + other.waived)

    @property
    def checks(self) -> int:
        return self.passed + self.failed + self.unresolved + self.waived

    def as_dict(self) -> dict[str, int]:
        return {"passed": self.passed, "failed": self.failed, "unresolved": self.unresolved, "waived": self.waived}


def by_policy(result: Result) -> dict[str, Tally]:
    """Every policy of the run, also those with no outcome (nothing they judge was found)."""
    counts: dict[str, Counter] = {p.id: Counter() for p in result.policies}
    for passed in result.passed:
        counts.setdefault(passed.policy_id, Counter())["passed"] += 1
    for finding in result.findings:   # a finding counts once for each instance it stands for
        counts.setdefault(finding.policy_id, Counter())["failed" if finding.active else "waived"] += len(finding.addresses)
    for finding in result.unresolved:
        counts.setdefault(finding.policy_id, Counter())["unresolved"] += len(finding.addresses)
    return {policy_id: Tally(**{k: c[k] for k in OUTCOMES}) for policy_id, c in sorted(counts.items())}


def by_family(policies: list[Policy], tallies: dict[str, Tally]) -> dict[str, Tally]:
    families: dict[str, Tally] = {}
    for policy in sorted(policies, key=lambda p: p.id):
        families[policy.family] = families.get(policy.family, Tally()) + tallies.get(policy.id, Tally())
    return dict(sorted(families.items()))


@dataclass(frozen=True)
class ControlCoverage:
    """One ISO/IEC 27002:2022 control (BIO2) or SOV objective/criterion, the policies that evidence it, and
    the outcomes of their checks."""
    id: str
    title: str
    policies: tuple[str, ...]
    tally: Tally


def controls(policies: list[Policy], tallies: dict[str, Tally], lang: str) -> tuple[list[ControlCoverage],
                                                                                    list[ControlCoverage]]:
    """(ISO/IEC 27002:2022 controls, SOV objectives and criteria) the policies map to, in numbering order."""
    registry = citations.builtin()
    iso: dict[str, list[str]] = {}
    sov: dict[str, list[str]] = {}
    for policy in sorted(policies, key=lambda p: p.id):
        for control in policy.references.get("iso27002", []):
            if control in registry.controls:
                iso.setdefault(control, []).append(policy.id)
        for objective in policy.references.get("sov", []):
            sov.setdefault(objective, []).append(policy.id)

    def coverage(key: str, members: list[str], title: str) -> ControlCoverage:
        total = Tally()
        for policy_id in members:
            total = total + tallies.get(policy_id, Tally())
        return ControlCoverage(key, title, tuple(members), total)
    iso_rows = [coverage(c, iso[c], getattr(registry.controls[c], "nl" if lang == "nl" else "en"))
                for c in sorted(iso, key=lambda c: tuple(int(n) for n in c.split(".")))]
    sov_rows = [coverage(o, sov[o], citations.objective_citation(o, lang).replace(registry.framework + " ", ""))
                for o in sorted(sov, key=_sov_order)]
    return iso_rows, sov_rows


def _sov_order(ref: str) -> tuple[int, int]:
    objective, _, criterion = ref.partition(".")
    return int(objective.split("-")[1]), int(criterion or 0)


@dataclass(frozen=True)
class TargetOutcome:
    """What one policy concluded about one target (a resource, a file, the repository)."""
    policy_id: str
    address: str
    path: str
    line: int
    passed: int = 0
    findings: tuple[Finding, ...] = field(default=())     # active and waived failures
    unresolved: tuple[Finding, ...] = field(default=())


def targets(result: Result) -> list[TargetOutcome]:
    """One entry per (policy, target), passes included, in a stable order."""
    found: dict[tuple[str, str], dict] = {}

    def entry(policy_id: str, address: str, path: str, line: int) -> dict:
        return found.setdefault((policy_id, address), {"path": path, "line": line, "passed": 0, "findings": [],
                                                       "unresolved": []})
    for passed in result.passed:
        entry(passed.policy_id, passed.address, passed.path, passed.line)["passed"] += 1
    for kind, findings in (("findings", result.findings), ("unresolved", result.unresolved)):
        for finding in findings:
            for address in finding.addresses:
                entry(finding.policy_id, address, finding.path, finding.line)[kind].append(finding.on_instance(address))
    out = [TargetOutcome(policy_id, address, e["path"], e["line"], e["passed"], tuple(e["findings"]),
                         tuple(e["unresolved"])) for (policy_id, address), e in found.items()]
    return sorted(out, key=lambda t: (t.policy_id, t.path, t.line, t.address))


def fails_run(finding: Finding, fail_on: str) -> bool:
    """The finding makes the run exit 1 at this --fail-on (as Result.exit_code decides)."""
    return fail_on != "never" and finding.active and finding.kind == "fail" and finding.mode == "deny" \
        and LEVEL_RANK[finding.level] >= LEVEL_RANK[fail_on]
