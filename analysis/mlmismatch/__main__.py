"""``python -m mlmismatch`` runs the command line."""

from mlmismatch.cli.main import main

main()
