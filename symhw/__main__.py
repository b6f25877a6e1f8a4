"""``python -m symhw`` runs the command-line interface."""

from symhw.cli import run

run()
