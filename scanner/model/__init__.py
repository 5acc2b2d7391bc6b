"""Stage 3: build the model (Resources) from parsed files."""
from __future__ import annotations

from scanner.model import files as file_model
from scanner.model import kubernetes, repository, terraform
from scanner.model.resource import Model
from scanner.parse import ParsedFile
from scanner.parse.terraform import TerraformFile

def build(files: list[ParsedFile], var_files: list[TerraformFile] = ()) -> Model:
    tf_files = [f.terraform for f in files if f.terraform is not None and f.source.kind in ("terraform", "terraform-json")]
    tfvars = [f.terraform for f in files if f.terraform is not None and f.source.kind == "tfvars"]
    builder = terraform.build(tf_files, tfvars, list(var_files))
    resources = list(builder.resources)
    resources.extend(kubernetes.build([d for f in files for d in f.documents]))
    resources.extend(file_model.build(files))
    resources.extend(repository.build(files))
    resources.sort(key=lambda r: (r.path, r.line, r.address))
    return Model(resources, sorted(builder.unresolved_modules))
