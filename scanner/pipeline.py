"""A scan: the result cache's answer when it has one (scanner/result_cache.py), else the stages
(scanner/stages.py: discover -> parse -> model -> evaluate)."""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scanner import collector, result_cache
from scanner.cachedir import CacheDirectory, tag_directory
from scanner.result_cache import ResultCache

if TYPE_CHECKING:
    from scanner.config import Config
    from scanner.evaluate.policies import Policy
    from scanner.evaluate.result import Result
    from scanner.focus import Focus


@dataclass(frozen=True)
class ScanRequest:
    paths: tuple[str, ...]
    policies: tuple[Policy, ...]
    config: Config
    excludes: tuple[str, ...] = ()
    var_files: tuple[str, ...] = ()
    today: datetime.date | None = None
    baseline: str | None = None
    focus: Focus | None = None
    haven_results: tuple[str, ...] = ()   # Haven Compliancy Checker JSON files (live cluster results)
    plans: tuple[str, ...] = ()           # `terraform show -json` plans: values for their root modules
    helm_engine: str = "auto"             # auto | sdk | binary | none: what renders Helm charts
    cache: CacheDirectory | None = None   # where parses, roots, outcomes and results are remembered (the CLI's default)


def scan(request: ScanRequest) -> tuple[Result, int]:
    """(result, number of files scanned); with a cache, the result of an earlier scan that read the same
    (scanner/result_cache.py)."""
    request = dataclasses.replace(request, today=request.today or datetime.date.today())
    if request.cache is not None:
        tag_directory(request.cache.directory)   # before discovery: a cache with a damaged tag inside the tree is
                                                 # not the project's files
    results = None if request.cache is None else ResultCache(request.cache.directory, request.cache.limit)
    state = hashlib.sha256()       # what lstat said of the tree as the key read it
    key = None if results is None else result_cache.request_key(request, result_cache.code_fingerprint(), state)
    remembered = None if results is None or key is None else results.get(key, request.policies)
    if remembered is not None:
        return remembered
    from scanner import stages    # here: a run the cache answers needs none of the stages' code (pre-commit start-up)

    with collector.fewer_collections():
        result, files, unrepeatable = stages.run(request)
        if results is not None and key is not None and not unrepeatable \
                and result_cache.tree_state(request) == state.hexdigest():   # else it is not the key's tree's result
            results.put(key, result, files)
    return result, files


