"""What a scan found: findings, unresolved checks and passes, with the summaries the reports show.

A Result is immutable once built: waivers, the baseline and focus modes return a new one."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from scanner.evaluate.policies import Policy
from scanner.notices import Notice

if TYPE_CHECKING:
    from scanner.evaluate.summaries import ExitReadiness, HavenSummary, ProviderPosture, ResidencySummary
    from scanner.evaluate.waivers import WaiverEntry

LEVEL_RANK = {"none": 0, "note": 1, "warning": 2, "error": 3}


@dataclass(frozen=True)
class Suppression:
    kind: str             # inSource (a comment) | external (configuration or baseline)
    justification: str
    owner: str = ""
    until: str = ""


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
    chain: tuple[tuple[str, int, str], ...] = ()   # (file, line, role) of every place that decided the value
    instances: tuple[str, ...] = ()                # other instances with the identical finding on this line
    translations: tuple[tuple[str, str], ...] = ()  # (language, message) from the policy's translated templates
    root: str = ""                                  # the Terraform root module whose deployment it judges ("" for none)

    def message_in(self, lang: str) -> str:
        """The message in `lang` when the policy has it in that language, else the English."""
        return next((text for code, text in self.translations if code == lang), self.message)

    @property
    def active(self) -> bool:
        return self.suppression is None

    @property
    def sort_key(self) -> tuple[str, int, str, str, str, str]:
        return (self.path, self.line, self.policy_id, self.address, self.attribute, self.kind)


@dataclass(frozen=True)
class Passed:
    """A check that held: recorded so reports can count passes per policy and per target."""
    policy_id: str
    address: str
    path: str
    line: int


@dataclass(frozen=True)
class Result:
    findings: list[Finding]
    unresolved: list[Finding]
    policies: list[Policy]
    passed: list[Passed] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    checks: int = 0
    waiver_problems: list[Notice] = field(default_factory=list)   # expired, reason-less or unused waivers
    migration: list[Notice] = field(default_factory=list)         # other scanners' skip comments, listed only
    stale_baseline: list[dict[str, Any]] = field(default_factory=list)   # baseline entries that no longer match
    haven: "HavenSummary | None" = None                  # per-cluster Haven pre-flight, live HCC results
    posture: "list[ProviderPosture]" = field(default_factory=list)   # providers with jurisdiction and SEAL
    residency: "ResidencySummary | None" = None          # regions in use by country and tier, with their resources
    exit_readiness: "ExitReadiness | None" = None         # lock-in, backup coverage, pinning, exit plan
    register: "tuple[WaiverEntry, ...]" = ()             # every waiver and baseline entry, with its state

    @property
    def passes(self) -> int:
        return len(self.passed)

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

    def but(self, **changes: Any) -> "Result":
        """A copy with some parts replaced."""
        return replace(self, **changes)
