"""The derive pass: facts that join several resources, computed once at the end of the model build.

Synthesised resources stand where a rule's real subject is not one block: a `namespace` with its workloads
and NetworkPolicies, a `provider_source` per distinct provider with its registry entry, a `root_module`
per Terraform root, an azurerm stand-in for each raw ARM resource (azapi) whose type the ARM registry
maps (with what its azapi child resources set), one `container_images` with every image reference, one `deployments` when the repository deploys.
Clusters with their node pools are kept by cluster address. Rules judge these facts; none of them walks
the model to rebuild a relation.
"""
from __future__ import annotations

from scanner.model.derive.azapi import arm_stand_ins
from scanner.model.derive.clusters import clusters
from scanner.model.derive.deployments import deployments
from scanner.model.derive.images import container_images
from scanner.model.derive.inputs import ci_settings
from scanner.model.derive.namespaces import namespaces
from scanner.model.derive.providers import provider_sources
from scanner.model.derive.roots import root_modules
from scanner.model.resource import Model


def derive(model: Model) -> None:
    model.add(arm_stand_ins(model))
    model.clusters = clusters(model)
    for resource in model.of_type(("github_workflow", "gitlab_ci")):
        resource.facts["settings"] = ci_settings(resource)
    roots = root_modules(model)
    model.add(namespaces(model) + provider_sources(model) + roots + container_images(model) + deployments(model, roots))
