"""The scan configuration (.sovscan.yaml), validated against a JSON Schema shipped with the package.

A profile (built in under policies/profiles/, or a file in the repository) gives the defaults; the file's
own settings win over the profile's, key by key. Which file is used, and which paths it may name, is
decided by scanner.checkout: one configuration per run, found from the scanned path up to the repository
root, and a configuration inside the repository never reaches outside it.
"""
from __future__ import annotations

import datetime
import json
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from scanner import checkout, yamlfile
from scanner.demonstration import DEMONSTRATION_DIRECTORIES
from scanner.errors import ConfigError
from scanner.pack import builtin_policy_dir
from scanner.regular_file import is_null_device, is_regular

if TYPE_CHECKING:
    import jsonschema

TIERS = ("eu", "eea", "adequacy", "third-country")
CONFIG_FILE = checkout.CONFIG_FILE
DEFAULT_PROFILE = "default"
DEFAULT_MAX_WAIVER_DAYS = 365


# [I] sovereignty_requirement -> SEAL target when seal_target is unset: some = EU law applies and is
# enforceable (SEAL-2, 003:359); high = the NDS ambition SEAL-4 (003:383).
SEAL_BY_REQUIREMENT = {"some": 2, "high": 4}


@dataclass(frozen=True)
class ConfigWaiver:
    rule: str
    resource: str
    path: str = ""
    reason: str = ""
    owner: str = ""
    expires: datetime.date | None = None


@dataclass(frozen=True)
class Config:
    profile: str = DEFAULT_PROFILE
    environment: str = "prod"
    classification: str | None = None
    residency_tier: str = "eu"
    allow_regions: tuple[str, ...] = ()
    deny_regions: tuple[str, ...] = ()
    seal_target: int | None = None
    sovereignty_requirement: str | None = None
    enforcement: dict = field(default_factory=dict)   # family or id -> (mode, deny_from date | None)
    policy_dirs: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    var_files: tuple[str, ...] = ()
    exit_plan: str | None = None
    exit_last_test: datetime.date | None = None
    exit_max_age_months: int = 12
    image_registries: tuple[str, ...] = ()
    backup_target: str | None = None
    waivers: tuple[ConfigWaiver, ...] = ()
    source: str = ""                                   # the configuration file, "" for none
    max_waiver_days: int = DEFAULT_MAX_WAIVER_DAYS     # how far ahead a waiver may expire
    helm_values: dict = field(default_factory=dict)   # chart directory -> values files (kubernetes.helm.values)
    report_lang: str = "en"                            # report.lang: the reports' language
    docs_url: str = ""                                 # report.docs_url: base URL of the policy pages, "" for none
    demonstration_directories: tuple[str, ...] = DEMONSTRATION_DIRECTORIES   # examples and tests: see demonstration.py

    def seal_level(self) -> int | None:
        """The SEAL level providers should reach: seal_target, else the sovereignty requirement's level."""
        if self.seal_target is not None:
            return self.seal_target
        return SEAL_BY_REQUIREMENT.get(self.sovereignty_requirement or "none")

    def mode(self, policy_id: str, family: str, today: datetime.date) -> str:
        """off | audit | deny for a policy; a policy id setting wins over its family's."""
        for key in (policy_id, family):
            if key in self.enforcement:
                mode, deny_from = self.enforcement[key]
                if mode == "audit" and deny_from is not None and today >= deny_from:
                    return "deny"
                return mode
        return "deny"


def _schema() -> dict:
    return json.loads(resources.files("scanner.schemas").joinpath("config.schema.json").read_text("utf-8"))


def _profiles_dir() -> Path:
    return builtin_policy_dir() / "profiles"


def profile_names() -> list[str]:
    return sorted(p.stem for p in _profiles_dir().glob("*.yaml"))


def validate_builtin_profiles() -> None:
    for path in sorted(_profiles_dir().glob("*.yaml")):
        _validate(yamlfile.read(path, "profile") or {}, str(path))


