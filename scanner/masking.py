"""Masking of secret values: findings say where a secret is and what it starts with, never what it is.

Every message and detail that mentions a secret value goes through `mask`, so no report format can
disclose it (reports are published as CI artefacts, PR annotations and code-scanning alerts).
"""
from __future__ import annotations

import functools
import re
from typing import Any

DETECTOR_REGISTRY = "secret-detectors"   # policies/registries/secret-detectors.yaml
MASK = "****"
MAX_SHOWN = 4


def mask(value: object) -> str:
    """At most the first 4 characters, and never more than a quarter of the value, then a fixed mask.

    The mask has a fixed length, so it does not tell the value's length either.
    """
    text = "" if value is None else str(value)
    shown = min(MAX_SHOWN, len(text) // 4)
    return text[:shown] + MASK


# --- the funnel every echoed value passes -----------------------------------------------------------
# A message may quote any value the scanned code holds (a module source, a region, a tag), so secrets can
# reach reports through policies that are not about secrets at all: a module source
# `git::https://gitlab-ci-token:glpat-...@host/...`, a value read from a variables file. `redact` masks URL
# credentials, secret-named query parameters and every match of the secret detectors.
_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^/?#@\s:]*)(?::(?P<password>[^/?#@\s]*))?@")
_SECRET_WORDS = r"token|secret|password|passwd|pwd|sig|signature|api[_-]?key|access[_-]?key|auth|credential"
_SECRET_QUERY = re.compile(rf"(?P<name>[?&;](?:[A-Za-z0-9_-]*(?:{_SECRET_WORDS})[A-Za-z0-9_-]*)=)(?P<value>[^&#\s\"']+)",
                           re.IGNORECASE)
_SECRET_NAME = re.compile(_SECRET_WORDS, re.IGNORECASE)
_PLAIN_USER = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
# a token used as the user name (https://<token>@github.com/...): long, and letters mixed with digits
_TOKEN_LIKE = re.compile(r"^(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9._-]{16,}$")


def names_a_secret(name: str) -> bool:
    """A name with a word that says it may hold a secret (`admin_passwords`, `api_keys`, `oauth_tokens`): broad, for
    where a false yes costs nothing but a plainer key."""
    return _SECRET_NAME.search(name) is not None


def looks_like_a_token(text: str) -> bool:
    """Long, and letters mixed with digits: what a generated credential looks like."""
    return _TOKEN_LIKE.match(text) is not None


def _userinfo(match: re.Match) -> str:
    user, password = match.group("user"), match.group("password")
    if password is not None:
        return f"{match.group('scheme')}{user}:{mask(password)}@"
    if _PLAIN_USER.match(user) and not _TOKEN_LIKE.match(user) and not _detect(user):
        return match.group(0)          # ssh://git@host: a login name, not a credential
    return f"{match.group('scheme')}{mask(user)}@"


def _detect(text: str) -> list[str]:
    """The secrets the registry's detectors find in `text`."""
    from scanner.model import detectors   # imported here: masking sits below the stages that import it
    return [secret for _, _, secret in detectors.find(text, _catalogue())]


@functools.lru_cache(maxsize=1)
def _catalogue() -> Any:
    from scanner.model import detectors
    from scanner.registries import document
    return detectors.load(document(DETECTOR_REGISTRY))


def masked(text: str, secrets: list[str]) -> str:
    """`text` with every occurrence of the given values masked, the longest first (a value inside another)."""
    for secret in sorted({s for s in secrets if s and MASK not in s}, key=len, reverse=True):
        text = text.replace(secret, mask(secret))
    return text


def redact(text: str) -> str:
    """`text` with URL credentials, secret query parameters and detected secrets masked."""
    if not text:
        return text
    text = _URL_USERINFO.sub(_userinfo, text)
    text = _SECRET_QUERY.sub(lambda m: m.group("name") + mask(m.group("value")), text)
    return masked(text, _detect(text))
