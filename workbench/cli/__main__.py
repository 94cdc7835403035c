"""``python -m workbench.cli``: the same as the ``workbench`` command."""

from workbench.cli import run

run()