def load(path: str | None, roots: str | tuple[str, ...], profile: str | None = None,
         cache_dir: str | None = None) -> Config:
    """The configuration of a scan of `roots`: the file at `path` (--config), else the .sovscan.yaml found
    from the scanned paths up to the repository root; on top of its profile. With a cache directory, a
    built-in profile is not validated again when the built-in pack's verdict is cached (evaluate/pack_cache.py)."""
    roots = (roots,) if isinstance(roots, str) else tuple(roots) or (".",)
    root = checkout.root_of(roots[0])
    found = Path(path) if path is not None else checkout.config_for(roots)
    if found is not None:
        checkout.check_config_file(found, root)
    confined = found is not None and checkout.repository_owned(found, root)
    data = yamlfile.read(found) if found is not None else {}
    data = {} if data is None else data
    shown = _shown(found, root)
    if found is not None:      # no file: nothing to validate
        _validate(data, shown)
    assert isinstance(data, dict)
    name = profile or data.get("profile") or DEFAULT_PROFILE
    where = "--profile" if profile else f"{shown}: profile"
    # Without a file, the configuration is a built-in profile: validated once with the built-in pack.
    checked = found is None and _is_builtin_name(name) and _pack_validated(cache_dir)
    base = _profile(name, root, confined and not profile, where, checked)
    merged = _merge(base, {k: v for k, v in data.items() if k != "profile"})
    merged = _resolve_paths(merged, root, confined, shown)
    return from_dict(merged, shown, name, checked)


def _pack_validated(cache_dir: str | None) -> bool:
    if cache_dir is None:
        return False
    from scanner.evaluate import pack_cache
    return pack_cache.validated(cache_dir, builtin_policy_dir())


def _shown(path: Path | None, root: Path) -> str:
    """The configuration file as messages name it: relative to the working directory when it is in the
    repository or below the working directory, else its absolute path."""
    if path is None:
        return ""
    relative = os.path.relpath(path)
    if relative.startswith("..") and not checkout.inside(os.path.abspath(path), root):
        return os.path.abspath(path)
    return relative


def _is_builtin_name(name: str) -> bool:
    return "/" not in name and os.sep not in name and not name.endswith((".yaml", ".yml"))


PROFILE_CHAIN_LIMIT = 8   # profile files that build on one another: deeper than this is a mistake, not a design


def _profile(name: str, root: Path, confined: bool, where: str, checked: bool = False,
             chain: tuple[str, ...] = ()) -> dict:
    """A built-in profile by name, or a profile file given as a path (relative to the repository root). A
    profile file's own `profile:` names the profile it builds on, whose settings its own keys override."""
    builtin = _profiles_dir() / f"{name}.yaml"
    if _is_builtin_name(name):
        if not builtin.is_file():
            raise ConfigError(f"{where}: unknown profile {name!r}; built-in profiles: {', '.join(profile_names())}, "
                              "or a path to a profile file inside the repository such as profiles/team.yaml")
        path = builtin
        profile_confined = False
    else:
        path = Path(checkout.resolve(name, root, confined, where))
        profile_confined = confined
        if not path.is_file():
            raise ConfigError(f"{where}: profile file {name!r} does not exist")
    data = yamlfile.read(path, "profile") or {}
    if not checked:
        _validate(data, str(path))
    assert isinstance(data, dict)
    data = _resolve_paths(data, root, profile_confined, str(path)) if profile_confined else data
    below = data.pop("profile", None)
    if below is None:
        return data
    here = f"{_shown(path, root)}: profile"
    chain = chain + (os.path.realpath(path),)
    if len(chain) >= PROFILE_CHAIN_LIMIT:
        raise ConfigError(f"{here}: profiles build on one another more than {PROFILE_CHAIN_LIMIT} deep")
    if not _is_builtin_name(below) and os.path.realpath(checkout.resolve(below, root, confined, here)) in chain:
        raise ConfigError(f"{here}: {below!r} builds on this profile again (profiles that name each other)")
    return _merge(_profile(below, root, confined, here, False, chain), data)


