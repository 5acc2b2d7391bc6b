"""The scan configuration (.sovscan.yaml), validated against a JSON Schema shipped with the package."""
from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

from scanner.errors import ConfigError

TIERS = ("eu", "eea", "adequacy", "third-country")
CONFIG_FILE = ".sovscan.yaml"


@dataclass(frozen=True)
class Config:
    profile: str = "default"
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
    source: str = ""

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


def load(path: str | None, root: str) -> Config:
    """The config at `path`, or `.sovscan.yaml` in the scan root when present, or the defaults."""
    if path is None:
        candidate = Path(root) / CONFIG_FILE
        if not candidate.is_file():
            return Config()
        path = str(candidate)
    try:
        data = yaml.safe_load(Path(path).read_text("utf-8"))
    except OSError as err:
        raise ConfigError(f"{path}: cannot read configuration: {err.strerror}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: configuration is not valid YAML") from None
    return from_dict(data or {}, path)


def from_dict(data: object, path: str = "<config>") -> Config:
    errors = sorted(jsonschema.Draft202012Validator(_schema(), format_checker=jsonschema.FormatChecker())
                    .iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ConfigError(f"{path}: {where}: {_describe(error)}")
    assert isinstance(data, dict)
    residency = data.get("residency", {})
    return Config(
        profile=data.get("profile", "default"),
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
        source=path,
    )


def _describe(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key")
    return error.message


def _enforcement(value: object) -> tuple[str, datetime.date | None]:
    if isinstance(value, str):
        return value, None
    assert isinstance(value, dict)
    deny_from = value.get("deny_from")
    return value["mode"], datetime.date.fromisoformat(deny_from) if deny_from else None
