"""Private implementation of :mod:`workbench.exchange.transcripts`; import from there instead."""
