"""Summaries computed after the run from the outcomes and the model's derived facts: the Haven pre-flight
per cluster in HCC's own terms, the live HCC results, the indicative sovereignty posture, the regions in
use and exit readiness (the waiver register is `waivers.register`). Their records are in evaluate/result.py,
with the rest of what a scan found."""
from __future__ import annotations

import dataclasses
import datetime
from collections import Counter

from scanner.config import Config
from scanner.masking import mask, redact
from scanner.evaluate.predicates.exit import classify
from scanner.evaluate.selection import mode_of
from scanner.model.paths import strings_at
from scanner.evaluate.result import (ClusterSummary, ExitPlan, ExitReadiness, Finding, HavenSummary, Judged,
                                     LiveSummary, LockIn, ProviderPosture, RegionUse, ResidencySummary, Result)
from scanner.model.derive.providers import PROVIDER_SOURCE_TYPE
from scanner.model.resource import META_TYPES, Model, Resource
from scanner.model.values import Unknown
from scanner.registries.kubernetes import HccCheck, mandatory_hcc_checks
from scanner.registries.providers import ProviderEntry, providers
from scanner.registries.regions import RegionRegistry, region_key, regions, tier_allows

_RANK = {"pass": 0, "waived": 1, "open": 2, "fail": 3}


def summarise(result: Result, model: Model, config: Config | None = None) -> Result:
    config = config or Config()
    outcomes = _outcomes(result)
    return result.but(haven=HavenSummary(tuple(_clusters(result, model, outcomes)), tuple(_live(model))),
                      posture=posture(model), residency=residency(model, config),
                      exit_readiness=exit_readiness(result, model, config, outcomes))


Outcomes = dict[tuple[str, str, str], str]   # (policy, Terraform root or "", address) -> pass | waived | open | fail


def _outcomes(result: Result) -> Outcomes:
    """The worst outcome of each policy on each resource. Keyed by root as well: two root modules (envs/a,
    envs/b) may each have a resource at the same address, and one's failures are not the other's. A waived
    failure is "waived": accepted, but not a pass."""
    states: Outcomes = {}
    for passed in result.passed:
        states.setdefault((passed.policy_id, passed.root, passed.address), "pass")
    for finding in result.unresolved + result.findings:
        for address in finding.addresses:
            key = (finding.policy_id, finding.root, address)
            states[key] = _worst(states.get(key), _state(finding))
    return states


def _state(finding: Finding) -> str:
    return "open" if finding.kind == "open" else "fail" if finding.active else "waived"


def _clusters(result: Result, model: Model, outcomes: Outcomes) -> list[ClusterSummary]:
    mandatory = mandatory_hcc_checks()
    order = {c.name: i for i, c in enumerate(mandatory)}
    covering = sorted(((p.haven_check, p.id) for p in result.policies
                       if p.family == "haven" and p.haven_check in order),
                      key=lambda item: (order[item[0]], item[1]))
    if not covering:
        return []
    # one line per cluster as written: a module's cluster called from several roots is one line, with the
    # worst state of its instances; clusters of different roots at one address are lines of their own
    lines: dict[tuple[str, str, int], dict[str, str]] = {}
    for cluster in sorted(model.clusters.values(), key=lambda c: (c.resource.path, c.resource.line, c.resource.address)):
        resource = cluster.resource
        states = lines.setdefault((resource.address, resource.path, resource.line), {})
        # autoscaling groups that may be its nodes count where they could change the answer: their pass is no
        # pass of the cluster (they may be a web tier), their unresolved check is one of it
        maybe = sorted(group.address for group in cluster.maybe_pools)
        for name, policy_id in covering:
            for address in sorted(cluster.addresses) + maybe:
                state = outcomes.get((policy_id, resource.root, address))
                if state is not None and (state != "pass" or address in cluster.addresses):
                    # a waiver accepts a failure; the live checker would still find it
                    states[name] = _worst(states.get(name), "fail" if state == "waived" else state)
    return [ClusterSummary(address, path, line, tuple((c.label, states.get(c.name) or _unjudged(c)) for c in mandatory))
            for (address, path, line), states in lines.items() if states]


def _unjudged(check: HccCheck) -> str:
    """A mandatory check no rule of this run judged: one the code could decide, or one only HCC can."""
    return "unchecked" if check.preflight else "cannot"


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


def residency(model: Model, config: Config) -> ResidencySummary:
    """Every region a Terraform resource is placed in: its own location or region, an AWS resource's provider
    region, and the paired region geo-redundant Azure storage copies to."""
    table = regions()
    placed: dict[tuple[str, str], list[tuple[str, str, int, str]]] = {}
    hidden: set[tuple[str, str]] = set()
    sensitive = _sensitive_texts(model)
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
        if value in sensitive:
            hidden.add(key)     # as Terraform hides a value a sensitive variable gave
        pair = table.lookup(provider, region.pair) if region and region.pair and _replicates(resource) else None
        if pair is not None:
            placed.setdefault((provider, pair.id), []).append((resource.address, resource.path, resource.line, "replica"))
            if value in sensitive:
                hidden.add((provider, pair.id))     # the pair would give the region away
    uses = tuple(_region_use(table, config, provider, region, sorted(set(found)), (provider, region) in hidden)
                 for (provider, region), found in sorted(placed.items()))
    return ResidencySummary(config.residency_tier, config.allow_regions, config.deny_regions, uses,
                            tuple(sorted(unresolved)), table.as_of)


