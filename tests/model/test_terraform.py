from __future__ import annotations

from pathlib import Path

from scanner.model import build as model_stage
from scanner.parse.files import parse_all
from scanner.discover import discover
from scanner.model.values import Unknown
from scanner.parse.terraform import parse_text


def build(root: Path, var_files=()):
    sources, _ = discover(str(root))
    files, notices = parse_all(sources)
    assert notices == []
    return {r.address: r for r in model_stage.build(files, var_files).resources}


def test_variables_defaults_tfvars_and_var_files(write):
    root = write({
        "main.tf": 'variable "location" { default = "westeurope" }\nvariable "sku" { default = "Standard" }\n'
                   'variable "tier" {}\nvariable "zone" {}\n'
                   'resource "azurerm_resource_group" "rg" {\n  location = var.location\n  sku = var.sku\n'
                   '  tier = var.tier\n  zone = var.zone\n}\n',
        "terraform.tfvars": 'location = "northeurope"\n',
        "z.auto.tfvars": 'sku = "Premium"\n',
    })
    var_file = parse_text("extra.tfvars", 'zone = "1"\n')
    values = build(root, [var_file])["azurerm_resource_group.rg"].values
    assert values["location"] == "northeurope"
    assert values["sku"] == "Premium"
    assert values["tier"] == Unknown("var.tier", kind="variable")
    assert values["zone"] == "1"


def test_locals_interpolation_and_functions(write):
    root = write({"main.tf": '''
locals {
  env    = "prod"
  prefix = "st${local.env}"
  tags   = merge({ env = local.env }, { team = upper("data") })
  names  = [for n in ["a", "b"] : "${local.prefix}-${n}"]
  loop   = local.loop
}
resource "x_thing" "t" {
  name  = local.prefix
  tags  = local.tags
  names = local.names
  first = element(local.names, 0)
  loop  = local.loop
  cond  = local.env == "prod" ? "yes" : "no"
  fn    = timestamp()
}
'''})
    values = build(root)["x_thing.t"].values
    assert values["name"] == "stprod"
    assert values["tags"] == {"env": "prod", "team": "DATA"}
    assert values["names"] == ["stprod-a", "stprod-b"]
    assert values["first"] == "stprod-a"
    assert isinstance(values["loop"], Unknown) and "cycle" in values["loop"].reason
    assert values["cond"] == "yes"
    assert values["fn"] == Unknown("function timestamp()", kind="function")


def test_references_between_resources_are_recorded(write):
    root = write({"main.tf": '''
resource "aws_kms_key" "k" {
  description = "data key"
}
resource "aws_s3_bucket_server_side_encryption_configuration" "c" {
  bucket = aws_s3_bucket.b.id
  rule {
    apply_server_side_encryption_by_default {
      kms_master_key_id = aws_kms_key.k.arn
      label             = aws_kms_key.k.description
    }
  }
}
resource "aws_s3_bucket" "b" {}
'''})
    config = build(root)["aws_s3_bucket_server_side_encryption_configuration.c"]
    rule = config.values["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert rule["kms_master_key_id"] == Unknown("aws_kms_key.k.arn (known after apply)", refers_to="aws_kms_key.k", attribute="arn",
                                                   kind="computed")
    assert rule["label"] == "data key"
    assert config.references["bucket"] == frozenset({"aws_s3_bucket.b"})
    assert config.locations["rule.apply_server_side_encryption_by_default.kms_master_key_id"] == 9


def test_local_modules_are_followed_with_their_arguments(write):
    root = write({
        "main.tf": 'module "store" {\n  source   = "./modules/store"\n  location = "germanywestcentral"\n}\n'
                   'module "remote" {\n  source  = "Azure/avm-res-storage/azurerm"\n  version = "1.0.0"\n}\n'
                   'resource "x_y" "z" {\n  id = module.store.account_id\n  other = module.remote.id\n}\n',
        "modules/store/main.tf": 'variable "location" {}\nresource "azurerm_storage_account" "this" {\n'
                                 '  location = var.location\n}\noutput "account_id" { value = azurerm_storage_account.this.id }\n',
    })
    resources = build(root)
    inner = resources["module.store.azurerm_storage_account.this"]
    assert inner.values["location"] == "germanywestcentral" and inner.path == "modules/store/main.tf"
    z = resources["x_y.z"]
    assert z.values["id"].refers_to == "module.store.azurerm_storage_account.this"
    assert z.references["id"] == frozenset({"module.store.azurerm_storage_account.this"})
    assert "not fetched" in z.values["other"].reason
    assert resources["module.remote"].values == {"source": "Azure/avm-res-storage/azurerm", "version": "1.0.0"}
    assert "azurerm_storage_account.this" not in resources, "a called module is evaluated through its caller only"


def test_nested_module_addresses(write):
    root = write({
        "main.tf": 'module "a" {\n  source = "./a"\n}\n',
        "a/main.tf": 'module "b" {\n  source = "../b"\n  name = "n"\n}\n',
        "b/main.tf": 'variable "name" {}\nresource "x_r" "r" { name = var.name }\n',
    })
    assert build(root)["module.a.module.b.x_r.r"].values["name"] == "n"


