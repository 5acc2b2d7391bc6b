"""Terraform root modules: the directories `terraform init` runs in. One `root_module` resource per
root, saying whether it deploys (configures a provider or a backend itself), whether it sits in a
demonstration directory (examples and tests demonstrate, not deploy), whether its dependency lock file is
committed, and where it sits in the repository. It
sits in the file that declares the root's providers (required_providers, else a provider block)."""
from __future__ import annotations

import fnmatch
import posixpath
from typing import Any, Mapping

from scanner.demonstration import in_demonstration
from scanner.model.resource import Model, Resource

ROOT_MODULE_TYPE = "root_module"
LOCK_FILE = ".terraform.lock.hcl"


def repository_root(model: Model) -> str:
    repository = next(iter(model.by_type("repository")), None)
    return str(repository.values.get("root", "")) if repository is not None else ""


def relative_directory(path: str, root: str) -> str:
    """The directory of a file relative to the repository root ("" at the root)."""
    directory = posixpath.dirname(path)
    if root and directory.startswith(root + "/"):
        return directory[len(root) + 1:]
    return "" if directory == root else directory


def root_modules(model: Model) -> list[Resource]:
    top_level: dict[str, list[Resource]] = {}
    for resource in model.resources:
        if resource.kind == "terraform" and not resource.module:
            top_level.setdefault(posixpath.dirname(resource.path), []).append(resource)
    files = {r.path for r in model.by_type("text_file")}
    repository = repository_root(model)
    out = []
    for directory, members in sorted(top_level.items()):
        requirements = sorted((r for r in members if r.type == "terraform_required_provider"),
                              key=lambda r: (r.path, r.line, r.address))
        anchor = _anchor(members, requirements)
        lock = f"{directory}/{LOCK_FILE}" if directory else LOCK_FILE
        values: dict[str, Any] = {
            "directory": directory or ".",
            "relative": relative_directory(anchor.path, repository) or ".",
            "deployed": any(r.type in ("provider", "terraform_backend") for r in members),
            "demonstration": in_demonstration(f"{relative_directory(anchor.path, repository)}/",
                                              model.demonstration_directories),
            "lock_file": lock in files,
            "lock_file_ignored_at": "" if lock in files else _ignored_at(model.texts, directory, repository),
            # a root without required_providers still has its providers' builds to lock: its first configuration
            "first_requirement": anchor.address if anchor.type in ("terraform_required_provider", "provider") else None,
            "unconstrained_providers": _unconstrained(members, {r.address.rsplit(".", 1)[-1] for r in requirements}),
        }
        out.append(Resource("model", ROOT_MODULE_TYPE, f"root_module.{directory or '.'}", anchor.path, anchor.line,
                            values, {"": anchor.line}, root=directory))
    return out


def _unconstrained(members: list[Resource], required: set[str]) -> str:
    """The providers the root configures that its own required_providers does not name and whose configuration
    has no (legacy) version argument. A called module's entry is a floor for its consumers (`>= 4.0`, as
    EXIT-008 asks of reusable modules), so `terraform init` installs whatever is newest above it: the root
    that deploys is where the version is chosen."""
    providers = [r for r in members if r.type == "provider"]
    versioned = {r.address.split(".")[1] for r in providers if "version" in r.values}
    return ", ".join(sorted({r.address.split(".")[1] for r in providers} - required - versioned))


def _anchor(members: list[Resource], requirements: list[Resource]) -> Resource:
    """Where the root's facts are reported: the file that declares its providers (required_providers,
    else the first provider configuration), else its backend, else its first block."""
    if requirements:
        return requirements[0]
    for kind in ("provider", "terraform_backend"):
        chosen = [r for r in members if r.type == kind]
        if chosen:
            return min(chosen, key=lambda r: (r.path, r.line, r.address))
    return min(members, key=lambda r: (r.path, r.line, r.address))


def _ignored_at(texts: Mapping[str, str], directory: str, repository: str) -> str:
    """The `.gitignore` line (path:line) that keeps the lock file out of git, nearest directory first."""
    while True:
        gitignore = f"{directory}/.gitignore" if directory else ".gitignore"
        place = _ignoring_line(gitignore, texts.get(gitignore, ""))
        if place or not directory or directory == repository:
            return place
        directory = posixpath.dirname(directory)


def _ignoring_line(path: str, text: str) -> str:
    """The last line of one .gitignore that ignores the lock file by name ("" when none, or a later `!` line
    takes it back). Patterns with a slash inside name other directories' files and are left alone."""
    place = ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        negated = line.startswith("!")
        pattern = line.lstrip("!").removeprefix("**/").lstrip("/")
        if not pattern or line.startswith("#") or pattern.endswith("/") or "/" in pattern:
            continue
        if fnmatch.fnmatchcase(LOCK_FILE, pattern):
            place = "" if negated else f"{path}:{number}"
    return place
