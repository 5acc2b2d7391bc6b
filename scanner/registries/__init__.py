"""Registries: versioned facts about the world (regions, providers, node images, ...), kept as data.

Each file under policies/registries/ is checked against its entry in
scanner/schemas/registries.schema.json when first loaded, then read into frozen records by the module of
its subject (regions, providers, kubernetes, portability, images). The model and the predicates use the
records, never the YAML. A registry sits below the stages: the model's derive pass needs it too.
"""
from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import yaml

from scanner.errors import PolicyError
from scanner.pack import builtin_policy_dir
from scanner.parse.yaml import LOADER

_VALIDATED_PACKS: set[str] = set()   # pack directories whose registries an earlier run validated (pack_cache)


def validated_before(pack: str) -> None:
    """The built-in pack at `pack` validated in an earlier run with this content: its registries are read
    without checking them against their schemas again."""
    _VALIDATED_PACKS.add(pack)


def validated(pack: str) -> bool:
    return pack in _VALIDATED_PACKS


def validate_all() -> None:
    """Read and check every registry of the built-in pack (PolicyError on the first broken one)."""
    for name in sorted(_schema()["$defs"]):
        if (builtin_policy_dir() / "registries" / f"{name}.yaml").is_file():
            document(name)


@functools.lru_cache(maxsize=None)
def document(name: str) -> dict[str, Any]:
    """The registry policies/registries/<name>.yaml as checked data (a broken file is a PolicyError)."""
    path = builtin_policy_dir() / "registries" / f"{name}.yaml"
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise PolicyError(f"{path}: cannot load registry: {err}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: a registry is a mapping")
    if not validated(str(builtin_policy_dir())):
        _check(name, data, str(path))
    return data


@functools.lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    text = resources.files("scanner.schemas").joinpath("registries.schema.json").read_text("utf-8")
    return dict(json.loads(text))


def _check(name: str, data: dict[str, Any], path: str) -> None:
    import jsonschema   # only when a registry is first read: start-up stays lean

    schema = _schema()
    if name not in schema["$defs"]:
        raise PolicyError(f"{path}: no schema for registry {name!r}")
    validator = jsonschema.Draft202012Validator({**schema["$defs"][name], "$defs": schema["$defs"]})
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        where = ".".join(str(p) for p in errors[0].absolute_path) or "(top level)"
        raise PolicyError(f"{path}: {where}: {errors[0].message[:200]}")
