from __future__ import annotations

from typing import Any

import pytest

from scanner.model.types import ANY, Attribute, TypeSpec, apply_defaults, kind_of, read_type
from scanner.model.values import Unknown
from scanner.parse import expressions as x
from scanner.parse.terraform import parse_text

U = Unknown("var.x")


def type_of(source: str) -> TypeSpec:
    block = parse_text("variables.tf", f'variable "v" {{\n  type = {source}\n}}\n').blocks[0]
    return read_type(block.attributes["type"].expr)


STRING, NUMBER, BOOL = TypeSpec("string"), TypeSpec("number"), TypeSpec("bool")


@pytest.mark.parametrize("source, expected", [
    ("string", STRING),
    ("any", ANY),
    ("list(string)", TypeSpec("list", element=STRING)),
    ("set(number)", TypeSpec("set", element=NUMBER)),
    ("map(bool)", TypeSpec("map", element=BOOL)),
    ("tuple([string, number])", TypeSpec("tuple", elements=(STRING, NUMBER))),
    ('"string"', STRING),
    ('"list"', TypeSpec("list", element=ANY)),
    ("object({ name = string, key_type = optional(string, \"RSA-HSM\"), size = optional(number) })",
     TypeSpec("object", attributes=(("key_type", Attribute(STRING, True, "RSA-HSM")), ("name", Attribute(STRING)),
                                    ("size", Attribute(NUMBER, True, None))))),
    ("object({ rules = optional(list(object({ port = optional(number, -1) })), []) })",
     TypeSpec("object", attributes=(("rules", Attribute(
         TypeSpec("list", element=TypeSpec("object", attributes=(("port", Attribute(NUMBER, True, -1)),))), True, [])),))),
])
def test_type_expressions_are_read(source: str, expected: TypeSpec) -> None:
    assert type_of(source) == expected


@pytest.mark.parametrize("source, reason", [
    ("strin", "not a type expression"),
    ("list(string, number)", "not a type constructor"),
    ("foo(string)", "not a type constructor"),
    ('"float"', "unknown type"),
    ("object([string])", "not a type constructor"),
])
def test_unreadable_types_are_unknown_with_a_reason(source: str, reason: str) -> None:
    spec = type_of(source)
    assert spec.kind == "unknown" and reason in spec.reason


def test_a_missing_type_is_any_and_a_computed_default_is_unknown() -> None:
    assert read_type(None) == ANY
    spec = type_of("object({ a = optional(string, var.x) })")
    assert spec.attribute("a") == Attribute(STRING, True, Unknown("optional() default is not a constant", kind="expression"))


KEY_VAULT_KEY = """object({
  name     = string
  key_type = optional(string, "RSA-HSM")
  key_size = optional(number, 2048)
  opts     = optional(list(string))
})"""
NETWORK = """object({
  name    = string
  subnets = optional(map(object({
    cidr              = string
    service_endpoints = optional(list(string), [])
    private           = optional(bool, true)
  })), {})
  settings = optional(object({
    dns = optional(string, "azure")
    tls = optional(object({ min = optional(string, "1.2") }), {})
  }), {})
})"""
RULES = "list(object({ port = number, protocol = optional(string, \"tcp\"), cidrs = optional(set(string), [\"10.0.0.0/8\"]) }))"


@pytest.mark.parametrize("source, value, expected", [
    (KEY_VAULT_KEY, {"name": "cmk"}, {"name": "cmk", "key_type": "RSA-HSM", "key_size": 2048, "opts": None}),
    (KEY_VAULT_KEY, {"name": "cmk", "key_type": "EC-HSM", "key_size": None},
     {"name": "cmk", "key_type": "EC-HSM", "key_size": 2048, "opts": None}),
    (KEY_VAULT_KEY, {"name": "cmk", "key_type": U}, {"name": "cmk", "key_type": U, "key_size": 2048, "opts": None}),
    (KEY_VAULT_KEY, {"name": "cmk", "extra": 1}, {"name": "cmk", "extra": 1, "key_type": "RSA-HSM", "key_size": 2048, "opts": None}),
    (KEY_VAULT_KEY, {"key_type": "EC"}, {"key_type": "EC"}),                    # required name missing: as is
    (KEY_VAULT_KEY, None, None),
    (KEY_VAULT_KEY, U, U),
    (KEY_VAULT_KEY, "cmk", "cmk"),
    (NETWORK, {"name": "hub"}, {"name": "hub", "subnets": {}, "settings": {"dns": "azure", "tls": {"min": "1.2"}}}),
    (NETWORK, {"name": "hub", "subnets": {"a": {"cidr": "10.0.0.0/24"}, "b": {"cidr": "10.0.1.0/24", "private": False}},
               "settings": {"tls": {}}},
     {"name": "hub", "subnets": {"a": {"cidr": "10.0.0.0/24", "service_endpoints": [], "private": True},
                                 "b": {"cidr": "10.0.1.0/24", "service_endpoints": [], "private": False}},
      "settings": {"dns": "azure", "tls": {"min": "1.2"}}}),
    (NETWORK, {"name": "hub", "subnets": {"a": U}}, {"name": "hub", "subnets": {"a": U},
                                                   "settings": {"dns": "azure", "tls": {"min": "1.2"}}}),
    (RULES, [{"port": 443}, {"port": 53, "protocol": "udp", "cidrs": ["0.0.0.0/0"]}],
     [{"port": 443, "protocol": "tcp", "cidrs": ["10.0.0.0/8"]}, {"port": 53, "protocol": "udp", "cidrs": ["0.0.0.0/0"]}]),
    (RULES, [], []),
    (RULES, [{"protocol": "udp"}], [{"protocol": "udp"}]),
    (RULES, {"port": 1}, {"port": 1}),
    ("tuple([object({ a = optional(number, 1) }), string])", [{}, "x"], [{"a": 1}, "x"]),
    ("tuple([object({ a = optional(number, 1) }), string])", [{}], [{}]),
    ("map(string)", {"a": None}, {"a": None}),
    ("any", {"a": None}, {"a": None}),
])
def test_optional_defaults_are_applied(source: str, value: Any, expected: Any) -> None:
    assert apply_defaults(type_of(source), value) == expected


@pytest.mark.parametrize("source, kind", [
    ("string", "string"), ("number", "number"), ("bool", "bool"), ("any", "any"), ("list(string)", "collection"),
    ("set(bool)", "collection"), ("map(number)", "collection"), ("tuple([bool])", "collection"),
    ("object({ a = string })", "collection"), ("nonsense", "unknown"),
])
def test_kind_of(source: str, kind: str) -> None:
    assert kind_of(type_of(source)) == kind


def test_a_type_written_as_a_string_as_tf_json_writes_it_is_read():
    declared = read_type(x.Lit('object({name = string, location = optional(string, "westeurope")})'))
    assert declared.kind == "object" and declared.attribute("location").default == "westeurope"
    assert apply_defaults(declared, {"name": "x"}) == {"name": "x", "location": "westeurope"}
    assert [read_type(x.Lit(t)).kind for t in ("number", "bool", "list(string)", "string", "map")] == [
        "number", "bool", "list", "string", "map"]
    assert read_type(x.Lit("garbage(((")).kind == "unknown"
