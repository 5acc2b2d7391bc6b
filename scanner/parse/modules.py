"""`.terraform/modules/modules.json`, the record `terraform init` keeps of the modules it installed.

Each record is a module call path (Key "vpc.subnets" is module.vpc.module.subnets; "" is the root
module), its Source, Version (registry modules) and Dir, relative to the root module's directory.
Paths are only computed here, never followed: a Dir that is absolute or that climbs out of the scan
root is refused with a notice, so the evaluator never loads a module from outside the repository.
"""
from __future__ import annotations

import json
import os
import posixpath
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from scanner.notices import Notice
from scanner.regular_file import read_bytes

MANIFEST = ".terraform/modules/modules.json"
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*")
_INSTANCE_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]')


@dataclass(frozen=True)
class InstalledModule:
    key: str             # "vpc.subnets"; "" is the root module
    address: str         # "module.vpc.module.subnets"; "" is the root module
    source: str
    version: str         # "" for local sources and modules installed without a version
    directory: str       # relative to the root module's directory, POSIX: ".terraform/modules/vpc"
    path: str            # relative to the scan root: "envs/prod/.terraform/modules/vpc" ("" is the root)


@dataclass(frozen=True)
class ModuleManifest:
    path: str                                 # the manifest, relative to the scan root
    root: str                                 # the root module's directory, relative to the scan root
    modules: Mapping[str, InstalledModule]    # by key
    notices: tuple = ()

    def for_call(self, address: str) -> InstalledModule | None:
        """The installed module of a module (instance) address: module.a["x"].module.b[0] -> key a.b."""
        return self.modules.get(module_key(address))


def module_key(address: str) -> str:
    """module.a["x"].module.b[0] -> "a.b" (instances of one call share the installed module)."""
    plain = _INSTANCE_KEY.sub("", address)
    parts = plain.split(".")
    if len(parts) % 2 or any(p != "module" for p in parts[0::2]):
        return plain
    return ".".join(parts[1::2])


def _address(key: str) -> str:
    return ".".join(f"module.{name}" for name in key.split(".")) if key else ""


def parse_manifest(text: str, root: str, path: str = "") -> ModuleManifest:
    """The manifest's records with paths relative to the root module and to the scan root.
    `root` is the root module's directory relative to the scan root ("" for the scan root)."""
    root = "" if root in ("", ".") else posixpath.normpath(root)
    path = path or posixpath.join(root, MANIFEST)
    notices: list[Notice] = []

    def notice(message: str) -> None:
        if len(notices) < 100:
            notices.append(Notice(path, 0, f"modules.json: {message}", "warning"))

    records = _records(text, notice)
    modules: dict[str, InstalledModule] = {}
    for record in records:
        module = _module(record, root, notice)
        if module is None:
            continue
        if module.key in modules:
            notice(f"two records for module {module.key or '(root)'!r}; the first is used")
            continue
        modules[module.key] = module
    return ModuleManifest(path, root, MappingProxyType(dict(sorted(modules.items()))), tuple(notices))


def _records(text: str, notice: Any) -> list:
    if not text.strip():
        return []
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        notice("not valid JSON; the installed modules are not used")
        return []
    records = data.get("Modules") if isinstance(data, dict) else None
    if not isinstance(records, list):
        notice("no Modules list; the installed modules are not used")
        return []
    return records


def _module(record: Any, root: str, notice: Any) -> InstalledModule | None:
    if not isinstance(record, dict) or not isinstance(record.get("Key"), str) or not isinstance(record.get("Dir"), str):
        notice("a record without Key and Dir; ignored")
        return None
    key, directory = record["Key"], record["Dir"].replace("\\", "/")
    if key and not _KEY.fullmatch(key):
        notice(f"a record with an invalid Key {key[:80]!r}; ignored")
        return None
    shown = key or "(root)"
    if not directory or "\0" in directory:
        notice(f"module {shown!r} has an empty or invalid Dir; ignored")
        return None
    if directory.startswith("/") or re.match(r"[A-Za-z]:", directory):
        notice(f"module {shown!r} has an absolute Dir, which is outside the scan root; refused")
        return None
    inside_root = posixpath.normpath(directory)
    in_repository = posixpath.normpath(posixpath.join(root, inside_root)) if root else inside_root
    if in_repository == ".." or in_repository.startswith("../"):
        notice(f"module {shown!r} has a Dir outside the scan root; refused")
        return None
    source, version = record.get("Source", ""), record.get("Version", "")
    return InstalledModule(key, _address(key), source if isinstance(source, str) else "",
                           version if isinstance(version, str) else "", inside_root,
                           "" if in_repository == "." else in_repository)


def read_manifest(scan_root: str, root: str) -> ModuleManifest:
    """The manifest of the root module at `root` (relative to scan_root); empty when there is none.
    The file is read only when it is a regular file inside the scan root (no symlink out)."""
    manifest_path = posixpath.join(root, MANIFEST) if root not in ("", ".") else MANIFEST
    real_root = os.path.realpath(scan_root)
    real = os.path.realpath(os.path.join(real_root, manifest_path))
    if not os.path.exists(real):
        return parse_manifest("", root, manifest_path)
    if not real.startswith(real_root.rstrip(os.sep) + os.sep) or not os.path.isfile(real):
        return ModuleManifest(manifest_path, root, MappingProxyType({}), (
            Notice(manifest_path, 0, "modules.json: not a regular file inside the scan root; not read", "warning"),))
    try:
        raw = read_bytes(real, MAX_MANIFEST_BYTES)
    except OSError as error:
        return ModuleManifest(manifest_path, root, MappingProxyType({}), (
            Notice(manifest_path, 0, f"modules.json: cannot read ({error.strerror})", "warning"),))
    if len(raw) > MAX_MANIFEST_BYTES:
        return ModuleManifest(manifest_path, root, MappingProxyType({}), (
            Notice(manifest_path, 0, f"modules.json: larger than {MAX_MANIFEST_BYTES // (1024 * 1024)} MiB; not read",
                   "warning"),))
    return parse_manifest(raw.decode("utf-8", errors="replace"), root, manifest_path)
