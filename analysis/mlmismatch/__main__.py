"""``python -m mlmismatch`` runs the command line."""

from .cli import main

main()
