"""Attribute paths as policies write them."""
from __future__ import annotations

import pytest

from scanner.model import paths
from scanner.model.values import OneOf, Unknown


@pytest.mark.parametrize("path, ok", [("a", True), ("a.b", True), ("a[0].b", True), ("pod.containers[*]", True),
                                      ("a[name=x].b", True), ("tags[[x", False), ("a..b", False), (".a", False),
                                      ("a.", False), ("a[0]b", False), ("a.[0]", False), ("", False),
                                      ("[*].a", True), ("a[0][name=x]", True), ("a[x=]", True), ("a[=x]", True),
                                      ("a[0", False), ("a]", False)])
def test_a_path_is_well_formed_when_split_reads_it_in_full(path, ok):
    assert paths.well_formed(path) is ok


def _resource(items):
    from scanner.model.resource import Resource
    return Resource("terraform", "x_pod", "x_pod.p", "main.tf", 1, {"containers": items}, {})


NAME = Unknown("var.name", kind="variable")


@pytest.mark.parametrize("items, expected", [
    # known names: the item named app only
    ([{"name": "app", "privileged": True}, {"name": "side", "privileged": False}], [True]),
    # an item whose name is not known statically may be app: its value cannot be told
    ([{"name": NAME, "privileged": False}], ["unknown"]),
    ([{"name": "side"}, Unknown("var.container", kind="variable")], ["unknown"]),
    # one of a few names: may be app only when app is among them
    ([{"name": OneOf("var.name", kind="variable", candidates=("app", "web")), "privileged": False}], ["unknown"]),
    ([{"name": OneOf("var.name", kind="variable", candidates=("db", "web")), "privileged": True}], []),
])
def test_a_selector_keeps_the_items_it_may_select(items, expected):
    found = paths.resolve(_resource(items), "containers[name=app].privileged")
    assert ["unknown" if isinstance(m.value, Unknown) else m.value for m in found] == expected


def test_a_check_on_an_item_a_selector_may_select_is_unresolved_not_skipped():
    from scanner.evaluate.conditions import leaf
    check = {"path": "containers[name=app].privileged", "op": "falsy"}
    unknown = leaf(_resource([{"name": "side", "privileged": False}, {"name": NAME, "privileged": True}]), check, None)
    assert unknown.state is None and "whether containers[1] is the [name=app] item (var.name)" in unknown.blocker
    known = leaf(_resource([{"name": "app", "privileged": True}, {"name": NAME, "privileged": False}]), check, None)
    assert known.state is False     # the item named app fails whatever the other one is


@pytest.mark.parametrize("items, keys", [
    ([{"name": "app"}, {"name": "side"}], ["[name=app]", "[name=side]"]),
    # a name two items share names neither: their place in the list does
    ([{"name": "app"}, {"name": "app"}, {"name": "side"}], ["[0]", "[1]", "[name=side]"]),
    # a port without a name by its containerPort, unless TCP and UDP share it
    ([{"containerPort": 80, "hostPort": 80}, {"name": "dns", "containerPort": 53}], ["[containerPort=80]", "[name=dns]"]),
    ([{"containerPort": 53, "protocol": "TCP"}, {"containerPort": 53, "protocol": "UDP"}], ["[0]", "[1]"]),
    (["NET_ADMIN", {"name": True}, {"name": NAME}], ["[=NET_ADMIN]", "[1]", "[2]"]),
    # a plain value by itself, where no other item is that value
    (["IPC_LOCK", "NET_ADMIN", "SYS_TIME"], ["[=IPC_LOCK]", "[=NET_ADMIN]", "[=SYS_TIME]"]),
    ([80, "80", 443, 0.5], ["[0]", "[1]", "[=443]", "[=0.5]"]),
    (["NET_ADMIN", "NET_ADMIN", "SYS_TIME"], ["[0]", "[1]", "[=SYS_TIME]"]),
    (["--anonymous-auth", "10.0.0.0/8", "https://www.googleapis.com/auth/cloud-platform"],
     ["[=--anonymous-auth]", "[=10.0.0.0/8]", "[=https://www.googleapis.com/auth/cloud-platform]"]),
    # a value that may carry a secret: a flag with its value, URL credentials, what looks like a generated
    # credential, what a secret detector finds (reports print a key in full)
    (["--token=abc", "https://user:pw@example.com", "a1b2c3d4e5f6g7h8i9", "AKIA" + "IOSFODNN7EXAMPLE"],
     ["[0]", "[1]", "[2]", "[3]"]),
    # a script, a sentence, a long value or one the key could not carry: by its place
    (["/bin/sh", "-c", "echo hi"], ["[=/bin/sh]", "[=-c]", "[2]"]),
    (["x" * 63, "y" * 64], ["[=" + "x" * 63 + "]", "[1]"]),
    (["a]b", "tab\there", "", "bell\a", "\ud800", True, None, ["a"]], [f"[{i}]" for i in range(8)]),
    (["eu-west-1", Unknown("var.region", kind="variable"),
      OneOf("var.zone", kind="variable", candidates=("a", "b"))], ["[=eu-west-1]", "[1]", "[2]"]),
    # a repeated Terraform block by what its provider allows once per list
    ([{"region_name": "eu-central-1"}, {"region_name": "us-east-1"}], ["[region_name=eu-central-1]",
                                                                         "[region_name=us-east-1]"]),
    ([{"region": "eu-central-1"}, {"region": "us-east-1"}], ["[region=eu-central-1]", "[region=us-east-1]"]),
    ([{"location": "westeurope", "failover_priority": 0}, {"location": "eastus"}], ["[location=westeurope]",
                                                                                   "[location=eastus]"]),
    ([{"lun": 0, "caching": "None"}, {"lun": 1}], ["[lun=0]", "[lun=1]"]),
    ([{"device_name": "/dev/sdb"}, {"device_name": "/dev/sdc"}], ["[device_name=/dev/sdb]", "[device_name=/dev/sdc]"]),
    ([{"device_name": "/dev/sdb"}, {"device_name": "/dev/sdb"}], ["[0]", "[1]"]),
])
def test_a_list_item_is_keyed_by_what_names_it_alone(items, keys):
    assert paths.item_keys(items, paths.IDENTITY_FIELDS) == keys


