"""Stage 3 for whole files: state files, CI definitions, and every text file (for secret detectors, which read
its text from Model.texts)."""
from __future__ import annotations

import posixpath

from scanner.discover import ci_kind
from scanner.model.kubernetes import dotted
from scanner.model.resource import Resource
from scanner.parse.files import ParsedFile

STATE_FILE_TYPE = "terraform_state"
TEXT_FILE_TYPE = "text_file"


def build(files: list[ParsedFile]) -> list[Resource]:
    resources: list[Resource] = []
    # Every text file is a resource (50,000 in a large repository), its tables empty; a resource's tables never
    # change once it is made (derived facts are its own), so one empty table serves them all.
    empty: dict = {}
    for parsed in files:
        path = parsed.source.path
        if parsed.source.kind == "tfstate":
            resources.append(Resource("file", STATE_FILE_TYPE, path, path, 1, {"path": path}))
            continue
        kind = ci_kind(path)
        values = parsed.documents[0].values if parsed.documents else None
        if kind and isinstance(values, dict):
            locations = {dotted(k): v for k, v in parsed.documents[0].locations.items()}
            resources.append(Resource("file", kind, path, path, 1, values, locations))
        if parsed.has_text:
            resources.append(Resource("file", TEXT_FILE_TYPE, path, path, 1,
                                      {"path": path, "name": posixpath.basename(path), "generated": parsed.generated},
                                      empty, references=empty, provider_values=empty, origins=empty, chains=empty,
                                      places=empty))
    return resources

