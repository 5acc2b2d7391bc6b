"""Summaries computed after the run from the outcomes and the model's derived facts: the Haven pre-flight
per cluster in HCC's own terms, the live HCC results, the indicative sovereignty posture, the regions in
use and exit readiness (the waiver register is `waivers.register`)."""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from scanner.config import Config
from scanner.masking import redact
from scanner.evaluate.predicates.exit import classify
from scanner.evaluate.predicates.residency import seal_target
from scanner.evaluate.result import Result
from scanner.model.derive.providers import PROVIDER_SOURCE_TYPE
from scanner.model.resource import META_TYPES, Model, Resource
from scanner.model.values import Unknown
from scanner.registries.kubernetes import mandatory_hcc_checks
from scanner.registries.providers import ProviderEntry, providers
from scanner.registries.regions import TIERS, RegionRegistry, regions, tier_allows

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


def summarise(result: Result, model: Model, config: Config | None = None) -> Result:
    config = config or Config()
    return result.but(haven=HavenSummary(tuple(_clusters(result, model)), tuple(_live(model))),
                      posture=posture(model), residency=residency(model, config),
                      exit_readiness=exit_readiness(result, model, config))


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
            out.append(ProviderPosture(redact(source), redact(source), False))   # as written: may hold anything
            continue
        if state == "operator-unknown":
            entry = providers().get(source, entry)   # the provider's own figures
        if entry.hosting_type == "none":
            continue
        out.append(ProviderPosture(source, entry.name, True, entry.hq_jurisdiction, entry.control, entry.operations,
                                   entry.hosting_type, entry.seal))
    return sorted(out, key=lambda p: p.source)


# --- residency: the regions in use ----------------------------------------------------------------------

_REGION_PATHS = ("location", "region")
_REPLICATING = ("GRS", "RAGRS", "GZRS", "RAGZRS")   # azurerm storage kinds that copy to the paired region
# AWS resources that are global, not in their provider's region (IAM, DNS, the CDN, the organisation).
_AWS_GLOBAL = ("aws_iam_", "aws_route53_", "aws_cloudfront_", "aws_organizations_", "aws_budgets_")


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


def residency(model: Model, config: Config) -> ResidencySummary:
    """Every region a Terraform resource is placed in: its own location or region, an AWS resource's provider
    region, and the paired region geo-redundant Azure storage copies to."""
    table = regions()
    placed: dict[tuple[str, str], list[tuple[str, str, int, str]]] = {}
    unresolved = []
    for resource in model.resources:
        if resource.kind != "terraform" or resource.type in META_TYPES:
            continue
        provider = resource.type.split("_", 1)[0]
        value, role = _placement(resource, provider)
        if isinstance(value, Unknown):
            unresolved.append((resource.address, resource.path, resource.line, value.reason))
            continue
        if not isinstance(value, str) or not value:
            continue
        region = table.lookup(provider, value)
        key = (provider, region.id if region else value)
        placed.setdefault(key, []).append((resource.address, resource.path, resource.line, role))
        pair = table.lookup(provider, region.pair) if region and region.pair and _replicates(resource) else None
        if pair is not None:
            placed.setdefault((provider, pair.id), []).append((resource.address, resource.path, resource.line, "replica"))
    uses = tuple(_region_use(table, config, provider, region, sorted(set(found)))
                 for (provider, region), found in sorted(placed.items()))
    return ResidencySummary(config.residency_tier, config.allow_regions, config.deny_regions, uses,
                            tuple(sorted(unresolved)), table.as_of)


def _placement(resource: Resource, provider: str) -> tuple[object, str]:
    for path in _REGION_PATHS:
        value = resource.values.get(path)
        if value is not None and not isinstance(value, (dict, list)):
            return value, "location"
    if provider == "aws" and not resource.type.startswith(_AWS_GLOBAL):
        value = resource.provider_values.get("region")
        return value, "provider"
    return None, ""


def _replicates(resource: Resource) -> bool:
    kind = resource.values.get("account_replication_type")
    return resource.type == "azurerm_storage_account" and isinstance(kind, str) and kind.upper() in _REPLICATING


