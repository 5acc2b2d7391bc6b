"""Stage 3 for Terraform: evaluate every root module statically into Resources.

Variables (defaults, terraform.tfvars, *.auto.tfvars, --var-file), locals, interpolation, references,
providers and aliases, local module calls with their arguments, count/for_each when the collection is
known. Every value that cannot be known is an Unknown naming what blocked it; every attribute keeps the
chain of places that decided its value. Each module instance evaluates each local, output and
attribute once, so large repositories stay linear.

    modules.py      module directories, root inputs          instance.py  one module instance's names
    expressions.py  one expression                            blocks.py    a block's values and lines
    emit.py         the resources an instance contributes     trace.py     provenance of a value
    plan_match.py   which root module a --plan was made in    plan_values.py  a plan's values
"""
from __future__ import annotations

from scanner.model.terraform import emit, plan_match
from scanner.model.terraform.instance import Instance
from scanner.model.terraform.modules import TerraformModel, group_modules
from scanner.parse.modules import ModuleManifest
from scanner.parse.plan import Plan
from scanner.parse.terraform import TerraformFile


def build(files: list[TerraformFile], tfvars: list[TerraformFile], var_files: list[TerraformFile],
          texts: dict[str, str] | None = None, manifests: dict[str, ModuleManifest] | None = None,
          installed: set[str] | None = None, plans: list[Plan] | None = None) -> TerraformModel:
    model = TerraformModel(group_modules(files, tfvars), dict(texts or {}), dict(manifests or {}), set(installed or ()))
    called = model.called_dirs()
    roots = [d for d in sorted(model.modules) if d not in called and d not in model.installed]
    plan_match.assign(model, list(plans or []), roots)
    for directory in roots:
        _evaluate_root(model, directory, var_files)
    for directory in sorted(model.modules):
        if directory not in model.visited and directory not in model.installed:   # a cycle, or its callers failed
            _evaluate_root(model, directory, var_files)
    for root, plan in sorted(model.plans.items()):
        emit.planned_only(model, root, plan)
    return model


def _evaluate_root(model: TerraformModel, directory: str, var_files: list[TerraformFile]) -> None:
    module = model.modules[directory]
    inputs = dict(model.root_inputs(module, var_files))
    instance = Instance(model, module, "", dict(inputs), {}, 0, root=directory)
    emit.run(instance)
    instance.release()
