"""Terraform's JSON plan (`terraform show -json PLANFILE`) read into a typed, frozen Plan.

The plan is a source of values, not a thing scanned: the root module's input variables, the
planned and prior values of every resource instance by its full address (module instance keys
included), and every module call's source and version. Values the plan knows only after apply are
Unknown; sensitive values are wrapped in SensitiveValue, whose text never shows the value (a plan
holds secrets in clear text). A plan that is not what this reader expects in places gives notices;
a file that is not a JSON plan at all is an InputError naming the file.
Format: https://developer.hashicorp.com/terraform/internals/json-format (format_version 1.x).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from scanner.errors import InputError
from scanner.model.values import Unknown
from scanner.notices import Notice
from scanner.regular_file import read_bytes

MAX_PLAN_BYTES = 256 * 1024 * 1024
MAX_MODULE_DEPTH = 64
AFTER_APPLY = "known after apply (plan)"


@dataclass(frozen=True)
class SensitiveValue:
    """A value the plan marks sensitive: usable for evaluation, never shown."""
    value: Any = field(repr=False)

    def __repr__(self) -> str:
        return "SensitiveValue(***)"

    __str__ = __repr__


@dataclass(frozen=True)
class PlannedResource:
    address: str                 # module.a["x"].aws_s3_bucket.b[0]
    module: str                  # module instance address, "" for the root module
    mode: str                    # managed | data
    type: str
    name: str
    index: int | str | None
    provider: str
    values: Mapping[str, Any]    # Unknown where known only after apply, SensitiveValue where sensitive
    actions: tuple = ()          # from resource_changes: ("create",), ("delete", "create"), ("no-op",)...


@dataclass(frozen=True)
class ModuleCall:
    address: str                 # module.a.module.b (configuration addresses have no instance keys)
    source: str
    version_constraint: str
    expanded: bool               # has count or for_each


@dataclass(frozen=True)
class RootConfiguration:
    """The plan's record of its root module's code (`configuration.root_module`): what tells apart two
    root modules that declare the same resources."""
    resources: Mapping[str, Mapping[str, Any]]   # managed resource address -> its literal arguments
    variables: Mapping[str, Any]                 # variable name -> its default (NO_DEFAULT when none)
    module_sources: Mapping[str, str]            # module call name -> source
    outputs: tuple[str, ...]


NO_DEFAULT = object()


@dataclass(frozen=True)
class Plan:
    path: str
    format_version: str
    terraform_version: str
    variables: Mapping[str, Any]
    planned: Mapping[str, PlannedResource]
    prior: Mapping[str, PlannedResource]
    module_calls: Mapping[str, ModuleCall]
    notices: tuple = ()
    configuration: RootConfiguration | None = None   # None when the plan has no configuration
    directory: str | None = None   # the directory of the plan file as reports show paths; None outside the scan


def read_plan(path: str) -> Plan:
    """The plan in the file at path; InputError when it is not a readable JSON plan."""
    try:
        size = os.path.getsize(path)
        if size > MAX_PLAN_BYTES:
            raise InputError(f"{path}: the plan is larger than {MAX_PLAN_BYTES // (1024 * 1024)} MiB")
        raw = read_bytes(path, MAX_PLAN_BYTES)
    except OSError as error:
        raise InputError(f"{path}: cannot read the plan ({error.strerror})") from None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise InputError(f"{path}: not JSON; give the output of `terraform show -json PLANFILE`") from None
    return parse_plan(path, data)


def parse_plan(path: str, data: Any) -> Plan:
    if not isinstance(data, dict) or "format_version" not in data or not (
            "planned_values" in data or "resource_changes" in data or "configuration" in data):
        raise InputError(f"{path}: not a Terraform JSON plan; give the output of `terraform show -json PLANFILE`")
    version = str(data.get("format_version", ""))
    if version.split(".")[0] != "1":
        raise InputError(f"{path}: unsupported plan format_version {version!r} (1.x is supported)")
    reader = _Reader(path)
    changes = reader.changes(data.get("resource_changes"))
    sensitive_variables = reader.sensitive_variables(data.get("configuration"))
    variables = reader.variables(data.get("variables"), sensitive_variables)
    planned = reader.module_values(reader.section(data, "planned_values", "root_module"), changes, "planned_values")
    prior = reader.module_values(reader.section(data.get("prior_state"), "values", "root_module"), {}, "prior_state")
    calls: dict[str, ModuleCall] = {}
    root_module = reader.section(data, "configuration", "root_module")
    reader.module_calls(root_module, "", calls, 0)
    configuration = _root_configuration(root_module, sensitive_variables) if root_module else None
    return Plan(path, version, str(data.get("terraform_version", "")), MappingProxyType(variables),
                MappingProxyType(planned), MappingProxyType(prior), MappingProxyType(calls), tuple(reader.notices),
                configuration)


def _root_configuration(module: dict, sensitive: set[str]) -> RootConfiguration:
    """What the plan records of the root module's code; parts that are not what Terraform writes are left out
    (this is evidence for matching, never a value)."""
    resources: dict[str, Mapping[str, Any]] = {}
    for entry in _items(module.get("resources")):
        if entry.get("mode") == "managed" and isinstance(entry.get("address"), str):
            expressions = _mapping(entry.get("expressions"))
            resources[entry["address"]] = MappingProxyType(
                {name: e["constant_value"] for name, e in expressions.items()
                 if isinstance(e, dict) and "constant_value" in e})
    declared = _mapping(module.get("variables"))
    variables = {name: entry.get("default", NO_DEFAULT) if name not in sensitive else NO_DEFAULT
                 for name, entry in declared.items() if isinstance(entry, dict)}
    calls = _mapping(module.get("module_calls"))
    sources = {name: call["source"] for name, call in calls.items()
               if isinstance(call, dict) and isinstance(call.get("source"), str)}
    outputs = _mapping(module.get("outputs"))
    return RootConfiguration(MappingProxyType(resources), MappingProxyType(variables), MappingProxyType(sources),
                             tuple(sorted(str(name) for name in outputs)))


def _mapping(data: Any) -> dict:
    return data if isinstance(data, dict) else {}


def _items(data: Any) -> list[dict]:
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def _overlay(values: Any, unknown: Any, sensitive: Any) -> Any:
    """Values with Unknown where the after_unknown mask is true and SensitiveValue where the
    sensitive mask is true (masks mirror the value's shape)."""
    if unknown is True:
        return Unknown(AFTER_APPLY, kind="computed")
    if sensitive is True:
        return SensitiveValue(values)
    if isinstance(values, dict) or isinstance(unknown, dict):
        base = values if isinstance(values, dict) else {}
        unknown_map = unknown if isinstance(unknown, dict) else {}
        sensitive_map = sensitive if isinstance(sensitive, dict) else {}
        keys = list(base) + [k for k in unknown_map if k not in base and unknown_map[k] is True]
        return {k: _overlay(base.get(k), unknown_map.get(k), sensitive_map.get(k)) for k in keys}
    if isinstance(values, list):
        unknown_list = unknown if isinstance(unknown, list) else []
        sensitive_list = sensitive if isinstance(sensitive, list) else []
        return [_overlay(item, _at(unknown_list, i), _at(sensitive_list, i)) for i, item in enumerate(values)]
    return values


def _at(items: list, index: int) -> Any:
    return items[index] if index < len(items) else None


class _Reader:
    def __init__(self, path: str):
        self.path = path
        self.notices: list[Notice] = []

    def notice(self, message: str) -> None:
        if len(self.notices) < 100:
            self.notices.append(Notice(self.path, 0, f"plan: {message}", "warning"))

    def section(self, data: Any, *keys: str) -> dict:
        for key in keys:
            if not isinstance(data, dict) or key not in data:
                return {}
            data = data[key]
        if not isinstance(data, dict):
            self.notice(f"{'.'.join(keys)} is not an object; ignored")
            return {}
        return data

    def variables(self, data: Any, sensitive: set[str]) -> dict[str, Any]:
        if data is None:
            return {}
        if not isinstance(data, dict):
            self.notice("variables is not an object; ignored")
            return {}
        out: dict[str, Any] = {}
        for name, entry in sorted(data.items()):
            if not isinstance(entry, dict) or "value" not in entry:
                self.notice(f"variable {name!r} has no value; ignored")
                continue
            out[name] = SensitiveValue(entry["value"]) if name in sensitive else entry["value"]
        return out

    def sensitive_variables(self, configuration: Any) -> set[str]:
        declared = self.section(configuration, "root_module", "variables")
        return {name for name, entry in declared.items() if isinstance(entry, dict) and entry.get("sensitive") is True}

    def changes(self, data: Any) -> dict[str, tuple[tuple, Any]]:
        """address -> (actions, after_unknown mask)."""
        if data is None:
            return {}
        if not isinstance(data, list):
            self.notice("resource_changes is not a list; ignored")
            return {}
        out: dict[str, tuple[tuple, Any]] = {}
        for entry in data:
            change = entry.get("change") if isinstance(entry, dict) else None
            if not isinstance(change, dict) or not isinstance(entry.get("address"), str) or entry.get("deposed"):
                continue
            actions = tuple(a for a in change.get("actions", ()) if isinstance(a, str)) \
                if isinstance(change.get("actions"), list) else ()
            out[entry["address"]] = (actions, change.get("after_unknown"))
        return out

    def module_values(self, module: dict, changes: dict, where: str) -> dict[str, PlannedResource]:
        out: dict[str, PlannedResource] = {}
        stack = [(module, "", 0)]
        while stack:
            current, address, depth = stack.pop()
            if depth > MAX_MODULE_DEPTH:
                self.notice(f"{where}: modules nested more than {MAX_MODULE_DEPTH} deep; the rest ignored")
                continue
            for resource in current.get("resources", []) if isinstance(current.get("resources"), list) else []:
                planned = self.resource(resource, address, changes, where)
                if planned is not None:
                    out[planned.address] = planned
            children = current.get("child_modules", [])
            for child in children if isinstance(children, list) else []:
                if isinstance(child, dict) and isinstance(child.get("address"), str):
                    stack.append((child, child["address"], depth + 1))
                else:
                    self.notice(f"{where}: a child module without an address; ignored")
        return out

    def resource(self, data: Any, module: str, changes: dict, where: str) -> PlannedResource | None:
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("type", "name")):
            self.notice(f"{where}: a resource without type and name in {module or 'the root module'}; ignored")
            return None
        mode = "data" if data.get("mode") == "data" else "managed"
        raw_index = data.get("index")
        index = raw_index if isinstance(raw_index, (int, str)) and not isinstance(raw_index, bool) else None
        given = data.get("address")
        address = given if isinstance(given, str) else _address(module, mode, data, index)
        values = data.get("values") if isinstance(data.get("values"), dict) else {}
        actions, unknown = changes.get(address, ((), None))
        overlaid = _overlay(values, unknown, data.get("sensitive_values"))
        return PlannedResource(address, module, mode, data["type"], data["name"], index,
                               str(data.get("provider_name", "")), MappingProxyType(overlaid), actions)

    def module_calls(self, module: dict, prefix: str, out: dict[str, ModuleCall], depth: int) -> None:
        calls = module.get("module_calls", {})
        if not isinstance(calls, dict) or depth > MAX_MODULE_DEPTH:
            return
        for name, call in sorted(calls.items()):
            if not isinstance(call, dict):
                self.notice(f"configuration: module call {name!r} is not an object; ignored")
                continue
            address = f"{prefix}module.{name}"
            out[address] = ModuleCall(address, str(call.get("source", "")), str(call.get("version_constraint", "")),
                                      "count_expression" in call or "for_each_expression" in call)
            inner = call.get("module")
            if isinstance(inner, dict):
                self.module_calls(inner, address + ".", out, depth + 1)


def _address(module: str, mode: str, data: dict, index: int | str | None) -> str:
    local = f"{'data.' if mode == 'data' else ''}{data['type']}.{data['name']}"
    if index is not None:
        local += f"[{json.dumps(index)}]"
    return f"{module}.{local}" if module else local
