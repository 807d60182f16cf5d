"""``python -m zhaoshang.experiments.cli`` runs the command line, as ``zhaoshang`` does."""

import sys

from . import main

main(sys.argv[1:])
