"""What a scan found: findings, unresolved checks and passes, with the summaries the reports show.

A Result is immutable once built: waivers, the baseline and focus modes return a new one."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from scanner.evaluate.policies import SEVERITY_LEVEL, Policy
from scanner.notices import Notice

from scanner.registries.regions import TIERS

if TYPE_CHECKING:
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
    check: int = 0                                  # which of its policy's checks made it (a check may have its own fix)

    def message_in(self, lang: str) -> str:
        """The message in `lang` when the policy has it in that language, else the English."""
        return next((text for code, text in self.translations if code == lang), self.message)

    @property
    def addresses(self) -> tuple[str, ...]:
        """Every instance it stands for, its own address first."""
        return (self.address,) + self.instances

    def on_instance(self, address: str) -> "Finding":
        """The finding as it stands on `address`, one of the instances it groups: grouping made their messages
        equal but for the address, so the messages name that instance."""
        if address == self.address:
            return self

        def named(text: str) -> str:
            return text.replace(self.address, address)
        return replace(self, address=address, message=named(self.message), instances=(),
                       translations=tuple((code, named(text)) for code, text in self.translations))

    @property
    def active(self) -> bool:
        return self.suppression is None

    @property
    def sort_key(self) -> tuple[str, int, str, str, str, str]:
        return (self.path, self.line, self.policy_id, self.address, self.attribute, self.kind)


@dataclass(frozen=True, slots=True)   # one per check that held: hundreds of thousands in a large repository
class Passed:
    """A check that held: recorded so reports can count passes per policy and per target."""
    policy_id: str
    address: str
    path: str
    line: int
    root: str = ""       # as Finding.root: the Terraform root module whose deployment it judges


# --- the summaries computed after the run (evaluate/summaries.py) -----------------------------------------

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


@dataclass(frozen=True)
class RegionUse:
    """One region the code places resources in, as the region registry knows it (or as written)."""
    provider: str                  # the registry's provider key: azurerm, aws, google, ...
    region: str
    country: str                   # ISO 3166 alpha-2 (EU for a multi-region), "" when the registry lacks the id
    tier: str                      # eu | eea | adequacy | third-country | unknown
    allowed: bool | None           # within the configured residency; None when the registry lacks the id
    resources: tuple[tuple[str, str, int, str], ...]   # (address, file, line, role: location | provider | replica)


@dataclass(frozen=True)
class ResidencySummary:
    target_tier: str
    allow: tuple[str, ...]
    deny: tuple[str, ...]
    regions: tuple[RegionUse, ...]
    unresolved: tuple[tuple[str, str, int, str], ...]   # (address, file, line, why the region is not known)
    registry_as_of: str

    def countries(self) -> list[tuple[str, str, list[RegionUse]]]:
        """(country, tier, regions) from the strictest tier to the loosest, then by country."""
        order = {tier: i for i, tier in enumerate(TIERS + ("unknown",))}
        grouped: dict[tuple[str, str], list[RegionUse]] = {}
        for use in self.regions:
            grouped.setdefault((use.country, use.tier), []).append(use)
        keys = sorted(grouped, key=lambda k: (order.get(k[1], len(order)), k[0]))
        return [(country, tier, grouped[(country, tier)]) for country, tier in keys]


@dataclass(frozen=True)
class LockIn:
    """The portability registry's classes of the managed services in use."""
    proprietary: int
    moderate: int
    portable: int
    undetermined: int                          # their class depends on a value not known statically
    proprietary_types: tuple[tuple[str, int], ...]

    @property
    def classified(self) -> int:
        return self.proprietary + self.moderate + self.portable

    @property
    def share(self) -> int | None:
        """The proprietary share of the classified managed services, in percent."""
        return round(100 * self.proprietary / self.classified) if self.classified else None


@dataclass(frozen=True)
class Judged:
    """One resource a policy judged, with its worst outcome: pass | waived | open | fail."""
    address: str
    type: str
    path: str
    line: int
    state: str


@dataclass(frozen=True)
class ExitPlan:
    where: str              # the configured plan or the EXIT.md found, "" when there is none
    last_test: str          # ISO date, "" when none is recorded
    max_age_months: int
    state: str              # EXIT-005's outcome: pass | fail | open | "" when it did not run


@dataclass(frozen=True)
class ExitReadiness:
    lockin: LockIn
    backups: tuple[Judged, ...] | None          # the data stores EXIT-003 judged; None when it did not run
    pinning: tuple[tuple[str, tuple[Judged, ...]], ...]   # (what: modules | lock-files | image-versions | images, targets)
    plan: ExitPlan


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
    def unresolved_checks(self) -> int:
        """The checks left unresolved: an entry counts once for each instance it stands for."""
        return sum(len(f.addresses) for f in self.unresolved)

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


# --- the values reports look up in their tables -------------------------------------------------------------

ROLES = ("location", "provider", "replica")                    # RegionUse.resources
JUDGED_STATES = ("pass", "fail", "open")                       # Judged.state, ExitPlan.state (or "")
CLUSTER_STATES = ("pass", "fail", "open", "unchecked", "cannot")
PINNED = ("modules", "lock-files", "image-versions", "images")                   # ExitReadiness.pinning
WAIVER_STATES = ("active", "expired", "unused", "invalid", "stale")


def within_domains(result: Result) -> bool:
    """Every value a report looks up in a table is one the table has: the policies the findings name are the
    run's, and levels, severities, tiers, roles and states are among their own (a notice checks its own when
    made). What the scan builds always is; a result read back from a shared cache is checked (an entry another
    job wrote could crash a report)."""
    ran = {p.id for p in result.policies}
    return (all(finding_within_domains(f, ran) for f in (*result.findings, *result.unresolved))
            and all(p.policy_id in ran for p in result.passed)
            and _residency_within(result.residency)
            and all(state in CLUSTER_STATES for c in (result.haven.clusters if result.haven else ())
                    for _, state in c.checks)
            and _exit_within(result.exit_readiness)
            and all(entry.state in WAIVER_STATES for entry in result.register))


def finding_within_domains(finding: Finding, policy_ids: set[str]) -> bool:
    """The finding names one of `policy_ids`, and its level, severity, kind and mode are among their own."""
    return finding.policy_id in policy_ids and finding.level in LEVEL_RANK and finding.severity in SEVERITY_LEVEL \
        and finding.kind in ("fail", "open") and finding.mode in ("deny", "audit")


def _residency_within(summary: ResidencySummary | None) -> bool:
    tiers = TIERS + ("unknown",)
    return summary is None or (summary.target_tier in TIERS and all(
        use.tier in tiers and all(role in ROLES for *_, role in use.resources) for use in summary.regions))


def _exit_within(readiness: ExitReadiness | None) -> bool:
    if readiness is None:
        return True
    judged = [*(readiness.backups or ()), *(j for _, targets in readiness.pinning for j in targets)]
    return readiness.plan.state in JUDGED_STATES + ("",) and all(what in PINNED for what, _ in readiness.pinning) \
        and all(j.state in JUDGED_STATES for j in judged)
