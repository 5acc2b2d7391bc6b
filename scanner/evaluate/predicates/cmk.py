"""CMK predicates: account-wide EBS default keys, encryption inherited from a source, HSM-backed keys when the
profile asks, key-lifetime durations."""
from __future__ import annotations

import re
from typing import Any

from scanner.config import Config
from scanner.evaluate.context import Context
from scanner.evaluate.predicates.core import customer_key
from scanner.evaluate.predicates.spec import ANY, NUMBER, STRING, STRINGS, PredicateSpec, spec
from scanner.model.paths import Match, lookup
from scanner.evaluate.verdict import PASS, Verdict, fail, unknown
from scanner.model.resource import Resource
from scanner.model.values import Unknown

_SECONDS = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")                      # Google: "7776000s"
_ISO = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_DAY = 86400.0


def ebs_cmk(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """An EBS volume is under a customer key: its own key at `path`, or the region's default EBS key.

    With aws_ebs_encryption_by_default enabled, every new volume in the region is encrypted with the
    key of aws_ebs_default_kms_key, even when the volume names none.
    """
    path = args.get("path", "kms_key_id")
    if any(m.value not in (None, "") for m in lookup(resource, path, base)):
        return customer_key(resource, {"path": path}, ctx, base)
    default = _account_default_key(resource, ctx)
    if default.state is False:
        return fail(path, "no kms_key_id, and no aws_ebs_encryption_by_default with a customer aws_ebs_default_kms_key")
    return default


def inherits_from_source(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """A resource that has the encryption of its source (an EBS snapshot that of its volume, a Neptune
    cluster snapshot that of its cluster) is judged on the source: it passes when `path` refers to a resource
    of `types` in the same root module, which the rule judges itself; a source elsewhere is unresolved."""
    path, types = args["path"], args["types"]
    values = [m.value for m in lookup(resource, path, base) if m.value not in (None, "")]
    if not values:
        return fail(path, f"{path} is not set")
    for address in sorted(resource.references.get(path, ())):
        if any(source.type in types for source in ctx.at(address, resource.root)):
            return PASS
    value = values[0]
    shown = value.reason if isinstance(value, Unknown) else str(value)[:80]
    return unknown(f"the encryption of its source {shown} (no {' or '.join(types)} in the scanned code)", path)


def _account_default_key(resource: Resource, ctx: Context) -> Verdict:
    region = _region(resource)
    switches = [r for r in ctx.of_type(["aws_ebs_encryption_by_default"]) if _same_account_region(r, resource, region)]
    keys = [r for r in ctx.of_type(["aws_ebs_default_kms_key"]) if _same_account_region(r, resource, region)]
    if not switches or not keys:
        return fail()
    blocker = ""
    for switch in switches:
        enabled = switch.values.get("enabled", True)       # the provider's default is true
        if isinstance(enabled, Unknown):
            blocker = enabled.reason
            continue
        if enabled is False or str(enabled).lower() == "false":
            continue
        for key in keys:
            verdict = customer_key(key, {"path": "key_arn"}, ctx)
            if verdict.state:
                return PASS
            if verdict.state is None:
                blocker = verdict.blocker
    return unknown(blocker) if blocker else fail()


def _region(resource: Resource) -> Any:
    value = resource.values.get("region")          # aws provider >= 6: per-resource region
    return value if value is not None else resource.provider_values.get("region")


def _same_account_region(other: Resource, resource: Resource, region: object) -> bool:
    """Same root module, and not known to be in another region (the default key is per region)."""
    if other.root != resource.root:
        return False
    theirs = _region(other)
    return not (isinstance(region, str) and isinstance(theirs, str) and region != theirs)


def hsm_reason(config: Config) -> str:
    """Why the profile asks for HSM-backed keys, or "" when it does not."""
    if config.classification == "dv":
        return "classification dv"
    if config.seal_target is not None and config.seal_target >= 3:
        return f"seal_target {config.seal_target}"
    return ""


def hsm_backed(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """When the profile asks for it (classification dv or SEAL target >= 3), the value at `path` names an
    HSM protection level (`accepted`); an absent value means `default`."""
    reason = hsm_reason(ctx.config)
    if not reason:
        return PASS
    path = args["path"]
    matches = [m for m in lookup(resource, path, base) if m.value is not None]
    values = [m.value for m in matches] or [args.get("default")]
    accepted = {str(a).lower() for a in args["accepted"]}
    for value in values:
        if isinstance(value, Unknown):
            return unknown(value.reason, path)
        if str(value).lower() not in accepted:
            shown = value if value is not None else "not set"
            return fail(path, f"{path} is {shown}; the profile asks for HSM-backed keys ({reason})")
    return PASS


def duration_days(value: object) -> float | None:
    """Days in a Google duration ("7776000s"), an ISO 8601 duration ("P90D") or a number of days."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    seconds = _SECONDS.match(value)
    if seconds:
        return float(seconds.group(1)) / _DAY
    iso = _ISO.match(value.strip().upper())
    if iso and any(iso.groups()):
        y, mo, w, d, h, mi, s = (float(g) if g else 0.0 for g in iso.groups())
        return y * 365 + mo * 365 / 12 + w * 7 + d + (h * 3600 + mi * 60 + s) / _DAY   # a month: a twelfth of a year
    return None


def duration_within(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The duration at `path` (less the duration at `less`, when given: a key that rotates a time before it
    expires rotates after the difference) lies within [min_days, max_days]. An absent value is `default` (a
    duration) or, without a default, a failure that names the outermost block that is missing."""
    path, less = args["path"], args.get("less")
    days, shown = _duration(resource, path, base, args.get("default"))
    if isinstance(days, Verdict):
        return days
    if less is not None:
        subtracted, less_shown = _duration(resource, less, base, None)
        if isinstance(subtracted, Verdict):
            return subtracted
        days, shown = days - subtracted, f"{shown} less {less_shown}"
    low, high = args.get("min_days"), args.get("max_days")
    if low is not None and days < float(low):
        return fail(path, f"{shown} ({days:g} days) is shorter than {low} days")
    if high is not None and days > float(high):
        return fail(path, f"{shown} ({days:g} days) is longer than {high} days")
    return PASS


def _duration(resource: Resource, path: str, base: Match | None, default: Any) -> tuple[float | Verdict, str]:
    """(days, "path = value") of the duration at `path`, or the verdict when it is not one."""
    matches = [m for m in lookup(resource, path, base) if m.value not in (None, "")]
    value = matches[0].value if matches else default
    if isinstance(value, Unknown):
        return unknown(value.reason, path), ""
    if value is None:
        # the finding stays on `path` (its fingerprint names the attribute), the words name what is missing
        return fail(path, f"{_outermost_missing(resource, path, base)} is not set"), ""
    days = duration_days(value)
    if days is None:
        return fail(path, f"{path} = {value} is not a duration"), ""
    return days, f"{path} = {value}"


def _outermost_missing(resource: Resource, path: str, base: Match | None) -> str:
    """`rotation_policy` when a key has no rotation_policy block at all, not its `.automatic.time_after_creation`."""
    parts = path.split(".")
    for end in range(1, len(parts)):
        prefix = ".".join(parts[:end])
        if not any(m.value is not None for m in lookup(resource, prefix, base)):
            return prefix
    return path


CMK: dict[str, PredicateSpec] = {
    "ebs_cmk": spec(ebs_cmk, optional={"path": STRING}, reads=("aws_ebs_encryption_by_default and "
                                                                 "aws_ebs_default_kms_key in the same root",)),
    "inherits_from_source": spec(inherits_from_source, required={"path": STRING, "types": STRINGS},
                                 reads=("the source resource the attribute refers to, in the same root module",)),
    "hsm_backed": spec(hsm_backed, required={"path": STRING, "accepted": STRINGS}, optional={"default": ANY}),
    "duration_within": spec(duration_within, required={"path": STRING},
                            optional={"min_days": NUMBER, "max_days": NUMBER, "default": ANY, "less": STRING}),
}
