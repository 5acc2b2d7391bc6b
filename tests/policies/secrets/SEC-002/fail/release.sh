#!/bin/sh
# push the release
curl --header "PRIVATE-TOKEN: glpat-qSwAExxC0nLfYmF9jA7e" https://gitlab.example.eu/api/v4/projects # expect: SEC-002
