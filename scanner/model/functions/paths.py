"""Terraform's pure path functions, with Go's POSIX path rules: basename dirname.

abspath and pathexpand depend on the machine Terraform runs on, so they stay Unknown.
"""
from __future__ import annotations

from typing import Any, Callable

from scanner.model.functions.arguments import string


def clean(path: str) -> str:
    """Go's path.Clean: no empty, "." or resolvable ".." elements; "" is "."."""
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    joined = "/".join(parts)
    if rooted:
        return "/" + joined
    return joined or "."


def basename(path: Any) -> str:
    text = string(path, "path")
    if text == "":
        return "."
    text = text.rstrip("/")
    return text.rsplit("/", 1)[-1] if text else "/"


def dirname(path: Any) -> str:
    text = string(path, "path")
    return clean(text[:text.rfind("/") + 1])


FUNCTIONS: dict[str, Callable[..., Any]] = {"basename": basename, "dirname": dirname}
