"""Stage 2: read each Source once and turn it into syntax (Terraform) or documents (YAML).

The stage's entry is `files.parse_all`. This package file imports nothing, so a module that needs one
piece of the stage (the directive reader, the cache's entry types) does not load the HCL parser."""
