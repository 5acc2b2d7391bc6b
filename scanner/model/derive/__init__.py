"""The derive pass: facts that join several resources, computed once at the end of the model build.

Synthesised resources stand where a rule's real subject is not one block: a `namespace` with its workloads
and NetworkPolicies, a `provider_source` per distinct provider with its registry entry, a `root_module`
per Terraform root, one `container_images` with every image reference, one `deployments` when the
repository deploys. Kustomize patches leave the objects first: they are inputs of a build. Clusters with
their node pools are kept by cluster address. Rules judge these facts; none of them walks the model to
rebuild a relation.
"""
from __future__ import annotations

from scanner.model.derive.clusters import clusters
from scanner.model.derive.deployments import deployments
from scanner.model.derive.images import container_images
from scanner.model.derive.inputs import ci_settings
from scanner.model.derive.namespaces import namespaces
from scanner.model.derive.patches import is_patch, patch_files
from scanner.model.derive.providers import provider_sources
from scanner.model.derive.roots import root_modules
from scanner.model.resource import Model


def derive(model: Model) -> None:
    model.index()
    patches = patch_files(model)
    model.resources = [r for r in model.resources if not is_patch(r, patches)]   # inputs, not objects
    model.index()
    model.clusters = clusters(model)
    for resource in model.of_type(("github_workflow", "gitlab_ci")):
        resource.facts["settings"] = ci_settings(resource)
    model.resources.extend(namespaces(model))
    model.resources.extend(provider_sources(model))
    roots = root_modules(model)
    model.resources.extend(roots)
    model.resources.extend(container_images(model))
    model.resources.extend(deployments(model, roots))
    model.resources.sort(key=lambda r: (r.path, r.line, r.address))
    model.index()
