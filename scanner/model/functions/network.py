"""Terraform's CIDR functions: cidrhost cidrnetmask cidrsubnet cidrsubnets.

Prefixes are parsed as Terraform does: IPv4 octets with leading zeros are decimal ("010" is 10),
host bits after the prefix length are ignored ("10.1.2.3/8" is 10.0.0.0/8).
"""
from __future__ import annotations

import ipaddress
import re
from typing import Any, Callable, Union

from scanner.model.functions.arguments import FunctionError, integer, string

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


def parse_prefix(text: Any) -> Network:
    source = string(text, "prefix")
    address, slash, length = source.partition("/")
    if not slash or not re.fullmatch(r"\d{1,3}", length):
        raise FunctionError("invalid CIDR expression")
    if re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", address):
        address = ".".join(str(int(octet)) for octet in address.split("."))
    try:
        return ipaddress.ip_network(f"{address}/{int(length)}", strict=False)
    except ValueError:
        raise FunctionError("invalid CIDR expression") from None


def _address(network: Network, offset: int) -> str:
    return str(network.network_address + offset)


def cidrhost(prefix: Any, hostnum: Any) -> str:
    network, number = parse_prefix(prefix), integer(hostnum, "hostnum")
    largest = network.num_addresses - 1
    if number < 0:
        number = largest + 1 + number
    if not 0 <= number <= largest:
        raise FunctionError(f"prefix of {network.prefixlen} does not accommodate a host numbered {hostnum}")
    return _address(network, number)


def cidrnetmask(prefix: Any) -> str:
    network = parse_prefix(prefix)
    if network.version != 4:
        raise FunctionError("IPv6 addresses cannot have a netmask")
    return str(network.netmask)


def _subnet(network: Network, newbits: int, netnum: int) -> Network:
    length = network.prefixlen + newbits
    if newbits < 0 or length > network.max_prefixlen:
        raise FunctionError(f"insufficient address space to extend prefix of {network.prefixlen} by {newbits}")
    if not 0 <= netnum < 2 ** newbits:
        raise FunctionError(f"prefix extension of {newbits} does not accommodate a subnet numbered {netnum}")
    start = int(network.network_address) + (netnum << (network.max_prefixlen - length))
    return ipaddress.ip_network((start, length))


def cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> str:
    return str(_subnet(parse_prefix(prefix), integer(newbits, "newbits"), integer(netnum, "netnum")))


def cidrsubnets(prefix: Any, *newbits: Any) -> list[str]:
    """Consecutive subnets of the given extra prefix lengths, each aligned after the previous one."""
    network = parse_prefix(prefix)
    bits = network.max_prefixlen
    cursor = int(network.network_address)
    end = cursor + network.num_addresses
    out: list[str] = []
    for number, extra in enumerate(newbits, 1):
        grow = integer(extra, f"argument {number + 1}")
        if grow < 1 or grow > 32:
            raise FunctionError("each new prefix must extend the prefix by 1 to 32 bits")
        length = network.prefixlen + grow
        if length > bits:
            raise FunctionError(f"would extend prefix to {length} bits, which is too long for this address")
        size = 1 << (bits - length)
        start = -(-cursor // size) * size
        if start + size > end:
            raise FunctionError(f"not enough remaining address space for a subnet with a prefix of {length} bits")
        out.append(str(ipaddress.ip_network((start, length))))
        cursor = start + size
    return out


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "cidrhost": cidrhost, "cidrnetmask": cidrnetmask, "cidrsubnet": cidrsubnet, "cidrsubnets": cidrsubnets,
}
