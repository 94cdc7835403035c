"""Dyad Workbench: offline longitudinal qualitative analysis of clinician–patient dyads."""

__version__ = "0.1.0"
