"""Examples, tests and fixtures of a repository that also holds the code they demonstrate report notes; a
repository of examples alone, credentials and the configuration keep their levels."""
from __future__ import annotations

import pytest

from scanner.config import Config

US_BUCKET = 'resource "google_storage_bucket" "b" {{\n  name     = "{name}"\n  location = "US"\n}}\n'
TOKEN = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5"


def _levels(result):
    return sorted((f.path, f.policy_id, f.level, f.message.endswith("(in demonstration code: a note)"))
                  for f in result.findings)


def test_examples_next_to_the_module_they_call_report_notes(write, run_scan):
    root = write({"main.tf": US_BUCKET.format(name="lib"),
                  "examples/basic/main.tf": US_BUCKET.format(name="example"),
                  "test/fixtures/simple/main.tf": US_BUCKET.format(name="fixture") + f'# token {TOKEN}\n'})
    assert _levels(run_scan(root, only=("RES-001", "SEC-002"))) == [
        ("examples/basic/main.tf", "RES-001", "note", True),
        ("main.tf", "RES-001", "error", False),
        ("test/fixtures/simple/main.tf", "RES-001", "note", True),
        ("test/fixtures/simple/main.tf", "SEC-002", "error", False),   # a real credential leaks from a test too
    ]


def test_a_scan_of_examples_only_keeps_their_levels(write, run_scan):
    root = write({"examples/basic/main.tf": US_BUCKET.format(name="example")})
    assert _levels(run_scan(root, only=("RES-001",))) == [("examples/basic/main.tf", "RES-001", "error", False)]


def test_the_configuration_names_the_directories_and_can_switch_it_off(write, run_scan):
    root = write({"main.tf": US_BUCKET.format(name="lib"), "examples/main.tf": US_BUCKET.format(name="e"),
                  "showcase/main.tf": US_BUCKET.format(name="s")})
    levels = _levels(run_scan(root, only=("RES-001",), config=Config(demonstration_directories=("showcase",))))
    assert [(path, level) for path, _, level, _ in levels] == [
        ("examples/main.tf", "error"), ("main.tf", "error"), ("showcase/main.tf", "note")]
    judged_alike = _levels(run_scan(root, only=("RES-001",), config=Config(demonstration_directories=())))
    assert {level for _, _, level, _ in judged_alike} == {"error"}


def test_a_test_environment_of_the_otap_street_is_not_demonstration_code(write, run_scan):
    root = write({"modules/bucket/main.tf": US_BUCKET.format(name="lib"),
                  "environments/test/main.tf": US_BUCKET.format(name="test-env"),
                  "tests/unit/main.tf": US_BUCKET.format(name="unit")})
    assert _levels(run_scan(root, only=("RES-001",))) == [
        ("environments/test/main.tf", "RES-001", "error", False),
        ("modules/bucket/main.tf", "RES-001", "error", False),
        ("tests/unit/main.tf", "RES-001", "note", True),
    ]


def test_a_modules_test_harness_inside_test_is_demonstration_code_but_the_test_environment_is_not(write, run_scan):
    """test/setup creates the throw-away project test/integration runs in; environments/test/setup deploys."""
    root = write({"main.tf": US_BUCKET.format(name="lib"),
                  "test/setup/main.tf": US_BUCKET.format(name="ci-project"),
                  "test/integration/simple/main.tf": US_BUCKET.format(name="it"),
                  "test/main.tf": US_BUCKET.format(name="test-env"),
                  "environments/test/setup-dns/main.tf": US_BUCKET.format(name="dns")})
    assert _levels(run_scan(root, only=("RES-001",))) == [
        ("environments/test/setup-dns/main.tf", "RES-001", "error", False),
        ("main.tf", "RES-001", "error", False),
        ("test/integration/simple/main.tf", "RES-001", "note", True),
        ("test/main.tf", "RES-001", "error", False),
        ("test/setup/main.tf", "RES-001", "note", True),
    ]
    levels = _levels(run_scan(root, only=("RES-001",), config=Config(demonstration_directories=("ci/harness",))))
    assert {level for _, _, level, _ in levels} == {"error"}


