"""Inputs written in files other than the infrastructure code: the entries of variable-definition files
(tfvars), and the environment/variables entries of CI definitions (GitHub Actions, GitLab CI)."""
from __future__ import annotations

from typing import Any, Iterator

from scanner.model.resource import Resource
from scanner.model.terraform.expressions import constant
from scanner.parse import expressions as x
from scanner.parse.terraform import TerraformFile

TFVARS_TYPE = "tfvars_file"
_GITLAB_RESERVED = {"default", "include", "stages", "variables", "workflow", "image", "services", "cache",
                    "before_script", "after_script", "types", "spec"}


def tfvars_file(parsed: TerraformFile) -> Resource:
    """A committed variable-definitions file: each entry's value, line, and whether it is written literally."""
    entries = {attr.name: constant(attr.expr) for attr in parsed.attributes.values()}
    locations = {"": 1, **{attr.name: attr.line for attr in parsed.attributes.values()}}
    literals = frozenset(attr.name for attr in parsed.attributes.values() if x.is_literal(attr.expr))
    name = parsed.path.rsplit("/", 1)[-1]
    return Resource("file", TFVARS_TYPE, parsed.path, parsed.path, 1, {"path": parsed.path, "name": name,
                    "entries": entries}, locations, literals)


def ci_settings(resource: Resource) -> list[dict[str, Any]]:
    """Every env/variables entry (and GitHub step input) of a CI definition:
    {location, name, value, action}; `action` is the step's `uses` without version, for inputs."""
    if resource.type == "github_workflow":
        found = _github(resource.values)
    elif resource.type == "gitlab_ci":
        found = _gitlab(resource.values)
    else:
        return []
    return [{"location": loc, "name": name, "value": value, "action": action} for loc, name, value, action in found]


def _mapping(values: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    """(location, name, value) of each entry of a mapping; GitLab `{value: ...}` entries unwrapped."""
    if not isinstance(values, dict):
        return
    for name, value in values.items():
        if isinstance(value, dict) and "value" in value:
            yield f"{path}.{name}.value", str(name), value["value"]
            continue
        yield f"{path}.{name}", str(name), value


def _plain(entries: Iterator[tuple[str, str, Any]], action: str = "") -> Iterator[tuple[str, str, Any, str]]:
    return ((loc, name, value, action) for loc, name, value in entries)


def _github(workflow: dict[str, Any]) -> Iterator[tuple[str, str, Any, str]]:
    yield from _plain(_mapping(workflow.get("env"), "env"))
    jobs = workflow.get("jobs")
    if not isinstance(jobs, dict):
        return
    for job_id, job in jobs.items():
        if not isinstance(job, dict):
            continue
        base = f"jobs.{job_id}"
        yield from _plain(_mapping(job.get("env"), f"{base}.env"))
        container = job.get("container")
        if isinstance(container, dict):
            yield from _plain(_mapping(container.get("env"), f"{base}.container.env"))
            yield from _plain(_mapping(container.get("credentials"), f"{base}.container.credentials"))
        steps = job.get("steps")
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            if not isinstance(step, dict):
                continue
            step_path = f"{base}.steps[{index}]"
            action = str(step.get("uses", "")).split("@", 1)[0].lower()
            yield from _plain(_mapping(step.get("env"), f"{step_path}.env"), action)
            yield from _plain(_mapping(step.get("with"), f"{step_path}.with"), action)


def _gitlab(pipeline: dict[str, Any]) -> Iterator[tuple[str, str, Any, str]]:
    yield from _plain(_mapping(pipeline.get("variables"), "variables"))
    for job_id, job in pipeline.items():
        if job_id in _GITLAB_RESERVED or not isinstance(job, dict):
            continue
        yield from _plain(_mapping(job.get("variables"), f"{job_id}.variables"))