def _resolve_paths(data: dict, root: Path, confined: bool, shown: str) -> dict:
    """`policies` and `var_files` relative to the repository root; kept inside it when `confined`. An
    `exit.plan` that is a path (not a URL) must name a file there too: it stays as written, for the reports."""
    out = dict(data)
    for key in ("policies", "var_files"):
        if key in out:
            out[key] = [_existing(key, checkout.resolve(value, root, confined, f"{shown}: {key}[{index}]"),
                                  f"{shown}: {key}[{index}]: {value}") for index, value in enumerate(out[key])]
    plan = out.get("exit", {}).get("plan")
    if isinstance(plan, str) and not _URL.match(plan):
        path = checkout.resolve(plan, root, confined, f"{shown}: exit.plan")
        if not os.path.exists(path):
            raise ConfigError(f"{shown}: exit.plan: {plan}: does not exist (a path is relative to the repository "
                              "root; a plan kept elsewhere is named by its URL)")
        _existing("exit.plan", path, f"{shown}: exit.plan: {plan}")   # a directory is no plan
    return out


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")   # exit.plan in a wiki or document system: not checked


def _existing(key: str, path: str, where: str) -> str:
    """A policy directory that is a directory, a variables file (or exit plan) that is a file: said here, with the
    configuration's file and field, rather than later as if it came from the command line."""
    wanted, is_kind = ("a directory", os.path.isdir) if key == "policies" else ("a file", lambda p: is_regular(p) or is_null_device(p))
    if not os.path.exists(path):
        raise ConfigError(f"{where}: does not exist")
    if not is_kind(path):
        raise ConfigError(f"{where}: is not {wanted}")
    return path


def _merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _validate(data: object, path: str) -> None:
    import jsonschema   # only when a configuration is validated: `sovscan --version` stays lean

    odd = _key_not_a_string(data, [])
    if odd is not None:   # YAML reads `1:`, `true:` and `null:` as such; a JSON schema sees only string keys
        where, key = odd
        raise ConfigError(f"{path}: {yamlfile.pointer(where)}: the key {str(key)[:40]!r} is not a string (quote it)")
    schema = _schema()
    errors = sorted(jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
                    .iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        error = errors[0]
        raise ConfigError(f"{path}: {yamlfile.pointer(error.absolute_path)}: {describe(error)}")
    if isinstance(data, dict):
        for index, waiver in enumerate(data.get("waivers") or []):
            _check_waiver(waiver, f"{path}: waivers[{index}]")


def _key_not_a_string(data: object, where: list) -> tuple[list, object] | None:
    """(where, key) of the first mapping key that is not a string, depth first."""
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):
                return where, key
            found = _key_not_a_string(value, where + [key])
            if found is not None:
                return found
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found = _key_not_a_string(value, where + [index])
            if found is not None:
                return found
    return None


def _check_waiver(waiver: dict, where: str) -> None:
    """A waiver names one rule and at least the start of a resource name: never every rule or resource."""
    resource = waiver["resource"]
    head = resource.split("*", 1)[0]
    if "*" in resource and not any(char in "./" for char in head[1:-1]):
        raise ConfigError(f"{where}.resource: {yamlfile.excerpt(resource)} does not name a resource; give an address "
                          "such as aws_s3_bucket.logs (a * may follow the start of a name: module.legacy.*)")


_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "a whole number",
               "number": "a number", "boolean": "true or false"}


