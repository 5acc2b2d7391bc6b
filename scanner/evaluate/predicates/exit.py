"""Exit predicates: portability classes, off-provider copies, the exit plan, lock files and vendor-specific
Kubernetes markers (backups: backups.py; image registries: images.py).

Which service is portable, its alternative, copy targets, the providers' storage endpoint domains and vendor
markers are data (policies/registries/portability.yaml); this module only applies them.
"""
from __future__ import annotations

import datetime
import re
from collections import Counter
from typing import Any, Mapping

from scanner.demonstration import in_demonstration
from scanner.evaluate.context import Context
from scanner.evaluate.predicates.spec import BOOLEAN, STRING, STRINGS, PredicateSpec, spec
from scanner.evaluate.verdict import PASS, Verdict, fail, unknown
from scanner.model.derive.roots import LOCK_FILE, relative_directory, repository_root
from scanner.model.paths import Match, lookup
from scanner.model.resource import META_TYPES, Resource
from scanner.model.tags import tags_at
from scanner.model.values import Unknown
from scanner.registries.portability import Portability, ServiceClass, classes_for, portability



# --- registries ------------------------------------------------------------------------------------
def _when_holds(resource: Resource, when: Mapping[str, str]) -> bool | Unknown:
    for path, pattern in when.items():
        values = [m.value for m in lookup(resource, path)]
        missing = next((v for v in values if isinstance(v, Unknown)), None)
        if missing is not None:
            return missing
        if not any(v not in (None, "", [], {}) and re.search(pattern, str(v)) for v in values):
            return False
    return True


def classify(resource: Resource) -> ServiceClass | Unknown | None:
    """The registry's class for this resource; Unknown when it depends on a value not known statically."""
    for entry in classes_for(resource.type):
        holds = _when_holds(resource, entry.when) if entry.when else True
        if isinstance(holds, Unknown):
            return holds
        if holds:
            return entry
    return None


def _provider(type_name: str) -> str:
    return type_name.split("_", 1)[0]


def _today(ctx: Context) -> datetime.date:
    return ctx.today   # the scan's date: runs (and tests) are reproducible


