"""The scan configuration (.sovscan.yaml), validated against a JSON Schema shipped with the package.

A profile (built in under policies/profiles/, or named in the file) gives the defaults; the file's own
settings win over the profile's, key by key.
"""
from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

from scanner.errors import ConfigError
from scanner.pack import builtin_policy_dir

TIERS = ("eu", "eea", "adequacy", "third-country")
CONFIG_FILE = ".sovscan.yaml"
DEFAULT_PROFILE = "default"


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
    source: str = ""
    helm_values: dict = field(default_factory=dict)   # chart directory -> values files (kubernetes.helm.values)

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


def _plain(value: object) -> object:
    """YAML reads 2027-01-01 as a date; the schema (and JSON) knows strings."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _read_yaml(path: Path) -> object:
    try:
        return _plain(yaml.safe_load(path.read_text("utf-8")))
    except OSError as err:
        raise ConfigError(f"{path}: cannot read configuration: {err.strerror}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: configuration is not valid YAML") from None


def load(path: str | None, root: str, profile: str | None = None) -> Config:
    """The config at `path`, or `.sovscan.yaml` in the scan root when present, on top of its profile."""
    if path is None:
        candidate = Path(root if Path(root).is_dir() else Path(root).parent) / CONFIG_FILE
        path = str(candidate) if candidate.is_file() else None
    data = _read_yaml(Path(path)) if path else {}
    data = data if data is not None else {}
    _validate(data, path or "<defaults>")
    name = profile or data.get("profile") or DEFAULT_PROFILE
    return from_dict(_merge(_profile(name, path), data), path or "", name)


def _profile(name: str, config_path: str | None) -> dict:
    path = _profiles_dir() / f"{name}.yaml"
    if not path.is_file():
        where = f"{config_path}: profile" if config_path else "--profile"
        raise ConfigError(f"{where}: unknown profile {name!r}; built-in profiles: {', '.join(profile_names())}")
    data = _read_yaml(path) or {}
    _validate(data, str(path))
    data.pop("profile", None)
    return data


def _merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _validate(data: object, path: str) -> None:
    errors = sorted(jsonschema.Draft202012Validator(_schema(), format_checker=jsonschema.FormatChecker())
                    .iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ConfigError(f"{path}: {where}: {_describe(error)}")


def from_dict(data: object, path: str = "<config>", profile: str | None = None) -> Config:
    _validate(data, path)
    assert isinstance(data, dict)
    residency = data.get("residency", {})
    exit_settings = data.get("exit", {})
    return Config(
        profile=profile or data.get("profile", DEFAULT_PROFILE),
        environment=data.get("environment", "prod"),
        classification=data.get("classification"),
        residency_tier=residency.get("tier", "eu"),
        allow_regions=tuple(r.lower() for r in residency.get("allow", [])),
        deny_regions=tuple(r.lower() for r in residency.get("deny", [])),
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
        source=path,
        helm_values=data.get("kubernetes", {}).get("helm", {}).get("values", {}),
    )


def _date(value: object) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def _describe(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key")
    return error.message


def _enforcement(value: object) -> tuple[str, datetime.date | None]:
    if isinstance(value, str):
        return value, None
    assert isinstance(value, dict)
    return value["mode"], _date(value.get("deny_from"))
