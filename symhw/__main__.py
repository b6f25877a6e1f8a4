"""``python -m symhw`` runs the command-line interface."""

from symhw.cli import main

raise SystemExit(main())
