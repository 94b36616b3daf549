"""The ``mlmismatch`` command line (typer). Thin: every command calls the library.

:mod:`.app` defines the typer apps and the global options, :mod:`.commands` registers the commands
on them, and :mod:`.main` is the entry point (``mlmismatch = "mlmismatch.cli.main:main"``).
"""