def _region_use(table: RegionRegistry, config: Config, provider: str, region_id: str,
                found: list[tuple[str, str, int, str]]) -> RegionUse:
    region = table.lookup(provider, region_id)
    key = region_id.lower().replace(" ", "")
    if region is None:
        allowed = False if key in config.deny_regions else (True if key in config.allow_regions else None)
        return RegionUse(provider, redact(region_id), "", "unknown", allowed, tuple(found))   # as written: may hold anything
    allowed = key not in config.deny_regions and (key in config.allow_regions
                                                  or tier_allows(region.tier, config.residency_tier))
    return RegionUse(provider, region.id, region.country, region.tier, allowed, tuple(found))


# --- exit readiness -------------------------------------------------------------------------------------

BACKUP_POLICY, PLAN_POLICY, PINNING_POLICIES = "EXIT-003", "EXIT-005", ("EXIT-008", "EXIT-009")


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
    """One resource a policy judged, with its worst outcome: pass | fail | open."""
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
    pinning: tuple[tuple[str, tuple[Judged, ...]], ...]   # (what: modules | lock-files | images, targets)
    plan: ExitPlan


def exit_readiness(result: Result, model: Model, config: Config) -> ExitReadiness:
    outcomes = _outcomes(result)
    ran = {p.id for p in result.policies}
    backups = tuple(_targets(BACKUP_POLICY, model, outcomes)) if BACKUP_POLICY in ran else None
    pinning = []
    for label, policy_id, types in (("modules", "EXIT-008", ("terraform_required_provider", "module_call")),
                                    ("lock-files", "EXIT-008", ("root_module",)), ("images", "EXIT-009", ())):
        if policy_id in ran:
            found = [t for t in _targets(policy_id, model, outcomes) if not types or t.type in types]
            pinning.append((label, tuple(found)))
    return ExitReadiness(_lockin(model), backups, tuple(pinning), _plan(model, config, outcomes))


def _targets(policy_id: str, model: Model, outcomes: dict[tuple[str, str], str]) -> list[Judged]:
    judged = {address: state for (policy, address), state in outcomes.items() if policy == policy_id}
    found = {}
    for resource in model.resources:
        if resource.address in judged and resource.address not in found:
            found[resource.address] = Judged(resource.address, resource.type, resource.path, resource.line,
                                             judged[resource.address])
    return sorted(found.values(), key=lambda t: (t.path, t.line, t.address))


def _lockin(model: Model) -> LockIn:
    classes: Counter = Counter()
    proprietary: Counter = Counter()
    for resource in model.resources:
        if resource.kind != "terraform" or resource.type in META_TYPES:
            continue
        found = classify(resource)
        if isinstance(found, Unknown):
            classes["undetermined"] += 1
        elif found is not None:
            classes[found.klass] += 1
            if found.klass == "proprietary":
                proprietary[resource.type] += 1
    return LockIn(classes["proprietary"], classes["moderate"], classes["portable"], classes["undetermined"],
                  tuple(sorted(proprietary.items(), key=lambda kv: (-kv[1], kv[0]))))


def _plan(model: Model, config: Config, outcomes: dict[tuple[str, str], str]) -> ExitPlan:
    document: dict = {}
    for resource in model.by_type("repository"):
        if isinstance(resource.values.get("exit_plan"), dict):
            document = resource.values["exit_plan"]
    dates = [d for d in (config.exit_last_test.isoformat() if config.exit_last_test else "",
                         str(document.get("last_test") or "")) if d]
    states = [state for (policy, _), state in outcomes.items() if policy == PLAN_POLICY]
    state = max(states, key=lambda s: _RANK[s]) if states else ""
    return ExitPlan(config.exit_plan or str(document.get("path") or ""), max(dates) if dates else "",
                    config.exit_max_age_months, state)


# --- the waiver register --------------------------------------------------------------------------------

# --- the target the posture is judged against -----------------------------------------------------------

@dataclass(frozen=True)
class SovereigntyTarget:
    seal: int | None          # the SEAL level the providers should reach (seal_target, or from the requirement)
    requirement: str          # the sovereignty requirement: none | some | high, "" when not configured
    tier: str                 # the allowed residency tier
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()


def sovereignty_target(config: Config) -> SovereigntyTarget:
    return SovereigntyTarget(seal_target(config), config.sovereignty_requirement or "", config.residency_tier,
                             config.allow_regions, config.deny_regions)