def test_library_code_keeps_its_level_but_what_an_example_deploys_around_it_is_a_note(write, run_scan):
    library = ('resource "aws_eks_cluster" "c" {\n  name     = "c"\n  role_arn = "arn"\n  vpc_config {\n'
               '    subnet_ids = ["a"]\n  }\n}\nresource "aws_eks_addon" "dns" {\n  cluster_name = aws_eks_cluster.c.name\n'
               '  addon_name   = "coredns"\n}\nresource "azurerm_resource_group" "g" {\n  location = "centralus"\n}\n')
    root = write({"main.tf": library,
                  "examples/basic/main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\nmodule "lib" {\n  source = "../.."\n}\n'})
    levels = _levels(run_scan(root, only=("RES-001", "HAVEN-010", "WL-020")))
    assert levels == [("main.tf", "HAVEN-010", "note", True),    # the example's cluster runs no RWX driver
                      ("main.tf", "RES-001", "error", False),     # the library's own choice of region
                      ("main.tf", "WL-020", "note", True)]        # nor a vpc-cni add-on that enforces NetworkPolicies


def test_the_worker_count_of_an_examples_cluster_is_a_note_on_the_librarys_line(write, run_scan):
    library = ('variable "min_size" {\n  default = 3\n}\n'
               'resource "aws_eks_cluster" "c" {\n  name     = "c"\n  role_arn = "arn"\n  vpc_config {\n'
               '    subnet_ids = ["a"]\n  }\n}\n'
               'resource "aws_eks_node_group" "g" {\n  cluster_name  = aws_eks_cluster.c.name\n'
               '  node_role_arn = "arn"\n  subnet_ids    = ["a"]\n  scaling_config {\n'
               '    min_size     = var.min_size\n    max_size     = 5\n    desired_size = var.min_size\n  }\n}\n')
    root = write({"main.tf": library,
                  "examples/small/main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\n'
                                            'module "lib" {\n  source   = "../.."\n  min_size = 2\n}\n'})
    assert [(path, rule, level) for path, rule, level, _ in _levels(run_scan(root, only=("HAVEN-003",)))] == [
        ("main.tf", "HAVEN-003", "note")]


def test_a_librarys_line_judged_with_a_value_an_example_set_is_a_note_and_with_its_own_an_error(write, run_scan,
                                                                                                tmp_path):
    """The AVM storage account's way: the SKU goes through a local, so the finding stays on the library's line;
    set in an example, it is the example's choice. With the library's own default it is the library's."""
    library = ('variable "location" {\n  default = "eastus"\n}\n'                                     # 1-3
               'variable "sku" {\n  default = null\n}\n'                                             # 4-6
               'variable "replication" {\n  default = "ZRS"\n}\n'                                    # 7-9
               'locals {\n  sku = coalesce(var.sku, "Standard_${var.replication}")\n}\n'             # 10-12
               'resource "azurerm_storage_account" "sa" {\n  name                     = "sa"\n'       # 13-14
               '  location                 = var.location\n'                                         # 15
               '  account_replication_type = split("_", local.sku)[1]\n}\n')                         # 16-17
    example = 'module "lib" {\n  source = "../.."\n  sku    = "Standard_GRS"\n}\n'
    root = write({"main.tf": library, "examples/geo/main.tf": example}, tmp_path / "a")
    assert [(f.path, f.line, f.level) for f in run_scan(root, only=("RES-005",)).findings] == [
        ("main.tf", 16, "note")]
    own = write({"main.tf": library.replace('default = "ZRS"', 'default = "GRS"'),
                 "examples/geo/main.tf": 'module "lib" {\n  source = "../.."\n}\n'}, tmp_path / "b")
    assert [(f.path, f.line, f.level) for f in run_scan(own, only=("RES-005",)).findings] == [
        ("main.tf", 16, "error")]


def test_a_value_read_on_a_linked_resource_names_where_it_was_set(write, run_scan):
    """CMK-001 judges a bucket by the encryption configuration that refers to it: the algorithm an example
    passes is the example's choice (set in it: a note), the library's own bucket line keeps no guess."""
    library = ('variable "sse" {\n  type    = any\n  default = {}\n}\n'
               'resource "aws_s3_bucket" "this" {\n  bucket = "b"\n}\n'
               'resource "aws_s3_bucket_server_side_encryption_configuration" "this" {\n'
               '  count  = length(keys(var.sse)) > 0 ? 1 : 0\n  bucket = aws_s3_bucket.this.id\n  rule {\n'
               '    apply_server_side_encryption_by_default {\n      sse_algorithm = var.sse.sse_algorithm\n'
               '    }\n  }\n}\n')
    example = ('provider "aws" {\n  region = "eu-west-1"\n}\nmodule "b" {\n  source = "../.."\n  sse = {\n'
               '    sse_algorithm = "AES256"\n  }\n}\n')
    result = run_scan(write({"main.tf": library, "examples/demo/main.tf": example}), only=("CMK-001",))
    shown = [(f.path, f.line, f.level) for f in result.findings if f.address == "module.b.aws_s3_bucket.this"]
    assert shown == [("main.tf", 5, "note")]
    finding = next(f for f in result.findings if f.address == "module.b.aws_s3_bucket.this")
    assert "(set in examples/demo/main.tf:6)" in finding.message
    written = tuple(place for place in finding.chain if place[2] != "instances")
    assert written[-2:] == (("main.tf", 13, "attribute"), ("examples/demo/main.tf", 6, "argument"))
    # the configuration's count is decided by the same argument: a change there adds or removes the instance
    assert ("examples/demo/main.tf", 6, "instances") in finding.chain


CALLED_WITH = 'module "m" {{\n  source = "../.."\n{arguments}}}\n'


@pytest.mark.parametrize("library, arguments, line", [
    # try() fell back to the library's own literal: the option that failed on the example's object decides nothing
    ('variable "cfg" {\n  type = object({ name = string })\n}\nresource "azurerm_resource_group" "a" {\n'
     '  name     = var.cfg.name\n  location = try(var.cfg.location, "eastus")\n}\n',
     '  cfg    = { name = "x" }\n', 6),
    # the example picks the key, the library's default holds the region
    ('variable "env" {\n  type = string\n}\nvariable "regions" {\n  default = { prod = "eastus", test = "westeurope" }\n}\n'
     'resource "azurerm_resource_group" "a" {\n  name     = "a"\n  location = var.regions[var.env]\n}\n',
     '  env    = "prod"\n', 9),
])
def test_a_value_the_library_itself_wrote_keeps_its_level_whoever_calls_it(write, run_scan, library, arguments, line):
    root = write({"main.tf": library, "examples/basic/main.tf": CALLED_WITH.format(arguments=arguments)})
    assert [(f.path, f.line, f.level) for f in run_scan(root, only=("RES-001",)).findings] == [
        ("main.tf", line, "error")]


@pytest.mark.parametrize("body, arguments", [
    # a literal entry beside one the example passes
    ('{\n    kind = var.kind\n    sku = {\n      name = "Standard_GRS"\n      tier = var.kind\n    }\n  }',
     '  kind   = "StorageV2"\n'),
    # the example passes an empty object: the name is the type's optional() default, the library's
    ('{\n    kind = "StorageV2"\n    sku  = var.sku\n  }', '  sku    = {}\n'),
])
def test_an_azapi_body_entry_the_library_wrote_keeps_its_level(write, run_scan, body, arguments):
    library = ('variable "kind" {\n  type    = string\n  default = "StorageV2"\n}\n'
               'variable "sku" {\n  type    = object({ name = optional(string, "Standard_GRS") })\n  default = {}\n}\n'
               'resource "azapi_resource" "sa" {\n  type     = "Microsoft.Storage/storageAccounts@2023-05-01"\n'
               '  name     = "x"\n  location = "norwayeast"\n  body = ' + body + '\n}\n')
    root = write({"main.tf": library, "examples/basic/main.tf": CALLED_WITH.format(arguments=arguments)})
    assert [(f.path, f.level) for f in run_scan(root, only=("RES-005",)).findings] == [("main.tf", "error")]


def _component_tree(prod_includes_it: bool) -> dict[str, str]:
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 2\n"
                  "  template:\n    spec:\n{extra}      containers:\n        - name: {name}\n"
                  "          image: registry.example.nl/{name}:1.0.0\n")
    prod = "resources:\n  - ../../base\n" + ("components:\n  - ../../components/agent\n" if prod_includes_it else "")
    return {"base/kustomization.yaml": "resources:\n  - app.yaml\n",
            "base/app.yaml": deployment.format(name="app", extra=""),
            "components/agent/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
                                                   "resources:\n  - agent.yaml\n",
            "components/agent/agent.yaml": deployment.format(name="agent", extra="      hostNetwork: true\n"),
            "overlays/prod/kustomization.yaml": prod,
            "tests/with-agent/kustomization.yaml": "resources:\n  - ../../base\ncomponents:\n"
                                                   "  - ../../components/agent\n"}


@pytest.mark.parametrize("prod_includes_it, level", [(False, "note"), (True, "error")])
def test_a_component_only_test_overlays_include_is_demonstration_code(write, run_scan, prod_includes_it, level):
    """kustomize/components/... that only kustomize/tests/... include deploys nothing the owners run."""
    result = run_scan(write(_component_tree(prod_includes_it)), only=("WL-001",))
    assert [(f.path, f.level) for f in result.findings] == [("components/agent/agent.yaml", level)]
