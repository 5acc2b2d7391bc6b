from __future__ import annotations

import pytest

from scanner.parse import expressions as x
from scanner.parse.terraform import HclSyntaxError, parse_json_text, parse_text

SOURCE = '''\
resource "azurerm_storage_account" "main" {
  name     = "st${var.env}"
  location = var.location

  network_rules {
    default_action = "Deny"
  }
  tags = merge(local.tags, { owner = "team" })
  policy = <<EOT
{"a": 1}
EOT
}
'''


def test_blocks_and_attributes_keep_their_lines():
    tf = parse_text("main.tf", SOURCE)
    block = tf.blocks[0]
    assert (block.type, block.labels, block.line, block.end_line) == ("resource", ("azurerm_storage_account", "main"), 1, 12)
    assert {name: a.line for name, a in block.attributes.items()} == {"name": 2, "location": 3, "tags": 8, "policy": 9}
    nested = block.blocks[0]
    assert (nested.type, nested.line, nested.attributes["default_action"].line) == ("network_rules", 5, 6)


def test_expressions_become_syntax_trees():
    attrs = parse_text("main.tf", SOURCE).blocks[0].attributes
    assert attrs["name"].expr == x.Template(("st", x.GetAttr(x.Var("var"), "env")))
    assert attrs["location"].expr == x.GetAttr(x.Var("var"), "location")
    assert isinstance(attrs["tags"].expr, x.Call) and attrs["tags"].expr.name == "merge"
    assert attrs["policy"].expr == x.Lit('{"a": 1}\n')


def test_literal_detection():
    attrs = parse_text("a.tf", 'a = "x"\nb = "${"y"}z"\nc = var.x\nd = ["a", 1]\ne = "p-${var.q}"\n').attributes
    assert [name for name, a in attrs.items() if x.is_literal(a.expr)] == ["a", "b", "d"]


def test_escapes_and_operators():
    attrs = parse_text("a.tf", 'a = "q\\"uote\\n"\nb = 1 + 2 * 3\nc = !true\nd = var.a == "x" ? 1 : 2\n').attributes
    assert attrs["a"].expr == x.Lit('q"uote\n')
    assert isinstance(attrs["b"].expr, x.BinOp) and attrs["b"].expr.op == "+"
    assert attrs["c"].expr == x.UnOp("!", x.Lit(True))
    assert isinstance(attrs["d"].expr, x.Cond)


def test_syntax_error_names_the_line():
    with pytest.raises(HclSyntaxError) as err:
        parse_text("bad.tf", 'resource "a" "b" {\n  x = \n}\n')
    assert err.value.line in (2, 3)


def test_terraform_json():
    text = '{\n  "resource": {\n    "aws_s3_bucket": {\n      "b": {\n        "bucket": "x-${var.env}"\n      }\n    }\n  }\n}\n'
    block = parse_json_text("main.tf.json", text).blocks[0]
    assert (block.type, block.labels) == ("resource", ("aws_s3_bucket", "b"))
    assert block.attributes["bucket"].expr == x.Template(("x-", x.GetAttr(x.Var("var"), "env")))
    assert block.attributes["bucket"].line == 5


def test_tfvars_are_top_level_attributes():
    tf = parse_text("terraform.tfvars", 'location = "westeurope"\nzones = ["1", "2"]\n')
    assert tf.blocks == [] and set(tf.attributes) == {"location", "zones"}
