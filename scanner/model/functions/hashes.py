"""Terraform's hash functions of strings (UTF-8 bytes): md5 sha1 sha256 sha512 base64sha256
base64sha512 uuidv5. uuid() and bcrypt() are random, so they stay Unknown; rsadecrypt needs a
private key and a crypto library and is left out.
"""
from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any, Callable

from scanner.model.functions.arguments import FunctionError, string


def _digest(algorithm: str, text: Any) -> bytes:
    return hashlib.new(algorithm, string(text).encode()).digest()


def md5(text: Any) -> str:
    return _digest("md5", text).hex()


def sha1(text: Any) -> str:
    return _digest("sha1", text).hex()


def sha256(text: Any) -> str:
    return _digest("sha256", text).hex()


def sha512(text: Any) -> str:
    return _digest("sha512", text).hex()


def base64sha256(text: Any) -> str:
    return base64.b64encode(_digest("sha256", text)).decode("ascii")


def base64sha512(text: Any) -> str:
    return base64.b64encode(_digest("sha512", text)).decode("ascii")


_NAMESPACES = {"dns": uuid.NAMESPACE_DNS, "url": uuid.NAMESPACE_URL, "oid": uuid.NAMESPACE_OID,
               "x500": uuid.NAMESPACE_X500}


def uuidv5(namespace: Any, name: Any) -> str:
    space = string(namespace, "namespace")
    if space in _NAMESPACES:
        base = _NAMESPACES[space]
    else:
        try:
            base = uuid.UUID(space)
        except ValueError:
            raise FunctionError("uuidv5() doesn't support this namespace") from None
    return str(uuid.uuid5(base, string(name, "name")))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "md5": md5, "sha1": sha1, "sha256": sha256, "sha512": sha512, "base64sha256": base64sha256,
    "base64sha512": base64sha512, "uuidv5": uuidv5,
}