# --- configuration ----------------------------------------------------------------------------------
def environment_in(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The configured environment is one of `values` (applicability: backups are a production duty)."""
    if ctx.config.environment in args.get("values", ["prod"]):
        return PASS
    return fail(detail=f"environment is {ctx.config.environment}")


def outside_demonstration(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The resource's file is not below a demonstration directory (examples, tests: the configuration's
    `demonstration_directories`), whose code demonstrates rather than deploys."""
    relative = relative_directory(resource.path, repository_root(ctx.model))
    if in_demonstration(f"{relative}/", ctx.model.demonstration_directories):
        return fail(detail=f"{relative} demonstrates")
    return PASS


# --- EXIT-001 / -002 / -006: portability classes ---------------------------------------------------
def portable_alternative(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The resource is not a proprietary service of one of `categories` (with `engine: true`, nor a
    database on a proprietary engine). A finding names the portable alternative."""
    found = classify(resource)
    if isinstance(found, Unknown):
        return unknown(found.reason)
    if found is None or found.category not in args.get("categories", [found.category]):
        return PASS
    proprietary_engine = bool(args.get("engine")) and found.engine == "proprietary"
    if found.klass != "proprietary" and not proprietary_engine:
        return PASS
    path = next(iter(found.when), "")
    what = "a proprietary database engine" if proprietary_engine and found.klass != "proprietary" \
        else f"a proprietary {found.category} service"
    return fail(path, f"{what}; portable alternative: {found.alternative or 'none recorded'}")


def lockin_inventory(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """No managed-service resource the root module deploys (a derived `root_module`: its own resources and
    those of the modules it calls) is proprietary. The finding is the inventory: how many are, of which
    types, and their share of all classified managed-service resources."""
    classes: Counter = Counter()
    proprietary: Counter = Counter()
    undetermined = 0
    for other in ctx.model.resources:
        if other.kind != "terraform" or other.type in META_TYPES or other.root != resource.root:
            continue
        found = classify(other)
        if isinstance(found, Unknown):
            undetermined += 1
        elif found is not None:
            classes[found.klass] += 1
            if found.klass == "proprietary":
                proprietary[other.type] += 1
    if not proprietary:
        if undetermined:
            return unknown(f"the class of {undetermined} managed-service resources (a value the portability "
                           f"registry's conditions read is not known statically)")
        return PASS
    total = sum(classes.values())
    listed = ", ".join(f"{t} x{n}" for t, n in sorted(proprietary.items(), key=lambda kv: (-kv[1], kv[0]))[:15])
    extra = f"; {undetermined} not classified (value not known statically)" if undetermined else ""
    share = round(100 * classes["proprietary"] / total)
    return fail("", f"{classes['proprietary']} of {total} managed-service resources ({share}%) are proprietary: "
                    f"{listed}; {classes['moderate']} moderate, {classes['portable']} portable{extra} "
                    f"(portability registry as of {portability().as_of})", "inventory")


# --- EXIT-004: off-provider copy --------------------------------------------------------------------
def _criticality(resource: Resource, args: dict, base: Match | None) -> bool | Unknown:
    """Tagged (tag/label `keys`) with one of `values`; `path` reads the tags elsewhere."""
    found = tags_at(resource, args.get("path"), base)
    if isinstance(found, Unknown):
        return found
    tags, hidden = found
    keys = {k.lower() for k in args.get("keys", ["criticality"])}
    wanted = {v.lower() for v in args.get("values", ["high", "critical"])}
    for key, value in tags.items():
        if str(key).lower() in keys:
            return value if isinstance(value, Unknown) else str(value).lower() in wanted
    return hidden[0] if hidden else False     # tags not known statically may carry the key


def _velero_elsewhere(ctx: Context, provider: str) -> bool:
    domains = portability().storage_domains.get(provider, (f"{provider}.",))
    for location in ctx.of_type(["BackupStorageLocation"]):
        url = lookup(location, "spec.config.s3Url")
        if url and isinstance(url[0].value, str) and not any(domain in url[0].value for domain in domains):
            return True
    return False


def critical_data_copied(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """Critical data (tagged so, or all data when the configuration demands high sovereignty) has
    somewhere to be copied outside the provider: a declared exit.backup_target, another provider's
    storage in the same root module, or a Velero location at another provider's endpoint."""
    if getattr(ctx.config, "sovereignty_requirement", None) != "high":
        critical = _criticality(resource, args, base)
        if isinstance(critical, Unknown):
            return unknown(critical.reason, args.get("path", "tags"))
        if not critical:
            return PASS
    if getattr(ctx.config, "backup_target", None):
        return PASS
    provider = _provider(resource.type)
    targets = portability().copy_targets
    for other in ctx.model.resources:
        if other.kind == "terraform" and other.type in targets and _provider(other.type) != provider \
                and other.root == resource.root:
            return PASS
    if _velero_elsewhere(ctx, provider):
        return PASS
    return fail(detail=f"no copy target outside {provider}: no other provider's storage in this root module, "
                       f"no Velero location elsewhere, no exit.backup_target configured")


# --- EXIT-005: exit plan ----------------------------------------------------------------------------
def _months_before(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    for candidate in range(day.day, 0, -1):       # 31 March minus one month: the end of February
        try:
            return datetime.date(year, month + 1, candidate)
        except ValueError:
            continue
    return day


def _as_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def exit_plan_tested(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """Repository-level: an exit plan exists (exit.plan in the configuration, or EXIT.md in the scan
    root) and was tested within the last `exit.max_age_months` (default 12) months. A missing plan is
    only reported when the scan root is a repository's top level; below it (a subdirectory, one module, a
    directory of several repositories) the plan may be where this scan does not look: unresolved."""
    path = args.get("path", "exit_plan")
    found = [m.value for m in lookup(resource, path, base)]
    if found and isinstance(found[0], Unknown):
        return unknown(found[0].reason, path)
    document = found[0] if found and isinstance(found[0], dict) else None
    configured = getattr(ctx.config, "exit_plan", None)
    if not configured and not document:
        if not resource.values.get("repository_top", True):
            return unknown("whether there is an exit plan (the scan root is not a repository's top level, where "
                           "EXIT.md would be; exit.plan in the configuration names one)")
        return fail("", "no exit plan: neither exit.plan in the configuration nor an EXIT.md in the scan root")
    dates = [(d, p) for d, p in ((_as_date(getattr(ctx.config, "exit_last_test", None)), ""),
                                 (_as_date(document.get("last_test")) if document else None, "exit_plan.last_test"))
             if d is not None]
    if not dates:
        return fail("exit_plan" if document else "", "the exit plan records no test date "
                    "(exit.last_test in the configuration, or 'Last tested: YYYY-MM-DD' in EXIT.md)")
    tested, path = max(dates)
    today = _today(ctx)
    months = int(getattr(ctx.config, "exit_max_age_months", 12) or 12)
    if tested > today:
        return fail(path, f"the last test date {tested} is in the future")
    if tested < _months_before(today, months):
        return fail(path, f"last tested {tested}, more than {months} months ago")
    return PASS


# --- EXIT-008: lock file ----------------------------------------------------------------------------
def lock_file_committed(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The root module has a committed .terraform.lock.hcl (exact provider versions and hashes). EXIT-008 asks it
    of deployed roots only (configuring a provider or backend, outside demonstration directories): a root that
    demonstrates a module neither passes nor fails it, so the lock-file count is of the roots that need one."""
    values = resource.values
    if values.get("lock_file"):
        return PASS
    directory = values.get("directory", ".")
    shown = "the root directory" if directory == "." else directory
    ignored_at = values.get("lock_file_ignored_at")
    return fail("", f"no {LOCK_FILE} in {shown}" + (f"; {ignored_at} ignores it" if ignored_at else ""))


# --- EXIT-007: vendor-specific Kubernetes markers ---------------------------------------------------
def _api_group_marker(resource: Resource, markers: Portability) -> tuple[str, str, str] | None:
    api_version = resource.values.get("apiVersion")
    group = api_version.split("/", 1)[0] if isinstance(api_version, str) and "/" in api_version else ""
    # The most specific entry wins: cnrm.cloud.google.com (Config Connector) before cloud.google.com.
    for entry in sorted(markers.api_groups, key=lambda e: -len(e.key)):
        if group == entry.key or group.endswith("." + entry.key):
            return "apiVersion", f"API group {group}", f"{entry.vendor}: use {entry.alternative}"
    return None


def _annotation_markers(resource: Resource, markers: Portability) -> list[tuple[str, str, str]]:
    found = []
    classes = {c.key: c for c in markers.ingress_classes}
    for path in ("metadata.annotations", "spec.template.metadata.annotations"):
        for match in lookup(resource, path):
            if not isinstance(match.value, dict):
                continue
            for key, value in match.value.items():
                key = str(key)
                entry = next((a for a in markers.annotations if key.startswith(a.key)), None)
                if key == "kubernetes.io/ingress.class" and str(value) in classes:
                    entry = classes[str(value)]
                if entry:
                    found.append((f"{match.location}.{key}", f"annotation {key}",
                                  f"{entry.vendor}: use {entry.alternative}"))
    return found


LOCAL_CONFIG = "config.kubernetes.io/local-config"


def vendor_neutral(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The object uses no provider-specific API group, annotation or ingress class. An object annotated
    config.kubernetes.io/local-config (tooling input such as blueprint metadata, never applied to a
    cluster) is not judged."""
    metadata = resource.values.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if isinstance(annotations, dict) and str(annotations.get(LOCAL_CONFIG, "")).lower() == "true":
        return PASS
    markers = portability()
    found = []
    group = _api_group_marker(resource, markers)
    if group:
        found.append(group)
    found.extend(_annotation_markers(resource, markers))
    ingress_class = resource.values.get("spec", {}).get("ingressClassName") \
        if isinstance(resource.values.get("spec"), dict) else None
    chosen = next((c for c in markers.ingress_classes if c.key == ingress_class), None)
    if chosen:
        found.append(("spec.ingressClassName", f"ingress class {ingress_class}",
                      f"{chosen.vendor}: use {chosen.alternative}"))
    if not found:
        return PASS
    path, what, alternative = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return Verdict(False, path, path, f"{what} is specific to {alternative}{more}")


EXIT: dict[str, PredicateSpec] = {
    "environment_in": spec(environment_in, optional={"values": STRINGS}),
    "outside_demonstration": spec(outside_demonstration, reads=("the top of the repository (derived)",), derived=("roots",)),
    "portable_alternative": spec(portable_alternative, optional={"categories": STRINGS, "engine": BOOLEAN},
                                 registries=("portability",)),
    "lockin_inventory": spec(lockin_inventory, reads=("every Terraform resource",), registries=("portability",)),
    "critical_data_copied": spec(critical_data_copied, optional={"path": STRING, "keys": STRINGS, "values": STRINGS},
                                 reads=("copy targets in the same root module", "Velero locations"),
                                 registries=("portability",)),
    "exit_plan_tested": spec(exit_plan_tested, optional={"path": STRING}),
    "lock_file_committed": spec(lock_file_committed, reads=("root_module (derived)",), derived=("roots",)),
    "vendor_neutral": spec(vendor_neutral, registries=("portability",)),
}
