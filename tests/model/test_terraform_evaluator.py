"""The Terraform evaluator by subject: one expression (expressions.py), a block's values (blocks.py), a
module instance's names and provenance (instance.py, trace.py), count/for_each keys and module inputs."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner.model import build as model_stage
from scanner.parse.files import parse_all
from scanner.discover import discover
from scanner.model.rendered import Place
from scanner.model.terraform.expressions import Evaluator, constant
from scanner.model.terraform.trace import Trace
from scanner.model.values import Unknown
from scanner.parse.terraform import parse_text


def expr(text: str) -> Any:
    return parse_text("t.tf", f"v = {text}\n").attributes["v"].expr


class Names:
    """A module instance with two variables and one resource attribute, for expression tests."""

    def var(self, name: str, trace: Trace) -> Any:
        trace.places[Place("variables.tf", 3)] = "default"
        return {"region": "eu-west-1", "zones": ["a", "b"]}.get(name, Unknown(f"var.{name}", kind="variable"))

    def local(self, name: str, trace: Trace) -> Any:
        return Unknown(f"local.{name}", kind="local")

    def has_module(self, name: str) -> bool:
        return name == "net"

    def module_output(self, name: str, output: str | None, trace: Trace) -> Any:
        return {"ids": ["s1", "s2"]} if output == "out" else Unknown(f"module.{name}", kind="module")

    def resource_attr(self, rtype: str, name: str, attr: str | None, trace: Trace, key: Any = None) -> Any:
        trace.addresses.add(f"{rtype}.{name}")
        return Unknown(f"{rtype}.{name}.{attr}", refers_to=f"{rtype}.{name}", attribute=attr, kind="computed")

    def path_value(self, which: str) -> Any:
        return {"module": "mod"}.get(which, Unknown("path", kind="expression"))

    def planned_data(self, rtype: str, name: str, attr: str, trace: Trace) -> Any:
        return None


@pytest.mark.parametrize("text, expected", [
    ('"a-${var.region}"', "a-eu-west-1"),
    ("var.zones[1]", "b"),
    ("var.zones[5]", Unknown("index 5", kind="missing")),
    ("length(var.zones) > 1 ? \"multi\" : \"single\"", "multi"),
    ("var.nothing", Unknown("var.nothing", kind="variable")),
    ("true && var.nothing", Unknown("var.nothing", kind="variable")),
    ("false && var.nothing", False),                                          # short-circuit
    ("var.nothing && false", False),                 # Terraform (cty): an operand known false decides &&
    ("var.nothing || true", True),                   # and one known true decides ||
    ("var.nothing && true", Unknown("var.nothing", kind="variable")),
    ("var.nothing || false", Unknown("var.nothing", kind="variable")),
    ("!var.nothing", Unknown("var.nothing", kind="variable")),
    ("-3", -3),
    ("1 / 0", Unknown("operator / on these numbers", kind="expression")),
    ("\"a\" + 1", Unknown("operator + on non-numbers", kind="expression")),      # Terraform: numbers only
    ("\"2\" * 3", 6),                                                             # a numeric string converts
    ("\"a\" * 10000000000", Unknown("operator * on non-numbers", kind="expression")),   # not a 10 GB string
    ("true && 1", Unknown("operator && on non-bools", kind="expression")),
    ("[for z in var.zones : upper(z)]", ["A", "B"]),
    ("{for z in var.zones : z => 1 if z != \"a\"}", {"b": 1}),
    ("{for z in [\"a\", \"a\", \"b\"] : z => z...}", {"a": ["a", "a"], "b": ["b"]}),
    ("module.net.out.ids", ["s1", "s2"]),
    ("module.other.out", Unknown("module.other (not defined)", kind="module")),
    ("data.aws_region.current.name", Unknown("data.aws_region.current", refers_to="data.aws_region.current",
                                             attribute="name", kind="data")),
    ("aws_kms_key.k.arn", Unknown("aws_kms_key.k.arn", refers_to="aws_kms_key.k", attribute="arn", kind="computed")),
    ("path.module", "mod"),
    ("try(var.nothing, \"x\")", Unknown("var.nothing", kind="variable")),   # the first option may win at apply
    ("try(\"x\", var.nothing)", "x"),
    ("try(var.zones[5], \"x\")", "x"),                      # a missing element is an error: try goes on
    ("try({a = 1}[\"b\"], {a = 1}.c, var.region)", "eu-west-1"),
    ("try(var.zones[5], var.nothing)", Unknown("var.nothing", kind="variable")),
    ("try(var.zones[5])", Unknown("try() found no value", kind="function")),
    ("can(var.zones[5])", False),
    ("can([var.zones[5]])", False),                              # an error inside a collection fails it whole
    ("try({a = var.zones[5]}, \"x\")", "x"),
    ("try(var.zones[5] ? \"a\" : \"b\", \"x\")", "x"),        # a condition that fails fails the conditional
    ("try(var.zones[var.zones[7]], \"x\")", "x"),               # so does a key that fails
    ("var.zones[\"1\"]", "b"),                                     # a numeric string converts to the index
    ("try(var.zones[-1], \"x\")", "x"),                           # a negative index is an error in Terraform
    ("can(var.nothing)", Unknown("can()", kind="function")),
    ("coalesce(\"\", \"y\")", "y"),
    ("can(var.zones)", True),
    ("timestamp()", Unknown("function timestamp()", kind="function")),
    ("concat(var.zones, [\"c\"])", ["a", "b", "c"]),
    ("max([1, 5, 3]...)", 5),
    ("<<-EOT\n  a ${var.region}\n  EOT", Unknown("heredoc with interpolation", kind="syntax")),
])
def test_expressions(text, expected):
    assert Evaluator(Names()).evaluate(expr(text), {}, Trace()) == expected


class WrittenBlock(Names):
    """A resource whose `settings` argument is written as {mode = "a"}."""

    def resource_attr(self, rtype: str, name: str, attr: str | None, trace: Trace, key: Any = None) -> Any:
        return {"mode": "a"} if attr == "settings" else super().resource_attr(rtype, name, attr, trace, key)


def test_an_attribute_a_resource_argument_lacks_may_be_set_at_apply_time_so_try_does_not_pass_it_over():
    evaluate = Evaluator(WrittenBlock()).evaluate
    assert evaluate(expr('try(aws_x.y.settings.mode, "b")'), {}, Trace()) == "a"
    assert evaluate(expr('try(aws_x.y.settings.id, "b")'), {}, Trace()) == \
        Unknown("attribute id", kind="computed")
    assert evaluate(expr('try(aws_x.y.settings["id"], "b")'), {}, Trace()) == Unknown("index 'id'", kind="computed")
    assert evaluate(expr("can(aws_x.y.settings.id)"), {}, Trace()) == Unknown("can()", kind="function")


def test_references_and_places_are_traced():
    trace = Trace()
    Evaluator(Names()).evaluate(expr('"${var.region}-${aws_kms_key.k.arn}"'), {}, trace)
    assert trace.addresses == {"aws_kms_key.k"}
    assert trace.places == {Place("variables.tf", 3): "default"}


def test_constants_refer_to_nothing():
    assert constant(expr('{ a = [1, "x"], b = null }')) == {"a": [1, "x"], "b": None}
    assert constant(expr("var.x")) == Unknown("var", kind="expression")


def build(root: Path, var_files: tuple = ()) -> dict[str, Any]:
    sources, _ = discover(str(root))
    files, notices = parse_all(sources)
    assert notices == []
    return {r.address: r for r in model_stage.build(files, list(var_files)).resources}


def test_the_chain_names_every_place_that_decided_a_value(write):
    root = write({
        "main.tf": 'module "app" {\n  source   = "./app"\n  location = var.location\n}\n'
                   'variable "location" {\n  default = "westeurope"\n}\n',
        "terraform.tfvars": 'location = "centralus"\n',
        "app/main.tf": 'variable "location" {}\nlocals {\n  region = var.location\n}\n'
                       'resource "azurerm_storage_account" "s" {\n  location = local.region\n}\n',
    })
    account = build(root)["module.app.azurerm_storage_account.s"]
    assert account.values["location"] == "centralus"
    chain = [(p.path.rsplit("/", 1)[-1] if "/" in p.path else p.path, p.line, role)
             for p, role in account.chain_of("location")]
    assert chain == [("main.tf", 6, "attribute"), ("main.tf", 3, "local"), ("main.tf", 3, "argument"),
                     ("terraform.tfvars", 1, "tfvars")]


def test_a_default_is_a_place_in_the_chain_only_when_it_decides(write):
    root = write({"main.tf": 'variable "location" {\n  default = "westeurope"\n}\n'
                             'resource "azurerm_storage_account" "s" {\n  location = var.location\n}\n'})
    without = build(root)["azurerm_storage_account.s"]
    assert [role for _, role in without.chain_of("location")] == ["attribute", "default"]
    write({"terraform.tfvars": 'location = "northeurope"\n'})
    overridden = build(root)["azurerm_storage_account.s"]
    assert [role for _, role in overridden.chain_of("location")] == ["attribute", "tfvars"]


def test_count_and_for_each_keys(write):
    root = write({"main.tf": '''
resource "x_a" "counted" {
  count = 2
  name  = "n${count.index}"
}
resource "x_a" "keyed" {
  for_each = { weu = "westeurope", neu = "northeurope" }
  location = each.value
}
resource "x_a" "listed" {
  for_each = toset(["b", "a", "b"])
  name     = each.key
}
resource "x_a" "unknown" {
  for_each = var.things
  name     = each.key
}
'''})
    resources = build(root)
    assert resources['x_a.counted[1]'].values["name"] == "n1"
    assert resources['x_a.keyed["neu"]'].values["location"] == "northeurope"
    assert [a for a in resources if a.startswith("x_a.listed")] == ['x_a.listed["a"]', 'x_a.listed["b"]']
    assert resources["x_a.unknown"].values["name"] == Unknown("var.things", kind="variable")


def test_module_arguments_remember_where_the_caller_wrote_them(write):
    root = write({
        "main.tf": 'module "a" {\n  source   = "./m"\n  location = "eastus"\n}\n',
        "m/main.tf": 'variable "location" {}\nresource "x_a" "r" {\n  location = var.location\n}\n',
    })
    resource = build(root)["module.a.x_a.r"]
    assert resource.origins["location"].line == 3 and resource.origins["location"].path.endswith("main.tf")
    assert not resource.origins["location"].path.endswith("m/main.tf")


def test_a_module_input_renamed_by_a_local_is_still_written_by_the_caller(write):
    root = write({
        "main.tf": 'module "a" {\n  source   = "./m"\n  location = "eastus"\n}\n',
        "m/main.tf": 'variable "location" {}\nlocals {\n  default_location = var.location\n  where = local.default_location\n}\n'
                     'resource "x_a" "r" {\n  location = local.where\n  name     = "${local.where}-x"\n}\n',
    })
    resource = build(root)["module.a.x_a.r"]
    assert resource.origins["location"].line == 3 and not resource.origins["location"].path.endswith("m/main.tf")
    assert "location" in resource.passthrough and "name" not in resource.origins   # a template is the module's own


def test_cycles_and_undefined_names_are_unknown(write):
    root = write({"main.tf": 'locals {\n  a = local.b\n  b = local.a\n}\n'
                             'resource "x_a" "r" {\n  one = local.a\n  two = local.nope\n}\n'})
    values = build(root)["x_a.r"].values
    assert values["one"].kind == "cycle"
    assert values["two"] == Unknown("local.nope (not defined)", kind="local")


def test_a_second_dynamic_block_of_the_same_label_after_an_unknown_one(write):
    root = write({"main.tf": '''
variable "u" {}
resource "x_a" "r" {
  dynamic "tag" {
    for_each = var.u
    content { key = tag.key }
  }
  dynamic "tag" {
    for_each = { a = 1 }
    content { key = tag.key }
  }
}
'''})
    assert build(root)["x_a.r"].values["tag"] == Unknown("var.u", kind="variable")


def test_optional_attributes_get_their_defaults_and_null_means_the_default_when_not_nullable(write):
    root = write({
        "main.tf": 'module "vault" {\n  source = "./vault"\n  keys = { k1 = {} , k2 = { type = "RSA" } }\n'
                   '  sku = null\n}\n',
        "vault/main.tf": '''
variable "keys" {
  type = map(object({
    type     = optional(string, "RSA-HSM")
    rotation = optional(object({ days = optional(number, 90) }), {})
  }))
}
variable "sku" {
  type     = string
  default  = "premium"
  nullable = false
}
variable "tier" {
  type    = string
  default = "standard"
}
resource "x_key" "k" {
  for_each = var.keys
  key_type = each.value.type
  rotation = each.value.rotation.days
  sku      = var.sku
  tier     = var.tier
}
'''})
    resources = build(root)
    assert resources['module.vault.x_key.k["k1"]'].values["key_type"] == "RSA-HSM"
    assert resources['module.vault.x_key.k["k1"]'].values["rotation"] == 90
    assert resources['module.vault.x_key.k["k2"]'].values["key_type"] == "RSA"
    assert resources['module.vault.x_key.k["k2"]'].values["sku"] == "premium"
    assert resources['module.vault.x_key.k["k2"]'].values["tier"] == "standard"


def test_file_and_templatefile_read_the_scanned_files_of_the_module(write):
    root = write({
        "main.tf": 'module "app" {\n  source = "./modules/app"\n}\n'
                   'locals {\n  settings = jsondecode(file("settings.json"))\n}\n'
                   'resource "x_a" "r" {\n  location = local.settings.location\n'
                   '  outside  = file("../secret.txt")\n}\n',
        "settings.json": '{"location": "northeurope"}\n',
        "modules/app/main.tf": 'resource "x_a" "m" {\n'
                               '  body = templatefile("${path.module}/body.tpl", { region = "westeurope" })\n}\n',
        "modules/app/body.tpl": 'region=${region}\n%{ for z in [1, 2] }z${z} %{ endfor }\n',
    })
    resources = build(root)
    assert resources["x_a.r"].values["location"] == "northeurope"
    assert isinstance(resources["x_a.r"].values["outside"], Unknown)
    assert resources["module.app.x_a.m"].values["body"] == "region=westeurope\nz1 z2 \n"


def test_opentofu_files_are_read_and_x_tofu_replaces_x_tf(write):
    root = write({
        "main.tf": 'resource "x_a" "r" {\n  location = "eastus"\n}\n',
        "main.tofu": 'resource "x_a" "r" {\n  location = "westeurope"\n}\n',
        "extra.tofu": 'resource "x_a" "t" {\n  location = "northeurope"\n}\n',
        "other.tf": 'resource "x_a" "o" {\n  location = "swedencentral"\n}\n',
    })
    resources = build(root)
    assert resources["x_a.r"].values["location"] == "westeurope" and resources["x_a.r"].path.endswith("main.tofu")
    assert {a for a in resources if a.startswith("x_a.")} == {"x_a.r", "x_a.t", "x_a.o"}


def test_a_configured_argument_of_a_counted_or_keyed_instance_is_its_value(write):
    root = write({"main.tf": '''
resource "x_group" "g" {
  for_each = { weu = "westeurope", us = "eastus" }
  location = each.value
}
resource "x_group" "n" {
  count    = 2
  location = count.index == 0 ? "northeurope" : "swedencentral"
}
resource "x_a" "r" {
  one   = x_group.g["us"].location
  two   = x_group.n[1].location
  three = x_group.g["nope"].location
  four  = x_group.g["us"].id
}
'''})
    values = build(root)["x_a.r"].values
    assert values["one"] == "eastus" and values["two"] == "swedencentral"
    assert isinstance(values["three"], Unknown) and isinstance(values["four"], Unknown)


TRY_FIXTURE = '''provider "aws" {
  region = "eu-west-1"
}
locals {
  versioning = { status = "Enabled" }
}
resource "aws_s3_bucket" "this" {
  bucket = "b"
}
resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = try(local.versioning["enabled"] ? "Enabled" : "Suspended", local.versioning["status"])
  }
}
resource "aws_cloudwatch_log_group" "this" {
  count = 0
  name  = "x"
}
resource "aws_flow_log" "this" {
  vpc_id               = "vpc-123"
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = try(aws_cloudwatch_log_group.this[0].arn, "arn:aws:s3:::a-bucket-elsewhere")
}
'''


def test_try_goes_on_past_a_key_the_value_lacks_and_an_instance_count_0_does_not_make(write, run_scan):
    """As terraform-aws-s3-bucket does with `versioning`: the module reads an optional key inside try()."""
    result = run_scan(write({"main.tf": TRY_FIXTURE}), only=("EXIT-003", "RES-008"))
    assert [(f.policy_id, f.path, f.line) for f in result.findings] == []
    # versioning is decided (EXIT-003 passes); the flow log's destination is the fallback, a bucket ARN, which
    # names no region: that, not the log group that has no instance, is what stays open
    assert [(f.policy_id, f.path, f.line) for f in result.unresolved] == [("RES-008", "main.tf", 24)]
    assert result.unresolved[0].message.endswith(
        "the region of arn:aws:s3:::a-bucket-elsewhere is not known statically"), result.unresolved[0].message


COALESCE_FIXTURE = '''variable "primary" {
  default = "eastus"
}
variable "fallback" {
  default = "westeurope"
}
resource "azurerm_resource_group" "rg" {
  name     = "rg"
  location = coalesce(var.primary, var.fallback)
}
'''


def test_coalesce_and_try_trace_the_option_they_return_not_the_ones_after_it(write, run_scan):
    result = run_scan(write({"main.tf": COALESCE_FIXTURE}), only=("RES-001",))
    assert [(f.path, f.line) for f in result.findings] == [("main.tf", 9)]
    assert result.findings[0].message.endswith("(set in main.tf:2)")   # the primary's default, not the fallback's
    assert ("main.tf", 5, "default") not in result.findings[0].chain


def test_a_key_that_may_name_an_instance_is_not_taken_for_a_missing_one(write, run_scan):
    """x[0] of a for_each over {"0" = ...} is that instance (Terraform converts the key): try() must not pass it."""
    text = ('resource "azurerm_resource_group" "g" {\n  for_each = {"0" = "westeurope"}\n  name     = "g"\n'
            '  location = each.value\n}\n'
            'resource "azurerm_resource_group" "h" {\n  name     = "h"\n'
            '  location = try(azurerm_resource_group.g[0].location, "eastus")\n}\n')
    result = run_scan(write({"main.tf": text}), only=("RES-001",))
    assert [(f.address, f.line) for f in result.findings] == []