def test_providers_aliases_and_module_provider_mapping(write):
    root = write({
        "main.tf": 'provider "aws" { region = "eu-west-1" }\nprovider "aws" {\n  alias  = "us"\n  region = "us-east-1"\n}\n'
                   'resource "aws_s3_bucket" "eu" {}\nresource "aws_s3_bucket" "us" { provider = aws.us }\n'
                   'module "m" {\n  source = "./m"\n  providers = { aws = aws.us }\n}\n',
        "m/main.tf": 'resource "aws_sqs_queue" "q" {}\n',
    })
    resources = build(root)
    assert resources["aws_s3_bucket.eu"].provider_values["region"] == "eu-west-1"
    assert (resources["aws_s3_bucket.us"].provider, resources["aws_s3_bucket.us"].provider_values["region"]) == ("aws.us", "us-east-1")
    assert resources["module.m.aws_sqs_queue.q"].provider_values["region"] == "us-east-1"
    assert resources["provider.aws.us"].values["region"] == "us-east-1"


def test_count_and_for_each_expand_when_known(write):
    root = write({"main.tf": '''
variable "regions" { default = { weu = "westeurope", eus = "eastus" } }
variable "n" {}
resource "azurerm_resource_group" "rg" {
  for_each = var.regions
  location = each.value
  name     = "rg-${each.key}"
}
resource "x_c" "c" {
  count = 2
  name  = "c${count.index}"
}
resource "x_u" "u" {
  count = var.n
  name  = "u${count.index}"
}
resource "x_off" "o" {
  count = 0
}
'''})
    resources = build(root)
    assert resources['azurerm_resource_group.rg["eus"]'].values["location"] == "eastus"
    assert resources['azurerm_resource_group.rg["weu"]'].values["name"] == "rg-weu"
    assert [resources[f"x_c.c[{i}]"].values["name"] for i in (0, 1)] == ["c0", "c1"]
    assert resources["x_u.u"].values["name"] == Unknown("var.n", kind="variable")
    assert not any(a.startswith("x_off") for a in resources)


def test_outputs_of_an_instance_of_a_module_called_with_count_or_for_each(write):
    root = write({
        "main.tf": '''
variable "n" {}
module "keys" {
  source   = "./mod"
  for_each = toset(["a", "b"])
  name     = each.key
}
module "numbered" {
  source   = "./mod"
  for_each = { "7" = "seven" }
  name     = each.value
}
module "counted" {
  source = "./mod"
  count  = 2
  name   = "c${count.index}"
}
module "unknown" {
  source = "./mod"
  count  = var.n
  name   = "u"
}
module "single" {
  source = "./mod"
  name   = "s"
}
resource "x_use" "u" {
  by_key     = module.keys["b"].label
  by_index   = module.counted[1].label
  by_string  = module.counted["0"].label
  by_number  = module.numbered[7].label
  missing    = module.keys["z"].label
  any_key    = module.keys[var.n].label
  unknown    = module.unknown[0].label
  whole      = module.keys["a"]
  collection = values(module.keys)
  single     = module.single.label
}
''',
        "mod/main.tf": 'variable "name" {}\noutput "label" { value = "key-${var.name}" }\n',
    })
    values = build(root)["x_use.u"].values
    assert values["by_key"] == "key-b"
    assert values["by_index"] == "key-c1"
    assert values["by_string"] == "key-c0"           # Terraform converts "0" to the number a list takes
    assert values["by_number"] == "key-seven"        # and 7 to the string a map's key is
    assert values["missing"] == Unknown('module.keys[\'z\'] (no such instance)', kind="missing")
    assert sorted(values["any_key"].candidates) == ["key-a", "key-b"]   # one of the instances' outputs
    assert values["unknown"] == Unknown("module.unknown with count/for_each", kind="module")
    # a module as a whole object is not evaluated (the places that decided every output would follow each value)
    assert values["whole"] == Unknown("module.keys with count/for_each", kind="module")
    assert isinstance(values["collection"], Unknown)
    assert values["single"] == "key-s"


def test_dynamic_blocks(write):
    root = write({"main.tf": '''
variable "rules" { default = [{ action = "Deny" }] }
variable "unknown" {}
resource "x_r" "known" {
  dynamic "network_rules" {
    for_each = var.rules
    content {
      default_action = network_rules.value.action
    }
  }
}
resource "x_r" "unknown" {
  dynamic "customer_managed_key" {
    for_each = var.unknown
    content {
      key = customer_managed_key.value
    }
  }
}
'''})
    resources = build(root)
    assert resources["x_r.known"].values["network_rules"] == [{"default_action": "Deny"}]
    assert resources["x_r.unknown"].values["customer_managed_key"] == Unknown("var.unknown", kind="variable")


def test_meta_resources(write):
    root = write({"versions.tf": 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "~> 5.0" }\n'
                                 '    random = "~> 3.0"\n  }\n  backend "s3" { encrypt = true }\n}\n'
                                 'variable "password" {\n  sensitive = true\n}\noutput "o" { value = 1 }\n'})
    resources = build(root)
    assert resources["terraform.required_providers.aws"].values == {"source": "hashicorp/aws", "version": "~> 5.0"}
    assert resources["terraform.required_providers.random"].values == {"version": "~> 3.0"}
    assert resources["terraform.backend.s3"].values == {"type": "s3", "encrypt": True}
    assert resources["variable.password"].values == {"sensitive": True}
    assert resources["output.o"].values == {"value": 1}