def describe(error: jsonschema.ValidationError) -> str:
    """A schema error in words, listing what is allowed, quoting at most a short excerpt of the value."""
    value = yamlfile.excerpt(error.instance)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator in ("oneOf", "anyOf") and error.context:
        return _describe_alternatives(error)
    if error.validator == "enum":
        allowed_values = error.validator_value if isinstance(error.validator_value, list) else []
        return f"{value} is not allowed; use one of: {', '.join(map(str, allowed_values))}"
    if error.validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        keys = ", ".join(yamlfile.excerpt(k) for k in unknown)
        return f"unknown key {keys}; allowed keys: {', '.join(allowed)}"
    if error.validator == "type":
        return f"expected {_TYPE_NAMES.get(str(error.validator_value), error.validator_value)}, got {value}"
    if error.validator == "format" and error.validator_value == "date":
        return f"{value} is not a valid date; use YYYY-MM-DD, e.g. 2027-03-31"
    if error.validator == "required":
        return f"required key {error.message.split(' ', 1)[0]} is missing"
    if error.validator == "pattern" and error.absolute_path and error.absolute_path[-1] == "rule":
        return f"{value} is not a policy id; name one rule such as RES-001 (no * or all)"
    if error.validator in ("minimum", "maximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        span = f"{low} to {high}" if low is not None and high is not None else \
            f"{low} or more" if low is not None else f"{high} or less"
        return f"{value} is out of range; allowed: {span}"
    if error.validator == "minLength":
        return "must not be empty"
    return f"{value} is not valid here ({error.validator})"


def _describe_alternatives(error: jsonschema.ValidationError) -> str:
    """`RES-013: never` against "off | audit | deny, or {mode, deny_from}": the alternative that fits the
    value's type says what is wrong."""
    for sub in error.context or []:
        if sub.validator == "enum" and not isinstance(error.instance, dict):
            return describe(sub)
        # a mapping: what is wrong inside it (`mode: never`), not that the other alternative is no mapping
        if isinstance(error.instance, dict) and (sub.relative_path or sub.validator not in ("enum", "type")):
            return f"{yamlfile.pointer(sub.relative_path) if sub.relative_path else ''}{': ' if sub.relative_path else ''}" \
                   f"{describe(sub)}"
    return f"{yamlfile.excerpt(error.instance)} is not allowed; use off, audit or deny, or {{mode, deny_from}}"


def _region_keys(ids: list[str]) -> tuple[str, ...]:
    if not ids:
        return ()
    from scanner.registries.regions import region_key   # here: a run without the lists does not load the tables
    return tuple(region_key(r) for r in ids)


def from_dict(data: object, path: str = "<config>", profile: str | None = None, checked: bool = False) -> Config:
    if not checked:
        _validate(data, path)
    assert isinstance(data, dict)
    residency = data.get("residency", {})
    exit_settings = data.get("exit", {})
    return Config(
        profile=profile or data.get("profile", DEFAULT_PROFILE),
        environment=data.get("environment", "prod"),
        classification=data.get("classification"),
        residency_tier=residency.get("tier", "eu"),
        allow_regions=_region_keys(residency.get("allow", [])),   # as code is read: "France South"
        deny_regions=_region_keys(residency.get("deny", [])),
        seal_target=data.get("seal_target"),
        sovereignty_requirement=data.get("sovereignty_requirement"),
        enforcement={k: _enforcement(v) for k, v in data.get("enforcement", {}).items()},
        policy_dirs=tuple(data.get("policies", [])),
        exclude=tuple(data.get("exclude", [])),
        var_files=tuple(data.get("var_files", [])),
        exit_plan=exit_settings.get("plan"),
        exit_last_test=_date(exit_settings.get("last_test")),
        exit_max_age_months=exit_settings.get("max_age_months", 12),
        image_registries=tuple(exit_settings.get("image_registries", [])),
        backup_target=exit_settings.get("backup_target"),
        waivers=tuple(ConfigWaiver(w["rule"], w["resource"], w.get("path", ""), w.get("reason", ""),
                                   w.get("owner", ""), _date(w.get("expires"))) for w in data.get("waivers", [])),
        source=path if path not in ("<config>", "<defaults>") else "",
        max_waiver_days=data.get("max_waiver_days", DEFAULT_MAX_WAIVER_DAYS),
        helm_values=data.get("kubernetes", {}).get("helm", {}).get("values", {}),
        report_lang=data.get("report", {}).get("lang", "en"),
        docs_url=data.get("report", {}).get("docs_url", ""),
        demonstration_directories=tuple(data.get("demonstration_directories", DEMONSTRATION_DIRECTORIES)),
    )


def _date(value: object) -> datetime.date | None:
    """A date the schema has checked (YYYY-MM-DD); a date object when built in code."""
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def _enforcement(value: object) -> tuple[str, datetime.date | None]:
    if isinstance(value, str):
        return value, None
    assert isinstance(value, dict)
    return value["mode"], _date(value.get("deny_from"))