def test_an_item_inserted_above_leaves_the_others_keys_and_moves_their_locations():
    port = {"containerPort": 8080, "hostPort": 8080}
    one = paths.resolve(_resource([{"name": "app", "ports": [port]}]), "containers[*].ports[*].hostPort")
    two = paths.resolve(_resource([{"name": "init"}, {"name": "app", "ports": [{"containerPort": 9090}, port]}]),
                        "containers[*].ports[*].hostPort")
    assert [(m.location, m.key) for m in one] == [("containers[0].ports[0].hostPort",
                                                   "containers[name=app].ports[containerPort=8080].hostPort")]
    assert [(m.location, m.key) for m in two] == [("containers[1].ports[1].hostPort",
                                                   "containers[name=app].ports[containerPort=8080].hostPort")]


def _capabilities(add):
    from scanner.model.resource import Resource
    return Resource("kubernetes", "Pod", "Pod/default/p", "pod.yaml", 1, {"capabilities": {"add": add}}, {})


def test_the_values_of_a_list_whose_name_says_it_holds_secrets_never_name_its_items():
    from scanner.model.resource import Resource
    resource = Resource("terraform", "x_app", "x_app.a", "main.tf", 1, {"admin_passwords": ["hunter2", "Summer24"]}, {})
    assert [m.key for m in paths.resolve(resource, "admin_passwords[*]")] == ["admin_passwords[0]", "admin_passwords[1]"]


def test_a_plain_item_inserted_above_keeps_its_key_and_moves_its_location():
    one = paths.resolve(_capabilities(["NET_ADMIN"]), "capabilities.add[*]")
    two = paths.resolve(_capabilities(["SYS_TIME", "NET_ADMIN"]), "capabilities.add[*]")
    assert [(m.location, m.key) for m in one] == [("capabilities.add[0]", "capabilities.add[=NET_ADMIN]")]
    assert [(m.location, m.key) for m in two][1] == ("capabilities.add[1]", "capabilities.add[=NET_ADMIN]")


@pytest.mark.parametrize("add, path, expected", [
    (["SYS_TIME", "NET_ADMIN", 80], "add[=NET_ADMIN]", [("capabilities.add[1]", "NET_ADMIN")]),
    (["SYS_TIME", "NET_ADMIN", 80], "add[=80]", [("capabilities.add[2]", 80)]),
    (["SYS_TIME", 80], "add[=NET_ADMIN]", []),
    ([{"name": "NET_ADMIN"}], "add[=NET_ADMIN]", []),
    # an item not known statically may be the one
    ([Unknown("var.cap", kind="variable")], "add[=NET_ADMIN]", [("capabilities.add[0]", "unknown")]),
    ([OneOf("var.cap", kind="variable", candidates=("NET_ADMIN", "SYS_TIME"))], "add[=NET_ADMIN]",
     [("capabilities.add[0]", "unknown")]),
    ([OneOf("var.cap", kind="variable", candidates=("CHOWN", "SYS_TIME"))], "add[=NET_ADMIN]", []),
])
def test_a_plain_item_is_selected_by_its_value(add, path, expected):
    """`[=value]` selects the plain items that are the value."""
    found = paths.resolve(_capabilities(add), f"capabilities.{path}")
    assert [(m.location, "unknown" if isinstance(m.value, Unknown) else m.value) for m in found] == expected
