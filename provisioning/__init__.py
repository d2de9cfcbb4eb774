"""The technician's tools: enrol units, broker credentials and ACLs, card codes and sheets."""

__version__ = "0.1.0"
