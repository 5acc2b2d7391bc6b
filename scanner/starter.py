"""The commented starter configuration that `sovscan init` writes."""
from __future__ import annotations

STARTER = """\
# sovscan configuration. Every key is optional; `sovscan scan` validates this file and exits 2
# naming the key when something is wrong. Reference: README.md, "Configuration".

# Built-in profile this file starts from: default, hardened, municipal-azure or nds-sovereign.
# Settings below win over the profile's, key by key.
profile: {profile}

# prod or nonprod: some checks (backups, disruption budgets) apply to prod only.
environment: prod

# Data classification: public, bbn1, bbn2, bbn3 or dv.
# classification: bbn2

residency:
  # eu (default), eea or adequacy: the widest set of regions data may be stored and processed in.
  tier: eu
  # allow: [switzerlandnorth]     # region ids allowed whatever their tier
  # deny: [francesouth]           # region ids refused whatever their tier

# Indicative SEAL level (0-4) the providers must reach, and the sovereignty requirement
# (none, some, high) for the placement matrix of "Verkenning Soevereine Cloud" (Gartner / BZK, 2026), §6.8.
# seal_target: 4
# sovereignty_requirement: high

# Audit before deny ("Overheid saai?", §Audit before Deny): per family, opt-in group or policy id,
# off | audit | deny, or {{mode: audit, deny_from: YYYY-MM-DD}} to turn an audit into a deny on a date.
# Opt-in groups (restricted, operations, supply-chain) run only when named here. Without this key the
# profile's enforcement holds.
# enforcement:
#   exit: audit
#   restricted: audit
#   haven: {{mode: audit, deny_from: 2027-01-01}}
#   RES-013: off

# Exit readiness: where the exit plan is and when it was last tested.
# exit:
#   plan: docs/exit-plan.md
#   last_test: 2026-06-01
#   image_registries: [registry.example.eu]

# Waivers: one rule and one resource, with a reason, an owner and an expiry at most max_waiver_days
# ahead ("don't make the exception the rule"); `*` for every rule or every resource is refused.
# max_waiver_days: 365
# waivers:
#   - rule: RES-001
#     resource: aws_acm_certificate.cdn
#     reason: CloudFront needs its certificate in us-east-1
#     owner: platform-team
#     expires: 2027-03-31

# Paths are relative to the repository root and must stay inside it.
# policies: [org-policies]       # extra policy directories
# exclude: ["legacy/*"]           # paths to leave out, as reports print them
# var_files: [envs/prod.tfvars]   # Terraform variables for the root modules
"""


def starter_config(profile: str) -> str:
    return STARTER.format(profile=profile)
