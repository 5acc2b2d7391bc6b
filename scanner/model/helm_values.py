"""Values of a Helm chart: where each was written, sentinel copies that reveal it, dependency conditions.

To learn which rendered fields come from a values file, the chart is rendered a second time with every
traceable scalar of every values file replaced by a unique sentinel string (`svq000001z`). A rendered
field whose whole value is a sentinel came from that values-file line; the caller checks the plain
render holds the original value at the same key path before believing it. Falsy scalars (false, 0,
"", null) keep their value so `if`/`with`/`default` take the same branches; the `typed` tier also
replaces true and non-zero numbers (a template may then fail on a string where it does arithmetic:
the caller falls back to the `strings` tier, then to no tracing).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from scanner.model.rendered import Place
from scanner.parse.yaml import YamlTooComplex, parse_text

SENTINEL = re.compile(r"svq(\d{6,})z")
TIERS = ("typed", "strings")


@dataclass(frozen=True)
class ValuesFile:
    path: str          # repository-relative
    values: dict
    lines: dict        # key path tuple -> 1-based line; empty when the file does not read as a mapping
    text: str


def read_values(path: str, text: str) -> ValuesFile:
    """The first document of a values file; an unreadable or non-mapping one reads as empty."""
    try:
        documents = parse_text(path, text)
    except (yaml.YAMLError, YamlTooComplex):
        return ValuesFile(path, {}, {}, text)
    if not documents or not isinstance(documents[0].values, dict):
        return ValuesFile(path, {}, {}, text)
    return ValuesFile(path, documents[0].values, documents[0].locations, text)


@dataclass(frozen=True)
class Traced:
    place: Place
    value: object      # as written in the values file
    source: ValuesFile
    path: tuple        # key path in the values file


class Tracer:
    """Hands out sentinels for the scalars of values files and remembers where each was written."""

    def __init__(self, tier: str) -> None:
        self.tier = tier
        self.traced: dict[str, Traced] = {}

    def sentinel_text(self, values_file: ValuesFile) -> str:
        return yaml.safe_dump(self._replace(values_file, values_file.values, ()), sort_keys=False)

    def _replace(self, values_file: ValuesFile, value: object, path: tuple) -> object:
        if isinstance(value, dict):
            return {key: self._replace(values_file, item, path + (key,)) for key, item in value.items()}
        if isinstance(value, list):
            return [self._replace(values_file, item, path + (index,)) for index, item in enumerate(value)]
        if not self._traceable(value) or path not in values_file.lines:
            return value
        sentinel = f"svq{len(self.traced) + 1:06d}z"
        self.traced[sentinel] = Traced(Place(values_file.path, values_file.lines[path]), value, values_file, path)
        return sentinel

    def _traceable(self, value: object) -> bool:
        if isinstance(value, str):
            return value != ""
        if self.tier != "typed":
            return False
        if isinstance(value, bool):
            return value
        return isinstance(value, (int, float)) and value != 0

    def origin(self, rendered: object, plain: object) -> Traced | None:
        """The values-file scalar behind a rendered sentinel, when the plain render has its value there too."""
        if not isinstance(rendered, str) or not SENTINEL.fullmatch(rendered):
            return None
        traced = self.traced.get(rendered)
        if traced is None or not same_scalar(traced.value, plain):
            return None
        return traced


def same_scalar(written: object, rendered: object) -> bool:
    if isinstance(written, (dict, list)) or isinstance(rendered, (dict, list)):
        return False
    return _text(written) == _text(rendered)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def lookup(values: object, dotted_path: str) -> object:
    """`a.b.c` in nested mappings; None when any step is missing."""
    for part in dotted_path.split("."):
        if not isinstance(values, dict) or part not in values:
            return None
        values = values[part]
    return values


def dependency_enabled(dependency: dict, values: dict) -> bool:
    """Helm's rule: the first condition path holding a boolean decides, else any of its tags that is set."""
    condition = dependency.get("condition")
    if isinstance(condition, str):
        for path in condition.split(","):
            found = lookup(values, path.strip())
            if isinstance(found, bool):
                return found
    tags = dependency.get("tags")
    tag_values = values.get("tags")
    if isinstance(tags, list) and isinstance(tag_values, dict):
        states = [tag_values[tag] for tag in tags if isinstance(tag, str) and isinstance(tag_values.get(tag), bool)]
        if states:
            return any(states)
    return True


def secret_candidates(values_files: list[ValuesFile]) -> list[str]:
    """String values long enough to be secrets, longest first: masked wherever an error message quotes them."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and len(value) >= 4:
            found.add(value)

    for values_file in values_files:
        walk(values_file.values)
    return sorted(found, key=lambda text: (-len(text), text))
