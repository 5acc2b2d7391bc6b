"""A short name that recurs across files is one string object, whether the file was parsed now or read back
from the parse cache: the corpus's Terraform trees held 12.6 MB of strings for 1.2 MB of distinct ones, and
its YAML documents 10.8 MB for 2.1 MB, until parsing kept one of each. A long text is kept as it is (Python
3.12 never frees an interned string)."""
from __future__ import annotations

import json

from scanner.parse import codec, terraform
from scanner.parse.names import SHARED_LENGTH
from scanner.parse import yaml as yaml_stage

# Each text built at run time, so that equal names are distinct objects until something shares them.
TF = 'resource "aws_s3_bucket" "b%d" {\n  bucket = var.%s\n  acl = "%s"\n  tags = local.tags\n}\n'
MANIFEST = "apiVersion: apps/v1\nkind: %s\nmetadata:\n  name: web%d\nspec:\n  replicas: 2\n"


def _tf(number: int) -> terraform.TerraformFile:
    return terraform.parse_text(f"f{number}.tf", TF % (number, "bucket_" + "name", "pri" + "vate"))


def _names(tf: terraform.TerraformFile) -> list[str]:
    block = tf.blocks[0]
    bucket, acl, tags = (block.attributes[name].expr for name in ("bucket", "acl", "tags"))
    return [block.type, block.labels[0], *block.attributes, bucket.name, acl.value, tags.obj.name, tags.name]


def test_terraform_names_are_one_object_across_files():
    first, second = _names(_tf(1)), _names(_tf(2))
    assert first == second == ["resource", "aws_s3_bucket", "bucket", "acl", "tags", "bucket_name", "private",
                               "local", "tags"]
    assert all(a is b for a, b in zip(first, second))


def test_yaml_keys_values_and_key_paths_are_one_object_across_files():
    first, = yaml_stage.parse_text("a.yaml", MANIFEST % ("Deploy" + "ment", 1))
    second, = yaml_stage.parse_text("b.yaml", MANIFEST % ("Deploy" + "ment", 2))
    assert first.values["kind"] is second.values["kind"]
    assert first.values["apiVersion"] is second.values["apiVersion"]
    assert next(iter(first.values["spec"])) is next(iter(second.values["spec"]))
    first_path = next(p for p in first.locations if p == ("spec", "replicas"))
    second_path = next(p for p in second.locations if p == ("spec", "replicas"))
    assert first_path[1] is second_path[1]


def test_names_read_back_from_the_cache_are_one_object_across_entries():
    def read_back(tf: terraform.TerraformFile) -> terraform.TerraformFile:
        return codec.decode_terraform(tf.path, json.loads(json.dumps(codec.encode_terraform(tf))))
    first, second = _names(read_back(_tf(1))), _names(read_back(_tf(2)))
    assert first == _names(_tf(1))
    assert all(a is b for a, b in zip(first, second))

    def documents(number: int):
        parsed = yaml_stage.parse_text(f"{number}.yaml", MANIFEST % ("Deploy" + "ment", number))
        return codec.decode_documents(f"{number}.yaml", json.loads(json.dumps(codec.encode_documents(parsed))))
    one, = documents(1)
    two, = documents(2)
    assert one.values["kind"] is two.values["kind"]
    assert next(iter(one.values["spec"])) is next(iter(two.values["spec"]))   # a mapping's keys, too
    one_path = next(p for p in one.locations if p == ("spec", "replicas"))
    two_path = next(p for p in two.locations if p == ("spec", "replicas"))
    assert one_path[0] is two_path[0] and one_path[1] is two_path[1]


def test_a_long_text_is_kept_as_it_is():
    long_value = "x" * (SHARED_LENGTH + 1)
    first, = yaml_stage.parse_text("a.yaml", f"kind: {long_value}\nname: {'y' * SHARED_LENGTH}\n")
    second, = yaml_stage.parse_text("b.yaml", f"kind: {long_value}\nname: {'y' * SHARED_LENGTH}\n")
    assert first.values["kind"] == second.values["kind"] and first.values["kind"] is not second.values["kind"]
    assert first.values["name"] is second.values["name"]   # at the bound: still one object


def test_names_of_terraform_json_are_one_object_across_files_as_in_hcl():
    text = '{"resource": {"aws_s3_bucket": {"b": {"acl": "%s", "tags": {"team": "t"}}}}}'
    first, second = (terraform.parse_json_text(f"{n}.tf.json", text % ("pri" + "vate")) for n in (1, 2))
    one, two = first.blocks[0], second.blocks[0]
    assert one.labels == ("aws_s3_bucket", "b") and one.labels[0] is two.labels[0]
    assert one.attributes["acl"].expr.value == "private"
    assert one.attributes["acl"].expr.value is two.attributes["acl"].expr.value
    assert next(iter(one.attributes)) is next(iter(two.attributes))
