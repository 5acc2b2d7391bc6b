"""Stage 3's entry: the model of the parsed files, every part built once, then the derive pass."""
from __future__ import annotations

import posixpath
from typing import Mapping, Sequence

from scanner.demonstration import DEMONSTRATION_DIRECTORIES
from scanner.model import files as file_model
from scanner.model import deployed, haven_results, repository, terraform
from scanner.model.derive import derive
from scanner.model.derive.inputs import tfvars_file
from scanner.model.resource import Model, Resource
from scanner.model.build_cache import BuildCache
from scanner.model.terraform.cache import RootCache
from scanner.notices import Notice
from scanner.parse.files import ParsedFile
from scanner.parse.hcc import HccReport
from scanner.parse.modules import ModuleManifest
from scanner.parse.plan import Plan
from scanner.parse.packed import TerraformSyntax, unpacked
from scanner.parse.terraform import TerraformFile
from scanner.parse.texts import ScannedTexts


def opentofu_precedence(files: list[TerraformSyntax]) -> list[TerraformSyntax]:
    """OpenTofu loads `x.tofu` instead of `x.tf` (and `x.tofu.json` instead of `x.tf.json`) in one directory."""
    tofu = {f.path[: -len(".tofu")] for f in files if f.path.endswith(".tofu")} | \
        {f.path[: -len(".tofu.json")] + ".json" for f in files if f.path.endswith(".tofu.json")}
    return [f for f in files if not (f.path.endswith(".tf") and f.path[:-3] in tofu)
            and not (f.path.endswith(".tf.json") and f.path[: -len(".tf.json")] + ".json" in tofu)]


def _terraform(files: list[ParsedFile], texts: ScannedTexts, digests: Mapping[str, str], tfvars: list[TerraformFile],
               var_files: list[TerraformFile], manifests: dict[str, ModuleManifest], plans: list[Plan] | None,
               root_cache: RootCache | None) -> tuple[list[Resource], list[Notice], dict[str, str]]:
    """The resources and notices of the Terraform root modules; the files' Terraform trees are handed over to
    terraform.build, which drops each directory's as soon as nothing left to evaluate may call it."""
    tf_files = opentofu_precedence([f.terraform for f in files
                                    if f.terraform is not None and f.source.kind in ("terraform", "terraform-json")])
    for parsed in files:
        parsed.terraform = None
    installed = {posixpath.dirname(f.source.path) for f in files if f.source.installed}
    evaluated = terraform.build(tf_files, tfvars, var_files, texts, digests, manifests, installed, plans, root_cache)
    return evaluated.resources, sorted(evaluated.notices), evaluated.evaluations


def build(files: list[ParsedFile], var_files: list[TerraformFile] | None = None,
          hcc_reports: list[HccReport] | None = None, manifests: dict[str, ModuleManifest] | None = None,
          plans: list[Plan] | None = None, helm_values: Mapping[str, Sequence[str]] | None = None,
          helm_engine: str = "auto", demonstration_directories: Sequence[str] = DEMONSTRATION_DIRECTORIES,
          root_cache: RootCache | None = None, texts: ScannedTexts | None = None,
          build_cache: BuildCache | None = None) -> Model:
    """`manifests`: the modules.json of root modules (keyed by their directory), whose installed modules
    (files with `source.installed`) registry and git module calls are followed into; `plans`: JSON plans,
    values for the root modules they were made in; `helm_values`: chart directory -> values files
    (relative to the chart) to render it with; `helm_engine`: auto | sdk | binary | none;
    `demonstration_directories`: the directory names whose roots and deployments demonstrate, not deploy;
    `root_cache`: Terraform root modules evaluated in earlier runs; `texts`: the files' texts (ScannedTexts of
    `files` when not given); `build_cache`: Kustomize and Helm builds rendered in earlier runs.

    The build consumes the files' syntax: a module directory's Terraform trees are dropped as soon as nothing
    left to evaluate may call it, and the YAML documents once Kubernetes is rendered, so a large scan never
    holds all the parsed trees and the whole model at once (the peak of its memory). Directives stay; texts
    are read again when the model needs one (`Model.texts`)."""
    own = [f for f in files if not f.source.installed]   # downloaded modules are not the user's files
    texts = texts if texts is not None else ScannedTexts(files)
    own_texts = texts if len(own) == len(files) else texts.only(own)   # a large tree's table, not copied
    tfvars = [unpacked(f.terraform) for f in files if f.terraform is not None and f.source.kind == "tfvars"]
    digests = {f.source.path: f.digest for f in files}
    resources, tf_notices, evaluations = _terraform(files, texts, digests, tfvars, var_files or [], manifests or {},
                                                    plans, root_cache)
    kubernetes = deployed.build(own, own_texts, helm_values, helm_engine, build_cache)
    resources.extend(kubernetes.resources)
    resources.extend(file_model.build(own))
    for parsed in files:
        parsed.documents = ()
    resources.extend(tfvars_file(tf) for tf in tfvars)
    resources.extend(repository.build(own, own_texts))
    resources.extend(haven_results.build(hcc_reports or []))
    resources.sort(key=lambda r: (r.path, r.line, r.address))
    model = Model(resources, builds=kubernetes.builds, demonstration_directories=tuple(demonstration_directories),
                  undeployed=kubernetes.undeployed,
                  notices=tf_notices + kubernetes.notices, texts=texts, evaluations=evaluations,
                  digests=digests)
    derive(model)
    return model
