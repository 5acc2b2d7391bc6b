"""Stage 3: build the model from parsed files: Terraform evaluated statically, Kubernetes objects as they
will be deployed (Kustomize builds and Helm charts rendered), whole files, the repository, live Haven
results; then the derive pass joins them into facts rules judge."""
from __future__ import annotations

from typing import Mapping, Sequence

from scanner.model import files as file_model
from scanner.model import deployed, haven_results, repository, terraform
from scanner.model.derive import derive
from scanner.model.derive.inputs import tfvars_file
from scanner.model.resource import Model, Resource
from scanner.parse import ParsedFile
from scanner.parse.hcc import HccReport
from scanner.parse.terraform import TerraformFile


def build(files: list[ParsedFile], var_files: list[TerraformFile] | None = None,
          hcc_reports: list[HccReport] | None = None, helm_values: Mapping[str, Sequence[str]] | None = None,
          helm_engine: str = "auto") -> Model:
    """helm_values: chart directory -> values files (relative to the chart) to render it with;
    helm_engine: auto | sdk | binary | none (see helm_engines.choose)."""
    tf_files = [f.terraform for f in files if f.terraform is not None and f.source.kind in ("terraform", "terraform-json")]
    tfvars = [f.terraform for f in files if f.terraform is not None and f.source.kind == "tfvars"]
    evaluated = terraform.build(tf_files, tfvars, list(var_files or []))
    kubernetes = deployed.build(files, helm_values, helm_engine)
    resources: list[Resource] = list(evaluated.resources)
    resources.extend(kubernetes.resources)
    resources.extend(file_model.build(files))
    resources.extend(tfvars_file(tf) for tf in tfvars)
    resources.extend(repository.build(files))
    resources.extend(haven_results.build(hcc_reports or []))
    resources.sort(key=lambda r: (r.path, r.line, r.address))
    model = Model(resources, sorted(evaluated.unresolved_modules), builds=kubernetes.builds, notices=kubernetes.notices)
    derive(model)
    return model
