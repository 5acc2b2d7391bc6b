"""Stage 3: build the model (Resources) from parsed files."""
from __future__ import annotations

from scanner.model import kubernetes, terraform
from scanner.model.resource import Model, Resource
from scanner.parse import ParsedFile
from scanner.parse.terraform import TerraformFile

STATE_FILE_TYPE = "terraform_state"


def build(files: list[ParsedFile], var_files: list[TerraformFile] = ()) -> Model:
    tf_files = [f.terraform for f in files if f.terraform is not None and f.source.kind in ("terraform", "terraform-json")]
    tfvars = [f.terraform for f in files if f.terraform is not None and f.source.kind == "tfvars"]
    builder = terraform.build(tf_files, tfvars, list(var_files))
    resources = list(builder.resources)
    resources.extend(kubernetes.build([d for f in files for d in f.documents]))
    for f in files:
        if f.source.kind == "tfstate":
            resources.append(Resource("file", STATE_FILE_TYPE, f.source.path, f.source.path, 1, {"path": f.source.path}))
    resources.sort(key=lambda r: (r.path, r.line, r.address))
    return Model(resources, sorted(builder.unresolved_modules))
