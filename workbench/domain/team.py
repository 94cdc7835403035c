"""The kinds of role a member of a team project holds (``workbench team add-role``)."""

from __future__ import annotations

OWNER, ANALYST, READER = "owner", "analyst", "reader"
KINDS = (OWNER, ANALYST, READER)
"""Owner: everything, roles included; analyst: reads and writes the study; reader: reads."""
