"""What the repository deploys, as the subject of its governance rules (the exit plan).

A repository deploys when it has a Terraform root module that configures a provider or a backend, a
kustomization, or a Helm release, outside the directories that demonstrate rather than deploy (examples,
tests, fixtures). A module library or a collection of examples deploys nothing, and a rule about how
deployments are governed says nothing about it.

One `deployments` resource stands for them. It sits in the file that carries the governance fact: the
exit plan (EXIT.md at the scan root) when there is one, else the scan root's .sovscan.yaml (where
exit.plan would be set), else the first deployment (a root module's providers file, a kustomization).
"""
from __future__ import annotations

import posixpath
from typing import Any

from scanner.demonstration import in_demonstration
from scanner.model.derive.images import CONFIG_FILE
from scanner.model.derive.roots import relative_directory, repository_root
from scanner.model.resource import Model, Resource

DEPLOYMENTS_TYPE = "deployments"
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
HELM_RELEASE_TYPES = ("HelmRelease", "helm_release")


def deployments(model: Model, roots: list[Resource]) -> list[Resource]:
    """The `deployments` resource, or none when nothing deploys; `roots` are the derived root modules."""
    root = repository_root(model)
    units = sorted(_units(model, roots, root))
    if not units:
        return []
    repository = next(iter(model.by_type("repository")), None)
    plan = repository.values.get("exit_plan") if repository is not None else None
    values: dict[str, Any] = {"units": [f"{kind} {path}:{line}" for path, line, kind in units],
                              "exit_plan": plan,
                              "repository_top": repository.values.get("repository_top", True) if repository else True}
    locations: dict[str, int] = {}
    if isinstance(plan, dict) and repository is not None:
        path, line = str(plan["path"]), 1
        locations = {k: v for k, v in repository.locations.items() if k.startswith("exit_plan")}
    else:
        config = posixpath.join(root, CONFIG_FILE) if root else CONFIG_FILE
        scanned = any(r.path == config for r in model.by_type("text_file"))
        path, line = (config, 1) if scanned else units[0][:2]
    return [Resource("model", DEPLOYMENTS_TYPE, "deployments", path, line, values, {"": line, **locations})]


def _units(model: Model, roots: list[Resource], root: str) -> list[tuple[str, int, str]]:
    """(file, line, kind) of every deployment outside demonstration directories."""
    found = []
    for module in roots:
        if module.values.get("deployed") and not module.values.get("demonstration"):
            found.append((module.path, module.line, "terraform"))
    for text in model.by_type("text_file"):
        if posixpath.basename(text.path) in KUSTOMIZATION_NAMES and _deploys(text.path, root, model):
            found.append((text.path, 1, "kustomize"))
    for release in model.of_type(HELM_RELEASE_TYPES):
        if _deploys(release.path, root, model):
            found.append((release.path, release.line, "helm"))
    return found


def _deploys(path: str, root: str, model: Model) -> bool:
    return not in_demonstration(f"{relative_directory(path, root)}/", model.demonstration_directories)
