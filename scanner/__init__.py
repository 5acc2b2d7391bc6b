"""sovscan: policy-as-code scanner for sovereignty and security of infrastructure code."""

__version__ = "0.1.0"
