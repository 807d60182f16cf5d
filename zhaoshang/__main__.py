"""``python -m zhaoshang`` runs the command line."""

from .experiments.cli import main

main()