def _sensitive_texts(model: Model) -> set[str]:
    """Every string a value that came through a variable marked sensitive holds, in a resource or a provider
    configuration (an AWS resource's region is its provider's)."""
    found: set[str] = set()
    for resource in model.resources:
        found.update(text for path in resource.chains if resource.sensitive_at(path)
                     for text in strings_at(resource, path))
    return found


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
                found: list[tuple[str, str, int, str]], sensitive: bool = False) -> RegionUse:
    region = table.lookup(provider, region_id)
    key = region_key(region_id)
    if region is None:
        allowed = False if key in config.deny_regions else (True if key in config.allow_regions else None)
        shown = mask(region_id) if sensitive else redact(region_id)    # as written: may hold anything
        return RegionUse(provider, shown, "", "unknown", allowed, tuple(found))
    allowed = key not in config.deny_regions and (key in config.allow_regions
                                                  or tier_allows(region.tier, config.residency_tier))
    return RegionUse(provider, mask(region.id) if sensitive else region.id, region.country, region.tier, allowed,
                     tuple(found))


# --- exit readiness -------------------------------------------------------------------------------------

BACKUP_POLICY, PLAN_POLICY = "EXIT-003", "EXIT-005"
# what is pinned, by the policy that judges it: an image's version tag is judged by default (EXIT-020), its
# digest only in the opt-in group supply-chain (EXIT-009)
PINNING = (("modules", "EXIT-008", ("terraform_required_provider", "module_call")),
           ("lock-files", "EXIT-008", ("root_module",)), ("image-versions", "EXIT-020", ()), ("images", "EXIT-009", ()))


def exit_readiness(result: Result, model: Model, config: Config, outcomes: Outcomes) -> ExitReadiness:
    ran = _ran(result, config)
    in_files = _in_files(result, {BACKUP_POLICY} | {policy for _, policy, _ in PINNING})
    backups = tuple(_targets(BACKUP_POLICY, model, outcomes, in_files)) if BACKUP_POLICY in ran else None
    pinning = []
    for label, policy_id, types in PINNING:
        if policy_id in ran:
            found = [t for t in _targets(policy_id, model, outcomes, in_files) if not types or t.type in types]
            pinning.append((label, tuple(found)))
    return ExitReadiness(_lockin(model), backups, tuple(pinning), _plan(model, config, outcomes))


def _ran(result: Result, config: Config) -> set[str]:
    """The policies of the run that judged anything: not switched off (by the configuration, or as an opt-in
    rule nobody turned on), whose "0 of 0" would read as nothing to judge. Whether a policy is off does not
    depend on the date (a deny_from date only turns an audit into a deny)."""
    return {p.id for p in result.policies if mode_of(config, p, datetime.date.today()) != "off"}


def _in_files(result: Result, policies: set[str]) -> dict[tuple[str, str, str, str], str]:
    """(policy, root, address, file) -> the worst outcome of the policy there: two Kubernetes objects of one name
    in two files (two applications' redis-master) are two objects, one of which may pass."""
    states: dict[tuple[str, str, str, str], str] = {}
    for passed in result.passed:
        if passed.policy_id in policies:
            states.setdefault((passed.policy_id, passed.root, passed.address, passed.path), "pass")
    for finding in result.unresolved + result.findings:
        if finding.policy_id in policies:
            for address in finding.addresses:
                key = (finding.policy_id, finding.root, address, finding.path)
                states[key] = _worst(states.get(key), _state(finding))
    return states


def _targets(policy_id: str, model: Model, outcomes: Outcomes,
             in_files: dict[tuple[str, str, str, str], str]) -> list[Judged]:
    """Each resource the policy judged, as written (a module's resource called from several roots once, with
    its worst state); resources of different roots at one address each, and plain Kubernetes manifests of
    one name in different files each (every outcome on such an object is in its own file; a rendered object's
    may be in a patch). An azapi block's stand-in shares its place and address: the first in model order
    names the type."""
    judged = {(root, address): state for (policy, root, address), state in outcomes.items() if policy == policy_id}
    found: dict[tuple[str, str, int], Judged] = {}
    for resource in model.resources:
        plain_manifest = resource.kind == "kubernetes" and not resource.root
        state = in_files.get((policy_id, resource.terraform_root, resource.address, resource.path)) if plain_manifest else \
            judged.get((resource.terraform_root, resource.address))
        if state is None:
            continue
        place = (resource.address, resource.path, resource.line)
        first = found.get(place)
        found[place] = Judged(resource.address, resource.type, resource.path, resource.line, state) if first is None \
            else dataclasses.replace(first, state=_worst(first.state, state))
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


def _plan(model: Model, config: Config, outcomes: Outcomes) -> ExitPlan:
    document: dict = {}
    for resource in model.by_type("repository"):
        if isinstance(resource.values.get("exit_plan"), dict):
            document = resource.values["exit_plan"]
    dates = [d for d in (config.exit_last_test.isoformat() if config.exit_last_test else "",
                         str(document.get("last_test") or "")) if d]
    states = [state for (policy, _, _), state in outcomes.items() if policy == PLAN_POLICY]
    state = max(states, key=lambda s: _RANK[s]) if states else ""
    return ExitPlan(config.exit_plan or str(document.get("path") or ""), max(dates) if dates else "",
                    config.exit_max_age_months, state)
