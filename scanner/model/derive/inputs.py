"""Inputs written in files other than the infrastructure code: the entries of variable-definition files
(tfvars), and the environment/variables entries of CI definitions (GitHub Actions, GitLab CI)."""
from __future__ import annotations

from typing import Any, Iterator

from scanner.model.paths import item_keys
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
    {location, key, name, value, action}; `key` is the location as a fingerprint names it (a step by its id or
    name), `action` is the step's `uses` without version, for inputs."""
    if resource.type == "github_workflow":
        found = _github(resource.values)
    elif resource.type == "gitlab_ci":
        found = _gitlab(resource.values)
    else:
        return []
    return [{"location": location, "key": key, "name": name, "value": value, "action": action}
            for location, key, name, value, action in found]


Setting = tuple[str, str, str, Any, str]   # location, key, name, value, action


def _entries(values: Any, location: str, key: str = "", action: str = "") -> Iterator[Setting]:
    """Each entry of a mapping at `location`; GitLab `{value: ...}` entries unwrapped."""
    if not isinstance(values, dict):
        return
    for name, value in values.items():
        below, value = (f"{name}.value", value["value"]) if isinstance(value, dict) and "value" in value \
            else (str(name), value)
        yield f"{location}.{below}", f"{key or location}.{below}", str(name), value, action


def _github(workflow: dict[str, Any]) -> Iterator[Setting]:
    yield from _entries(workflow.get("env"), "env")
    jobs = workflow.get("jobs")
    if not isinstance(jobs, dict):
        return
    for job_id, job in jobs.items():
        if not isinstance(job, dict):
            continue
        base = f"jobs.{job_id}"
        yield from _entries(job.get("env"), f"{base}.env")
        container = job.get("container")
        if isinstance(container, dict):
            yield from _entries(container.get("env"), f"{base}.container.env")
            yield from _entries(container.get("credentials"), f"{base}.container.credentials")
        steps = job.get("steps")
        yield from _steps(steps if isinstance(steps, list) else [], base)


def _steps(steps: list[Any], base: str) -> Iterator[Setting]:
    """The env and inputs of a job's steps. A fingerprint names a step by its id (unique in a job), else its
    name: a step inserted above leaves the others' findings as they were."""
    keys = item_keys(steps, ("id", "name"))
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            continue
        location, key = f"{base}.steps[{index}]", f"{base}.steps{keys[index]}"
        action = str(step.get("uses", "")).split("@", 1)[0].lower()
        yield from _entries(step.get("env"), f"{location}.env", f"{key}.env", action)
        yield from _entries(step.get("with"), f"{location}.with", f"{key}.with", action)


def _gitlab(pipeline: dict[str, Any]) -> Iterator[Setting]:
    yield from _entries(pipeline.get("variables"), "variables")
    for job_id, job in pipeline.items():
        if job_id in _GITLAB_RESERVED or not isinstance(job, dict):
            continue
        yield from _entries(job.get("variables"), f"{job_id}.variables")
