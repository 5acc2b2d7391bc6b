"""Which policies a run judges and how: the selection --only/--skip make (by family, opt-in group, id or
alias) and each policy's enforcement under the configuration (off, audit, deny)."""
from __future__ import annotations

import datetime
from dataclasses import replace

from scanner.config import Config
from scanner.errors import ConfigError, PolicyError
from scanner.evaluate.policies import FAMILIES, Policy


def select(policies: list[Policy], only: tuple[str, ...] = (), skip: tuple[str, ...] = ()) -> list[Policy]:
    """The policies `only` names (all when empty) minus those `skip` names: a family, an opt-in group, an id
    or an alias. Naming an opt-in policy (by id, alias or group) in `only` turns it on for this run; a family
    name selects the family's policies that run by default and leaves its opt-in ones off. Each entry may
    list several names separated by commas (`--only WL-001,WL-030`)."""
    for entry in only + skip:
        if not _names((entry,)):   # `--only "$FAMILIES"` with the variable unset would run every policy
            raise PolicyError(f"--only/--skip: {entry!r} names no family, opt-in group or policy id")
    only, skip = _names(only), _names(skip)
    known = _known(policies)
    for name in only + skip:
        if name not in known:
            raise PolicyError(f"--only/--skip: {name!r} is neither a family, an opt-in group nor a policy id")

    def named(policy: Policy, names: tuple[str, ...]) -> bool:
        return policy.family in names or bool(policy.opt_in and policy.opt_in in names) or \
            any(n in names for n in policy.names)

    def explicitly(policy: Policy) -> bool:
        return bool(policy.opt_in) and (policy.opt_in in only or any(n in only for n in policy.names))
    chosen = [replace(p, opt_in="") if explicitly(p) else p for p in policies if not only or named(p, only)]
    return [p for p in chosen if not named(p, skip)]


def check_enforcement(config: Config, policies: list[Policy]) -> None:
    """Every key of the configuration's `enforcement` names a family, an opt-in group, a policy or an earlier
    id of one: a mistyped id would leave its policy enforced (or off) while the file says otherwise."""
    known = _known(policies)
    for key in config.enforcement:
        if key not in known:
            raise ConfigError(f"{config.source or 'the configuration'}: enforcement.{key}: {key!r} is neither a "
                              "family, an opt-in group nor a policy id (`sovscan policies list` lists them)")


REVIEW_ID = "REVIEW-001"   # the rule a --changed-since run adds (scanner/review.py), which enforcement may name


def _known(policies: list[Policy]) -> set[str]:
    """What may name policies: families, opt-in groups, ids and earlier ids."""
    return {n for p in policies for n in p.names} | {p.family for p in policies} | set(FAMILIES) | \
        {p.opt_in for p in policies if p.opt_in} | {REVIEW_ID, "review"}


def mode_of(config: Config, policy: Policy, today: datetime.date) -> str:
    """The configured enforcement: by id, by an earlier id (alias), by opt-in group, else by family. An
    opt-in policy is off until the configuration names it or its group."""
    keys = policy.names + ((policy.opt_in,) if policy.opt_in else ())
    named = next((n for n in keys if n in config.enforcement), None)
    if named is None and policy.opt_in:
        return "off"
    return config.mode(named or policy.id, policy.family, today)


def _names(entries: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name.strip() for entry in entries for name in entry.split(",") if name.strip())
